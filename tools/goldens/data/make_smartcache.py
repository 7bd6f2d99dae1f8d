"""Goldens for SmartCacheDataset (packages/monai/src/data/smart_cache.ts) from MONAI 1.4: which item ids
are cached after construction and after each update_cache round, for 5, 8 and 9 items, cache_num 4,
several replace rates, shuffle on and off; then a shutdown and a restart (the window restarts at 0).

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_smartcache.py
"""
import json
import os
import warnings

from monai.data import SmartCacheDataset

warnings.simplefilter("ignore")
ROUNDS = 6
cases = []
for n in (5, 8, 9):
    for rate in (0.25, 0.3, 0.5, 1.0):
        for shuffle in (False, True):
            for seed in ((0, 7) if shuffle else (0,)):
                data = [{"id": i} for i in range(n)]
                ds = SmartCacheDataset(data, transform=None, replace_rate=rate, cache_num=4, progress=False,
                                       shuffle=shuffle, seed=seed, num_init_workers=1, num_replace_workers=1)
                ids = lambda: [ds[i]["id"] for i in range(len(ds))]
                rounds = [ids()]
                ds.start()
                for _ in range(ROUNDS):
                    ds.update_cache()
                    rounds.append(ids())
                ds.shutdown()
                after_restart = []
                for _ in range(2):
                    ds.update_cache()
                    after_restart.append(ids())
                ds.shutdown()
                cases.append({"n": n, "replaceRate": rate, "shuffle": shuffle, "seed": seed,
                              "order": [d["id"] for d in ds.data], "rounds": rounds, "afterRestart": after_restart})

with open(os.path.join(os.path.dirname(__file__), "smartcache.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(len(cases), "cases")

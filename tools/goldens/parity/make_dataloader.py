"""DataLoader order parity golden: torch 1.13 DataLoader batch order (shuffle with a seeded generator, with
torch.manual_seed and no generator, drop_last, batch sizes that do not divide) and MONAI 1.4
list_data_collate over multi-sample items. Writes dataloader.json.
Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_dataloader.py
"""
import json
import os

import torch
from monai.data import DataLoader as MonaiLoader, list_data_collate

HERE = os.path.dirname(os.path.abspath(__file__))
ident = lambda b: b  # noqa: E731
out = {"cases": []}
for n, bs, drop, seed, gen in [(10, 3, False, 0, True), (10, 3, True, 5, True), (11, 4, False, 42, False),
                               (11, 4, True, 3, False), (7, 7, False, 1, True), (5, 2, False, 123, False)]:
    if gen:
        g = torch.Generator()
        g.manual_seed(seed)
        loader = torch.utils.data.DataLoader(list(range(n)), batch_size=bs, shuffle=True, drop_last=drop,
                                             generator=g, collate_fn=ident)
    else:
        torch.manual_seed(seed)
        loader = torch.utils.data.DataLoader(list(range(n)), batch_size=bs, shuffle=True, drop_last=drop,
                                             collate_fn=ident)
    epochs = [[list(b) for b in loader] for _ in range(3)]
    out["cases"].append({"n": n, "batch_size": bs, "drop_last": drop, "seed": seed, "generator": gen, "epochs": epochs})

# multi-sample items: item i -> [{"v": 10 i + k}] for k < 3; MONAI's DataLoader (list_data_collate)
ms = [[{"v": torch.tensor(10 * i + k)} for k in range(3)] for i in range(5)]
out["multi_sample"] = [b["v"].tolist() for b in MonaiLoader(ms, batch_size=2)]
with open(os.path.join(HERE, "dataloader.json"), "w") as f:
    json.dump(out, f)
print(json.dumps(out)[:1500])

"""Goldens for Dataset, CacheDataset, PersistentDataset, ZipDataset and ArrayDataset
(packages/monai/src/data/dataset.ts) from MONAI 1.4: a seeded pipeline with a deterministic prefix and
random transforms, read twice over so successive draws are compared too.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_datasets.py
"""
import json
import os
import tempfile

import numpy as np
import torch

from monai.data import ArrayDataset, CacheDataset, Dataset, PersistentDataset, ZipDataset
from monai.transforms import Compose, RandFlip, RandFlipd, RandShiftIntensity, RandShiftIntensityd, ScaleIntensity, ScaleIntensityd


def items():
    return [{"img": (np.arange(20, dtype=np.float32).reshape(1, 4, 5) * (i + 1) + i)} for i in range(5)]


def pipeline():
    return Compose([
        ScaleIntensityd(keys="img"),
        RandFlipd(keys="img", prob=0.5, spatial_axis=0),
        RandShiftIntensityd(keys="img", offsets=0.5, prob=0.8),
    ]).set_random_state(seed=42)


def out(x):
    if isinstance(x, torch.Tensor):
        return np.asarray(x.detach().cpu()).astype(np.float64).ravel().tolist()
    if isinstance(x, np.ndarray):
        return x.astype(np.float64).ravel().tolist()
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, dict):
        return {k: out(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [out(v) for v in x]
    return x


result = {}
for name, make in [("Dataset", lambda: Dataset(items(), pipeline())),
                   ("CacheDataset", lambda: CacheDataset(items(), pipeline(), progress=False)),
                   ("CacheDatasetRate", lambda: CacheDataset(items(), pipeline(), cache_rate=0.4, progress=False))]:
    ds = make()
    result[name] = [out(ds[i]["img"]) for i in list(range(5)) * 2]
with tempfile.TemporaryDirectory() as d:
    ds = PersistentDataset(items(), pipeline(), cache_dir=d)
    result["PersistentDataset"] = [out(ds[i]["img"]) for i in list(range(5)) * 2]

imgs = [np.arange(12, dtype=np.float32).reshape(1, 3, 4) + 10 * i for i in range(4)]
segs = [(np.arange(12, dtype=np.float32).reshape(1, 3, 4) % 3) + i for i in range(4)]
img_t = Compose([ScaleIntensity(), RandFlip(prob=0.5, spatial_axis=1), RandShiftIntensity(offsets=1.0, prob=0.9)])
seg_t = Compose([RandFlip(prob=0.5, spatial_axis=1)])
ads = ArrayDataset(imgs, img_t, segs, seg_t, labels=[0, 1, 2, 3])
ads.set_random_state(seed=7)
result["ArrayDataset"] = [out(list(ads[i])) for i in list(range(4)) * 2]
zds = ZipDataset([Dataset(imgs), Dataset(segs)])
result["ZipDataset"] = [out(list(zds[i])) for i in range(4)]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasets.json"), "w") as f:
    json.dump(result, f, separators=(",", ":"))
print({k: len(v) for k, v in result.items()})

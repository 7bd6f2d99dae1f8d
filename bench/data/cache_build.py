"""MONAI 1.4's side of bench/data/cache_build.ts: CacheDataset(num_workers=N) over the spleen deterministic
chain on the files the TS bench wrote. Prints one JSON line (seconds, torch threads); with --dump DIR also
writes each cached item's image and label as float32 .npy (for the TS side to compare).
Usage: python3 cache_build.py FILES_JSON [--workers 2] [--dump DIR]"""
import argparse
import json
import os
import time

import numpy as np
import torch
from monai.data import CacheDataset
from monai.transforms import (Compose, CropForegroundd, EnsureChannelFirstd, LoadImaged, Orientationd,
                              ScaleIntensityRanged, Spacingd)

p = argparse.ArgumentParser()
p.add_argument("files")
p.add_argument("--workers", type=int, default=2)
p.add_argument("--dump", default=None)
a = p.parse_args()
files = json.load(open(a.files))
chain = Compose([
    LoadImaged(keys=["image", "label"]),
    EnsureChannelFirstd(keys=["image", "label"]),
    Orientationd(keys=["image", "label"], axcodes="RAS"),
    Spacingd(keys=["image", "label"], pixdim=(1.5, 1.5, 2.0), mode=("bilinear", "nearest")),
    ScaleIntensityRanged(keys=["image"], a_min=-57, a_max=164, b_min=0.0, b_max=1.0, clip=True),
    CropForegroundd(keys=["image", "label"], source_key="image"),
])
t0 = time.perf_counter()
ds = CacheDataset(files, chain, cache_rate=1.0, num_workers=a.workers, progress=False)
seconds = time.perf_counter() - t0
print(json.dumps({"side": "monai", "seconds": round(seconds, 3), "workers": a.workers, "torch_threads": torch.get_num_threads(),
                  "items": len(ds), "shape0": list(ds._cache[0]["image"].shape)}), flush=True)
if a.dump:
    os.makedirs(a.dump, exist_ok=True)
    for i, item in enumerate(ds._cache):
        for k in ("image", "label"):
            np.save(os.path.join(a.dump, f"{k}_{i}.npy"), np.ascontiguousarray(item[k].numpy().astype(np.float32)))

"""Python twin of bench/transforms/compose_overhead.ts: MONAI 1.4's Compose over the same 10 cheap
dictionary transforms on 4 MetaTensors (1x8x8x8 float32), and the same transforms in a plain loop.
Usage: PYTHONPATH=/work/pysrc/monai /usr/bin/python3 compose_overhead.py <reps>
Prints one JSON line: loopUs, composeUs, overheadUs (per call, microseconds)."""
import json
import os
import sys
import time

import torch
from monai.data import MetaTensor
from monai.transforms import CastToTyped, Compose, Flipd, Identityd, ShiftIntensityd
from monai.transforms.transform import apply_transform

torch.set_num_threads(1)
reps = int(sys.argv[1])
clock = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
keys = ["a", "b", "c", "d"]
ts = [
    Identityd(keys),
    CastToTyped(keys, dtype=torch.float32),
    ShiftIntensityd(keys, offset=1),
    ShiftIntensityd(keys, offset=-1),
    Identityd(keys),
    CastToTyped(keys, dtype=torch.float32),
    ShiftIntensityd(keys, offset=0.5),
    Flipd(keys, spatial_axis=0),
    Flipd(keys, spatial_axis=0),
    Identityd(keys),
]
item = {k: MetaTensor(torch.rand(1, 8, 8, 8)) for k in keys}
compose = Compose(ts)


def loop():
    d = item
    for t in ts:
        d = apply_transform(t, d)
    return d


def per_call_us(*fns):
    """median per-call microseconds of each over 10 interleaved blocks of reps/10 calls"""
    for fn in fns:
        for _ in range(200):
            fn()
    n = max(1, round(reps / 10))
    blocks = [[] for _ in fns]
    for _ in range(10):
        for r, fn in enumerate(fns):
            t = clock()
            for _ in range(n):
                fn()
            blocks[r].append((clock() - t) / n * 1e6)
    return [sorted(b)[5] for b in blocks]


loop_us, compose_us = per_call_us(loop, lambda: compose(item))
print(json.dumps({"loopUs": round(loop_us, 1), "composeUs": round(compose_us, 1), "overheadUs": round(compose_us - loop_us, 1)}))

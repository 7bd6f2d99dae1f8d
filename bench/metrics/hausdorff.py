"""Python side of bench/metrics/hausdorff.ts: MONAI 1.4's HausdorffDistanceMetric on the same 128^3 pair.
Usage: PYTHONPATH=<monai src> /usr/bin/python3 bench/metrics/hausdorff.py <threads> <reps>; prints one JSON line (ms, value)."""
import json
import os
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
reps = int(sys.argv[2])
from monai.metrics import HausdorffDistanceMetric  # noqa: E402


def pair():
    """The same volumes as hausdorff.ts: two overlapping balls, the prediction speckled by torch.rand after manual_seed(0)."""
    n = 128
    g = torch.arange(n, dtype=torch.float32)
    zz, yy, xx = torch.meshgrid(g, g, g, indexing="ij")
    label = ((zz - 64) ** 2 + (yy - 64) ** 2 + (xx - 64) ** 2) < 40 ** 2
    pred = ((zz - 66) ** 2 + (yy - 61) ** 2 + (xx - 65) ** 2) < 37 ** 2
    torch.manual_seed(0)
    pred = pred ^ (torch.rand(n, n, n) > 0.9995)
    onehot = lambda m: torch.stack([~m, m]).float()[None]  # noqa: E731
    return onehot(pred), onehot(label)


p, y = pair()
clock = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
times, value = [], None
for _ in range(reps + 1):
    m = HausdorffDistanceMetric(include_background=False, reduction="mean")
    t = clock()
    m(p, y)
    value = m.aggregate().item()
    times.append((clock() - t) * 1e3)
times = sorted(times[1:])
print(json.dumps({"ms": times[len(times) // 2], "value": value}))

"""Python side of bench/transforms/histogram_normalize.ts: MONAI 1.4's HistogramNormalize (256 bins, 0..255)
on a 1x96x96x96 float32 sawtooth ramp (arange mod 9973, times 0.1).
Usage: PYTHONPATH=<monai src> /usr/bin/python3 bench/transforms/histogram_normalize.py <threads> <reps> [cpu|wall]
Prints one JSON line: median and best ms per call, and the sum of the first call's output."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
reps = int(sys.argv[2])
clock = time.process_time if len(sys.argv) > 3 and sys.argv[3] == "cpu" else time.perf_counter
from monai.data import MetaTensor  # noqa: E402
from monai.transforms import HistogramNormalize  # noqa: E402

img = MetaTensor((torch.arange(96**3, dtype=torch.float32).remainder(9973) * 0.1).reshape(1, 96, 96, 96))
t = HistogramNormalize()

times, first = [], None
for i in range(reps + 1):
    s = clock()
    out = t(img)
    times.append((clock() - s) * 1000)
    if i == 0:
        first = float(out.double().sum())
times = sorted(times[1:])
print(json.dumps({"ms": times[len(times) // 2], "best": times[0], "first_sum": first}))

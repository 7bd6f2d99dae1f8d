"""Python side of bench/transforms/gaussian_noise.ts: MONAI 1.4's RandGaussianNoise (prob 1, std 0.1, seed 0)
on a 1x96x96x96 float32 ramp.
Usage: PYTHONPATH=<monai src> /usr/bin/python3 bench/transforms/gaussian_noise.py <threads> <reps> [cpu|wall]
Prints one JSON line: median and best ms per call, and the sum of the first call's output."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
reps = int(sys.argv[2])
clock = time.process_time if len(sys.argv) > 3 and sys.argv[3] == "cpu" else time.perf_counter
from monai.data import MetaTensor  # noqa: E402
from monai.transforms import RandGaussianNoise  # noqa: E402

img = MetaTensor((torch.arange(96**3, dtype=torch.float32) / 96**3).reshape(1, 96, 96, 96))
t = RandGaussianNoise(prob=1.0, std=0.1)
t.set_random_state(seed=0)
times, first = [], None
for i in range(reps + 1):
    s = clock()
    out = t(img)
    times.append((clock() - s) * 1000)
    if i == 0:
        first = float(out.double().sum())
times = sorted(times[1:])
print(json.dumps({"ms": times[len(times) // 2], "best": times[0], "first_sum": first}))

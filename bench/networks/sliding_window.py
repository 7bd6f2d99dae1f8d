"""Python twin of bench/networks/sliding_window.ts: MONAI's sliding_window_inference of a 1x1x224x224x160
volume with MONAI's spleen UNet (channels 16..256, strides 2, 2 residual units, batch norm), roi 96^3,
sw_batch_size 4, gaussian blending, in eval mode under no_grad. Prints {"value": wall ms, "cpu": process CPU ms},
each the best of `rounds` runs after one warm-up.
Usage: PYTHONPATH=<MONAI source> /usr/bin/python3 bench/networks/sliding_window.py <threads> [rounds]"""
import json
import sys
import time

import torch
from monai.inferers import sliding_window_inference
from monai.networks.nets import UNet

torch.set_num_threads(int(sys.argv[1]))
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.manual_seed(0)
net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256), strides=(2, 2, 2, 2), num_res_units=2, norm="batch").eval()
x = torch.randn(1, 1, 224, 224, 160)


def run():
    with torch.no_grad():
        return sliding_window_inference(x, (96, 96, 96), 4, net, mode="gaussian")


out = run()
assert out.shape == (1, 2, 224, 224, 160), out.shape
best, best_cpu = float("inf"), float("inf")
for _ in range(rounds):
    t, c = time.perf_counter(), time.process_time()
    run()
    best = min(best, (time.perf_counter() - t) * 1000)
    best_cpu = min(best_cpu, (time.process_time() - c) * 1000)
print(json.dumps({"value": best, "cpu": best_cpu}))

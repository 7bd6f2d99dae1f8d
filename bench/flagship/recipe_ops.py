"""Python side of bench/flagship/recipe_ops.ts: MONAI 1.4's Novograd step on the spleen recipe's UNet
(random gradients) and argmax over the channels of a validation-sized [1, 2, 61, 49, 50] output, median ms.
  recipe_ops.py <threads> <reps>"""
import json
import sys
import time

import torch
from monai.networks.nets import UNet
from monai.optimizers import Novograd


def median_ms(fn, reps, warm=3):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]


def main():
    threads, reps = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256), strides=(2, 2, 2, 2),
               num_res_units=2, norm="batch")
    params = list(net.parameters())
    for p in params:
        p.grad = torch.randn_like(p) * 0.01
    opt = Novograd(params, lr=2e-3)
    logits = torch.rand(1, 2, 61, 49, 50)
    print(json.dumps({
        "params": len(params),
        "novograd": median_ms(opt.step, reps),
        "argmax": median_ms(lambda: logits.argmax(1, keepdim=True), reps),
    }))


if __name__ == "__main__":
    main()

"""Python side of bench/torch/core.ts: the same workloads in PyTorch, one JSON line each.
Usage: /usr/bin/python3 bench/torch/core.py <threads> <case> [<case>...]"""
import json, sys, time
import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)


def timeit(fn, reps, warm=1):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def tiny_op():
    a, b = torch.ones(4), torch.ones(4)
    n = 200000
    def run():
        for _ in range(n):
            a.add(b)
    return timeit(run, 5) / n * 1e6


def conv3d():
    torch.manual_seed(0)
    x = torch.randn(2, 16, 96, 96, 96, requires_grad=True)
    w = torch.randn(16, 16, 3, 3, 3, requires_grad=True)
    def run():
        y = torch.conv3d(x, w, padding=1)
        y.sum().backward()
        x.grad = None
        w.grad = None
    return timeit(run, 3) * 1e3


def chain():
    x = torch.rand(1000000)
    def run():
        y = x
        for i in range(5):
            y = y.mul(1.0001).add(0.5).sin().abs()
        return y
    return timeit(run, 20, warm=3) * 1e3


CASES = {'tiny_op': tiny_op, 'conv3d': conv3d, 'chain': chain}
for name in sys.argv[2:]:
    print(json.dumps({'case': name, 'value': CASES[name]()}), flush=True)

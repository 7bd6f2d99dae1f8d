"""Python side of bench/torch/core.ts: the same workloads in PyTorch, one JSON line each.
Usage: /usr/bin/python3 bench/torch/core.py <threads> <case> [<case>...]"""
import json, os, sys, time
import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)


# BENCH_CLOCK=cpu (set by core.ts's caller) times by process CPU time, as core.ts then does.
clock = time.process_time if os.environ.get('BENCH_CLOCK') == 'cpu' else time.perf_counter


def timeit(fn, reps, warm=1):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        t = clock()
        fn()
        times.append(clock() - t)
    times.sort()
    return times[len(times) // 2]


def tiny_op():
    a, b = torch.ones(4), torch.ones(4)
    n = 200000
    def run():
        for _ in range(n):
            a.add(b)
    return timeit(run, 5) / n * 1e6


def tiny_op_del():
    # The result bound and deleted, as `const c = a.add(b); c.dispose()` on our side.
    a, b = torch.ones(4), torch.ones(4)
    n = 200000
    def run():
        for _ in range(n):
            c = a.add(b)
            del c
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


CASES = {'tiny_op': tiny_op, 'tiny_op_del': tiny_op_del, 'conv3d': conv3d, 'chain': chain}
for name in sys.argv[2:]:
    print(json.dumps({'case': name, 'value': CASES[name]()}), flush=True)

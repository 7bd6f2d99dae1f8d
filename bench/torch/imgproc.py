"""Python side of bench/torch/imgproc.ts: scipy.ndimage.distance_transform_edt and skimage.measure.label
on the same 128^3 volumes (torch.manual_seed(0); torch.rand(...) draws the same values as ours).
Usage: /usr/bin/python3 bench/torch/imgproc.py <threads> <case>; prints one JSON line, ms (BENCH_CLOCK=cpu: process CPU time)."""
import json, os, sys, time
import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)
from scipy import ndimage  # noqa: E402
from skimage.measure import label  # noqa: E402


clock = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter


def timeit(fn, reps, warm=1):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        t = clock()
        fn()
        times.append(clock() - t)
    times.sort()
    return times[len(times) // 2] * 1e3


def volume(threshold):
    torch.manual_seed(0)
    return (torch.rand(128, 128, 128) > threshold).numpy()


def edt():
    x = volume(0.02)  # 2% background: long distances
    return timeit(lambda: ndimage.distance_transform_edt(x, sampling=(1.5, 1.5, 2.0)), 5)


def edt_indices():
    x = volume(0.02)
    return timeit(lambda: ndimage.distance_transform_edt(x, return_indices=True), 5)


def label_cc():
    x = volume(0.6)  # 40% foreground: many components
    return timeit(lambda: label(x, connectivity=1), 5)


case = sys.argv[2]
print(json.dumps({"case": case, "value": {"edt": edt, "edt_indices": edt_indices, "label": label_cc}[case]()}))

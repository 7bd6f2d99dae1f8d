"""Golden of how numpy/Python/torch print and summarise the numbers in MONAI's metric reports
(report_formats.json): numpy's nan statistics on float32 and float64 columns of several lengths (pairwise
summation changes at 8 and 128 items), str(np.float32), repr(float), format(x, '.4f') and str(tensor).

Run: /usr/bin/python3 report_formats.py
"""
import json
import math
import os
import warnings

import numpy as np
import torch

warnings.simplefilter("ignore")
rng = np.random.RandomState(7)


def enc(x):
    x = float(x)
    return repr(x) if not math.isfinite(x) else x


stats = []
for n in [1, 3, 8, 9, 17, 64, 130, 300]:
    for dtype in [np.float32, np.float64]:
        a = (rng.rand(n) * rng.choice([1, 10, 1000])).astype(dtype)
        if n > 2:
            a[rng.randint(0, n, size=max(1, n // 5))] = np.nan
        row = {"dtype": np.dtype(dtype).name, "values": [enc(v) for v in a]}
        row["mean"] = enc(np.nanmean(a))
        row["median"] = enc(np.nanmedian(a))
        row["std"] = enc(np.nanstd(a))
        row["max"] = enc(np.nanmax(a))
        row["min"] = enc(np.nanmin(a))
        row["percentiles"] = {str(q): enc(np.nanpercentile(a, q)) for q in [0, 10, 25, 50, 90, 99, 100]}
        stats.append(row)
all_nan = np.array([np.nan, np.nan], dtype=np.float32)

tricky = [0.0, -0.0, 1.0, 0.5, 0.1, 1 / 3, 2 / 3, 1e-4, 9.99e-5, 1e-5, 123456.789, 1e15, 1e16, 1.5e16, 2.5e-7, 0.03125, 0.00015, 0.00025,
          0.12345, 2.675, 1.0000000000000002, 7e22, -3.25, float("nan"), float("inf"), float("-inf")]
formats = [{"x": enc(x), "repr": repr(float(x)), "f32": str(np.float32(x)), "fixed4": format(float(x), ".4f")} for x in tricky]
for v in rng.rand(30).astype(np.float32):
    formats.append({"x": float(v), "repr": repr(float(v)), "f32": str(v), "fixed4": format(float(v), ".4f")})

tensors = []
for t in [torch.tensor([0.3964, 0.2638]), torch.tensor(0.5), torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1e-5, 1.0]), torch.tensor([[0.25, 1.5], [3.0, float("nan")]]),
          torch.tensor([1, 2, 30]), torch.tensor([0.5, 0.25], dtype=torch.float64), torch.arange(30, dtype=torch.float32) / 7, torch.tensor([float("nan"), float("inf")]),
          torch.tensor([True, False]), torch.tensor([123456789.0, 1.0])]:
    tensors.append({"values": [enc(v) for v in t.flatten().tolist()], "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "str": str(t)})

arrays = []
for vals, dt in [([3, 11, 10, 12], np.float32), ([2.3333333, 9.666667, 14.333333, 9.666667], np.float32), ([0, 0, 36, 0], np.float32),
                 ([0.5, 0.25, 0, 1], np.float32), ([5, 3, 1e6, 2], np.float32), ([1e-5, 1, 0, 3], np.float32), ([np.nan, 1.5, 2, 3], np.float32),
                 ([np.inf, -2.5, 0, 1], np.float32), ([-np.inf, np.nan, 1, 2], np.float32), ([0, 0, 0, 0], np.float32), ([np.nan] * 4, np.float32),
                 ([1 / 3, 2 / 3, 10, 100], np.float64), ([123456789, 1, 2, 3], np.float32), ([0.1234567891, 3, 4, 5], np.float64), ([-1.25, 3e-5, 7, 7], np.float32)]:
    a = np.array(vals, dtype=dt)
    arrays.append({"values": [enc(v) for v in a], "dtype": np.dtype(dt).name, "str": str(a)})

out = {"stats": stats, "formats": formats, "tensors": tensors, "arrays": arrays}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "report_formats.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(len(stats), len(formats), len(tensors))

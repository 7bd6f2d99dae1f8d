"""Goldens for computePercentHausdorffDistance (packages/monai/src/metrics/hausdorff_distance.ts) from
MONAI 1.4's compute_percent_hausdorff_distance, on seeded edge masks saved with the results.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/metrics/make_percent_hausdorff.py
"""
import json
import os

import numpy as np
from monai.metrics.hausdorff_distance import compute_percent_hausdorff_distance

def enc(v):
    """JSON has no inf/nan: written as strings."""
    return "nan" if np.isnan(v) else "inf" if np.isinf(v) else float(v)


rs = np.random.RandomState(3)
cases = []
for shape in ((7, 9), (5, 6, 4)):
    for k in range(3):
        pred = rs.rand(*shape) > 0.7
        gt = rs.rand(*shape) > 0.8
        for metric in ("euclidean", "chessboard", "taxicab"):
            for percentile in (None, 0, 50, 95, 100):
                spacing = None if metric != "euclidean" or k == 0 else ([0.5, 2.0, 1.5][: len(shape)] if k == 1 else 1.7)
                v = compute_percent_hausdorff_distance(pred, gt, metric, percentile, spacing)
                cases.append({"shape": list(shape), "pred": pred.astype(int).ravel().tolist(), "gt": gt.astype(int).ravel().tolist(),
                              "distanceMetric": metric, "percentile": percentile, "spacing": spacing, "result": enc(v)})
empty = np.zeros((4, 4), bool)
some = np.zeros((4, 4), bool)
some[1, 2] = True
for pred, gt in ((empty, some), (some, empty), (empty, empty)):
    v = compute_percent_hausdorff_distance(pred, gt)
    cases.append({"shape": [4, 4], "pred": pred.astype(int).ravel().tolist(), "gt": gt.astype(int).ravel().tolist(),
                  "distanceMetric": "euclidean", "percentile": None, "spacing": None, "result": enc(v)})
with open(os.path.join(os.path.dirname(__file__), "percent_hausdorff.json"), "w") as f:
    json.dump(cases, f, allow_nan=False)
print(len(cases), cases[-3:])

"""Goldens for toAffineNd, zoomAffine and computeShapeOffset (packages/monai/src/data/affine_utils.ts)
from MONAI 1.4's monai.data.utils.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_affine_utils.py
"""
import json
import os

import numpy as np
from monai.data.utils import compute_shape_offset, to_affine_nd, zoom_affine

rot = np.array([[0.0, -1.5, 0.0, 10.0], [2.0, 0.0, 0.0, -3.0], [0.0, 0.0, -0.8, 7.5], [0.0, 0.0, 0.0, 1.0]])
th = 0.3
oblique = np.array([[np.cos(th) * 1.2, -np.sin(th), 0.1, 1.0], [np.sin(th) * 1.2, np.cos(th), 0.0, 2.0],
                    [0.0, 0.0, 2.5, -4.0], [0.0, 0.0, 0.0, 1.0]])
aff2 = np.array([[1.5, 0.2, 4.0], [-0.1, 0.7, -2.0], [0.0, 0.0, 1.0]])
mats = [rot, oblique, aff2, np.eye(4), np.array([[3.0, 5.0], [0.0, 1.0]])]

out = {"toAffineNd": [], "toAffineNdMat": [], "zoomAffine": [], "computeShapeOffset": []}
for a in mats:
    for r in (1, 2, 3, 4):
        out["toAffineNd"].append({"r": r, "affine": a.tolist(), "result": to_affine_nd(r, a).tolist()})
    base = np.arange(16, dtype=float).reshape(4, 4) + 100
    out["toAffineNdMat"].append({"r": base.tolist(), "affine": a.tolist(), "result": to_affine_nd(base, a).tolist()})
for a in (rot, oblique, aff2):
    d = len(a) - 1
    for scale in ([1.0] * d, [0.5, 2.0, 3.0][:d], [0.0, 2.0], [-1.0, 0.7, 0.0][:d], [2.0]):
        for diagonal in (True, False):
            out["zoomAffine"].append({"affine": a.tolist(), "scale": scale, "diagonal": diagonal,
                                      "result": zoom_affine(a, scale, diagonal).tolist()})
for a in (rot, oblique, np.eye(4)):
    for b in (np.eye(4), np.diag([0.5, 2.0, 1.5, 1.0]), rot, oblique):
        for shape in ([5, 6, 7], [4, 9]):
            for se in (False, True):
                s, o = compute_shape_offset(shape, a, b, se)
                out["computeShapeOffset"].append({"shape": shape, "in": a.tolist(), "out": b.tolist(), "scaleExtent": se,
                                                  "resultShape": s.tolist(), "offset": o.tolist()})
with open(os.path.join(os.path.dirname(__file__), "affine_utils.json"), "w") as f:
    json.dump(out, f)
print({k: len(v) for k, v in out.items()})

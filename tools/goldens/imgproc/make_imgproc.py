"""Goldens for torch.ops.distanceTransformEdt, distanceTransformCdt and connectedComponents (packages/torch/test/imgproc.test.ts).

Run: /usr/bin/python3 tools/goldens/imgproc/make_imgproc.py   (scipy 1.10, scikit-image 0.19, torch 1.13)
Writes imgproc.pt next to this file: a dict of case name -> dict of tensors (inputs made here, seeded).
"""
import os

import numpy as np
import torch
from scipy import ndimage
from skimage.measure import label

rng = np.random.RandomState(20261203)
cases = {}


def edt_case(name, x, sampling=None):
    d, i = ndimage.distance_transform_edt(x, sampling=sampling, return_indices=True)
    c = {"input": torch.from_numpy(x.astype(np.uint8)), "distances": torch.from_numpy(d), "indices": torch.from_numpy(i.astype(np.int64))}
    if sampling is not None:
        c["sampling"] = torch.tensor(np.broadcast_to(np.asarray(sampling, dtype=np.float64), (x.ndim,)).copy())
    cases["edt_" + name] = c


def cdt_case(name, x, metric):
    d = ndimage.distance_transform_cdt(x, metric=metric)
    cases["cdt_" + name] = {"input": torch.from_numpy(x.astype(np.uint8)), "distances": torch.from_numpy(d.astype(np.int32)),
                            "taxicab": torch.tensor(metric == "taxicab")}


def cc_case(name, x, connectivity=None, background=0):
    lab, n = label(x, connectivity=connectivity, background=background, return_num=True)
    c = {"input": torch.from_numpy(x.astype(np.int64)), "labels": torch.from_numpy(lab.astype(np.int64)), "count": torch.tensor(n)}
    c["connectivity"] = torch.tensor(x.ndim if connectivity is None else connectivity)
    c["background"] = torch.tensor(background)
    cases["cc_" + name] = c


edt_case("1d", rng.rand(17) > 0.3)
edt_case("2d", rng.rand(13, 17) > 0.2)
edt_case("2d_sampling", rng.rand(13, 17) > 0.2, sampling=[0.7, 1.9])
edt_case("2d_scalar_sampling", rng.rand(6, 9) > 0.4, sampling=2.5)
edt_case("3d", rng.rand(9, 11, 7) > 0.1)
edt_case("3d_sampling", rng.rand(9, 11, 7) > 0.1, sampling=(1.5, 1.5, 2.0))
sparse = np.ones((12, 10, 14), dtype=bool)
sparse[3, 7, 2] = False
sparse[10, 1, 12] = False
edt_case("3d_two_zeros", sparse, sampling=(0.9, 1.3, 1.1))
edt_case("2d_all_ones", np.ones((5, 6), dtype=bool))
edt_case("3d_all_ones_sampling", np.ones((3, 4, 5), dtype=bool), sampling=(2.0, 0.5, 1.0))
edt_case("1d_all_ones", np.ones((7,), dtype=bool))
edt_case("2d_all_zeros", np.zeros((4, 5), dtype=bool))
edt_case("3d_flat", rng.rand(1, 6, 8) > 0.3)
edt_case("4d", rng.rand(4, 5, 3, 6) > 0.15)

cdt_case("1d_chessboard", rng.rand(15) > 0.3, "chessboard")
for metric in ("chessboard", "taxicab"):
    cdt_case("2d_" + metric, rng.rand(14, 17) > 0.1, metric)
    cdt_case("3d_" + metric, rng.rand(9, 11, 7) > 0.05, metric)
    cdt_case("2d_all_ones_" + metric, np.ones((4, 5), dtype=bool), metric)
one = np.ones((10, 12, 9), dtype=bool)
one[2, 9, 4] = False
cdt_case("3d_one_zero_chessboard", one, "chessboard")
cdt_case("3d_one_zero_taxicab", one, "taxicab")

cc_case("1d", (rng.rand(30) > 0.5).astype(np.int64))
b2 = (rng.rand(20, 23) > 0.5).astype(np.int64)
cc_case("2d_c1", b2, 1)
cc_case("2d_c2", b2, 2)
m2 = rng.randint(0, 4, size=(15, 16))
cc_case("2d_values_c1", m2, 1)
cc_case("2d_values_c2", m2, 2)
cc_case("2d_background_2", m2, 2, background=2)
b3 = (rng.rand(10, 12, 9) > 0.6).astype(np.int64)
cc_case("3d_c1", b3, 1)
cc_case("3d_c2", b3, 2)
cc_case("3d_c3", b3, 3)
m3 = rng.randint(0, 3, size=(7, 8, 9))
cc_case("3d_values_c1", m3, 1)
cc_case("3d_values_c3", m3, 3)
cc_case("2d_all_zeros", np.zeros((5, 4), dtype=np.int64))
cc_case("3d_all_ones", np.ones((3, 4, 5), dtype=np.int64))
spiral = np.zeros((9, 9), dtype=np.int64)  # one component that a raster scan meets as several runs
spiral[1, 1:8] = 1; spiral[1:8, 7] = 1; spiral[7, 1:8] = 1; spiral[3:8, 1] = 1; spiral[3, 1:6] = 1; spiral[3:6, 5] = 1
spiral[0, 8] = 1
cc_case("2d_spiral_c1", spiral, 1)
cc_case("2d_spiral_c2", spiral, 2)

# random shapes (sizes 1-9, 1D-3D), densities and sampling; all-zero and all-one draws happen among them
for i in range(16):
    nd = 1 + i % 3
    shape = tuple(int(v) for v in rng.randint(1, 10, size=nd))
    density = [0.0, 1.0, 0.5, 0.9, 0.97][i % 5]
    x = rng.rand(*shape) < density
    sampling = [round(float(v), 2) for v in rng.uniform(0.3, 3.0, size=nd)] if i % 2 else None
    edt_case(f"random_{i}", x, sampling=sampling)
    values = rng.randint(0, 3, size=shape) * (rng.rand(*shape) < density)
    cc_case(f"random_{i}", values.astype(np.int64), connectivity=int(rng.randint(1, nd + 1)))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "imgproc.pt")
torch.save(cases, out)
print(out, os.path.getsize(out), "bytes,", len(cases), "cases")

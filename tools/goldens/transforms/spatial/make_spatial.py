"""Goldens for packages/monai/test/transforms/spatial/*.test.ts: outputs, affines and applied-operation counts
of MONAI 1.4's spatial transforms (array and dictionary forms), random ones over several seeds x successive
calls, forward+inverse round trips, and a 5-transform chain run eagerly and lazily.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_spatial.py
Writes spatial.pt (inputs and cases, loaded with torch.load on the TypeScript side) next to this script.
Options are written once, in MONAI's snake_case; the test camelCases the keys.
"""
import os

import numpy as np
import torch

import monai
import monai.transforms as T
from monai.data import MetaTensor
from monai.transforms.lazy.functional import apply_pending

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)

rs = np.random.RandomState(1234)


def rot(ax, a):
    c, s = np.cos(a), np.sin(a)
    m = np.eye(3)
    i, j = [k for k in range(3) if k != ax]
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


# 3D: oblique, anisotropic, x flipped (LPS-like first axis) so Orientation has work to do
A3 = np.eye(4)
A3[:3, :3] = np.diag([-0.8, 1.2, 2.0]) @ rot(2, 0.1)
A3[:3, 3] = [10.0, -4.0, 3.5]
# a second 3D affine (a different grid) for ResampleToMatch
B3 = np.eye(4)
B3[:3, :3] = np.diag([1.0, 1.0, 1.5])
B3[:3, 3] = [8.0, -3.0, 4.0]
# axis-aligned (x/y flipped, as many CT headers): Spacing on it is separable (no dense grid needed)
D3 = np.diag([-0.79, -0.79, 2.5, 1.0])
D3[:3, 3] = [20.0, 15.0, -30.0]
A2 = np.eye(4)
A2[:2, :2] = np.array([[0.9, 0.1], [-0.05, 1.1]])
A2[:2, 3] = [2.0, -1.0]

inputs = {
    "img3": torch.as_tensor(rs.rand(2, 7, 8, 6).astype(np.float32)),
    "lab3": torch.as_tensor(rs.randint(0, 4, size=(1, 7, 8, 6)).astype(np.float32)),
    "img2": torch.as_tensor(rs.rand(1, 9, 10).astype(np.float32)),
    "lab2": torch.as_tensor(rs.randint(0, 3, size=(1, 9, 10)).astype(np.float32)),
    "A3": torch.as_tensor(A3),
    "B3": torch.as_tensor(B3),
    "A2": torch.as_tensor(A2),
    "D3": torch.as_tensor(D3),
}
inputs["dimg3"] = torch.as_tensor(rs.rand(1, 13, 11, 6).astype(np.float32))
inputs["dlab3"] = torch.as_tensor(rs.randint(0, 3, size=(1, 13, 11, 6)).astype(np.float32))
AFF = {"img3": A3, "lab3": A3, "img2": A2, "lab2": A2, "dimg3": D3, "dlab3": D3}


def mt(name, affine=None):
    return MetaTensor(inputs[name].clone(), affine=torch.as_tensor(AFF[name] if affine is None else affine))


def rec(out):
    out_t = out.as_tensor() if isinstance(out, MetaTensor) else out
    r = {"out": out_t.detach().clone().float(), "shape": list(out_t.shape)}
    if isinstance(out, MetaTensor):
        r["affine"] = torch.as_tensor(out.affine, dtype=torch.float64).clone()
        r["nops"] = len(out.applied_operations)
        r["npending"] = len(out.pending_operations)
    return r


cases = []


def add(kind, cls, opts, inp, tol, note="", **extra):
    c = {"kind": kind, "cls": cls, "opts": opts, "input": inp, "tol": tol, "note": note}
    c.update(extra)
    cases.append(c)
    return c


def array_case(cls, opts, inp, tol, inverse=False, call_kwargs=None, note=""):
    t = getattr(T, cls)(**opts)
    x = mt(inp)
    out = t(x, **(call_kwargs or {}))
    c = add("array", cls, opts, inp, tol, note, **rec(out))
    if inverse:
        inv = t.inverse(out)
        c["inverse"] = rec(inv)
    return c


def dict_case(cls, opts, inps, tol, inverse=False, note=""):
    t = getattr(T, cls)(**opts)
    d = {k: mt(v) for k, v in inps.items()}
    out = t(d)
    c = add("dict", cls, opts, inps, tol, note, outs={k: rec(out[k]) for k in inps})
    if inverse:
        inv = t.inverse(out)
        c["inverse"] = {k: rec(inv[k]) for k in inps}
    return c


# ---------------------------------------------------------------------------------------------
# deterministic array transforms (tol: max abs difference on unit-range data; 0 = exact)
BIL = 1e-6  # float64 grid_sample / float32 interpolate, same kernels: differences come from matrix rounding (measured 1.2e-7)
F32 = 1e-6  # float32 grids (Rotate, Affine, elastic) built in the same float32 order as MONAI (measured 2.4e-7)

array_case("Spacing", {"pixdim": (1.0, 1.0, 1.5)}, "img3", BIL, inverse=True)
array_case("Spacing", {"pixdim": (1.0, 1.1, 1.5), "mode": "nearest"}, "lab3", 0, inverse=True)
array_case("Spacing", {"pixdim": (0.9, 1.3, 1.7), "diagonal": True}, "img3", BIL, inverse=True)
array_case("Spacing", {"pixdim": (1.0, 1.2, 1.8), "padding_mode": "zeros", "align_corners": True, "scale_extent": True}, "img3", BIL)
array_case("Spacing", {"pixdim": 1.3, "min_pixdim": (0.7, 1.0, 1.0), "max_pixdim": (1.0, 1.3, 2.5)}, "img3", BIL)
array_case("Spacing", {"pixdim": (1.0, 1.0, 1.0), "recompute_affine": True}, "img3", BIL)
array_case("Spacing", {"pixdim": (0.7, 0.8), "dtype": "float32"}, "img2", BIL, inverse=True)
array_case("Spacing", {"pixdim": (1.5, 1.5, 2.0), "mode": "bicubic"}, "img2", BIL, note="bicubic 2D")
# axis-aligned input: the separable path (bilinear/nearest x border/zeros x align_corners), up and down sampling
for opts in (
    {"pixdim": (1.5, 1.5, 2.0)},
    {"pixdim": (0.5, 1.1, 1.3), "padding_mode": "zeros"},
    {"pixdim": (1.2, 0.6, 3.1), "align_corners": True},
    {"pixdim": (1.5, 0.7, 2.0), "align_corners": True, "padding_mode": "zeros"},
    {"pixdim": (1.0, 1.0, 1.0), "diagonal": True},
):
    array_case("Spacing", opts, "dimg3", BIL, inverse=True)
for opts in ({"pixdim": (1.5, 1.5, 2.0), "mode": "nearest"}, {"pixdim": (0.6, 1.3, 1.1), "mode": "nearest", "padding_mode": "zeros"}):
    array_case("Spacing", opts, "dlab3", 0, inverse=True)
array_case("Orientation", {"axcodes": "RAS"}, "dimg3", 0, inverse=True)

for ax in ("RAS", "LPI", "PSL", "ALS"):
    array_case("Orientation", {"axcodes": ax}, "img3", 0, inverse=True)
array_case("Orientation", {"as_closest_canonical": True}, "img3", 0, inverse=True)
array_case("Orientation", {"axcodes": "LP"}, "img2", 0, inverse=True)
array_case("Orientation", {"axcodes": "RAS", "labels": (("R", "L"), ("A", "P"), ("I", "S"))}, "img3", 0)

for sa in (None, 0, (0, 2), -1):
    array_case("Flip", {"spatial_axis": sa}, "img3", 0, inverse=True)
array_case("Flip", {"spatial_axis": 1}, "img2", 0, inverse=True)

array_case("Resize", {"spatial_size": (5, 9, 4)}, "img3", BIL, inverse=True)
array_case("Resize", {"spatial_size": (9, 6, 8), "mode": "trilinear", "align_corners": True}, "img3", BIL, inverse=True)
array_case("Resize", {"spatial_size": (9, 6, -1), "mode": "nearest"}, "lab3", 0, inverse=True)
array_case("Resize", {"spatial_size": 12, "size_mode": "longest", "mode": "bilinear"}, "img3", BIL)
array_case("Resize", {"spatial_size": (4, 5, 3), "mode": "trilinear", "anti_aliasing": True}, "img3", BIL)
array_case("Resize", {"spatial_size": (5, 4), "mode": "bilinear", "anti_aliasing": True, "anti_aliasing_sigma": (0.8, 1.2)}, "img2", BIL)
array_case("Resize", {"spatial_size": (6, 7), "mode": "bicubic"}, "img2", BIL)

array_case("Rotate", {"angle": (0.3, 0.1, -0.2)}, "img3", F32, inverse=True)
array_case("Rotate", {"angle": (0.3, 0.1, -0.2), "keep_size": False}, "img3", F32, inverse=True)
array_case("Rotate", {"angle": (0.0, 0.4, 0.0), "mode": "nearest", "padding_mode": "zeros"}, "lab3", 0, inverse=True)
array_case("Rotate", {"angle": 0.5, "padding_mode": "reflection", "align_corners": True}, "img2", F32, inverse=True)
array_case("Rotate", {"angle": -0.7, "keep_size": False, "mode": "bicubic", "dtype": "float64"}, "img2", BIL)

array_case("Zoom", {"zoom": 1.3}, "img3", BIL, inverse=True)
array_case("Zoom", {"zoom": (0.7, 1.2, 1.0), "mode": "trilinear"}, "img3", BIL, inverse=True)
array_case("Zoom", {"zoom": (0.7, 1.2, 1.0), "mode": "nearest", "keep_size": False}, "lab3", 0, inverse=True)
array_case("Zoom", {"zoom": 0.6, "mode": "bilinear", "padding_mode": "constant", "align_corners": True}, "img2", BIL, inverse=True)
array_case("Zoom", {"zoom": 1.5, "mode": "nearest-exact", "padding_mode": "reflect"}, "img2", 0)

for k, axes in ((1, (0, 1)), (2, (0, 2)), (3, (1, 2)), (-1, (0, 1))):
    array_case("Rotate90", {"k": k, "spatial_axes": axes}, "img3", 0, inverse=True)
array_case("Rotate90", {"k": 1}, "img2", 0, inverse=True)

array_case("Affine", {"rotate_params": (0.2, 0.0, 0.1), "scale_params": (1.1, 0.9, 1.0), "image_only": True}, "img3", F32, inverse=True)
array_case("Affine", {"shear_params": (0.1, -0.2), "translate_params": (1.0, -2.0), "image_only": True, "padding_mode": "zeros"}, "img2", F32, inverse=True)
array_case("Affine", {"rotate_params": 0.3, "spatial_size": (8, 7), "mode": "nearest", "image_only": True}, "lab2", 0, inverse=True)
array_case("Affine", {"affine": np.array([[0.9, 0.1, 0, 1.0], [0.0, 1.1, 0.1, -0.5], [0.1, 0, 1.0, 0.3], [0, 0, 0, 1]]), "image_only": True, "padding_mode": "border", "align_corners": True}, "img3", F32, inverse=True)

array_case("GridDistortion", {"num_cells": 3, "distort_steps": [(1.0, 1.2, 0.8, 1.1), (0.9, 1.1, 1.0, 1.3), (1.1, 0.9, 1.0, 1.0)]}, "img3", F32)
array_case("GridDistortion", {"num_cells": (4, 2), "distort_steps": [(1.0, 1.2, 0.8, 1.1, 0.9), (0.9, 1.1, 1.0)], "mode": "nearest", "padding_mode": "zeros"}, "lab2", 0)
array_case("SpatialResample", {}, "img3", BIL, inverse=True, call_kwargs={"dst_affine": torch.as_tensor(B3), "spatial_size": None})
array_case("SpatialResample", {"mode": "nearest", "padding_mode": "zeros"}, "lab3", 0, inverse=True, call_kwargs={"dst_affine": torch.as_tensor(B3), "spatial_size": (6, 6, 5)})
cases[-1]["call"] = {"dst_affine": "B3", "spatial_size": [6, 6, 5]}
cases[-2]["call"] = {"dst_affine": "B3", "spatial_size": None}

# ResampleToMatch: img3 onto a B3 grid of shape (6, 7, 5)
t = T.ResampleToMatch()
dst = MetaTensor(torch.zeros(1, 6, 7, 5), affine=torch.as_tensor(B3))
o = t(mt("img3"), img_dst=dst)
add("array", "ResampleToMatch", {}, "img3", BIL, call={"img_dst": [[1, 6, 7, 5], "B3"]}, **rec(o))

# ---------------------------------------------------------------------------------------------
# dictionary forms (image bilinear / label nearest)
IL = {"image": "img3", "label": "lab3"}
dict_case("Spacingd", {"keys": ["image", "label"], "pixdim": (1.1, 1.0, 1.6), "mode": ("bilinear", "nearest")}, IL, BIL, inverse=True)
dict_case("Orientationd", {"keys": ["image", "label"], "axcodes": "RAS"}, IL, 0, inverse=True)
dict_case("Flipd", {"keys": ["image", "label"], "spatial_axis": 1}, IL, 0, inverse=True)
dict_case("Resized", {"keys": ["image", "label"], "spatial_size": (6, 9, 5), "mode": ("trilinear", "nearest")}, IL, BIL, inverse=True)
dict_case("Rotated", {"keys": ["image", "label"], "angle": (0.2, 0.0, 0.3), "mode": ("bilinear", "nearest")}, IL, F32, inverse=True)
dict_case("Zoomd", {"keys": ["image", "label"], "zoom": 1.2, "mode": ("trilinear", "nearest")}, IL, BIL, inverse=True)
dict_case("Rotate90d", {"keys": ["image", "label"], "k": 3, "spatial_axes": (0, 2)}, IL, 0, inverse=True)
dict_case("Affined", {"keys": ["image", "label"], "rotate_params": (0.1, 0.2, 0.0), "mode": ("bilinear", "nearest"), "padding_mode": "zeros"}, IL, F32, inverse=True)

# ---------------------------------------------------------------------------------------------
# random transforms: seeds x successive calls (the outputs check the drawn parameters)
SEEDS = (0, 7, 2024)
NCALLS = 3


def rand_array(cls, opts, inp, tol, inverse=False, note=""):
    for seed in SEEDS:
        t = getattr(T, cls)(**opts)
        t.set_random_state(seed=seed)
        calls = []
        for _ in range(NCALLS):
            x = mt(inp)
            out = t(x)
            r = rec(out)
            if inverse:
                r["inverse"] = rec(t.inverse(out))
            calls.append(r)
        add("rand_array", cls, opts, inp, tol, note, seed=seed, calls=calls)


def rand_dict(cls, opts, inps, tol, inverse=False, note=""):
    for seed in SEEDS:
        t = getattr(T, cls)(**opts)
        t.set_random_state(seed=seed)
        calls = []
        for _ in range(NCALLS):
            d = {k: mt(v) for k, v in inps.items()}
            out = t(d)
            r = {"outs": {k: rec(out[k]) for k in inps}}
            if inverse:
                inv = t.inverse(out)
                r["inverse"] = {k: rec(inv[k]) for k in inps}
            calls.append(r)
        add("rand_dict", cls, opts, inps, tol, note, seed=seed, calls=calls)


rand_array("RandFlip", {"prob": 0.5, "spatial_axis": 1}, "img3", 0, inverse=True)
rand_array("RandAxisFlip", {"prob": 0.6}, "img3", 0, inverse=True)
rand_array("RandRotate90", {"prob": 0.6, "max_k": 3, "spatial_axes": (0, 2)}, "img3", 0, inverse=True)
rand_array("RandRotate", {"range_x": 0.4, "range_y": 0.2, "range_z": (0.1, 0.3), "prob": 0.6}, "img3", F32, inverse=True)
rand_array("RandRotate", {"range_x": (0.2, 0.9), "prob": 0.7, "keep_size": False, "mode": "nearest"}, "lab2", 0, inverse=True)
rand_array("RandZoom", {"prob": 0.6, "min_zoom": 0.8, "max_zoom": 1.3, "mode": "trilinear"}, "img3", BIL, inverse=True)
rand_array("RandZoom", {"prob": 0.8, "min_zoom": (0.7, 0.9), "max_zoom": (1.2, 1.3), "mode": "bilinear", "keep_size": False}, "img2", BIL, inverse=True)
rand_array("RandAffine", {"prob": 0.7, "rotate_range": (0.3, 0.2, 0.1), "shear_range": 0.1, "translate_range": (1.0, 2.0, 0.5), "scale_range": 0.1}, "img3", F32, inverse=True)
rand_array("RandAffine", {"prob": 0.8, "rotate_range": 0.4, "translate_range": ((-1, 2), 1.0), "spatial_size": (8, 7), "cache_grid": True, "padding_mode": "zeros"}, "img2", F32, inverse=True)
rand_array("RandGridDistortion", {"num_cells": (3, 4, 2), "prob": 0.7, "distort_limit": 0.2}, "img3", F32)
rand_array("Rand2DElastic", {"spacing": (3, 4), "magnitude_range": (1.0, 2.0), "prob": 0.7, "rotate_range": 0.2, "scale_range": 0.1}, "img2", F32)
rand_array("Rand3DElastic", {"sigma_range": (1.0, 2.0), "magnitude_range": (1.0, 3.0), "prob": 0.7, "rotate_range": (0.1, 0.0, 0.2), "padding_mode": "zeros"}, "img3", F32)

rand_dict("RandFlipd", {"keys": ["image", "label"], "prob": 0.5, "spatial_axis": 0}, IL, 0, inverse=True)
rand_dict("RandAxisFlipd", {"keys": ["image", "label"], "prob": 0.6}, IL, 0, inverse=True)
rand_dict("RandRotate90d", {"keys": ["image", "label"], "prob": 0.6, "max_k": 3}, IL, 0, inverse=True)
rand_dict("RandRotated", {"keys": ["image", "label"], "range_x": 0.3, "range_z": 0.5, "prob": 0.6, "mode": ("bilinear", "nearest")}, IL, F32, inverse=True)
rand_dict("RandZoomd", {"keys": ["image", "label"], "prob": 0.6, "min_zoom": 0.8, "max_zoom": 1.3, "mode": ("trilinear", "nearest")}, IL, BIL, inverse=True)
rand_dict("RandAffined", {"keys": ["image", "label"], "prob": 0.7, "rotate_range": (0.3, 0.1, 0.1), "scale_range": (0.1, 0.1, 0.1), "mode": ("bilinear", "nearest"), "padding_mode": "zeros"}, IL, F32, inverse=True)
rand_dict("RandAffined", {"keys": ["image", "label"], "prob": 0.5, "rotate_range": 0.2, "spatial_size": (6, 6, 5), "mode": ("bilinear", "nearest"), "cache_grid": True}, IL, F32, inverse=True, note="size change")
dict_case("GridDistortiond", {"keys": ["image", "label"], "num_cells": 2, "distort_steps": [(1.0, 1.3, 0.7), (1.1, 0.9, 1.0), (1.0, 1.0, 1.2)], "mode": ("bilinear", "nearest")}, IL, F32)
rand_dict("RandGridDistortiond", {"keys": ["image", "label"], "num_cells": 3, "prob": 0.6, "distort_limit": (-0.2, 0.1), "mode": ("bilinear", "nearest")}, IL, F32)
rand_dict("Rand2DElasticd", {"keys": ["image", "label"], "spacing": 3, "magnitude_range": (0.5, 1.5), "prob": 0.7, "mode": ("bilinear", "nearest")}, {"image": "img2", "label": "lab2"}, F32)
rand_dict("Rand3DElasticd", {"keys": ["image", "label"], "sigma_range": (1.0, 1.5), "magnitude_range": (1.0, 2.0), "prob": 0.7, "mode": ("bilinear", "nearest")}, IL, F32)

# ---------------------------------------------------------------------------------------------
# the 5-transform chain, eager and lazy (MONAI: lazy=True per transform, then apply_pending)
CHAIN = [
    ("Spacingd", {"keys": ["image"], "pixdim": (1.1, 1.3, 1.4)}),
    ("Orientationd", {"keys": ["image"], "axcodes": "LPS"}),
    ("Rotated", {"keys": ["image"], "angle": (0.2, 0.0, 0.1)}),
    ("Zoomd", {"keys": ["image"], "zoom": 1.2, "mode": "trilinear"}),
    ("Flipd", {"keys": ["image"], "spatial_axis": 0}),
]
res = {}
for lazy in (False, True):
    d = {"image": mt("img3")}
    for cls, opts in CHAIN:
        d = getattr(T, cls)(**opts, lazy=lazy)(d)
    if lazy:
        d["image"], _ = apply_pending(d["image"])
    res["lazy" if lazy else "eager"] = rec(d["image"])
cases.append({"kind": "chain", "chain": [[c, o] for c, o in CHAIN], "input": "img3", "eager": res["eager"], "lazy": res["lazy"], "tol": BIL})


def plain(v):
    """torch.save-able plain values: tuples -> lists, numpy -> tensors."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return torch.as_tensor(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


torch.save({"monai": monai.__version__, "inputs": inputs, "cases": plain(cases)}, os.path.join(HERE, "spatial.pt"))
print(len(cases), "cases;", os.path.getsize(os.path.join(HERE, "spatial.pt")), "bytes")

"""Goldens for the post-processing transforms (packages/monai/src/transforms/post) from MONAI 1.4.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/transforms/post/make_post.py
Writes post_goldens.json next to this script: for each case the transform name, its options (TypeScript
camelCase), the input array(s) and MONAI's output (values, shape, dtype).
"""
import json
import os

import numpy as np
import torch

from monai.transforms import (
    Activations, AsDiscrete, DistanceTransformEDT, FillHoles, KeepLargestConnectedComponent, LabelFilter,
    LabelToContour, MeanEnsemble, ProbNMS, RemoveSmallObjects, SobelGradients, VoteEnsemble,
)

rng = np.random.RandomState(20261203)
cases = []


def arr(a):
    a = np.asarray(a)
    kind = "bool" if a.dtype == bool else ("int" if np.issubdtype(a.dtype, np.integer) else "float")
    dtype = {np.dtype("float32"): "float32", np.dtype("float64"): "float64", np.dtype("int64"): "int64",
             np.dtype("int32"): "int32", np.dtype("bool"): "bool", np.dtype("uint8"): "uint8"}[a.dtype]
    return {"shape": list(a.shape), "dtype": dtype, "data": a.astype(np.float64).ravel().tolist() if kind != "bool" else a.astype(int).ravel().tolist()}


def out_of(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return arr(x)


def add(name, ts_options, inputs, fn, tol=0.0, note=""):
    recorded = [arr(i) for i in inputs]  # before the call: some MONAI transforms edit their input in place
    t_inputs = [torch.as_tensor(np.array(i, copy=True)) for i in inputs]
    y = fn(*t_inputs)
    cases.append({"name": name, "options": ts_options, "inputs": recorded,
                  "output": out_of(y) if not isinstance(y, list) else y, "tol": tol, "note": note})


def blobs(shape, n_labels=2, p=0.35):
    """random label map with several blobs per label"""
    lab = np.zeros(shape, np.int64)
    noise = rng.rand(*shape)
    for k in range(1, n_labels + 1):
        lab[(noise > 1 - p * k / n_labels) & (lab == 0)] = k
    return lab


# Activations
logits = rng.randn(3, 4, 5).astype(np.float32)
add("Activations", {"sigmoid": True}, [logits], Activations(sigmoid=True), 1e-6)
add("Activations", {"softmax": True}, [logits], Activations(softmax=True), 1e-6)
add("Activations", {"softmax": True, "dim": 1}, [logits], Activations(softmax=True, dim=1), 1e-6)
add("Activations", {}, [logits], Activations(), 0.0)

# AsDiscrete
add("AsDiscrete", {"argmax": True}, [logits], AsDiscrete(argmax=True))
add("AsDiscrete", {"argmax": True, "toOnehot": 3}, [logits], AsDiscrete(argmax=True, to_onehot=3))
add("AsDiscrete", {"threshold": 0.2}, [logits], AsDiscrete(threshold=0.2))
add("AsDiscrete", {"rounding": "torchrounding"}, [logits * 3], AsDiscrete(rounding="torchrounding"))
labels1 = rng.randint(0, 4, size=(1, 5, 6)).astype(np.float32)
add("AsDiscrete", {"toOnehot": 4}, [labels1], AsDiscrete(to_onehot=4))
add("AsDiscrete", {"argmax": True, "toOnehot": 3, "threshold": 0.5, "dim": 0, "keepdim": True}, [logits], AsDiscrete(argmax=True, to_onehot=3, threshold=0.5, dim=0, keepdim=True))

# KeepLargestConnectedComponent: label maps (2D, 3D) and one-hot, every option
for shape in [(1, 9, 11), (1, 7, 8, 6)]:
    lab = blobs(shape).astype(np.float32)
    for opts in [dict(), dict(applied_labels=[1]), dict(applied_labels=[1, 2], independent=False), dict(connectivity=1),
                 dict(applied_labels=[2], num_components=2), dict(independent=False, connectivity=1)]:
        ts = {"appliedLabels": opts.get("applied_labels"), "independent": opts.get("independent", True),
              "connectivity": opts.get("connectivity"), "numComponents": opts.get("num_components", 1)}
        ts = {k: v for k, v in ts.items() if v is not None}
        add("KeepLargestConnectedComponent", ts, [lab], KeepLargestConnectedComponent(**opts))
    oh = np.eye(3, dtype=np.float32)[blobs(shape[1:]).astype(int)]
    oh = np.moveaxis(oh, -1, 0)
    for opts in [dict(), dict(applied_labels=[1, 2], independent=False), dict(is_onehot=True, connectivity=1)]:
        ts = {"appliedLabels": opts.get("applied_labels"), "independent": opts.get("independent", True),
              "connectivity": opts.get("connectivity"), "isOnehot": opts.get("is_onehot")}
        ts = {k: v for k, v in ts.items() if v is not None}
        add("KeepLargestConnectedComponent", ts, [oh], KeepLargestConnectedComponent(**opts))

# RemoveSmallObjects
for shape in [(1, 12, 10), (1, 8, 7, 6)]:
    bin_ = (rng.rand(*shape) > 0.7).astype(np.float32)
    for opts in [dict(min_size=3), dict(min_size=2, connectivity=2), dict(min_size=4, independent_channels=False)]:
        ts = {"minSize": opts["min_size"], "connectivity": opts.get("connectivity", 1), "independentChannels": opts.get("independent_channels", True)}
        add("RemoveSmallObjects", ts, [bin_], RemoveSmallObjects(**opts))
    lab = blobs(shape, 3).astype(np.float32)
    add("RemoveSmallObjects", {"minSize": 30}, [lab], RemoveSmallObjects(min_size=30))
two_ch = (rng.rand(2, 9, 9) > 0.6).astype(np.float32)
add("RemoveSmallObjects", {"minSize": 3}, [two_ch], RemoveSmallObjects(min_size=3))

# LabelFilter
lab = rng.randint(0, 5, size=(1, 6, 7)).astype(np.float32)
add("LabelFilter", {"appliedLabels": [1, 3]}, [lab], LabelFilter(applied_labels=[1, 3]))
add("LabelFilter", {"appliedLabels": 4}, [lab], LabelFilter(applied_labels=4))

# FillHoles: rings with holes, label map and one-hot, connectivity
ring = np.zeros((1, 9, 9), np.float32)
ring[0, 1:8, 1:8] = 1
ring[0, 3:6, 3:6] = 0
ring[0, 4, 4] = 2
ring[0, 0, 4] = 1
add("FillHoles", {}, [ring], FillHoles())
add("FillHoles", {"appliedLabels": [1]}, [ring], FillHoles(applied_labels=[1]))
diag = np.zeros((1, 7, 7), np.float32)
diag[0, 1, 2] = diag[0, 2, 1] = diag[0, 2, 3] = diag[0, 3, 2] = 1
add("FillHoles", {"connectivity": 1}, [diag], FillHoles(connectivity=1))
add("FillHoles", {"connectivity": 2}, [diag], FillHoles(connectivity=2))
lab3 = blobs((1, 8, 9, 7), 2, 0.6).astype(np.float32)
add("FillHoles", {}, [lab3], FillHoles())
oh2 = np.moveaxis(np.eye(3, dtype=np.float32)[ring[0].astype(int)], -1, 0)
add("FillHoles", {}, [oh2], FillHoles())

# LabelToContour
add("LabelToContour", {}, [ring.clip(0, 1)], LabelToContour())
add("LabelToContour", {}, [(lab3 > 0).astype(np.float32)], LabelToContour())

# Ensembles
e = rng.rand(3, 2, 4, 5).astype(np.float32)
add("MeanEnsemble", {}, [e], MeanEnsemble(), 1e-6)
add("MeanEnsemble", {"weights": [1, 2, 3]}, [e], MeanEnsemble(weights=[1, 2, 3]), 1e-6)
add("MeanEnsemble", {"weights": [[1, 2], [3, 1], [1, 1]]}, [e], MeanEnsemble(weights=[[1, 2], [3, 1], [1, 1]]), 1e-6)
votes = rng.randint(0, 3, size=(5, 1, 4, 4)).astype(np.float32)
add("VoteEnsemble", {"numClasses": 3}, [votes], VoteEnsemble(num_classes=3))
oh_votes = (rng.rand(3, 2, 4, 4) > 0.5).astype(np.float32)
add("VoteEnsemble", {}, [oh_votes], VoteEnsemble())

# Sobel
img = rng.rand(1, 8, 9).astype(np.float32)
add("SobelGradients", {}, [img], SobelGradients(), 1e-5)
add("SobelGradients", {"kernelSize": 5, "spatialAxes": [1], "normalizeGradients": True, "paddingMode": "replicate"}, [img],
    SobelGradients(kernel_size=5, spatial_axes=[1], normalize_gradients=True, padding_mode="replicate"), 1e-5)
add("SobelGradients", {}, [rng.rand(1, 5, 6, 7).astype(np.float32)], SobelGradients(), 1e-5)

# DistanceTransformEDT
m = (rng.rand(2, 7, 8) > 0.3).astype(np.float32)
add("DistanceTransformEDT", {}, [m], DistanceTransformEDT(), 1e-12)
add("DistanceTransformEDT", {"sampling": [0.5, 2.0]}, [m], DistanceTransformEDT(sampling=[0.5, 2.0]), 1e-12)
m3 = (rng.rand(1, 6, 5, 7) > 0.2).astype(np.float32)
add("DistanceTransformEDT", {}, [m3], DistanceTransformEDT(), 1e-12)

# ProbNMS (list output)
pm = np.zeros((12, 12), np.float32)
pm[2, 3] = 0.9
pm[3, 4] = 0.8
pm[9, 9] = 0.7
pm[10, 2] = 0.6
add("ProbNMS", {"boxSize": 3, "probThreshold": 0.5}, [pm], lambda t: [[float(v) for v in r] for r in ProbNMS(box_size=3, prob_threshold=0.5)(t)])
pm3 = np.zeros((6, 6, 6), np.float32)
pm3[1, 2, 3] = 0.95
pm3[4, 4, 4] = 0.85
add("ProbNMS", {"spatialDims": 3, "boxSize": [2, 2, 2], "probThreshold": 0.1}, [pm3],
    lambda t: [[float(v) for v in r] for r in ProbNMS(spatial_dims=3, box_size=[2, 2, 2], prob_threshold=0.1)(t)])

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "post_goldens.json"), "w") as f:
    json.dump({"monai": "1.4.0", "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases")

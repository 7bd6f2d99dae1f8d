"""Goldens for packages/monai/src/metrics (test: packages/monai/test/metrics/metrics_golden.test.ts), from MONAI 1.4.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/metrics/make_metrics.py
Writes metrics.pt next to this file: {'inputs': {name: tensor}, 'cases': [case, ...]} where a case is
  {'name', 'kind' (class name), 'options' (camelCase, as the TS constructor takes them), 'calls': [[pred, label, spacing]],
   'call_results': [tensor or [tensors]], 'aggregate_args': [...], 'aggregate': result, 'warned': bool}
or for functions {'name', 'fn', 'args': [...], 'options', 'result'}.
Inputs are seeded (numpy RandomState) and saved here, so the TS side needs no generator of its own.
"""
import os
import re
import warnings

import numpy as np
import torch
from monai import metrics as M

rng = np.random.RandomState(20261203)
inputs = {}
cases = []


def snake(k):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k)


def onehot(labels, n):
    """labels [B, *spatial] int -> [B, n, *spatial] float32"""
    t = torch.from_numpy(labels).long()
    return torch.nn.functional.one_hot(t, n).movedim(-1, 1).float()


def blobs(shape, n, p_empty=None):
    """label maps of random rectangles per class"""
    out = np.zeros(shape, dtype=np.int64)
    b = shape[0]
    sp = shape[1:]
    for i in range(b):
        for c in range(1, n):
            if p_empty is not None and (i, c) in p_empty:
                continue
            lo = [rng.randint(0, s - 2) for s in sp]
            hi = [rng.randint(l + 1, min(s, l + 1 + max(2, s // 2)) + 1) for l, s in zip(lo, sp)]
            sl = (i,) + tuple(slice(l, h) for l, h in zip(lo, hi))
            out[sl] = c
        # some noise voxels
        noise = rng.rand(*sp) < 0.05
        out[i][noise] = rng.randint(0, n, size=noise.sum())
    return out


def add(name, t):
    inputs[name] = t.contiguous()
    return name


# ---- inputs ----
# 2D, 3 classes, batch 2; the label of sample 1 lacks class 2, the prediction of sample 0 lacks class 1
lab2 = blobs((2, 10, 11), 3, p_empty={(1, 2)})
pred2 = blobs((2, 10, 11), 3, p_empty={(0, 1)})
add("p2", onehot(pred2, 3))
add("y2", onehot(lab2, 3))
add("p2_lbl", torch.from_numpy(pred2)[:, None].float())
add("y2_lbl", torch.from_numpy(lab2)[:, None].float())
add("y2_f64", onehot(lab2, 3).double())
# a second iteration with other shapes of blobs
add("p2b", onehot(blobs((3, 10, 11), 3), 3))
add("y2b", onehot(blobs((3, 10, 11), 3, p_empty={(2, 1)}), 3))
# 3D, 2 classes, batch 2; sample 1: empty prediction of class 1
lab3 = blobs((2, 7, 8, 9), 3)
pred3 = blobs((2, 7, 8, 9), 3, p_empty={(1, 1)})
add("p3", onehot(pred3, 3))
add("y3", onehot(lab3, 3))
# all background
z = np.zeros((2, 6, 7), dtype=np.int64)
add("p_bg", onehot(z, 3))
add("y_bg", onehot(z, 3))
# empty label, nonempty prediction; and the reverse
add("p_only", onehot(blobs((1, 9, 9), 2), 2))
add("y_none", onehot(np.zeros((1, 9, 9), dtype=np.int64), 2))
# classification: scores with ties, one-hot labels
scores = np.round(rng.rand(24, 3), 1).astype(np.float32)
cls = rng.randint(0, 3, size=24)
add("scores", torch.from_numpy(scores))
add("cls_onehot", onehot(cls, 3))
add("cls_pred_onehot", onehot(np.argmax(scores + rng.rand(24, 3) * 0.3, 1), 3))
add("scores1", torch.from_numpy(scores[:, 0]))
add("labels1", torch.from_numpy((cls == 0).astype(np.float32)))
add("labels_all1", torch.ones(24))


def metric_case(name, cls_, options, calls, aggregate_args=(), aggregate_kwargs=None):
    opts = {snake(k): v for k, v in options.items()}
    m = getattr(M, cls_)(**opts)
    results = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for c in calls:
            p, y = inputs[c[0]], inputs[c[1]]
            spacing = c[2] if len(c) > 2 else None
            r = m(p, y, spacing=spacing) if spacing is not None else m(p, y)
            results.append(r.clone() if isinstance(r, torch.Tensor) else [x.clone() for x in r])
        agg = m.aggregate(*aggregate_args, **(aggregate_kwargs or {}))
    warned = any(issubclass(x.category, UserWarning) and "deprecat" not in str(x.message).lower() for x in w)
    if isinstance(agg, (np.ndarray, np.generic)):
        agg = agg.tolist()
    if isinstance(agg, tuple):
        agg = list(agg)
    cases.append({"name": name, "kind": cls_, "options": options, "calls": [list(c) for c in calls], "call_results": results,
                  "aggregate_args": list(aggregate_args), "aggregate": agg, "warned": warned})


REDUCTIONS = ["mean", "sum", "mean_batch", "sum_batch", "mean_channel", "sum_channel", "none"]

# ---- Dice ----
for red in REDUCTIONS:
    metric_case(f"dice_{red}", "DiceMetric", {"reduction": red, "getNotNans": True}, [["p2", "y2"], ["p2b", "y2b"]])
for ib in (True, False):
    for ie in (True, False):
        metric_case(f"dice_bg{int(ib)}_ie{int(ie)}", "DiceMetric", {"includeBackground": ib, "ignoreEmpty": ie}, [["p2", "y2"], ["p2b", "y2b"]])
metric_case("dice_labelmap", "DiceMetric", {"numClasses": 3, "reduction": "mean_batch"}, [["p2_lbl", "y2_lbl"]])
metric_case("dice_labelmap_onehot_label", "DiceMetric", {"numClasses": 3, "includeBackground": False}, [["p2_lbl", "y2"]])
metric_case("dice_3d", "DiceMetric", {"includeBackground": False, "reduction": "none"}, [["p3", "y3"]])
metric_case("dice_all_background", "DiceMetric", {"includeBackground": False, "getNotNans": True}, [["p_bg", "y_bg"]])
metric_case("dice_all_background_not_ignored", "DiceMetric", {"includeBackground": False, "ignoreEmpty": False}, [["p_bg", "y_bg"]])
metric_case("dice_f64_label", "DiceMetric", {"reduction": "none"}, [["p2", "y2_f64"]])
add("y2_lbl_f64", inputs["y2_lbl"].double())
metric_case("dice_f64_labelmap", "DiceMetric", {"reduction": "none", "numClasses": 3}, [["p2_lbl", "y2_lbl_f64"]])
metric_case("dice_return_with_label", "DiceMetric", {"reduction": "mean_batch", "returnWithLabel": True, "includeBackground": False}, [["p2", "y2"]])
metric_case("dice_return_with_names", "DiceMetric", {"reduction": "mean_batch", "returnWithLabel": ["bg", "liver", "tumour"]}, [["p2", "y2"]])
metric_case("dice_aggregate_override", "DiceMetric", {}, [["p2", "y2"]], aggregate_args=["sum_channel"])

# ---- MeanIoU ----
for red in ("mean", "mean_batch", "sum", "none"):
    metric_case(f"iou_{red}", "MeanIoU", {"reduction": red, "getNotNans": True}, [["p2", "y2"], ["p2b", "y2b"]])
metric_case("iou_nobg_not_ignored", "MeanIoU", {"includeBackground": False, "ignoreEmpty": False}, [["p2", "y2"], ["p2b", "y2b"]])
metric_case("iou_all_background", "MeanIoU", {"includeBackground": False, "ignoreEmpty": False, "reduction": "none"}, [["p_bg", "y_bg"]])
metric_case("iou_3d", "MeanIoU", {"reduction": "mean_channel"}, [["p3", "y3"]])

# ---- confusion matrix ----
ALL_NAMES = ["sensitivity", "specificity", "precision", "negative_predictive_value", "miss_rate", "fall_out",
             "false_discovery_rate", "false_omission_rate", "prevalence_threshold", "threat_score", "accuracy",
             "balanced_accuracy", "f1 score", "matthews_correlation_coefficient", "fowlkes_mallows_index",
             "informedness", "markedness"]
ALIASES = ["tpr", "recall", "hit_rate", "TNR", "selectivity", "ppv", "npv", "fnr", "fpr", "fdr", "for", "pt", "csi", "ts",
           "acc", "ba", "f1", "mcc", "fm", "bm", "youden", "Youden Index", "mk", "deltap", "critical success index"]
metric_case("cm_all_names", "ConfusionMatrixMetric", {"metricName": ALL_NAMES, "includeBackground": False}, [["p2", "y2"], ["p2b", "y2b"]])
metric_case("cm_all_names_sample", "ConfusionMatrixMetric", {"metricName": ALL_NAMES, "computeSample": True, "getNotNans": True}, [["p2", "y2"], ["p2b", "y2b"]])
metric_case("cm_aliases_mean_batch", "ConfusionMatrixMetric", {"metricName": ALIASES, "reduction": "mean_batch"}, [["p3", "y3"]])
metric_case("cm_sum_none", "ConfusionMatrixMetric", {"metricName": ["f1", "mcc"], "computeSample": True, "reduction": "none"}, [["p2", "y2"]])
metric_case("cm_sum", "ConfusionMatrixMetric", {"metricName": ["precision", "npv"], "reduction": "sum"}, [["p2", "y2"]])
metric_case("cm_all_background", "ConfusionMatrixMetric", {"metricName": ALL_NAMES, "includeBackground": False, "computeSample": True}, [["p_bg", "y_bg"]])
metric_case("cm_classification", "ConfusionMatrixMetric", {"metricName": ["sensitivity", "precision", "f1", "accuracy"], "computeSample": True},
            [["cls_pred_onehot", "cls_onehot"]])
metric_case("cm_aggregate_compute_sample", "ConfusionMatrixMetric", {"metricName": ["tpr", "ba"]}, [["p2", "y2"]], aggregate_args=[True, "mean_channel"])

# ---- ROC AUC ----
for avg in ("macro", "weighted", "micro", "none"):
    metric_case(f"auc_{avg}", "ROCAUCMetric", {"average": avg}, [["scores", "cls_onehot"]])
metric_case("auc_1d", "ROCAUCMetric", {}, [["scores1", "labels1"]])
metric_case("auc_all_ones", "ROCAUCMetric", {}, [["scores1", "labels_all1"]])
metric_case("auc_aggregate_override", "ROCAUCMetric", {}, [["scores", "cls_onehot"]], aggregate_args=["none"])

# ---- Hausdorff ----
hd_calls2 = [["p2", "y2"], ["p2b", "y2b"]]
metric_case("hd_default", "HausdorffDistanceMetric", {"getNotNans": True}, hd_calls2)
metric_case("hd_bg_none", "HausdorffDistanceMetric", {"includeBackground": True, "reduction": "none"}, hd_calls2)
metric_case("hd_p95", "HausdorffDistanceMetric", {"percentile": 95, "reduction": "none"}, hd_calls2)
metric_case("hd_p50_directed", "HausdorffDistanceMetric", {"percentile": 50.5, "directed": True, "reduction": "none"}, hd_calls2)
metric_case("hd_percentile0", "HausdorffDistanceMetric", {"percentile": 0, "reduction": "none"}, [["p2", "y2"]])
for dm in ("chessboard", "taxicab"):
    metric_case(f"hd_{dm}", "HausdorffDistanceMetric", {"distanceMetric": dm, "reduction": "none"}, hd_calls2)
    metric_case(f"hd_3d_{dm}", "HausdorffDistanceMetric", {"distanceMetric": dm, "reduction": "none"}, [["p3", "y3"]])
metric_case("hd_3d", "HausdorffDistanceMetric", {"reduction": "none"}, [["p3", "y3"]])
metric_case("hd_3d_spacing", "HausdorffDistanceMetric", {"reduction": "none", "percentile": 90}, [["p3", "y3", [1.5, 0.8, 2.0]]])
metric_case("hd_spacing_scalar", "HausdorffDistanceMetric", {"reduction": "none"}, [["p2", "y2", 0.7]])
metric_case("hd_spacing_per_item", "HausdorffDistanceMetric", {"reduction": "none"}, [["p2", "y2", [[0.5, 1.5], [2.0, 1.0]]]])
metric_case("hd_all_background", "HausdorffDistanceMetric", {"reduction": "none"}, [["p_bg", "y_bg"]])
metric_case("hd_empty_label", "HausdorffDistanceMetric", {"reduction": "none"}, [["p_only", "y_none"]])
metric_case("hd_empty_label_directed", "HausdorffDistanceMetric", {"reduction": "none", "directed": True}, [["p_only", "y_none"]])
metric_case("hd_empty_pred", "HausdorffDistanceMetric", {"reduction": "none"}, [["y_none", "p_only"]])
metric_case("hd_empty_pred_directed", "HausdorffDistanceMetric", {"reduction": "none", "directed": True}, [["y_none", "p_only"]])

# ---- surface distance ----
metric_case("asd_default", "SurfaceDistanceMetric", {"getNotNans": True}, hd_calls2)
metric_case("asd_symmetric_none", "SurfaceDistanceMetric", {"symmetric": True, "reduction": "none", "includeBackground": True}, hd_calls2)
metric_case("asd_3d_spacing", "SurfaceDistanceMetric", {"symmetric": True, "reduction": "none"}, [["p3", "y3", [1.5, 0.8, 2.0]]])
for dm in ("chessboard", "taxicab"):
    metric_case(f"asd_{dm}", "SurfaceDistanceMetric", {"distanceMetric": dm, "reduction": "none", "symmetric": True}, hd_calls2)
metric_case("asd_empty_label", "SurfaceDistanceMetric", {"reduction": "none", "symmetric": True}, [["p_only", "y_none"]])
metric_case("asd_empty_label_directed", "SurfaceDistanceMetric", {"reduction": "none"}, [["p_only", "y_none"]])
metric_case("asd_empty_pred", "SurfaceDistanceMetric", {"reduction": "none"}, [["y_none", "p_only"]])
metric_case("asd_all_background", "SurfaceDistanceMetric", {"reduction": "none"}, [["p_bg", "y_bg"]])

# ---- surface dice ----
metric_case("nsd_default", "SurfaceDiceMetric", {"classThresholds": [1.0, 2.0], "getNotNans": True}, hd_calls2)
metric_case("nsd_bg_none", "SurfaceDiceMetric", {"classThresholds": [0.0, 1.5, 0.5], "includeBackground": True, "reduction": "none"}, hd_calls2)
metric_case("nsd_3d_spacing", "SurfaceDiceMetric", {"classThresholds": [1.2, 2.5], "reduction": "none"}, [["p3", "y3", [1.5, 0.8, 2.0]]])
metric_case("nsd_chessboard", "SurfaceDiceMetric", {"classThresholds": [1, 2], "reduction": "none", "distanceMetric": "chessboard"}, hd_calls2)
metric_case("nsd_subvoxels_2d", "SurfaceDiceMetric", {"classThresholds": [1.0, 2.0], "reduction": "none", "useSubvoxels": True}, hd_calls2)
metric_case("nsd_subvoxels_2d_spacing", "SurfaceDiceMetric", {"classThresholds": [1.0, 2.0], "reduction": "none", "useSubvoxels": True},
            [["p2", "y2", [0.6, 1.3]]])
metric_case("nsd_subvoxels_3d", "SurfaceDiceMetric", {"classThresholds": [1.0, 1.5], "reduction": "none", "useSubvoxels": True},
            [["p3", "y3", [1.5, 0.8, 2.0]]])
metric_case("nsd_subvoxels_3d_unit", "SurfaceDiceMetric", {"classThresholds": [1.0, 1.5], "reduction": "none", "useSubvoxels": True}, [["p3", "y3"]])
metric_case("nsd_empty_label", "SurfaceDiceMetric", {"classThresholds": [1.0], "reduction": "none"}, [["p_only", "y_none"]])
metric_case("nsd_all_background", "SurfaceDiceMetric", {"classThresholds": [1.0, 1.0], "reduction": "none"}, [["p_bg", "y_bg"]])

# ---- generalized dice ----
for wt in ("square", "simple", "uniform"):
    for red in ("mean_batch", "mean", "sum", "none"):
        metric_case(f"gds_{wt}_{red}", "GeneralizedDiceScore", {"weightType": wt, "reduction": red}, [["p2", "y2"], ["p2b", "y2b"]])
metric_case("gds_nobg", "GeneralizedDiceScore", {"includeBackground": False, "reduction": "mean_channel"}, [["p3", "y3"]])
metric_case("gds_all_background", "GeneralizedDiceScore", {"includeBackground": False, "reduction": "none"}, [["p_bg", "y_bg"]])
metric_case("gds_empty_label", "GeneralizedDiceScore", {"reduction": "none"}, [["p_only", "y_none"]])


# ---- regression ----
add("img_a", torch.from_numpy(rng.rand(3, 2, 6, 7).astype(np.float32)))
add("img_b", torch.from_numpy(rng.rand(3, 2, 6, 7).astype(np.float32)))
add("vec_a", torch.from_numpy(rng.randn(4, 5).astype(np.float32)))
add("vec_b", torch.from_numpy(rng.randn(4, 5).astype(np.float32)))
for cls_ in ("MSEMetric", "MAEMetric", "RMSEMetric"):
    for red in ("mean", "sum", "none"):
        metric_case(f"{cls_}_{red}", cls_, {"reduction": red, "getNotNans": red == "mean"}, [["img_a", "img_b"], ["img_b", "img_a"]])
    metric_case(f"{cls_}_vectors", cls_, {}, [["vec_a", "vec_b"]])
metric_case("PSNRMetric_1", "PSNRMetric", {"maxVal": 1.0, "reduction": "none"}, [["img_a", "img_b"]])
metric_case("PSNRMetric_255_mean_batch", "PSNRMetric", {"maxVal": 255, "reduction": "mean_batch"}, [["img_a", "img_b"], ["img_a", "img_a"]])
metric_case("PSNRMetric_identical", "PSNRMetric", {"maxVal": 1.0, "reduction": "none"}, [["img_a", "img_a"]])

add("ssim_a", torch.from_numpy(rng.rand(2, 2, 24, 25).astype(np.float32)))
add("ssim_b", (inputs["ssim_a"] * 0.8 + torch.from_numpy(rng.rand(2, 2, 24, 25).astype(np.float32)) * 0.2).contiguous())
add("ssim3_a", torch.from_numpy(rng.rand(1, 1, 12, 13, 14).astype(np.float32)))
add("ssim3_b", (inputs["ssim3_a"] * 0.7 + torch.from_numpy(rng.rand(1, 1, 12, 13, 14).astype(np.float32)) * 0.3).contiguous())
add("ms_a", torch.from_numpy(rng.rand(2, 1, 32, 33).astype(np.float32)))
add("ms_b", (inputs["ms_a"] * 0.6 + torch.from_numpy(rng.rand(2, 1, 32, 33).astype(np.float32)) * 0.4).contiguous())
metric_case("SSIMMetric_2d", "SSIMMetric", {"spatialDims": 2, "reduction": "none"}, [["ssim_a", "ssim_b"]])
metric_case("SSIMMetric_2d_uniform", "SSIMMetric", {"spatialDims": 2, "kernelType": "uniform", "winSize": [5, 7], "dataRange": 2.0}, [["ssim_a", "ssim_b"]])
metric_case("SSIMMetric_3d", "SSIMMetric", {"spatialDims": 3, "winSize": 5, "kernelSigma": [1.0, 1.5, 2.0], "k1": 0.02, "k2": 0.05, "reduction": "none"},
            [["ssim3_a", "ssim3_b"]])
metric_case("MultiScaleSSIMMetric_2d", "MultiScaleSSIMMetric", {"spatialDims": 2, "kernelSize": 3, "weights": [0.3, 0.3, 0.4], "reduction": "none"},
            [["ms_a", "ms_b"]])

# ---- functional forms ----
def fn_case(name, fn, args, options, result):
    if isinstance(result, tuple):
        result = list(result)
    cases.append({"name": name, "fn": fn, "args": args, "options": options, "result": result})


fn_case("compute_dice", "computeDice", ["p2", "y2"], {"includeBackground": False, "ignoreEmpty": False},
        M.compute_dice(inputs["p2"], inputs["y2"], include_background=False, ignore_empty=False))
fn_case("compute_iou", "computeIou", ["p2", "y2"], {"includeBackground": False}, M.compute_iou(inputs["p2"], inputs["y2"], include_background=False))
fn_case("get_confusion_matrix", "getConfusionMatrix", ["p2", "y2"], {}, M.get_confusion_matrix(inputs["p2"], inputs["y2"]))
fn_case("compute_roc_auc", "computeRocAuc", ["scores", "cls_onehot"], {"average": "weighted"},
        float(M.compute_roc_auc(inputs["scores"], inputs["cls_onehot"], average="weighted")))
fn_case("compute_hausdorff_distance", "computeHausdorffDistance", ["p3", "y3"], {"percentile": 80, "spacing": [1.0, 2.0, 0.5]},
        M.compute_hausdorff_distance(inputs["p3"], inputs["y3"], percentile=80, spacing=[1.0, 2.0, 0.5]))
fn_case("compute_average_surface_distance", "computeAverageSurfaceDistance", ["p3", "y3"], {"symmetric": True, "includeBackground": True},
        M.compute_average_surface_distance(inputs["p3"], inputs["y3"], symmetric=True, include_background=True))
fn_case("compute_surface_dice", "computeSurfaceDice", ["p2", "y2", [1.0, 0.0]], {"useSubvoxels": True},
        M.compute_surface_dice(inputs["p2"], inputs["y2"], [1.0, 0.0], use_subvoxels=True))
fn_case("compute_generalized_dice", "computeGeneralizedDice", ["p2", "y2"], {"weightType": "simple", "sumOverClasses": True},
        M.compute_generalized_dice(inputs["p2"], inputs["y2"], weight_type="simple", sum_over_classes=True))
e = M.get_mask_edges(inputs["p3"][0, 1], inputs["y3"][0, 1], always_return_as_numpy=False)
fn_case("get_mask_edges", "getMaskEdges", ["p3", "y3"], {}, list(e))
e = M.get_mask_edges(inputs["p3"][0, 1], inputs["y3"][0, 1], spacing=[1.5, 0.8, 2.0], always_return_as_numpy=False)
fn_case("get_mask_edges_subvoxel", "getMaskEdges", ["p3", "y3"], {"spacing": [1.5, 0.8, 2.0]}, list(e))
# DiceHelper: logits / probabilities with softmax (argmax) or sigmoid (threshold 0.5), label-map targets
add("logits2", torch.from_numpy(rng.randn(2, 3, 10, 11).astype(np.float32)))
add("probs2", torch.from_numpy(rng.rand(2, 3, 10, 11).astype(np.float32)))
for name, opts, args in [
    ("dice_helper_default", {}, ["logits2", "y2_lbl"]),
    ("dice_helper_softmax_bg", {"includeBackground": True, "reduction": "none", "getNotNans": False}, ["logits2", "y2"]),
    ("dice_helper_sigmoid_activate", {"sigmoid": True, "activate": True, "reduction": "mean"}, ["logits2", "y2"]),
    ("dice_helper_sigmoid_probs", {"sigmoid": True, "includeBackground": False}, ["probs2", "y2"]),
    ("dice_helper_num_classes", {"numClasses": 3, "ignoreEmpty": False, "reduction": "sum_channel"}, ["p2_lbl", "y2_lbl"]),
]:
    helper = M.DiceHelper(**{snake(k): v for k, v in opts.items()})
    fn_case(name, "DiceHelper", args, opts, helper(inputs[args[0]], inputs[args[1]]))

# CumulativeAverage: appends (value, count) and the current value and average after each
for name, seq in [
    ("cumavg_scalars", [(0.5, 1), (1.5, 3), (float("nan"), 1), (2.0, 2)]),
    ("cumavg_vectors", [([1.0, 2.0], 1), ([3.0, float("inf")], [2.0, 1.0]), ([0.5, 0.25], [0.0, 4.0])]),
]:
    ca = M.CumulativeAverage()
    steps = []
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        for v, c in seq:
            ca.append(torch.tensor(v), count=torch.tensor(c))
            steps.append([ca.get_current(to_numpy=False), ca.aggregate(to_numpy=False)])
    cases.append({"name": name, "fn": "CumulativeAverage", "args": [[[v, c] for v, c in seq]], "options": {}, "result": steps})

red_in = torch.tensor([[0.5, float("nan"), 0.25], [float("nan"), float("nan"), 1.0], [0.75, 0.5, float("nan")]], dtype=torch.float64)
inputs["reduce_in"] = red_in
for red in REDUCTIONS:
    f, nn = M.do_metric_reduction(red_in.clone(), red)
    fn_case(f"do_metric_reduction_{red}", "doMetricReduction", ["reduce_in", red], {}, [f, nn])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.pt")
torch.save({"inputs": inputs, "cases": cases}, out)
print(out, os.path.getsize(out), "bytes,", len(cases), "cases")

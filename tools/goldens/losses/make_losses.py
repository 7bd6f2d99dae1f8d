"""Goldens for packages/monai/test/losses: MONAI 1.4.0 loss values (and a few input gradients).

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/losses/make_losses.py
Writes losses.json next to this file: seeded inputs, then cases (loss class, options in camelCase as
monai-ts spells them, the names of the inputs used, the loss value, and optionally d loss / d input).
"""
import json
import os
import re
import warnings

import numpy as np
import torch
import monai
from monai.losses import (
    DeepSupervisionLoss, DiceCELoss, DiceFocalLoss, DiceLoss, FocalLoss, GeneralizedDiceFocalLoss, GeneralizedDiceLoss,
    GeneralizedWassersteinDiceLoss, MaskedDiceLoss, MaskedLoss, TverskyLoss,
)

assert monai.__version__ == "1.4.0", monai.__version__
warnings.simplefilter("ignore")
torch.manual_seed(0)
g = torch.Generator().manual_seed(1234)

inputs = {}


def add(name, t):
    inputs[name] = t
    return t


def logits(name, *shape):
    return add(name, torch.randn(*shape, generator=g) * 2)


def labels(name, c, *shape):
    return add(name, torch.randint(0, c, shape, generator=g))


def onehot(name, lab, c):
    return add(name, monai.networks.one_hot(lab, c))


# 2D: B=2, C=3, 5x6; 3D: B=2, C=2, 3x4x5
logits("x2", 2, 3, 5, 6)
add("p2", torch.sigmoid(inputs["x2"]))
labels("l2", 3, 2, 1, 5, 6)
onehot("y2", inputs["l2"], 3)
logits("x3", 2, 2, 3, 4, 5)
labels("l3", 2, 2, 1, 3, 4, 5)
onehot("y3", inputs["l3"], 2)
add("zeros2", torch.zeros(2, 3, 5, 6))  # empty target: no class present
add("bg2", torch.zeros(2, 1, 5, 6, dtype=torch.int64))  # all-background label map
l_missing = inputs["l2"].clone()
l_missing[l_missing == 2] = 1  # class 2 absent from both items
add("lmiss2", l_missing)
onehot("ymiss2", l_missing, 3)
logits("x1", 2, 1, 5, 6)  # single channel
add("b1", (torch.rand(2, 1, 5, 6, generator=g) > 0.5).float())
add("mask2", (torch.rand(2, 1, 5, 6, generator=g) > 0.3).float())
add("mask11", (torch.rand(1, 1, 5, 6, generator=g) > 0.3).float())
add("soft2", torch.softmax(torch.randn(2, 3, 5, 6, generator=g), 1))  # soft (probability) target
# deep supervision outputs at 3 scales, target at full size
logits("ds0", 2, 3, 8, 8)
logits("ds1", 2, 3, 4, 4)
logits("ds2", 2, 3, 2, 2)
labels("lds", 3, 2, 1, 8, 8)
add("lds", inputs["lds"].float())  # nearest-exact resizing needs a float target
# GWDL: scores and flat labels
logits("xw", 2, 3, 4, 5)
labels("lw", 3, 2, 4, 5)
add("xw1", inputs["xw"][1:].clone())
add("lw1", inputs["lw"][1:].clone())

ACTS = {"tanh": torch.tanh}
cases = []


def camel(k):
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k)


def case(name, cls, opts, args, grad=False, ctor=None):
    """ctor: how to build the python loss when it is not cls(**opts) (wrappers)."""
    popts = dict(opts)
    if "other_act" in popts:
        popts["other_act"] = ACTS[popts["other_act"]]
    if isinstance(popts.get("weight"), list):  # DiceCELoss takes a tensor only
        popts["weight"] = torch.tensor(popts["weight"])
    loss = ctor() if ctor else cls(**popts)
    tens = []
    for a in args:
        if isinstance(a, list):
            tens.append([inputs[n].clone().requires_grad_(grad and i == 0) for i, n in enumerate(a)])
        else:
            tens.append(inputs[a].clone())
    if grad and not isinstance(args[0], list):
        tens[0].requires_grad_(True)
    out = loss(*tens)
    rec = {
        "name": name, "loss": cls.__name__, "options": {camel(k): (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()},
        "args": args, "shape": list(out.shape), "value": out.detach().double().flatten().tolist(),
    }
    if grad:
        out.sum().backward()
        x = tens[0][0] if isinstance(tens[0], list) else tens[0]
        rec["grad"] = x.grad.double().flatten().tolist()
    cases.append(rec)


D = DiceLoss
case("dice probs", D, {}, ["p2", "y2"], grad=True)
case("dice sigmoid", D, {"sigmoid": True}, ["x2", "y2"], grad=True)
case("dice softmax", D, {"softmax": True}, ["x2", "y2"], grad=True)
case("dice softmax toOnehotY", D, {"softmax": True, "to_onehot_y": True}, ["x2", "l2"])
case("dice no background", D, {"softmax": True, "to_onehot_y": True, "include_background": False}, ["x2", "l2"], grad=True)
case("dice squaredPred", D, {"sigmoid": True, "squared_pred": True}, ["x2", "y2"], grad=True)
case("dice jaccard", D, {"sigmoid": True, "jaccard": True}, ["x2", "y2"], grad=True)
case("dice jaccard squared", D, {"softmax": True, "jaccard": True, "squared_pred": True}, ["x2", "y2"])
case("dice none", D, {"sigmoid": True, "reduction": "none"}, ["x2", "y2"])
case("dice sum", D, {"sigmoid": True, "reduction": "sum"}, ["x2", "y2"])
case("dice batch", D, {"softmax": True, "batch": True}, ["x2", "y2"], grad=True)
case("dice batch none", D, {"softmax": True, "batch": True, "reduction": "none"}, ["x2", "y2"])
case("dice weight scalar", D, {"softmax": True, "weight": 0.5}, ["x2", "y2"])
case("dice weight list", D, {"softmax": True, "weight": [0.1, 0.3, 0.6]}, ["x2", "y2"], grad=True)
case("dice weight no background", D, {"softmax": True, "to_onehot_y": True, "include_background": False, "weight": [0.25, 0.75]}, ["x2", "l2"])
case("dice smooth", D, {"sigmoid": True, "smooth_nr": 0.0, "smooth_dr": 1e-6}, ["x2", "y2"])
case("dice smooth large", D, {"sigmoid": True, "smooth_nr": 1.0, "smooth_dr": 1.0, "reduction": "none"}, ["x2", "y2"])
case("dice empty target", D, {"sigmoid": True, "reduction": "none"}, ["x2", "zeros2"])
case("dice empty target smooth0", D, {"sigmoid": True, "smooth_nr": 0.0}, ["x2", "zeros2"])
case("dice all background", D, {"softmax": True, "to_onehot_y": True, "reduction": "none"}, ["x2", "bg2"])
case("dice all background no bg", D, {"softmax": True, "to_onehot_y": True, "include_background": False}, ["x2", "bg2"])
case("dice otherAct tanh", D, {"other_act": "tanh"}, ["x2", "y2"])
case("dice soft target", D, {"softmax": True}, ["x2", "soft2"])
case("dice single channel", D, {"sigmoid": True}, ["x1", "b1"], grad=True)
case("dice single channel softmax ignored", D, {"softmax": True, "to_onehot_y": True, "include_background": False}, ["x1", "b1"])
case("dice 3d", D, {"softmax": True, "to_onehot_y": True}, ["x3", "l3"], grad=True)
case("dice 3d batch none", D, {"sigmoid": True, "batch": True, "reduction": "none", "squared_pred": True}, ["x3", "y3"])

G = GeneralizedDiceLoss
case("gdl square", G, {"softmax": True}, ["x2", "y2"], grad=True)
case("gdl simple", G, {"softmax": True, "w_type": "simple"}, ["x2", "y2"])
case("gdl uniform", G, {"softmax": True, "w_type": "uniform"}, ["x2", "y2"])
case("gdl missing class", G, {"softmax": True, "to_onehot_y": True}, ["x2", "lmiss2"], grad=True)
case("gdl missing class batch", G, {"softmax": True, "to_onehot_y": True, "batch": True}, ["x2", "lmiss2"])
case("gdl no background", G, {"sigmoid": True, "include_background": False, "reduction": "none"}, ["x2", "y2"])
case("gdl batch", G, {"softmax": True, "batch": True}, ["x2", "y2"], grad=True)
case("gdl batch none", G, {"softmax": True, "batch": True, "reduction": "none"}, ["x2", "y2"])
case("gdl sum", G, {"sigmoid": True, "reduction": "sum", "w_type": "simple"}, ["x2", "y2"])
case("gdl empty target", G, {"sigmoid": True, "reduction": "none"}, ["x2", "zeros2"])
case("gdl all background", G, {"softmax": True, "to_onehot_y": True}, ["x2", "bg2"])
case("gdl 3d", G, {"sigmoid": True}, ["x3", "y3"])

dm = [[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [1.0, 0.5, 0.0]]
dm2 = [[0.0, 2.0, 4.0], [2.0, 0.0, 1.0], [4.0, 1.0, 0.0]]  # scaled by its maximum
W = GeneralizedWassersteinDiceLoss


def gwdl_per_item(dmat, mode, red):
    """MONAI 1.4's GWDL mixes batch items when B > 1 (Project-MONAI/MONAI#4650, fixed upstream by PR #8744):
    the per-item values come from MONAI 1.4 run on one item at a time, which is what the fix computes."""
    loss = W(np.array(dmat, dtype=np.float32), weighting_mode=mode, reduction="sum")

    def run(x, lab):
        per = torch.stack([loss(x[i : i + 1], lab[i : i + 1]) for i in range(x.shape[0])])
        return per.mean() if red == "mean" else per.sum() if red == "sum" else per

    return run


for mode in ["default", "GDL"]:
    for red in ["mean", "sum", "none"]:
        case(f"gwdl {mode} {red}", W, {"dist_matrix": dm, "weighting_mode": mode, "reduction": red}, ["xw", "lw"], grad=(red == "mean"),
             ctor=lambda mode=mode, red=red: gwdl_per_item(dm, mode, red))
case("gwdl scaled matrix", W, {"dist_matrix": dm2}, ["xw", "lw"], ctor=lambda: gwdl_per_item(dm2, "default", "mean"))
case("gwdl one item (MONAI 1.4 directly)", W, {"dist_matrix": dm, "weighting_mode": "GDL"}, ["xw1", "lw1"], grad=True,
     ctor=lambda: W(np.array(dm, dtype=np.float32), weighting_mode="GDL"))

C = DiceCELoss
case("dicece onehot", C, {"softmax": True}, ["x2", "y2"], grad=True)
case("dicece labels", C, {"softmax": True, "to_onehot_y": True}, ["x2", "l2"], grad=True)
case("dicece weight", C, {"softmax": True, "to_onehot_y": True, "weight": [0.2, 0.3, 0.5]}, ["x2", "l2"], grad=True)
case("dicece weight no background", C, {"softmax": True, "to_onehot_y": True, "include_background": False, "weight": [0.2, 0.3, 0.5]}, ["x2", "l2"])
case("dicece label smoothing", C, {"softmax": True, "to_onehot_y": True, "label_smoothing": 0.1}, ["x2", "l2"])
case("dicece lambdas sum", C, {"softmax": True, "lambda_dice": 0.3, "lambda_ce": 0.7, "reduction": "sum"}, ["x2", "y2"])
case("dicece batch jaccard", C, {"softmax": True, "batch": True, "jaccard": True}, ["x2", "y2"])
case("dicece single channel bce", C, {"sigmoid": True}, ["x1", "b1"], grad=True)
case("dicece single channel posweight", C, {"sigmoid": True, "weight": [2.0]}, ["x1", "b1"])
case("dicece 3d", C, {"softmax": True, "to_onehot_y": True}, ["x3", "l3"])
case("dicece all background", C, {"softmax": True, "to_onehot_y": True}, ["x2", "bg2"])

DF = DiceFocalLoss
case("dicefocal onehot", DF, {"sigmoid": True}, ["x2", "y2"], grad=True)
case("dicefocal labels", DF, {"softmax": True, "to_onehot_y": True}, ["x2", "l2"], grad=True)
case("dicefocal gamma alpha", DF, {"sigmoid": True, "gamma": 1.5, "alpha": 0.25}, ["x2", "y2"])
case("dicefocal weight lambdas", DF, {"softmax": True, "weight": [0.2, 0.3, 0.5], "lambda_dice": 0.4, "lambda_focal": 2.0}, ["x2", "y2"])
case("dicefocal no background none", DF, {"sigmoid": True, "include_background": False, "reduction": "none"}, ["x2", "y2"])
case("dicefocal sum batch", DF, {"sigmoid": True, "reduction": "sum", "batch": True}, ["x2", "y2"])

GF = GeneralizedDiceFocalLoss
case("gdlfocal", GF, {"softmax": True, "to_onehot_y": True}, ["x2", "l2"], grad=True)
case("gdlfocal weight", GF, {"sigmoid": True, "weight": [1.0, 2.0, 3.0], "lambda_gdl": 0.5, "gamma": 1.0, "w_type": "simple"}, ["x2", "y2"])

FL = FocalLoss
case("focal default", FL, {}, ["x2", "y2"], grad=True)
case("focal gamma0", FL, {"gamma": 0.0}, ["x2", "y2"])
case("focal alpha", FL, {"alpha": 0.25}, ["x2", "y2"], grad=True)
case("focal weight", FL, {"weight": [0.2, 0.3, 0.5]}, ["x2", "y2"])
case("focal weight scalar none", FL, {"weight": 0.5, "reduction": "none"}, ["x2", "y2"])
case("focal sum", FL, {"reduction": "sum"}, ["x2", "y2"])
case("focal toOnehotY no bg", FL, {"to_onehot_y": True, "include_background": False}, ["x2", "l2"])
case("focal softmax", FL, {"use_softmax": True, "to_onehot_y": True}, ["x2", "l2"], grad=True)
case("focal softmax alpha", FL, {"use_softmax": True, "alpha": 0.75, "gamma": 1.0}, ["x2", "y2"])
case("focal softmax no bg alpha ignored", FL, {"use_softmax": True, "alpha": 0.75, "include_background": False}, ["x2", "y2"])
case("focal soft target", FL, {}, ["x2", "soft2"])
case("focal 3d", FL, {"to_onehot_y": True, "reduction": "sum"}, ["x3", "l3"])
case("focal single channel", FL, {"alpha": 0.3}, ["x1", "b1"])

T = TverskyLoss
case("tversky default", T, {"softmax": True}, ["x2", "y2"], grad=True)
case("tversky alpha beta", T, {"sigmoid": True, "alpha": 0.3, "beta": 0.7}, ["x2", "y2"], grad=True)
case("tversky none", T, {"softmax": True, "to_onehot_y": True, "reduction": "none"}, ["x2", "l2"])
case("tversky batch none", T, {"sigmoid": True, "batch": True, "reduction": "none", "alpha": 0.9, "beta": 0.1}, ["x2", "y2"])
case("tversky no bg sum", T, {"softmax": True, "to_onehot_y": True, "include_background": False, "reduction": "sum"}, ["x2", "l2"])
case("tversky empty", T, {"sigmoid": True, "reduction": "none"}, ["x2", "zeros2"])
case("tversky smooth", T, {"sigmoid": True, "smooth_nr": 0.0, "smooth_dr": 1e-3}, ["x3", "y3"])

case("masked dice", MaskedDiceLoss, {"sigmoid": True}, ["x2", "y2", "mask2"], grad=True)
case("masked dice mask11", MaskedDiceLoss, {"softmax": True, "to_onehot_y": True}, ["x2", "l2", "mask11"])
case("masked loss dice class", MaskedLoss, {"sigmoid": True}, ["x2", "y2", "mask2"], ctor=lambda: MaskedLoss(DiceLoss, sigmoid=True))
case("masked loss focal instance", MaskedLoss, {}, ["x2", "y2", "mask2"], ctor=lambda: MaskedLoss(FocalLoss()))

for wm in ["exp", "same", "two"]:
    case(f"ds {wm}", DeepSupervisionLoss, {"weight_mode": wm}, [["ds0", "ds1", "ds2"], "lds"], grad=(wm == "exp"),
         ctor=lambda wm=wm: DeepSupervisionLoss(DiceCELoss(softmax=True, to_onehot_y=True), weight_mode=wm))
case("ds weights", DeepSupervisionLoss, {"weights": [0.6, 0.3, 0.1]}, [["ds0", "ds1", "ds2"], "lds"],
     ctor=lambda: DeepSupervisionLoss(DiceCELoss(softmax=True, to_onehot_y=True), weights=[0.6, 0.3, 0.1]))
case("ds single tensor", DeepSupervisionLoss, {}, ["ds0", "lds"], ctor=lambda: DeepSupervisionLoss(DiceCELoss(softmax=True, to_onehot_y=True)))


def enc(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.double().flatten().tolist() if t.is_floating_point() else t.flatten().tolist()}


out = {"monai": monai.__version__, "torch": torch.__version__, "inputs": {k: enc(v) for k, v in inputs.items()}, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"{len(cases)} cases -> {path} ({os.path.getsize(path)} bytes)")

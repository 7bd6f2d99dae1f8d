"""Goldens for the utility transforms (monai/transforms/utility) from MONAI 1.4.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_utility.py
Writes utility.json next to this script: inputs, outputs (shape, dtype, flat values) and affines.
"""
import json
import os
import warnings

import numpy as np
import torch

from monai.data import MetaTensor
from monai.transforms import (
    AddCoordinateChannels, AsChannelLast, CastToType, ClassesToIndices, ConcatItemsd, ConvertToMultiChannelBasedOnBratsClasses,
    CopyItemsd, DeleteItemsd, EnsureType, FgBgToIndices, LabelToMask, Lambda, RandLambda, RandLambdad, RemoveRepeatedChannel,
    RepeatChannel, SelectItemsd, SplitDim, SqueezeDim, Transpose,
)

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "utility.json")


def enc(t):
    t = torch.as_tensor(t)
    dt = str(t.dtype).replace("torch.", "")
    v = t.detach().cpu().reshape(-1)
    vals = [bool(x) for x in v.tolist()] if t.dtype == torch.bool else v.double().tolist()
    return {"shape": list(t.shape), "dtype": dt, "values": vals}


def aff(m):
    a = torch.as_tensor(m.affine, dtype=torch.float64)
    if a.shape[0] < 4:  # embed a smaller affine in 4x4 (to_affine_nd), as monai-ts keeps every affine 4x4
        n = a.shape[0] - 1
        full = torch.eye(4, dtype=torch.float64)
        full[:n, :n] = a[:n, :n]
        full[:n, 3] = a[:n, n]
        a = full
    return a.reshape(-1).tolist()


rng = np.random.RandomState(7)
img_np = rng.rand(1, 4, 5, 3).astype(np.float32)
affine = np.array([[0.5, 0.1, 0, 10], [0, 2.0, 0, -5], [0.2, 0, 1.5, 3], [0, 0, 0, 1]])


def image():
    return MetaTensor(torch.from_numpy(img_np.copy()), affine=torch.as_tensor(affine), meta={"filename_or_obj": "img.nii"})


G = {"image": enc(img_np), "affine": affine.reshape(-1).tolist(), "cases": {}}
C = G["cases"]

C["AsChannelLast"] = enc(AsChannelLast()(image()))
C["RepeatChannel2"] = enc(RepeatChannel(repeats=2)(image()))
four = MetaTensor(torch.arange(4 * 6, dtype=torch.float32).reshape(4, 2, 3))
C["RemoveRepeatedChannel2"] = {"input": enc(four), "out": enc(RemoveRepeatedChannel(repeats=2)(four))}
for name, kw in {"SplitDim_last": {"dim": -1}, "SplitDim_1": {"dim": 1}, "SplitDim_0": {"dim": 0},
                 "SplitDim_2_squeeze": {"dim": 2, "keepdim": False}}.items():
    outs = SplitDim(**kw)(image())
    C[name] = [{"out": enc(o), "affine": aff(o)} for o in outs]
C["CastToType_int16"] = enc(CastToType(dtype=torch.int16)(MetaTensor(torch.tensor([[1.7, -2.2, 300.9]]))))
C["Transpose_none"] = enc(Transpose(None)(image()))
C["Transpose_0213"] = enc(Transpose([0, 2, 1, 3])(image()))
sq_in = MetaTensor(torch.from_numpy(img_np[:, :, :1, :].copy()), affine=torch.as_tensor(affine))
sq = SqueezeDim(dim=2)(sq_in)
C["SqueezeDim_2"] = {"input": enc(sq_in), "out": enc(sq), "affine": aff(sq)}
sq0 = SqueezeDim(dim=0)(image())
C["SqueezeDim_0"] = {"out": enc(sq0), "affine": aff(sq0)}

label1 = torch.from_numpy(rng.randint(0, 4, size=(1, 4, 5, 3))).float()
onehot = torch.from_numpy(rng.randint(0, 2, size=(3, 4, 5, 3))).float()
C["labels"] = {"label1": enc(label1), "onehot": enc(onehot)}
C["LabelToMask_12"] = enc(LabelToMask(select_labels=[1, 2])(label1))
C["LabelToMask_12_merge"] = enc(LabelToMask(select_labels=[1, 2], merge_channels=True)(label1))
C["LabelToMask_onehot_02"] = enc(LabelToMask(select_labels=[0, 2])(onehot))
C["LabelToMask_onehot_02_merge"] = enc(LabelToMask(select_labels=[0, 2], merge_channels=True)(onehot))
fg, bg = FgBgToIndices()(label1)
C["FgBg"] = [enc(fg), enc(bg)]
fg, bg = FgBgToIndices(image_threshold=0.5)(label1, image())
C["FgBg_image_05"] = [enc(fg), enc(bg)]
fg, bg = FgBgToIndices(output_shape=[4, 5, 3])(onehot)
C["FgBg_onehot_shape"] = [enc(fg), enc(bg)]
C["Classes_3"] = [enc(i) for i in ClassesToIndices(num_classes=3)(label1)]
C["Classes_3_image_max2"] = [enc(i) for i in ClassesToIndices(num_classes=3, image_threshold=0.3, max_samples_per_class=2)(label1, image())]
C["Classes_onehot_shape"] = [enc(i) for i in ClassesToIndices(output_shape=[4, 5, 3])(onehot)]
C["AddCoordinateChannels_02"] = enc(AddCoordinateChannels(spatial_dims=[0, 2])(image()))
brats = torch.tensor([[[0, 1, 2], [4, 1, 0]]])
C["Brats"] = {"input": enc(brats), "out": enc(ConvertToMultiChannelBasedOnBratsClasses()(brats))}
C["EnsureType_list"] = enc(EnsureType()([1, 2.5, 3]))
C["EnsureType_int_list"] = enc(EnsureType()([1, 2, 3]))
C["EnsureType_float64"] = enc(EnsureType(dtype=torch.float64)(torch.tensor([1.5, 2.0])))

# dictionary item tools
d = {"a": MetaTensor(torch.ones(1, 2, 2)), "b": MetaTensor(torch.zeros(2, 2, 2)), "c": "text"}
cat = ConcatItemsd(keys=["a", "b"], name="ab")(d)
C["ConcatItemsd"] = enc(cat["ab"])
cp = CopyItemsd(keys=["a", "c"], times=2, names=["a1", "c1", "a2", "c2"])(d)
C["CopyItemsd_keys"] = list(cp.keys())
nested = {"img": 1, "meta": {"filename": "x", "spacing": 2, "space_x": 3}, "label_1": 4, "label_2": 5}
C["DeleteItemsd_nested"] = DeleteItemsd(keys="meta.filename")(nested)
C["DeleteItemsd_re"] = DeleteItemsd(keys=["label_\\d", "meta.space_"], use_re=True)(nested)
C["SelectItemsd"] = list(SelectItemsd(keys=["c", "a"])(d).keys())

# Lambda records and RandLambda's draws
lam = Lambda(func=lambda x: x + 1)
lo = lam(image())
C["Lambda"] = {"out": enc(lo), "ops": [op["class"] for op in lo.applied_operations]}
draws = {}
for seed in (0, 1, 42):
    r = RandLambda(func=lambda x: x * 2, prob=0.5)
    r.set_random_state(seed)
    seq = []
    for _ in range(12):
        o = r(image())
        seq.append(bool(o.applied_operations[-1]["do_transforms"]))
    draws[str(seed)] = seq
C["RandLambda_draws"] = draws
drawsd = {}
for seed in (0, 3):
    r = RandLambdad(keys=["a"], func=lambda x: x * 2, prob=0.3)
    r.set_random_state(seed)
    seq = []
    for _ in range(12):
        o = r({"a": MetaTensor(torch.ones(1, 2))})
        seq.append(bool(o["a"].applied_operations[-1]["do_transforms"]))
    drawsd[str(seed)] = seq
C["RandLambdad_draws"] = drawsd

with open(OUT, "w") as f:
    json.dump(G, f, separators=(",", ":"))
print(OUT, os.path.getsize(OUT), "bytes")

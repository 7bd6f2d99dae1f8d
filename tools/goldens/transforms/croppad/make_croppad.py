"""Goldens for packages/monai/test/transforms/croppad/*.test.ts: MONAI 1.4 crop and pad transforms on small
seeded volumes. Each case stores, per output, the shape, dtype, SHA-256 of the values as little-endian
float64, the affine, the last applied-operation record (class, orig_size, extra_info) and selected meta, and
for invertible array transforms the same for MONAI's inverse. Random cases run several successive calls
after set_random_state(seed) for several seeds.

Inputs (rebuilt identically in the test):
  img   float32 arange(504).reshape(1, 7, 8, 9) with affine AFFINE
  img2  float32 arange(1008).reshape(2, 7, 8, 9)
  imgi  int16 arange(504).reshape(1, 7, 8, 9)
  fg    img where 2<=i<5, 3<=j<6, 1<=k<7, else 0
  label float32 (r > 0.6) + (r > 0.85), r = RandomState(7).rand(7, 8, 9), shape (1, 7, 8, 9)
  w     float32 RandomState(8).rand(1, 7, 8, 9)

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_croppad.py
"""
import hashlib
import json
import os
import warnings

import numpy as np
import torch
import monai
from monai.data import MetaTensor
import monai.transforms as T

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
AFFINE = np.array([[0.9, 0.1, 0.0, 10.0], [-0.1, 1.2, 0.05, -5.0], [0.0, 0.2, 2.0, 3.5], [0, 0, 0, 1]], dtype=np.float64)


def mt(a):
    return MetaTensor(torch.as_tensor(a), affine=torch.as_tensor(AFFINE))


def inputs():
    base = np.arange(504, dtype=np.float32).reshape(1, 7, 8, 9)
    fg = np.zeros_like(base)
    fg[:, 2:5, 3:6, 1:7] = base[:, 2:5, 3:6, 1:7]
    r = np.random.RandomState(7).rand(7, 8, 9)
    label = ((r > 0.6).astype(np.float32) + (r > 0.85).astype(np.float32))[None]
    w = np.random.RandomState(8).rand(1, 7, 8, 9).astype(np.float32)
    return {
        "img": base, "img2": np.arange(1008, dtype=np.float32).reshape(2, 7, 8, 9),
        "imgi": np.arange(504, dtype=np.int16).reshape(1, 7, 8, 9), "fg": fg, "label": label, "w": w,
    }


SELECT = {"gt5": lambda x: x > 5, "gt300": lambda x: x > 300}


def plain(v):
    if isinstance(v, torch.Tensor):
        v = v.tolist()
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k not in ("id",)}
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, torch.dtype):
        return str(v)
    return v


def enc(t):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    out = {"shape": list(a.shape), "dtype": str(a.dtype), "sha256": hashlib.sha256(a.astype("<f8").tobytes()).hexdigest(),
           "sum": float(a.astype(np.float64).sum())}
    if isinstance(t, MetaTensor):
        out["affine"] = t.affine.numpy().ravel().tolist()
        if t.applied_operations:
            op = t.applied_operations[-1]
            out["op"] = {"class": op["class"], "orig_size": plain(op.get("orig_size")), "extra_info": plain(op.get("extra_info"))}
        out["n_ops"] = len(t.applied_operations)
        for k in ("patch_index", "crop_center"):
            if k in t.meta:
                out[k] = plain(t.meta[k])
    return out


def py_kwargs(kw):
    kw = dict(kw)
    if "select_fn" in kw:
        kw["select_fn"] = SELECT[kw["select_fn"]]
    if "roi_slices" in kw:
        kw["roi_slices"] = [slice(a, b) for a, b in kw["roi_slices"]]
    return kw


ARRAY = [
    ("SpatialPad", {"spatial_size": [10, 9, 12]}, "img"),
    ("SpatialPad", {"spatial_size": [10, -1, 12], "method": "end", "mode": "edge"}, "img"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "mode": "reflect"}, "img"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "mode": "symmetric"}, "img"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "mode": "wrap"}, "imgi"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "mode": "reflect"}, "imgi"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "value": 7}, "img"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "mode": "mean"}, "imgi"),
    ("SpatialPad", {"spatial_size": [9, 12, 10], "mode": "maximum"}, "img"),
    ("SpatialPad", {"spatial_size": [8, 10, 11], "mode": "minimum"}, "img2"),
    ("BorderPad", {"spatial_border": 2}, "img"),
    ("BorderPad", {"spatial_border": [1, 2, 3], "mode": "replicate"}, "img"),
    ("BorderPad", {"spatial_border": [1, 0, 2, 1, 0, 3], "mode": "circular"}, "img2"),
    ("DivisiblePad", {"k": 4}, "img"),
    ("DivisiblePad", {"k": [3, 5, 2], "method": "end", "mode": "reflect"}, "img"),
    ("SpatialCrop", {"roi_center": [3, 4, 4], "roi_size": [4, 5, 6]}, "img"),
    ("SpatialCrop", {"roi_center": [1, 7, 4], "roi_size": [4, 5, 20]}, "img"),
    ("SpatialCrop", {"roi_start": [1, 2, 3], "roi_end": [5, 6, 20]}, "img2"),
    ("SpatialCrop", {"roi_slices": [[1, 4], [-5, None]]}, "img"),
    ("CenterSpatialCrop", {"roi_size": [4, -1, 5]}, "img"),
    ("CenterSpatialCrop", {"roi_size": [10, 3, 3]}, "imgi"),
    ("CenterScaleCrop", {"roi_scale": [0.5, 0.7, 1.0]}, "img"),
    ("CropForeground", {}, "fg"),
    ("CropForeground", {"margin": 1}, "fg"),
    ("CropForeground", {"margin": [3, 1, 2], "allow_smaller": False, "mode": "edge"}, "fg"),
    ("CropForeground", {"k_divisible": [4, 4, 4]}, "fg"),
    ("CropForeground", {"k_divisible": 5, "allow_smaller": False}, "fg"),
    ("CropForeground", {"select_fn": "gt300", "channel_indices": [1]}, "img2"),
    ("ResizeWithPadOrCrop", {"spatial_size": [10, 5, 9]}, "img"),
    ("ResizeWithPadOrCrop", {"spatial_size": [4, 12, 7], "method": "end", "mode": "reflect"}, "img"),
]

RANDOM = [
    ("RandSpatialCrop", {"roi_size": [3, 4, 5]}, "img"),
    ("RandSpatialCrop", {"roi_size": [3, 4, 5], "random_size": True}, "img"),
    ("RandSpatialCrop", {"roi_size": [2, 2, 3], "max_roi_size": [5, -1, 7], "random_size": True}, "img"),
    ("RandSpatialCrop", {"roi_size": [3, 3, 3], "random_size": True, "random_center": False}, "img"),
    ("RandScaleCrop", {"roi_scale": 0.5, "max_roi_scale": 0.9, "random_size": True}, "img"),
    ("RandSpatialCropSamples", {"roi_size": [3, 3, 3], "num_samples": 3, "random_size": True}, "img"),
    ("RandWeightedCrop", {"spatial_size": [3, 4, 3], "num_samples": 3}, "img", {"weight_map": "w"}),
    ("RandCropByPosNegLabel", {"spatial_size": [3, 4, 5], "pos": 1, "neg": 2, "num_samples": 4}, "img", {"label": "label"}),
    ("RandCropByPosNegLabel", {"spatial_size": [3, 4, 5], "num_samples": 3, "image_threshold": 100}, "img", {"label": "label", "image": "img"}),
    ("RandCropByPosNegLabel", {"spatial_size": [9, 4, 12], "num_samples": 2, "allow_smaller": True}, "img", {"label": "label"}),
    ("RandCropByLabelClasses", {"spatial_size": [3, 3, 3], "ratios": [1, 2, 3], "num_classes": 3, "num_samples": 4}, "img", {"label": "label"}),
    ("RandCropByLabelClasses", {"spatial_size": [4, 3, 2], "num_classes": 3, "num_samples": 3, "max_samples_per_class": 10}, "img", {"label": "label"}),
]

DICT = [
    ("SpatialPadd", {"keys": ["img", "label"], "spatial_size": [9, 10, 11], "mode": ["reflect", "constant"]}),
    ("BorderPadd", {"keys": ["img"], "spatial_border": [1, 2, 3]}),
    ("DivisiblePadd", {"keys": ["img", "label"], "k": 4}),
    ("SpatialCropd", {"keys": ["img", "label"], "roi_center": [3, 4, 4], "roi_size": [4, 5, 6]}),
    ("CenterSpatialCropd", {"keys": ["img", "label"], "roi_size": [4, 4, 4]}),
    ("CenterScaleCropd", {"keys": ["img"], "roi_scale": 0.6}),
    ("CropForegroundd", {"keys": ["img", "label"], "source_key": "fg", "margin": 2, "allow_smaller": False, "mode": ["edge", "constant"]}),
    ("CropForegroundd", {"keys": ["img", "label"], "source_key": "fg", "k_divisible": 4, "start_coord_key": "s", "end_coord_key": None}),
    ("ResizeWithPadOrCropd", {"keys": ["img", "label"], "spatial_size": [10, 5, 9]}),
]

DICT_RANDOM = [
    ("RandSpatialCropd", {"keys": ["img", "label"], "roi_size": [3, 4, 5], "random_size": True}),
    ("RandScaleCropd", {"keys": ["img", "label"], "roi_scale": [0.4, 0.5, 0.6]}),
    ("RandSpatialCropSamplesd", {"keys": ["img", "label"], "roi_size": [3, 3, 3], "num_samples": 2, "random_size": True}),
    ("RandWeightedCropd", {"keys": ["img", "label"], "w_key": "w", "spatial_size": [3, 4, 3], "num_samples": 2}),
    ("RandCropByPosNegLabeld", {"keys": ["img", "label"], "label_key": "label", "spatial_size": [3, 4, 5], "pos": 2, "neg": 1, "num_samples": 3, "image_key": "img", "image_threshold": 50}),
    ("RandCropByLabelClassesd", {"keys": ["img", "label"], "label_key": "label", "spatial_size": [3, 3, 3], "ratios": [0, 1, 1], "num_classes": 3, "num_samples": 3}),
]

SEEDS = [0, 1, 42, 2**31 - 1]
CALLS = 3


def camel(k):
    parts = k.split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def ts_opts(kw):
    return {camel(k): v for k, v in kw.items()}


def main():
    X = inputs()
    cases = []
    for name, kw, src in ARRAY:
        t = getattr(T, name)(**py_kwargs(kw))
        x = mt(X[src])
        out = t(x)
        if isinstance(out, tuple):  # return_coords
            out = out[0]
        case = {"cls": name, "options": ts_opts(kw), "input": src, "out": enc(out)}
        inv = t.inverse(out)
        case["inverse"] = enc(inv)
        cases.append(case)
    # return_coords and BoundingRect
    t = T.CropForeground(return_coords=True, margin=1)
    _, bs, be = t(mt(X["fg"]))
    coords = {"start": plain(bs), "end": plain(be)}
    bbox = plain(T.BoundingRect(select_fn=SELECT["gt5"])(mt(X["img2"])))
    bbox_fg = plain(T.BoundingRect()(mt(X["fg"])))

    rcases = []
    for spec in RANDOM:
        name, kw, src = spec[:3]
        call_kw = spec[3] if len(spec) > 3 else {}
        for seed in SEEDS:
            t = getattr(T, name)(**py_kwargs(kw)).set_random_state(seed=seed)
            calls = []
            for _ in range(CALLS):
                out = t(mt(X[src]), **{k: mt(X[v]) for k, v in call_kw.items()})
                outs = out if isinstance(out, list) else [out]
                calls.append([enc(o) for o in outs])
            rcases.append({"cls": name, "options": ts_opts(kw), "input": src, "call": {camel(k): v for k, v in call_kw.items()}, "seed": seed, "calls": calls})

    dcases = []
    for name, kw in DICT:
        t = getattr(T, name)(**kw)
        d = {k: mt(v) for k, v in X.items()}
        out = t(d)
        rec = {"cls": name, "options": ts_opts(kw), "out": {k: enc(out[k]) for k in kw["keys"]}}
        for extra in ("foreground_start_coord", "foreground_end_coord", "s"):
            if extra in out:
                rec.setdefault("extra", {})[extra] = plain(out[extra])
        inv = t.inverse(out)
        rec["inverse"] = {k: enc(inv[k]) for k in kw["keys"]}
        dcases.append(rec)
    for name, kw in DICT_RANDOM:
        for seed in SEEDS[:3]:
            t = getattr(T, name)(**kw).set_random_state(seed=seed)
            calls = []
            for _ in range(CALLS):
                out = t({k: mt(v) for k, v in X.items()})
                outs = out if isinstance(out, list) else [out]
                calls.append([{k: enc(o[k]) for k in kw["keys"]} for o in outs])
            dcases.append({"cls": name, "options": ts_opts(kw), "seed": seed, "calls": calls})

    # a random pipeline seeded by set_determinism: Compose hands the croppers their seeds
    from monai.utils import set_determinism
    ccases = []
    for seed in (0, 2**31 - 1):
        set_determinism(seed=seed)
        pipe = T.Compose([
            T.RandSpatialCropd(keys=["img", "label"], roi_size=[6, 7, 8], random_size=True),
            T.RandCropByPosNegLabeld(keys=["img", "label"], label_key="label", spatial_size=[3, 4, 3], num_samples=2),
        ])
        calls = []
        for _ in range(CALLS):
            out = pipe({k: mt(v) for k, v in X.items()})
            calls.append([{k: enc(o[k]) for k in ("img", "label")} for o in out])
        ccases.append({"seed": seed, "calls": calls})
        set_determinism(seed=None)
    # PadListDataCollate: two items of different sizes, reflect padding; decollate and invert
    from monai.data import decollate_batch
    a = mt(np.arange(210, dtype=np.float32).reshape(1, 5, 6, 7))
    b = mt(np.arange(252, dtype=np.float32).reshape(1, 7, 4, 9))
    batch = T.PadListDataCollate(mode="reflect")([{"img": a, "n": 1}, {"img": b, "n": 2}])
    padlist = {"batch": enc(batch["img"].as_tensor()), "n": plain(batch["n"])}
    padlist["inverse"] = [enc(T.PadListDataCollate.inverse(i)["img"]) for i in decollate_batch(batch)]
    with open(os.path.join(HERE, "croppad.json"), "w") as f:
        json.dump({"monai_version": monai.__version__, "affine": AFFINE.ravel().tolist(), "array": cases, "random": rcases,
                   "dict": dcases, "compose": ccases, "padlist": padlist, "coords": coords, "bbox": bbox, "bbox_fg": bbox_fg}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()

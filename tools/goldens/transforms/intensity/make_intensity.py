"""Goldens for monai-ts intensity transforms, made by MONAI 1.4.0.

Run:  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
          tools/goldens/transforms/intensity/make_intensity.py
Writes intensity.json next to this script: the seeded inputs, and for every case the transform's options
(camelCase, as the TypeScript classes take them) and the outputs of successive calls. Random cases are
seeded with set_random_state(seed) and called three times in a row, so equal outputs mean equal draws.
"""
import json
import os
import re

import numpy as np
import torch

import monai.transforms as T
from monai.data import MetaTensor

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(20240607)


def f32(a):
    return np.asarray(a, dtype=np.float32)


INPUTS = {
    # 2 channels, 7 x 6: varied values with a few exact zeros (for nonzero options)
    "img2d": f32(rng.normal(3.0, 2.0, size=(2, 7, 6))),
    "img3d": f32(rng.uniform(-1.0, 5.0, size=(1, 6, 5, 4))),
    "img3d2c": f32(rng.uniform(0.0, 10.0, size=(2, 5, 4, 6))),
    "uint8": rng.randint(0, 256, size=(1, 5, 6)).astype(np.uint8),
    "int16": rng.randint(-300, 300, size=(1, 5, 6)).astype(np.int16),
    "mask1": (rng.uniform(size=(1, 7, 6)) > 0.4).astype(np.float32),
    "mask2": (rng.uniform(size=(2, 7, 6)) > 0.5).astype(np.float32),
    "maskb": rng.uniform(size=(2, 7, 6)) > 0.3,
    "const": np.full((1, 4, 5), 2.5, dtype=np.float32),
    "labels": np.array([[[0, 0, 1, 1, 0], [0, 1, 1, 1, 0], [0, 0, 0, 2, 2], [3, 0, 0, 2, 2], [3, 3, 0, 0, 0]]], dtype=np.int32),
}
INPUTS["f156"] = f32(rng.normal(0.0, 50.0, size=(1, 5, 6)))
INPUTS["rgb8"] = rng.randint(0, 256, size=(3, 6, 7)).astype(np.uint8)
INPUTS["rgbf"] = f32(rng.uniform(0.0, 1.0, size=(3, 6, 7)))
INPUTS["labels3d"] = rng.randint(0, 4, size=(1, 4, 5, 3)).astype(np.int64)
INPUTS["quant"] = (rng.randint(0, 11, size=(2, 6, 7)) / 2).astype(np.float32)
INPUTS["img2d"][0, 1, 2] = 0
INPUTS["img2d"][1, 3, 3:5] = 0
INPUTS["img2d"][0, 5, :] = 0


def camel(s):
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), s)


def enc(a):
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    a = np.asarray(a)
    dt = str(a.dtype)
    if a.dtype == np.float32:
        data = [float(str(v)) for v in a.reshape(-1)]  # shortest float32 text; tests fround it back
    elif a.dtype == bool:
        data = [bool(v) for v in a.reshape(-1)]
    else:
        data = [v.item() for v in a.reshape(-1)]
    return {"shape": list(a.shape), "dtype": {"bool": "bool"}.get(dt, dt), "data": data}


def opt_json(v):
    if isinstance(v, str) and v.startswith("$"):
        return {"$input": v[1:]}
    if isinstance(v, (list, tuple)):
        return [opt_json(x) for x in v]
    if isinstance(v, dict):
        return {k: opt_json(x) for k, x in v.items()}
    return v


def opt_py(v):
    if isinstance(v, str) and v.startswith("$"):
        return torch.as_tensor(INPUTS[v[1:]])
    if isinstance(v, list):
        return tuple(opt_py(x) for x in v)
    if isinstance(v, dict):
        return {k: opt_py(x) for k, x in v.items()}
    return v


def as_meta(name):
    return MetaTensor(torch.as_tensor(INPUTS[name].copy()))


def meta_json(v):
    if isinstance(v, torch.Tensor):
        v = v.cpu().numpy()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [meta_json(x) for x in v]
    if isinstance(v, dict):
        return {k: meta_json(x) for k, x in v.items()}
    return v


CASES = []


def case(name, cls, kwargs, inp, seeds=None, calls=1, call_kwargs=None, tol=None, keys=None, meta=None, shared_state=False, class_seed=None):
    """keys: dictionary transform over these keys of {k: input} (inp may be a dict key->input name)."""
    out = {"name": name, "transform": cls, "options": {camel(k): opt_json(v) for k, v in kwargs.items()}, "input": inp}
    if call_kwargs:
        out["callOptions"] = {camel(k): opt_json(v) for k, v in call_kwargs.items()}
    if tol is not None:
        out["tol"] = tol
    if keys is not None:
        out["options"]["keys"] = keys
    if shared_state:
        out["sharedState"] = True  # set_random_state(state=RandomState(seed)): one stream for all draws
    if class_seed is not None:
        out["classSeed"] = class_seed  # seeds MONAI's class-level Randomizable.R before each run
    runs = []
    for seed in seeds if seeds is not None else [None]:
        kw = {k: opt_py(v) for k, v in kwargs.items()}
        if keys is not None:
            kw["keys"] = keys
        if class_seed is not None:
            T.Randomizable.R.seed(class_seed)
        t = getattr(T, cls)(**kw)
        if seed is not None and shared_state:
            t.set_random_state(state=np.random.RandomState(seed))
        elif seed is not None:
            t.set_random_state(seed)
        outs = []
        for _ in range(calls):
            ck = {k: opt_py(v) for k, v in (call_kwargs or {}).items()}
            if cls == "IntensityStats":  # MONAI wants a numpy bool mask here
                ck = {k: v.numpy() if isinstance(v, torch.Tensor) else v for k, v in ck.items()}
            if keys is not None:
                names = inp if isinstance(inp, dict) else {k: inp for k in keys}
                d = {k: as_meta(n) for k, n in names.items()}
                r = t(d)
                o = {k: enc(v) for k, v in r.items() if isinstance(v, torch.Tensor)}
                if meta:
                    o["meta"] = {m: meta_json(r[m]) for m in meta}
            else:
                r = t(as_meta(inp), **ck)
                if isinstance(r, tuple):  # IntensityStats
                    o = {"out": enc(r[0]), "meta": meta_json(r[1])}
                else:
                    o = {"out": enc(r)}
                    if meta:
                        o["meta"] = {m: meta_json(r.meta.get(m)) for m in meta}
                    o["isMeta"] = isinstance(r, MetaTensor)
            outs.append(o)
        runs.append({"seed": seed, "outputs": outs})
    out["runs"] = runs
    CASES.append(out)


SEEDS = [0, 7, 1234]
R3 = dict(seeds=SEEDS, calls=3)
F = {"rtol": 1e-6, "atol": 1e-6}  # float32 arithmetic in the same order as MONAI
F5 = {"rtol": 1e-5, "atol": 1e-5}  # reductions, percentiles, exp/log chains
EXACT = {"rtol": 0, "atol": 0}

# ---- noise
case("RandGaussianNoise default", "RandGaussianNoise", dict(prob=0.7), "img2d", tol=F, **R3)
case("RandGaussianNoise fixed std", "RandGaussianNoise", dict(prob=1.0, mean=1.5, std=0.3, sample_std=False), "img3d", tol=F, **R3)
case("RandGaussianNoise float64", "RandGaussianNoise", dict(prob=1.0, std=0.5, dtype="float64"), "img2d", tol=F, seeds=[3], calls=2)
case("RandGaussianNoise call mean", "RandGaussianNoise", dict(prob=1.0, std=0.2), "img2d", call_kwargs=dict(mean=10.0), tol=F, seeds=[5], calls=2)
case("RandGaussianNoised", "RandGaussianNoised", dict(prob=0.6, std=0.5), "img2d", keys=["img", "seg"], tol=F, **R3)
case("RandRicianNoise default", "RandRicianNoise", dict(prob=0.8), "img2d", tol=F, **R3)
case("RandRicianNoise channel relative", "RandRicianNoise", dict(prob=1.0, mean=[0.5, 1.0], std=[0.2, 0.4], channel_wise=True, relative=True), "img2d", tol=F5, **R3)
case("RandRicianNoise fixed std", "RandRicianNoise", dict(prob=1.0, std=0.3, sample_std=False, relative=True), "img3d", tol=F5, seeds=[11], calls=2)
case("RandRicianNoised", "RandRicianNoised", dict(prob=0.7, std=0.5), "img2d", keys=["img", "seg"], tol=F, **R3)

# ---- shifts and scales
case("ShiftIntensity", "ShiftIntensity", dict(offset=1.25), "img2d", tol=EXACT)
case("ShiftIntensity uint8 wraps", "ShiftIntensity", dict(offset=100), "uint8", tol=EXACT)
case("ShiftIntensity uint8 safe", "ShiftIntensity", dict(offset=100, safe=True), "uint8", tol=EXACT)
case("ShiftIntensity int16", "ShiftIntensity", dict(offset=-7), "int16", tol=EXACT)
case("ShiftIntensityd", "ShiftIntensityd", dict(offset=-2.0), "img2d", keys=["img", "seg"], tol=EXACT)
case("RandShiftIntensity", "RandShiftIntensity", dict(offsets=2.0, prob=0.6), "img2d", tol=F, **R3)
case("RandShiftIntensity pair channel", "RandShiftIntensity", dict(offsets=[1.0, 5.0], prob=1.0, channel_wise=True), "img2d", tol=F, **R3)
case("RandShiftIntensity factor", "RandShiftIntensity", dict(offsets=[1.0, 5.0], prob=1.0), "img2d", call_kwargs=dict(factor=3.0), tol=F, seeds=[2], calls=2)
case("RandShiftIntensityd", "RandShiftIntensityd", dict(offsets=3.0, prob=0.6), "img2d", keys=["img", "seg"], tol=F, **R3)
case("StdShiftIntensity", "StdShiftIntensity", dict(factor=0.5), "img2d", tol=F5)
case("StdShiftIntensity nonzero channel", "StdShiftIntensity", dict(factor=-1.5, nonzero=True, channel_wise=True), "img2d", tol=F5)
case("StdShiftIntensity int16 float64", "StdShiftIntensity", dict(factor=2.0, dtype="float64"), "int16", tol=F5)
case("StdShiftIntensityd", "StdShiftIntensityd", dict(factor=1.0, nonzero=True), "img2d", keys=["img", "seg"], tol=F5)
case("RandStdShiftIntensity", "RandStdShiftIntensity", dict(factors=1.0, prob=0.6), "img2d", tol=F5, **R3)
case("RandStdShiftIntensity nonzero channel", "RandStdShiftIntensity", dict(factors=[0.5, 2.0], prob=1.0, nonzero=True, channel_wise=True), "img2d", tol=F5, **R3)
case("RandStdShiftIntensityd", "RandStdShiftIntensityd", dict(factors=2.0, prob=0.6), "img2d", keys=["img", "seg"], tol=F5, **R3)
case("ScaleIntensity", "ScaleIntensity", dict(), "img2d", tol=F)
case("ScaleIntensity range channel", "ScaleIntensity", dict(minv=-2.0, maxv=3.0, channel_wise=True), "img2d", tol=F)
case("ScaleIntensity factor", "ScaleIntensity", dict(minv=None, maxv=None, factor=0.3), "img2d", tol=F)
case("ScaleIntensity minv only", "ScaleIntensity", dict(minv=None, maxv=4.0), "img3d", tol=F)
case("ScaleIntensity uint8", "ScaleIntensity", dict(minv=0.0, maxv=10.0), "uint8", tol=F)
case("ScaleIntensity uint8 dtype none", "ScaleIntensity", dict(minv=0.0, maxv=10.0, dtype=None), "uint8", tol=EXACT)
case("ScaleIntensity const", "ScaleIntensity", dict(minv=1.0, maxv=2.0), "const", tol=F)
case("ScaleIntensityd", "ScaleIntensityd", dict(minv=0.0, maxv=2.0), "img2d", keys=["img", "seg"], tol=F)
case("RandScaleIntensity", "RandScaleIntensity", dict(factors=0.5, prob=0.6), "img2d", tol=F, **R3)
case("RandScaleIntensity channel", "RandScaleIntensity", dict(factors=[-0.2, 0.8], prob=1.0, channel_wise=True), "img2d", tol=F, **R3)
case("RandScaleIntensityd", "RandScaleIntensityd", dict(factors=0.5, prob=0.6), "img2d", keys=["img", "seg"], tol=F, **R3)
case("ScaleIntensityFixedMean", "ScaleIntensityFixedMean", dict(factor=0.4), "img2d", tol=F5)
case("ScaleIntensityFixedMean preserve channel", "ScaleIntensityFixedMean", dict(factor=1.5, preserve_range=True, channel_wise=True), "img2d", tol=F5)
case("ScaleIntensityFixedMean no mean", "ScaleIntensityFixedMean", dict(factor=-0.5, fixed_mean=False, preserve_range=True), "img3d", tol=F5)
case("RandScaleIntensityFixedMean", "RandScaleIntensityFixedMean", dict(factors=0.5, prob=0.6), "img2d", tol=F5, **R3)
case("RandScaleIntensityFixedMean preserve", "RandScaleIntensityFixedMean", dict(factors=[0.2, 1.0], prob=1.0, preserve_range=True), "img3d", tol=F5, **R3)
case("RandScaleIntensityFixedMeand", "RandScaleIntensityFixedMeand", dict(factors=0.5, prob=0.6), "img2d", keys=["img", "seg"], tol=F5, **R3)

# ---- bias field
case("RandBiasField 2d", "RandBiasField", dict(prob=0.7), "img2d", tol=F5, **R3)
case("RandBiasField 3d degree 2", "RandBiasField", dict(prob=1.0, degree=2, coeff_range=[-0.3, 0.5]), "img3d", tol=F5, **R3)
case("RandBiasField 3d degree 4", "RandBiasField", dict(prob=1.0, degree=4, coeff_range=[0.0, 0.2]), "img3d2c", tol=F5, seeds=[9], calls=2)
case("RandBiasFieldd", "RandBiasFieldd", dict(prob=0.7, coeff_range=[0.0, 0.3]), "img2d", keys=["img", "seg"], tol=F5, **R3)

# ---- normalize, threshold, ranges
case("NormalizeIntensity", "NormalizeIntensity", dict(), "img2d", tol=F5)
case("NormalizeIntensity nonzero channel", "NormalizeIntensity", dict(nonzero=True, channel_wise=True), "img2d", tol=F5)
case("NormalizeIntensity given", "NormalizeIntensity", dict(subtrahend=[1.0, 2.0], divisor=[2.0, 0.0], channel_wise=True), "img2d", tol=F5)
case("NormalizeIntensity scalar given nonzero", "NormalizeIntensity", dict(subtrahend=1.5, divisor=3.0, nonzero=True), "img2d", tol=F5)
case("NormalizeIntensity int16 float64", "NormalizeIntensity", dict(dtype="float64"), "int16", tol=F5)
case("NormalizeIntensity const", "NormalizeIntensity", dict(), "const", tol=F5)
case("NormalizeIntensityd", "NormalizeIntensityd", dict(nonzero=True), "img2d", keys=["img", "seg"], tol=F5)
case("ThresholdIntensity above", "ThresholdIntensity", dict(threshold=3.0), "img2d", tol=EXACT)
case("ThresholdIntensity below cval", "ThresholdIntensity", dict(threshold=2.0, above=False, cval=-1.0), "img2d", tol=EXACT)
case("ThresholdIntensity uint8", "ThresholdIntensity", dict(threshold=128, cval=7), "uint8", tol=EXACT)
case("ThresholdIntensityd", "ThresholdIntensityd", dict(threshold=1.0, cval=9.0), "img2d", keys=["img", "seg"], tol=EXACT)
case("ScaleIntensityRange", "ScaleIntensityRange", dict(a_min=-1.0, a_max=6.0, b_min=0.0, b_max=1.0), "img2d", tol=F)
case("ScaleIntensityRange clip", "ScaleIntensityRange", dict(a_min=1.0, a_max=4.0, b_min=-1.0, b_max=1.0, clip=True), "img2d", tol=F)
case("ScaleIntensityRange no b", "ScaleIntensityRange", dict(a_min=1.0, a_max=4.0), "img2d", tol=F)
case("ScaleIntensityRange b_min clip", "ScaleIntensityRange", dict(a_min=1.0, a_max=4.0, b_min=0.5, clip=True), "img2d", tol=F)
case("ScaleIntensityRange int16 spleen", "ScaleIntensityRange", dict(a_min=-57, a_max=164, b_min=0.0, b_max=1.0, clip=True), "int16", tol=F)
case("ScaleIntensityRange equal", "ScaleIntensityRange", dict(a_min=2.0, a_max=2.0, b_min=1.0), "img2d", tol=F)
case("ScaleIntensityRanged", "ScaleIntensityRanged", dict(a_min=0.0, a_max=8.0, b_min=-1.0, b_max=1.0, clip=True), "img2d", keys=["img", "seg"], tol=F)
case("ClipIntensityPercentiles", "ClipIntensityPercentiles", dict(lower=10, upper=90), "img2d", tol=F)
case("ClipIntensityPercentiles upper only channel", "ClipIntensityPercentiles", dict(lower=None, upper=75.5, channel_wise=True), "img2d", tol=F)
case("ClipIntensityPercentiles soft", "ClipIntensityPercentiles", dict(lower=20, upper=80, sharpness_factor=2.0), "img3d", tol=F5)
case("ClipIntensityPercentiles soft lower only", "ClipIntensityPercentiles", dict(lower=30, upper=None, sharpness_factor=5.0, channel_wise=True), "img2d", tol=F5)
case("ClipIntensityPercentiles values", "ClipIntensityPercentiles", dict(lower=5, upper=95, channel_wise=True, return_clipping_values=True), "img2d", tol=F, meta=["clipping_values"])
case("ClipIntensityPercentilesd", "ClipIntensityPercentilesd", dict(lower=25, upper=75), "img2d", keys=["img", "seg"], tol=F)
case("AdjustContrast", "AdjustContrast", dict(gamma=1.7), "img2d", tol=F5)
case("AdjustContrast invert retain", "AdjustContrast", dict(gamma=0.6, invert_image=True, retain_stats=True), "img3d", tol=F5)
case("AdjustContrast call gamma", "AdjustContrast", dict(gamma=1.0), "img2d", call_kwargs=dict(gamma=2.5), tol=F5)
case("AdjustContrastd", "AdjustContrastd", dict(gamma=0.8, retain_stats=True), "img2d", keys=["img", "seg"], tol=F5)
case("RandAdjustContrast", "RandAdjustContrast", dict(prob=0.6), "img2d", tol=F5, **R3)
case("RandAdjustContrast number retain", "RandAdjustContrast", dict(prob=1.0, gamma=2.0, retain_stats=True, invert_image=True), "img3d", tol=F5, **R3)
case("RandAdjustContrastd", "RandAdjustContrastd", dict(prob=0.6, gamma=[0.7, 1.5]), "img2d", keys=["img", "seg"], tol=F5, **R3)
case("ScaleIntensityRangePercentiles", "ScaleIntensityRangePercentiles", dict(lower=5, upper=95, b_min=0.0, b_max=1.0), "img2d", tol=F5)
case("ScaleIntensityRangePercentiles clip relative channel", "ScaleIntensityRangePercentiles", dict(lower=10, upper=90, b_min=-1.0, b_max=1.0, clip=True, relative=True, channel_wise=True), "img2d", tol=F5)
case("ScaleIntensityRangePercentiles no b", "ScaleIntensityRangePercentiles", dict(lower=0, upper=100, b_min=None, b_max=None), "img3d", tol=F5)
case("ScaleIntensityRangePercentilesd", "ScaleIntensityRangePercentilesd", dict(lower=20, upper=80, b_min=0.0, b_max=10.0), "img2d", keys=["img", "seg"], tol=F5)
case("MaskIntensity single channel", "MaskIntensity", dict(mask_data="$mask1"), "img2d", tol=EXACT)
case("MaskIntensity two channels", "MaskIntensity", dict(mask_data="$mask2"), "img2d", tol=EXACT)
case("MaskIntensity runtime bool", "MaskIntensity", dict(), "img2d", call_kwargs=dict(mask_data="$maskb"), tol=EXACT)
case("MaskIntensityd mask key", "MaskIntensityd", dict(mask_key="m"), {"img": "img2d", "m": "mask1"}, keys=["img"], tol=EXACT)

# ---- smoothing and sharpening
case("GaussianSmooth", "GaussianSmooth", dict(), "img2d", tol=F)
case("GaussianSmooth sigma per dim", "GaussianSmooth", dict(sigma=[0.5, 1.5, 0.8]), "img3d", tol=F)
case("GaussianSmooth sampled", "GaussianSmooth", dict(sigma=2.0, approx="sampled"), "img2d", tol=F)
case("GaussianSmooth uint8", "GaussianSmooth", dict(sigma=0.7), "uint8", tol=F)
case("GaussianSmoothd", "GaussianSmoothd", dict(sigma=1.2), "img2d", keys=["img", "seg"], tol=F)
case("RandGaussianSmooth", "RandGaussianSmooth", dict(prob=0.6), "img2d", tol=F, **R3)
case("RandGaussianSmooth 3d", "RandGaussianSmooth", dict(prob=1.0, sigma_x=[0.3, 2.0], sigma_z=[1.0, 1.5]), "img3d", tol=F, **R3)
case("RandGaussianSmoothd", "RandGaussianSmoothd", dict(prob=0.6), "img2d", keys=["img", "seg"], tol=F, **R3)
case("GaussianSharpen", "GaussianSharpen", dict(), "img2d", tol=F5)
case("GaussianSharpen options", "GaussianSharpen", dict(sigma1=[1.0, 2.0, 0.5], sigma2=0.4, alpha=5.0), "img3d", tol=F5)
case("GaussianSharpend", "GaussianSharpend", dict(sigma1=1.5, sigma2=0.5, alpha=10.0), "img2d", keys=["img", "seg"], tol=F5)
case("RandGaussianSharpen", "RandGaussianSharpen", dict(prob=0.6), "img2d", tol=F5, **R3)
case("RandGaussianSharpen ranges", "RandGaussianSharpen", dict(prob=1.0, sigma2_x=[0.1, 0.3], sigma2_y=0.2, alpha=[1.0, 3.0]), "img3d", tol=F5, **R3)
case("RandGaussianSharpend", "RandGaussianSharpend", dict(prob=0.6), "img2d", keys=["img", "seg"], tol=F5, **R3)

# ---- histogram
case("RandHistogramShift", "RandHistogramShift", dict(prob=0.7), "img2d", tol=F5, **R3)
case("RandHistogramShift range", "RandHistogramShift", dict(prob=1.0, num_control_points=[4, 9]), "img3d", tol=F5, **R3)
case("RandHistogramShiftd", "RandHistogramShiftd", dict(prob=0.6, num_control_points=5), "img2d", keys=["img", "seg"], tol=F5, **R3)
case("HistogramNormalize", "HistogramNormalize", dict(), "img2d", tol=F5)
case("HistogramNormalize options", "HistogramNormalize", dict(num_bins=10, min=-1, max=2), "img3d", tol=F5)
case("HistogramNormalize mask", "HistogramNormalize", dict(num_bins=16, mask="$maskb"), "img2d", tol=F5)
case("HistogramNormalized mask key", "HistogramNormalized", dict(num_bins=8, mask_key="m"), {"img": "img2d", "m": "maskb"}, keys=["img"], tol=F5)

# ---- k-space
case("GibbsNoise 2d", "GibbsNoise", dict(alpha=0.4), "img2d", tol=F5)
case("GibbsNoise 3d", "GibbsNoise", dict(alpha=0.7), "img3d", tol=F5)
case("GibbsNoise identity", "GibbsNoise", dict(alpha=0.0), "img3d2c", tol=F5)
case("GibbsNoised", "GibbsNoised", dict(alpha=0.5), "img2d", keys=["img", "seg"], tol=F5)
case("RandGibbsNoise", "RandGibbsNoise", dict(prob=0.7), "img2d", tol=F5, **R3)
case("RandGibbsNoise float alpha", "RandGibbsNoise", dict(prob=1.0, alpha=0.6), "img3d", tol=F5, **R3)
case("RandGibbsNoised", "RandGibbsNoised", dict(prob=0.6, alpha=[0.2, 0.8]), "img2d", keys=["img", "seg"], tol=F5, **R3)
case("KSpaceSpikeNoise all channels", "KSpaceSpikeNoise", dict(loc=[3, 2], k_intensity=8.0), "img2d", tol=F5)
case("KSpaceSpikeNoise one channel default", "KSpaceSpikeNoise", dict(loc=[1, 4, 1]), "img2d", tol=F5)
case("KSpaceSpikeNoise many", "KSpaceSpikeNoise", dict(loc=[[0, 1, 2, 3], [2, 3, 1]], k_intensity=[9.0, 11.0]), "img3d", tol=F5)
case("KSpaceSpikeNoised", "KSpaceSpikeNoised", dict(loc=[2, 2], k_intensity=7.0), "img2d", keys=["img", "seg"], tol=F5)
case("RandKSpaceSpikeNoise", "RandKSpaceSpikeNoise", dict(prob=0.7), "img2d", tol=F5, **R3)
case("RandKSpaceSpikeNoise range not channel", "RandKSpaceSpikeNoise", dict(prob=1.0, intensity_range=[5.0, 9.0], channel_wise=False), "img2d", tol=F5, **R3)
case("RandKSpaceSpikeNoise per channel ranges", "RandKSpaceSpikeNoise", dict(prob=1.0, intensity_range=[[5.0, 6.0], [10.0, 12.0]]), "img3d2c", tol=F5, **R3)
case("RandKSpaceSpikeNoised", "RandKSpaceSpikeNoised", dict(prob=0.7, intensity_range=[6.0, 8.0]), "img2d", keys=["img", "seg"], tol=F5, **R3)

# ---- coarse
case("RandCoarseDropout", "RandCoarseDropout", dict(holes=2, spatial_size=2, prob=0.7), "img2d", tol=F, **R3)
case("RandCoarseDropout fill max", "RandCoarseDropout", dict(holes=1, spatial_size=[2, 1], fill_value=7.5, max_holes=4, max_spatial_size=[4, -1], prob=1.0), "img2d", tol=EXACT, **R3)
case("RandCoarseDropout keep holes range", "RandCoarseDropout", dict(holes=2, spatial_size=[2, 2, 1], dropout_holes=False, fill_value=[-1.0, 1.0], prob=1.0), "img3d", tol=F, **R3)
case("RandCoarseDropout keep holes const", "RandCoarseDropout", dict(holes=3, spatial_size=[1, 3], dropout_holes=False, fill_value=0.0, prob=1.0), "img2d", tol=EXACT, **R3)
case("RandCoarseDropoutd", "RandCoarseDropoutd", dict(holes=2, spatial_size=[3, 2], fill_value=[0.0, 1.0], prob=0.7), "img2d", keys=["img", "seg"], tol=F, **R3)
case("RandCoarseShuffle", "RandCoarseShuffle", dict(holes=2, spatial_size=[3, 2], prob=0.7), "img2d", tol=EXACT, **R3)
case("RandCoarseShuffle max", "RandCoarseShuffle", dict(holes=1, spatial_size=2, max_holes=3, max_spatial_size=4, prob=1.0), "img3d", tol=EXACT, **R3)
case("RandCoarseShuffled", "RandCoarseShuffled", dict(holes=2, spatial_size=2, prob=0.7), "img2d", keys=["img", "seg"], tol=EXACT, **R3)

# ---- stats
case("IntensityStats", "IntensityStats", dict(ops=["mean", "median", "max", "min", "std"], key_prefix="orig"), "img2d", tol=F5)
case("IntensityStats channel", "IntensityStats", dict(ops=["mean", "std", "median"], key_prefix="c", channel_wise=True), "img3d2c", tol=F5)
case("IntensityStats mask", "IntensityStats", dict(ops=["max", "mean"], key_prefix="m"), "img2d", call_kwargs=dict(mask="$maskb"), tol=F5)
case("IntensityStatsd", "IntensityStatsd", dict(ops=["mean", "max"], key_prefix="orig"), "img2d", keys=["img"], tol=F5, meta=["img_meta_dict"])


def compose_cases():
    # factor_key: ShiftIntensityd reads the factor computed by IntensityStatsd
    c = T.Compose([T.IntensityStatsd(keys="img", ops=["max"], key_prefix="orig"), T.ShiftIntensityd(keys="img", offset=2.0, factor_key="orig_max")])
    r = c({"img": as_meta("img2d")})
    CASES.append({"name": "ShiftIntensityd factorKey", "transform": "ShiftIntensityd+IntensityStatsd", "options": {}, "input": "img2d", "tol": F5, "runs": [{"seed": None, "outputs": [{"img": enc(r["img"])}]}]})


compose_cases()

# one RandomState object shared by the dictionary transform and its array transform (MONAI's state=...)
case("RandShiftIntensityd shared state", "RandShiftIntensityd", dict(offsets=3.0, prob=0.6), "img2d", keys=["img", "seg"], tol=F, shared_state=True, **R3)
case("RandCoarseDropoutd shared state", "RandCoarseDropoutd", dict(holes=2, spatial_size=2, prob=0.8), "img2d", keys=["img", "seg"], tol=F, shared_state=True, **R3)
# mixed dtypes per key
case("RandGaussianNoised dtype none", "RandGaussianNoised", dict(prob=1.0, std=30.0, dtype=None), {"img": "f156", "seg": "uint8"}, keys=["img", "seg"], tol=F, seeds=[4], calls=2)
case("RandCoarseDropout uint8 range", "RandCoarseDropout", dict(holes=2, spatial_size=2, fill_value=[10.0, 200.0], prob=1.0), "uint8", tol=EXACT, seeds=[6], calls=2)
case("HistogramNormalize uint8", "HistogramNormalize", dict(num_bins=16), "uint8", tol=F5)
case("HistogramNormalize int16 mask dtype none", "HistogramNormalize", dict(min=-10, max=10, dtype=None), "int16", tol=EXACT)


# ---- optional transforms
case("SavitzkyGolaySmooth", "SavitzkyGolaySmooth", dict(window_length=5, order=2), "img2d", tol=F5)
case("SavitzkyGolaySmooth axis 2 reflect", "SavitzkyGolaySmooth", dict(window_length=3, order=1, axis=2, mode="reflect"), "img3d", tol=F5)
case("SavitzkyGolaySmooth replicate", "SavitzkyGolaySmooth", dict(window_length=5, order=3, axis=3, mode="replicate"), "img3d2c", tol=F5)
case("SavitzkyGolaySmooth circular", "SavitzkyGolaySmooth", dict(window_length=3, order=2, mode="circular"), "img2d", tol=F5)
case("SavitzkyGolaySmoothd", "SavitzkyGolaySmoothd", dict(window_length=5, order=1), "img2d", keys=["img", "seg"], tol=F5)
case("GaussianSmooth scalespace", "GaussianSmooth", dict(sigma=1.0, approx="scalespace"), "img2d", tol=F5)
case("GaussianSmooth scalespace per dim", "GaussianSmooth", dict(sigma=[0.5, 2.0, 1.2], approx="scalespace"), "img3d", tol=F5)
case("RandGaussianSmooth scalespace", "RandGaussianSmooth", dict(prob=1.0, approx="scalespace", sigma_x=[1.0, 3.0]), "img2d", tol=F5, **R3)
case("ComputeHoVerMaps", "ComputeHoVerMaps", dict(), "labels", tol=F)
case("ComputeHoVerMaps 3d float64", "ComputeHoVerMaps", dict(dtype="float64"), "labels3d", tol=F)
case("ComputeHoVerMapsd", "ComputeHoVerMapsd", dict(), "labels", keys=["m"], tol=F)
case("ForegroundMask otsu uint8", "ForegroundMask", dict(), "rgb8", tol=EXACT)
case("ForegroundMask dict hsv", "ForegroundMask", dict(threshold={"R": 100, "G": "otsu", "B": "mean"}, hsv_threshold={"S": 0.4, "V": "otsu"}), "rgb8", tol=EXACT)
case("ForegroundMask float invert", "ForegroundMask", dict(threshold=0.3, invert=True), "rgbf", tol=EXACT)
case("ForegroundMask hsv only float", "ForegroundMask", dict(threshold=None, hsv_threshold="otsu"), "rgbf", tol=EXACT)
case("ForegroundMask gray", "ForegroundMask", dict(threshold="otsu"), "f156", tol=EXACT)
case("ForegroundMaskd prefix", "ForegroundMaskd", dict(new_key_prefix="fg_"), "rgb8", keys=["img"], tol=EXACT)
case("MedianSmooth", "MedianSmooth", dict(), "img2d", tol=EXACT)
case("MedianSmooth radii", "MedianSmooth", dict(radius=[1, 2, 0]), "img3d", tol=EXACT)
case("MedianSmooth uint8", "MedianSmooth", dict(radius=2), "uint8", tol=EXACT)
case("MedianSmoothd", "MedianSmoothd", dict(radius=1), "img2d", keys=["img", "seg"], tol=EXACT)
case("DetectEnvelope", "DetectEnvelope", dict(), "img2d", tol=F5)
case("DetectEnvelope axis 2 padded", "DetectEnvelope", dict(axis=2, n=8), "img3d", tol=F5)
case("DetectEnvelope cut", "DetectEnvelope", dict(axis=1, n=4), "img2d", tol=F5)
case("IntensityRemap", "IntensityRemap", dict(kernel_size=3), "quant", tol=F, class_seed=11, calls=2)
case("IntensityRemap slope", "IntensityRemap", dict(kernel_size=5, slope=-0.4), "img2d", tol=F, class_seed=12)
case("RandIntensityRemap", "RandIntensityRemap", dict(prob=0.7, kernel_size=4), "quant", tol=F, class_seed=13, **R3)
case("RandIntensityRemap not channel-wise", "RandIntensityRemap", dict(prob=1.0, kernel_size=2, channel_wise=False), "quant", tol=F, class_seed=14, seeds=[1], calls=2)


def big_cases():
    # > 1e6 voxels: MONAI's percentile goes through numpy instead of torch.quantile; generated alike in the test
    n = 1001 * 1001
    big = (((np.arange(n, dtype=np.int64) * 7919) % 1000003).astype(np.float32) / 1000).reshape(1, 1001, 1001)
    for lower, upper in [(7.5, 93.2), (0, 100), (33.3, 50)]:
        t = T.ClipIntensityPercentiles(lower=lower, upper=upper, return_clipping_values=True)
        r = t(MetaTensor(torch.as_tensor(big)))
        CASES.append({"name": f"ClipIntensityPercentiles over 1e6 voxels {lower}-{upper}", "transform": "ClipIntensityPercentiles", "generated": "big",
                      "options": {"lower": lower, "upper": upper, "returnClippingValues": True}, "tol": {"rtol": 1e-6, "atol": 0},
                      "runs": [{"seed": None, "outputs": [{"clippingValues": meta_json(r.meta["clipping_values"]), "sum": float(r.double().sum())}]}]})


big_cases()

out = {"monai": "1.4.0", "inputs": {k: enc(v) for k, v in INPUTS.items()}, "cases": CASES}
path = os.path.join(HERE, "intensity.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path}: {len(CASES)} cases, {os.path.getsize(path)} bytes")

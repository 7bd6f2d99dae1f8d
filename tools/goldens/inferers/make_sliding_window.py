"""Goldens for packages/monai/test/inferers: MONAI 1.4.0 sliding_window_inference and compute_importance_map.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/inferers/make_sliding_window.py
The network is a fixed convolution (weights seeded here and saved with the goldens) so both sides
compute the same window outputs; variants return several outputs (an array, a dict), at other
scales (average-pooled by 2, upsampled by 2). Writes sliding_window.json next to this file.
"""
import json
import os

import torch
import torch.nn.functional as F
import monai
from monai.data.utils import compute_importance_map, dense_patch_slices
from monai.inferers import SlidingWindowInferer, sliding_window_inference

assert monai.__version__ == "1.4.0", monai.__version__
g = torch.Generator().manual_seed(2024)
W2 = torch.randn(2, 1, 3, 3, generator=g) * 0.5
B2 = torch.randn(2, generator=g) * 0.1
W3 = torch.randn(2, 1, 3, 3, 3, generator=g) * 0.3
B3 = torch.randn(2, generator=g) * 0.1
images = {
    "img2": torch.randn(1, 1, 20, 23, generator=g),
    "img2b": torch.randn(2, 1, 17, 12, generator=g),
    "small2": torch.randn(1, 1, 5, 7, generator=g),
    "img3": torch.randn(2, 1, 10, 13, 9, generator=g),
    "small3": torch.randn(1, 1, 4, 6, 3, generator=g),
}


def conv(x):
    return F.conv2d(x, W2, B2, padding=1) if x.dim() == 4 else F.conv3d(x, W3, B3, padding=1)


def pool(x):
    return F.avg_pool2d(x, 2) if x.dim() == 4 else F.avg_pool3d(x, 2)


NETS = {
    "conv": conv,
    "array": lambda x: (conv(x), pool(conv(x))),
    # MONAI 1.4 chains the resized weight map from one output to the next (sorted keys), so outputs
    # at window scale must sort before the smaller ones there
    "dict": lambda x: {"a_seg": conv(x), "b_prob": conv(x).sigmoid(), "c_low": pool(conv(x))},
    "up": lambda x: F.interpolate(conv(x), scale_factor=2, mode="nearest"),
    "array1": lambda x: [conv(x)],
}

CASES = [
    ("2d constant", "img2", {"roi_size": [8, 8], "sw_batch_size": 3}, "conv"),
    ("2d overlap 0.5 gaussian", "img2", {"roi_size": [8, 8], "sw_batch_size": 4, "overlap": 0.5, "mode": "gaussian"}, "conv"),
    ("2d gaussian sigma per dim", "img2", {"roi_size": [9, 7], "sw_batch_size": 2, "overlap": [0.3, 0.6], "mode": "gaussian", "sigma_scale": [0.2, 0.5]}, "conv"),
    ("2d no overlap", "img2", {"roi_size": [8, 8], "sw_batch_size": 1, "overlap": 0.0}, "conv"),
    ("2d batch 2 windows across items", "img2b", {"roi_size": [8, 8], "sw_batch_size": 5, "mode": "gaussian"}, "conv"),
    ("2d roi -1 takes image size", "img2", {"roi_size": [8, -1], "sw_batch_size": 2}, "conv"),
    ("2d roi int", "img2", {"roi_size": 10, "sw_batch_size": 2, "mode": "gaussian"}, "conv"),
    ("2d roi equals image", "img2", {"roi_size": [20, 23], "sw_batch_size": 1}, "conv"),
    ("2d padded constant", "small2", {"roi_size": [8, 8], "sw_batch_size": 1}, "conv"),
    ("2d padded cval", "small2", {"roi_size": [8, 10], "sw_batch_size": 1, "cval": 0.5, "mode": "gaussian"}, "conv"),
    ("2d padded reflect", "small2", {"roi_size": [8, 8], "sw_batch_size": 1, "padding_mode": "reflect"}, "conv"),
    ("2d padded replicate", "small2", {"roi_size": [9, 9], "sw_batch_size": 1, "padding_mode": "replicate"}, "conv"),
    ("2d padded circular one dim", "small2", {"roi_size": [4, 9], "sw_batch_size": 2, "padding_mode": "circular"}, "conv"),
    ("2d array outputs at two scales", "img2", {"roi_size": [8, 8], "sw_batch_size": 3, "mode": "gaussian"}, "array"),
    ("2d dict outputs", "img2b", {"roi_size": [8, 8], "sw_batch_size": 2}, "dict"),
    ("2d upsampled output", "img2", {"roi_size": [8, 8], "sw_batch_size": 2, "mode": "gaussian"}, "up"),
    ("2d padded array outputs at two scales", "small2", {"roi_size": [8, 8], "sw_batch_size": 1}, "array"),
    ("2d one-element array output", "img2", {"roi_size": [8, 8], "sw_batch_size": 3}, "array1"),
    ("3d gaussian", "img3", {"roi_size": [6, 6, 6], "sw_batch_size": 4, "overlap": [0.5, 0.25, 0.0], "mode": "gaussian", "sigma_scale": [0.1, 0.2, 0.3]}, "conv"),
    ("3d constant", "img3", {"roi_size": [6, 8, 4], "sw_batch_size": 3}, "conv"),
    ("3d padded gaussian", "small3", {"roi_size": [6, 6, 6], "sw_batch_size": 2, "mode": "gaussian"}, "conv"),
    ("3d array outputs", "img3", {"roi_size": [6, 6, 6], "sw_batch_size": 2}, "array"),
]


def camel(k):
    parts = k.split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def enc(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.double().flatten().tolist()}


def enc_out(o):
    if isinstance(o, dict):
        return {"kind": "dict", "items": {k: enc(v) for k, v in o.items()}}
    if isinstance(o, (list, tuple)):
        return {"kind": "array", "items": [enc(v) for v in o]}
    return {"kind": "tensor", "items": [enc(o)]}


cases = []
for name, img, opts, net in CASES:
    with torch.no_grad():
        out = sliding_window_inference(images[img], predictor=NETS[net], **opts)
    cases.append({"name": name, "image": img, "options": {camel(k): v for k, v in opts.items()}, "net": net, "output": enc_out(out)})

# process_fn (outputs doubled, weights squared plus 0.1) and a given roi_weight_map (a ramp)
PROCESS = {"double_square": lambda seg, win, imp: ([t * 2 for t in seg], imp * imp + 0.1)}
RAMP = (torch.arange(64, dtype=torch.float32).reshape(8, 8) / 63 + 0.05)
for name, img, opts, net, extra in [
    ("2d processFn", "img2", {"roi_size": [8, 8], "sw_batch_size": 3, "mode": "gaussian"}, "conv", {"process_fn": "double_square"}),
    ("2d array outputs processFn", "img2b", {"roi_size": [8, 8], "sw_batch_size": 2}, "array", {"process_fn": "double_square"}),
    ("2d roiWeightMap", "img2", {"roi_size": [8, 8], "sw_batch_size": 2}, "conv", {"roi_weight_map": "ramp"}),
]:
    kw = dict(opts)
    if "process_fn" in extra:
        kw["process_fn"] = PROCESS[extra["process_fn"]]
    if "roi_weight_map" in extra:
        kw["roi_weight_map"] = RAMP
    with torch.no_grad():
        out = sliding_window_inference(images[img], predictor=NETS[net], **kw)
    cases.append({"name": name, "image": img, "options": {camel(k): v for k, v in opts.items()}, "net": net, "extra": extra, "output": enc_out(out)})

# SlidingWindowInferer with a cached map gives the same as the function
with torch.no_grad():
    inf = SlidingWindowInferer(roi_size=[8, 8], sw_batch_size=2, mode="gaussian", cache_roi_weight_map=True, overlap=0.4)
    cases.append({"name": "inferer cached gaussian", "image": "img2", "options": {"roiSize": [8, 8], "swBatchSize": 2, "mode": "gaussian", "cacheRoiWeightMap": True, "overlap": 0.4},
                  "net": "conv", "inferer": True, "output": enc_out(inf(images["img2"], conv))})

maps = []
for size, mode, sigma in [([7], "gaussian", 0.125), ([8, 5], "gaussian", 0.125), ([6, 7, 5], "gaussian", [0.1, 0.3, 1.0]), ([4, 4], "constant", 0.125), ([96], "gaussian", 0.125), ([50], "gaussian", 0.05)]:
    m = compute_importance_map(tuple(size), mode=mode, sigma_scale=sigma)
    maps.append({"size": size, "mode": mode, "sigmaScale": sigma, "map": enc(m)})

slices = []
for image, patch, interval in [([10, 13, 9], [6, 6, 6], [3, 4, 6]), ([20, 23], [8, 8], [6, 6]), ([5], [5], [5]), ([7, 7], [3, 7], [1, 7])]:
    s = dense_patch_slices(image, patch, interval)
    slices.append({"image": image, "patch": patch, "interval": interval, "slices": [[[int(x.start), int(x.stop)] for x in w] for w in s]})

here = os.path.dirname(os.path.abspath(__file__))
out = {"monai": monai.__version__, "weights": {"W2": enc(W2), "B2": enc(B2), "W3": enc(W3), "B3": enc(B3)},
       "images": {k: enc(v) for k, v in images.items()}, "cases": cases, "importance_maps": maps, "patch_slices": slices}
path = os.path.join(here, "sliding_window.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"{len(cases)} cases -> {path} ({os.path.getsize(path)} bytes)")

"""Goldens for monai-ts's blendImages and colour maps: matplotlib 3.6's lookup tables and MONAI 1.4's
blend_images on seeded images (numpy RandomState(7)).

Run:  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
        tools/goldens/visualize/make_blend_golden.py
Writes tools/goldens/visualize/blend_golden.json.
"""
import json
import os

import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
from monai.visualize import blend_images, matshow3d  # noqa: E402

out = {"tables": {}, "cases": []}
probe = np.array([-0.5, 0.0, 1e-3, 0.25, 0.5, 0.999, 1.0, 1.5, np.nan], dtype=np.float32)
for name in ["hsv", "jet", "gray", "hot", "bone", "copper", "cool", "autumn", "spring", "summer", "winter", "binary"]:
    cm = matplotlib.colormaps.get_cmap(name)
    cm._init()
    out["tables"][name] = {"lut": cm._lut[:256, :3].tolist(), "probe": np.moveaxis(cm(probe), -1, 0)[:3].tolist()}
out["probe"] = [None if np.isnan(p) else float(p) for p in probe]

rng = np.random.RandomState(7)
for name, img_shape, kw in [("grey_2d", (1, 5, 6), {}), ("rgb_2d_jet", (3, 5, 6), {"cmap": "jet", "alpha": 0.3}),
                            ("grey_3d_opaque_bg", (1, 3, 4, 2), {"transparent_background": False, "alpha": 0.8}),
                            ("no_rescale", (1, 4, 4), {"rescale_arrays": False}), ("alpha_tensor", (1, 4, 5), {"alpha": "tensor"})]:
    image = rng.rand(*img_shape).astype(np.float32) * (1 if kw.get("rescale_arrays", True) is False else 100)
    label = rng.randint(0, 4, size=(1, *img_shape[1:])).astype(np.float32)
    if kw.get("rescale_arrays", True) is False:
        label = label / 3
    args = dict(kw)
    if args.get("alpha") == "tensor":
        args["alpha"] = torch.from_numpy(rng.rand(1, *img_shape[1:]).astype(np.float32))
    res = blend_images(torch.from_numpy(image), torch.from_numpy(label), **args)
    out["cases"].append({"name": name, "image": image.tolist(), "label": label.tolist(),
                         "options": {k: (v.numpy().tolist() if isinstance(v, torch.Tensor) else v) for k, v in args.items()},
                         "result": res.numpy().tolist(), "dtype": str(res.dtype)})

# matshow3d's montage array (the figure itself is matplotlib's)
out["matshow"] = []
for name, vol_shape, kw in [("3d_default", (2, 3, 4), {}), ("4d_channels_every2", (1, 5, 3, 4), {"every_n": 2, "frames_per_row": 2}),
                            ("frame_dim_last_margin0", (3, 4, 5), {"frame_dim": -1, "margin": 0, "fill_value": 0}),
                            ("rgb_channel_dim", (3, 2, 3, 4), {"channel_dim": 0, "frame_dim": -1}), ("2d", (4, 5), {"margin": 2}),
                            ("list", [(1, 2, 3, 2), (1, 4, 2, 3)], {})]:
    if isinstance(vol_shape, list):
        vol = [rng.rand(*s).astype(np.float32) for s in vol_shape]
        data = [v.tolist() for v in vol]
    else:
        vol = rng.rand(*vol_shape).astype(np.float32)
        vol.flat[0] = np.nan  # NaN is ignored by the default vmin/vmax; JSON has no NaN, so it is stored as null
        data = np.where(np.isnan(vol), None, vol).tolist()
    fig, im = matshow3d(vol, **kw)
    matplotlib.pyplot.close(fig)
    out["matshow"].append({"name": name, "volume": data, "options": kw, "image": np.where(np.isnan(im), None, im).tolist(), "shape": list(im.shape)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blend_golden.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"), allow_nan=False)
print(f"wrote {path} ({os.path.getsize(path)} bytes)")

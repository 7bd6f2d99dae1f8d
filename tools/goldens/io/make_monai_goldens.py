#!/usr/bin/python3
"""Goldens from MONAI's own LoadImage for the IO fixtures (run after make_io_goldens.py).

    MONAI_SRC=/path/to/MONAI /usr/bin/python3 tools/goldens/io/make_monai_goldens.py

Needs Debian's python3 with torch, numpy, nibabel, PIL and a MONAI source checkout on MONAI_SRC (no
install). Writes tools/goldens/io/monai_goldens.json: for each fixture, what
`LoadImage(image_only=False, dtype=None)` and `LoadImage(ensure_channel_first=True)` return (shape,
dtype, SHA-256 of the data, affine, spatial_shape, original_channel_dim and a few header keys).
"""
import hashlib
import json
import math
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.environ.get("MONAI_SRC", "/tmp/monai-src-io"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import monai  # noqa: E402
from monai.transforms import LoadImage  # noqa: E402

FIX = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "io")
FILES = [
    "anatomical.nii", "example4d.nii.gz", "example_nifti2.nii.gz", "functional.nii", "reoriented_anat_moved.nii",
    "standard.nii.gz", "scaled_int16.nii", "qform_only.nii", "no_xform.nii", "with_extension.nii", "twod.nii.gz",
    "fived.nii.gz", "nifti2_be.nii", "be_float64.nii.gz", "dtype_int16.nii", "dtype_float64.nii", "dtype_uint8.nii",
    "gray8.png", "gray16.png", "gray_alpha.png", "rgb.png", "rgba.png", "palette.png", "rgb24.bmp", "gray8.bmp",
    "npy_float32.npy", "npy_int16_be.npy", "npy_fortran.npy", "stored.npz", "deflated.npz",
]


def tname(dt):
    return str(dt).replace("torch.", "")


def digest(t):
    a = t.detach().cpu().contiguous().numpy()
    return hashlib.sha256(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()


def jsonable(v):
    if isinstance(v, torch.Tensor):
        v = v.detach().cpu().numpy()
    if isinstance(v, np.ndarray):
        return v.astype(float).reshape(-1).tolist() if v.dtype.kind in "fiub" else None
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, str):
        return v
    return None


out = {"monai_version": monai.__version__, "files": {}}
for f in FILES:
    path = os.path.join(FIX, f)
    rec = {}
    try:
        img, meta = LoadImage(image_only=False, dtype=None)(path)
        ocd = meta.get("original_channel_dim")
        rec["raw"] = {
            "shape": list(img.shape), "dtype": tname(img.dtype), "sha256": digest(img),
            "affine": jsonable(img.affine), "spatial_shape": jsonable(meta.get("spatial_shape")),
            "original_channel_dim": "no_channel" if (isinstance(ocd, float) and math.isnan(ocd)) or ocd == "no_channel" else int(ocd),
            "pixdim": jsonable(meta.get("pixdim")), "mode": jsonable(meta.get("mode")),
        }
    except Exception as e:  # noqa: BLE001 - recorded: MONAI cannot load this one as given
        rec["raw"] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
    try:
        img = LoadImage(ensure_channel_first=True)(path)
        rec["channel_first"] = {"shape": list(img.shape), "dtype": tname(img.dtype), "sha256": digest(img)}
    except Exception as e:  # noqa: BLE001
        rec["channel_first"] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
    out["files"][f] = rec

# ---------------------------------------------------------------- SaveImage: what MONAI writes
import tempfile  # noqa: E402

import nibabel as nib  # noqa: E402
from PIL import Image  # noqa: E402
from monai.data import NibabelReader  # noqa: E402
from monai.transforms import SaveImage  # noqa: E402

saves = {}
tmp = tempfile.mkdtemp(prefix="monai-save-")
cases = [
    ("anatomical.nii", dict(output_postfix="seg"), dict(ensure_channel_first=True)),
    ("example4d.nii.gz", dict(output_postfix="t", output_dtype=np.int16, separate_folder=False), dict(ensure_channel_first=True)),
    ("anatomical.nii", dict(output_postfix="orig", resample=True), dict(ensure_channel_first=True, reader=NibabelReader(as_closest_canonical=True))),
    ("twod.nii.gz", dict(output_postfix="2d", output_ext=".nii"), dict(ensure_channel_first=True)),
    ("rgb.png", dict(output_postfix="png", output_ext=".png"), dict(ensure_channel_first=True)),
    ("gray8.png", dict(output_postfix="g", output_ext=".png", separate_folder=False), dict(ensure_channel_first=True)),
]
for k, (f, save_kw, load_kw) in enumerate(cases):
    img = LoadImage(**load_kw)(os.path.join(FIX, f))
    d = os.path.join(tmp, str(k))
    SaveImage(output_dir=d, print_log=False, savepath_in_metadict=True, **save_kw)(img)
    written = img.meta["saved_to"]
    rel = os.path.relpath(written, d)
    if written.endswith(".png"):
        arr = np.moveaxis(np.asarray(Image.open(written)), 0, 1)
        rec = {"shape": list(arr.shape), "dtype": str(arr.dtype), "sha256": hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()}
    else:
        im = nib.load(written)
        arr = np.asanyarray(im.dataobj)
        rec = {"shape": list(arr.shape), "dtype": str(arr.dtype), "sha256": hashlib.sha256(np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"))).tobytes()).hexdigest(),
               "affine": im.affine.reshape(-1).tolist(), "sform_code": int(im.header["sform_code"]), "qform_code": int(im.header["qform_code"])}
    saves[f"{k}:{f}"] = {"file": f, "save": {kk: (str(np.dtype(v)) if kk == "output_dtype" else v) for kk, v in save_kw.items()},
                         "canonical": "reader" in load_kw, "relpath": rel, **rec}
out["saves"] = saves

with open(os.path.join(ROOT, "tools", "goldens", "io", "monai_goldens.json"), "w") as fh:
    json.dump(out, fh, indent=1, sort_keys=True)
print(f"MONAI {monai.__version__}: {len(FILES)} files", file=sys.stderr)

#!/usr/bin/python3
"""NIfTI affine choice for every dimensionality and xform-code combination (issue 13, item 3).

Run from the repository root with Debian's python3 (numpy, nibabel) and MONAI 1.4 on the path:

    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops \
        /usr/bin/python3 tools/goldens/io/make_nifti_affine_goldens.py

Writes small NIfTI-1/2 files to packages/monai/test/fixtures/io/affine/ for 2D..7D arrays crossed with
(qform_code, sform_code) cases: none, qform only, sform only (codes 1..4, with an empty or a stale
quaternion), both agreeing, both disagreeing, and pixdim that disagrees with the chosen matrix. For
each it records nibabel's `img.affine` (header.get_best_affine(): sform if sform_code > 0, else qform
if qform_code > 0, else the pixdim base affine) and what MONAI 1.4's NibabelReader returns (affine
and pixdim, after its correct_nifti_header_if_necessary) in tools/goldens/io/nifti_affine_goldens.json.
"""
import json
import os
import warnings

import numpy as np
import nibabel as nib

warnings.simplefilter("ignore")
from monai.data import NibabelReader  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "io", "affine")
os.makedirs(OUT, exist_ok=True)

SHAPES = {2: (3, 4), 3: (3, 4, 5), 4: (3, 4, 5, 2), 5: (3, 4, 2, 2, 2), 6: (2, 3, 2, 2, 2, 2), 7: (2, 2, 2, 2, 2, 2, 2)}


def rot(ax, deg):
    t = np.deg2rad(deg)
    c, s = np.cos(t), np.sin(t)
    m = np.eye(3)
    i, j = [(1, 2), (0, 2), (0, 1)][ax]
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def affine(r, zooms, offset):
    a = np.eye(4)
    a[:3, :3] = r @ np.diag(zooms)
    a[:3, 3] = offset
    return a


A = affine(rot(2, 30) @ rot(0, 10), [0.9, 1.1, 2.5], [-90.5, 12.25, 40.0])  # qform-able (det > 0)
B = affine(rot(1, -20), [1.5, 0.75, 3.0], [10.0, -20.0, 30.0])
F = affine(np.diag([-1.0, 1.0, 1.0]), [0.8, 0.8, 1.6], [5.0, 6.0, 7.0])  # a flip: qfac -1
# (name, qform affine or None, qform_code, sform affine or None, sform_code, stale quaternion)
CASES = [
    ("none", None, 0, None, 0, False),
    ("q1", A, 1, None, 0, False),
    ("q2_flip", F, 2, None, 0, False),
    ("s1", None, 0, B, 1, False),
    ("s1_stale_q", A, 0, B, 1, True),
    ("s2", None, 0, B, 2, False),
    ("s3", None, 0, A, 3, False),
    ("s4", None, 0, F, 4, False),
    ("q1_s1_agree", A, 1, A, 1, False),
    ("q1_s1_disagree", A, 1, B, 1, False),
    ("q1_s0_stale_s", A, 1, B, 0, False),
    ("q3_s2_disagree", F, 3, A, 2, False),
]


def make(version, nd, case, pixdim_mode):
    name, qa, qc, sa, sc, stale = case
    shape = SHAPES[nd]
    hdr = (nib.Nifti2Header if version == 2 else nib.Nifti1Header)()
    hdr.set_data_shape(shape)
    hdr.set_data_dtype(np.float32)
    if qa is not None:
        hdr.set_qform(qa, code=int(qc) if not stale else 1)  # sets quaternion, qoffset and pixdim[1:4]
        if stale:
            hdr["qform_code"] = 0
    else:
        hdr["qform_code"] = 0
    if sa is not None:
        hdr.set_sform(sa, code=int(sc) if sc else 1)
        if not sc:
            hdr["sform_code"] = 0  # stale srows with code 0
    else:
        hdr["sform_code"] = 0
    pd = hdr["pixdim"].copy()
    if qa is None and sa is not None and pixdim_mode.startswith("match"):
        pd[1:4] = np.sqrt((sa[:3, :3] ** 2).sum(0))  # as a writer that fills pixdim from the sform
    if pixdim_mode.startswith("odd"):
        pd[1:4] = [1.7, 0.6, 4.2]
    if nd >= 4:
        # a time step of 2.5, or of 1 ("t1": then MONAI's 4D check, which counts the translation column
        # as a fourth spacing, can take an uncoded identity qform over a coded sform)
        pd[4:nd + 1] = [1.0 if pixdim_mode.endswith("t1") else 2.5] + [1.0] * (nd - 4)
    hdr["pixdim"] = pd
    data = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    img = (nib.Nifti2Image if version == 2 else nib.Nifti1Image)(data, None, hdr)
    # keep the header's xforms exactly as set (the image constructor may not touch them without an affine)
    fname = f"v{version}_{nd}d_{name}_{pixdim_mode}.nii"
    path = os.path.join(OUT, fname)
    nib.save(img, path)
    return fname, path


goldens = {}
for version in (1, 2):
    for nd in range(2, 8):
        for case in CASES:
            for pixdim_mode in ("match", "odd") + (("match_t1", "odd_t1") if nd == 4 else ()):
                if version == 2 and (pixdim_mode.startswith("odd") or nd not in (3, 4)):
                    continue
                fname, path = make(version, nd, case, pixdim_mode)
                loaded = nib.load(path)
                h = loaded.header
                r = NibabelReader()
                _, meta = r.get_data(r.read(path))
                goldens[fname] = {
                    "ndim": nd,
                    "qform_code": int(h["qform_code"]),
                    "sform_code": int(h["sform_code"]),
                    "nibabel_affine": [float(v) for v in np.asarray(loaded.affine).reshape(-1)],
                    "monai_affine": [float(v) for v in np.asarray(meta["affine"]).reshape(-1)],
                    "monai_pixdim": [float(v) for v in np.asarray(meta["pixdim"])],
                    "file_pixdim": [float(v) for v in np.asarray(h["pixdim"])],
                }

with open(os.path.join(os.path.dirname(__file__), "nifti_affine_goldens.json"), "w") as f:
    json.dump(goldens, f, indent=1, sort_keys=True)
n_diff = sum(1 for g in goldens.values() if not np.allclose(g["nibabel_affine"], g["monai_affine"]))
print(f"{len(goldens)} files; MONAI's affine differs from nibabel's in {n_diff}")

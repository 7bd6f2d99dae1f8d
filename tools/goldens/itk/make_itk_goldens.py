#!/usr/bin/env python3
"""Goldens for monai-ts's ITKReader from real ITK 5.2 (tools/goldens/itk/itk_golden.cxx).

Build the tool once (Debian 12: apt-get install libinsighttoolkit5-dev libgdcm-dev cmake g++; the one
.cxx takes several minutes), then run from the repository root:

    cmake -S tools/goldens/itk -B /tmp/itk_golden_build -DCMAKE_BUILD_TYPE=Release
    cmake --build /tmp/itk_golden_build
    /usr/bin/python3 tools/goldens/itk/make_itk_goldens.py /tmp/itk_golden_build/itk_golden

For each fixture the tool reads the file or DICOM folder as MONAI's ITKReader does (itk.imread, with
GDCMSeriesFileNames for a folder) and prints what ITK gives. This script keeps the image information
and the meta-data strings, and replaces the samples (ITK buffer order: x fastest, components together)
by the sha256 of their float64 little-endian bytes, sum, min, max and 16 samples. Output:
tools/goldens/itk/itk_goldens.json.
"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "packages", "monai", "test", "fixtures")

# (path under packages/monai/test/fixtures, what it exercises). Left out, as known differences (docs/compat.md):
# Analyze 7.5 (ITK: origin 0 and the orient field's direction; ours: nibabel's centred affine) and the NIfTI
# files ITK 5.2 refuses (non-orthonormal sform/qform, NIfTI-2) or this tool does not read (4D, 64-bit, complex).
CASES = [
    ("dicom/synthetic/oblique_series", "series order (files shuffled), oblique direction, rescale 2.5/-100"),
    ("dicom/synthetic/rescale_per_slice", "series whose slices have different RescaleSlope/Intercept"),
    ("dicom/synthetic/mono1_u12.dcm", "MONOCHROME1, BitsStored 12 with junk high bits"),
    ("dicom/synthetic/signed_s12.dcm", "signed BitsStored 12 with junk high bits"),
    ("dicom/pydicom/MR_small.dcm", "single file, int16"),
    ("dicom/pydicom/CT_small.dcm", "single file, rescale 1/-1024"),
    ("dicom/pydicom/SC_rgb_rle.dcm", "RGB, RLE"),
    ("dicom/pydicom/J2K_pixelrep_mismatch.dcm", "JPEG 2000 signedness differs from PixelRepresentation"),
    ("dicom/pydicom/JPGExtended.dcm", "12-bit JPEG"),
    ("dicom/pydicom/liver_1frame.dcm", "SEG, one frame of 1-bit samples"),
    ("dicom/pydicom/MR_small_bigendian.dcm", "explicit VR big endian"),
    ("dicom/pydicom/MR_small_RLE.dcm", "RLE"),
    ("dicom/pydicom/SC_rgb_jpeg_dcmtk.dcm", "JPEG baseline YBR_FULL"),
    ("dicom/pydicom/ExplVR_BigEnd.dcm", "big endian RGB"),
    ("dicom/pydicom/rtdose.dcm", "multi-frame, GridFrameOffsetVector"),
    ("dicom/pydicom/693_J2KI.dcm", "JPEG 2000 signed 14-bit, rescale"),
    ("dicom/synthetic/oblique_enhanced.dcm", "enhanced MR, per-frame functional groups"),
    ("dicom/synthetic/seg_2x3.dcm", "SEG, 2 segments x 3 frames"),
    ("io/anatomical.nii", "NIfTI-1, 3D int16"),
    ("io/no_xform.nii", "NIfTI-1 without qform/sform"),
    ("io/oblique.nrrd", "NRRD, oblique space directions"),
    ("io/oblique_ras.nrrd", "NRRD in RAS space"),
    ("io/oblique_raw_be.nrrd", "NRRD, raw big endian"),
]


def summarise(values):
    flat = np.asarray(values, dtype="<f8")
    idx = sorted(set([int(i) for i in np.linspace(0, flat.size - 1, 16)] + [int(np.argmax(flat)), int(np.argmin(flat))]))
    return {
        "sha256": hashlib.sha256(flat.tobytes()).hexdigest(),
        "sum": float(flat.sum()),
        "min": float(flat.min()),
        "max": float(flat.max()),
        "samples": [[i, float(flat[i])] for i in idx],
    }


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tool = sys.argv[1]
    goldens = {}
    for rel, what in CASES:
        run = subprocess.run([tool, os.path.join(FIXTURES, rel)], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{rel}: itk_golden failed: {run.stderr}")
        d = json.loads(run.stdout)
        values = d.pop("values")
        goldens[rel] = {"what": what, **d, **summarise(values)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "itk_goldens.json")
    with open(out, "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(goldens[k], sort_keys=True)}" for k in sorted(goldens)) + "\n}\n")
    print(f"wrote {len(goldens)} goldens to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Goldens for three more of pydicom's sample files (issue 13, item 4), from MONAI's real PydicomReader.

Run from the repository root with Debian's Python (pydicom 2.3, numpy, Pillow) and MONAI 1.4's source:

    PYTHONPATH=/path/to/MONAI /usr/bin/python3 tools/goldens/dicom/make_sample_goldens.py

It copies the files into packages/monai/test/fixtures/dicom/pydicom/ (MIT, see README.md there) and writes
packages/monai/test/fixtures/dicom/goldens_samples.json in the format of goldens.json (arrays hashed as
float64 little-endian bytes in MONAI's index order).

  J2K_pixelrep_mismatch.dcm  JPEG 2000 codestream unsigned 13-bit, PixelRepresentation 1: pydicom
                             reinterprets the samples as signed (-2000, not 6192)
  SC_rgb_jpeg.dcm            implicit VR data set although the transfer syntax (JPEG baseline) is explicit;
                             RGB whose Adobe marker is too short to say "no transform"
  liver_1frame.dcm           a SEG with one frame of pixel data (NumberOfFrames absent) but three
  liver_expb_1frame.dcm      per-frame functional group items; the second is explicit VR big endian

MONAI 1.4 cannot read the two SEG files itself: its segmentation path indexes frames on the first axis of
pixel_array, which pydicom gives as (rows, columns) for a single frame ("could not broadcast input array
from shape (3,512) into shape (512,512)"). Their goldens come from the same MONAI code given the frame as
(1, rows, columns) and the per-frame items cut to the frames present: what MONAI does for a multi-frame SEG;
with one slice, the affine's slice column is MONAI's single-slice (0, 0, 1) (MONAI divides by n - 1 = 0).
"""
import json
import os
import shutil
import sys
import warnings

import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_goldens import FIX, SAMPLES, geometry, summary  # noqa: E402

warnings.simplefilter("ignore")

FILES = ["J2K_pixelrep_mismatch.dcm", "SC_rgb_jpeg.dcm", "liver_1frame.dcm", "liver_expb_1frame.dcm"]


def monai_reader():
    from monai.data.image_reader import PydicomReader

    class OneSliceAffine(PydicomReader):
        """MONAI's affine, except that one slice keeps the slice column (0, 0, 1) instead of dividing by n - 1 = 0."""

        def _get_affine(self, metadata, lps_to_ras=True):
            if metadata.get("spatial_shape", [0])[-1] == 1 and "lastImagePositionPatient" in metadata:
                rest = {k: v for k, v in metadata.items() if k != "lastImagePositionPatient"}
                return super()._get_affine(rest, lps_to_ras)
            return super()._get_affine(metadata, lps_to_ras)

    return OneSliceAffine()


def single_frame_seg(path):
    """The dataset with pixel_array as (1, rows, cols) and per-frame items cut to NumberOfFrames (1)."""
    ds = pydicom.dcmread(path)
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    arr = ds.pixel_array
    if arr.ndim == 2:
        arr = arr[None]
    ds.PerFrameFunctionalGroupsSequence = ds.PerFrameFunctionalGroupsSequence[:frames]
    ds.__class__ = type("SingleFrameSeg", (ds.__class__,), {"pixel_array": property(lambda self: arr)})
    return ds


def main():
    goldens = {}
    for name in FILES:
        src = os.path.join(SAMPLES, name)
        shutil.copyfile(src, os.path.join(FIX, "pydicom", name))
        r = monai_reader()
        if name.startswith("liver"):
            r.has_series = False  # what read() sets for a single file
            arr, meta = r.get_data(single_frame_seg(src))
            how = "monai (single frame as (1, rows, cols))"
        else:
            arr, meta = r.get_data(r.read(src))
            how = "monai"
        arr = np.asarray(arr)
        entry = {"source": how, **summary(arr), **geometry(meta)}
        if "labels" in meta:
            entry["labels"] = {str(k): int(v) for k, v in meta["labels"].items()}
        goldens[f"pydicom/{name}"] = entry
    out = os.path.join(FIX, "goldens_samples.json")
    with open(out, "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(goldens[k], sort_keys=True)}" for k in sorted(goldens)) + "\n}\n")
    print(f"wrote {len(goldens)} goldens to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Golden for 12-bit JPEG (JPEG Extended, process 4) decoding, from a real libjpeg: GDCM's 12-bit IJG build.

Run from the repository root on Debian 12 (apt-get install libgdcm-tools python3-pydicom):

    /usr/bin/python3 tools/goldens/dicom/make_jpeg12_golden.py

`gdcmconv --raw` decompresses JPGExtended.dcm (pydicom's sample, the only real 12-bit JPEG file there;
JPEG-lossy.dcm is the same image with a broken SOS) with GDCM's bundled IJG libjpeg built for 12-bit
samples (default islow IDCT): the decoder ITK uses for DICOM. The decoded samples, in pydicom's
(rows, columns) order, are hashed as float64 little-endian bytes and written with a few values to
packages/monai/test/fixtures/dicom/jpeg12_gdcm.json.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "dicom")


def gdcm_version():
    out = subprocess.run(["gdcmconv", "--version"], capture_output=True, text=True).stdout.strip()
    return out.splitlines()[0] if out else "unknown"


def main():
    goldens = {}
    for key in ["pydicom/JPGExtended.dcm"]:
        with tempfile.TemporaryDirectory() as td:
            raw = os.path.join(td, "raw.dcm")
            subprocess.run(["gdcmconv", "--raw", os.path.join(FIX, key), raw], check=True, capture_output=True)
            ds = pydicom.dcmread(raw)
            assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1", ds.file_meta.TransferSyntaxUID
            a = ds.pixel_array
        flat = a.reshape(-1).astype("<f8")
        idx = sorted(set([int(i) for i in np.linspace(0, flat.size - 1, 16)] + [int(np.argmax(flat)), int(np.argmin(flat))]))
        goldens[key] = {
            "source": f"gdcmconv --raw ({gdcm_version()}, IJG 12-bit)",
            "shape": list(a.shape),
            "sha256": hashlib.sha256(flat.tobytes()).hexdigest(),
            "sum": float(flat.sum()),
            "min": float(flat.min()),
            "max": float(flat.max()),
            "samples": [[i, float(flat[i])] for i in idx],
        }
    with open(os.path.join(FIX, "jpeg12_gdcm.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(goldens[k], sort_keys=True)}" for k in sorted(goldens)) + "\n}\n")
    print(f"wrote {len(goldens)} golden(s)", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Checks that NIfTI files written by monai-ts read back in nibabel with the same array and affine.

    /usr/bin/python3 tools/check_nifti_with_nibabel.py            # writes samples with monai-ts, then checks
    /usr/bin/python3 tools/check_nifti_with_nibabel.py DIR        # checks DIR/cases.json made earlier

The samples come from tools/goldens/io/write_nifti_samples.ts (SaveImage with an oblique affine, several
dtypes, 2D/3D/4D, .nii and .nii.gz). Each case lists the file, the array nibabel must return (an .npy
written by monai-ts) and the affine. Prints one JSON line per case and exits non-zero on any mismatch.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import nibabel as nib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def main():
    if len(sys.argv) > 1:
        out = sys.argv[1]
    else:
        out = tempfile.mkdtemp(prefix="monai-ts-nifti-")
        subprocess.run(["node", "--conditions=source", "--import", "tsx", "tools/goldens/io/write_nifti_samples.ts", out], cwd=ROOT, check=True)
    cases = json.load(open(os.path.join(out, "cases.json")))
    bad = 0
    for c in cases:
        img = nib.load(c["file"])
        arr = np.asanyarray(img.dataobj)
        exp = np.load(c["expected"])
        aff = np.asarray(c["affine"], dtype=float).reshape(4, 4)
        same_data = arr.shape == exp.shape and arr.dtype.newbyteorder("=") == exp.dtype.newbyteorder("=") and np.array_equal(arr, exp)
        aff_err = float(np.max(np.abs(img.affine - aff)))
        qform_err = float(np.max(np.abs(img.get_qform() - aff)))
        ok = same_data and aff_err < 1e-5 and qform_err < 1e-4 and int(img.header["sform_code"]) == 1 and int(img.header["qform_code"]) == 1
        bad += not ok
        print(json.dumps({"file": os.path.basename(c["file"]), "shape": list(arr.shape), "dtype": str(arr.dtype), "data_equal": bool(same_data),
                          "affine_max_err": aff_err, "qform_max_err": qform_err, "ok": bool(ok)}))
    print(json.dumps({"cases": len(cases), "failed": bad}))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

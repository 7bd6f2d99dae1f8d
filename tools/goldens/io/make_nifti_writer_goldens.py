#!/usr/bin/python3
"""NIfTI files written by monai-ts, judged by nibabel, committed for a byte-identity test (issue 13, item 19).

    /usr/bin/python3 tools/goldens/io/make_nifti_writer_goldens.py

Writes every case of packages/monai/test/data/nifti_writer_cases.ts with our writer (through
write_nifti_writer_cases.ts), has nibabel load each file and checks the array (values, shape and
dtype) and the affine against what was written, and only if all pass copies the files to
packages/monai/test/fixtures/io/written/ and records their SHA-256 and what nibabel read in
tools/goldens/io/nifti_writer_goldens.json. nifti_writer.test.ts writes the cases again and requires
the same bytes, so `npm test` holds the writer to files nibabel accepted, without Python.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import nibabel as nib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEST = os.path.join(ROOT, "packages", "monai", "test", "fixtures", "io", "written")


def main():
    tmp = tempfile.mkdtemp(prefix="monai-ts-niiw-")
    try:
        subprocess.run(["node", "--conditions=source", "--import", "tsx", "tools/goldens/io/write_nifti_writer_cases.ts", tmp], cwd=ROOT, check=True)
        cases = json.load(open(os.path.join(tmp, "cases.json")))
        goldens = {}
        bad = []
        for c in cases:
            path = os.path.join(tmp, c["file"])
            img = nib.load(path)
            arr = np.asanyarray(img.dataobj)
            exp = np.load(os.path.join(tmp, c["name"] + ".expected.npy"))
            aff = np.asarray(c["affine"], dtype=float).reshape(4, 4)
            h = img.header
            same = arr.shape == exp.shape and arr.dtype.newbyteorder("=") == exp.dtype.newbyteorder("=") and np.array_equal(arr, exp)
            aff_err = float(np.max(np.abs(img.affine - aff)))
            checks = {"array": same, "affine": aff_err < 1e-5, "sform_code": int(h["sform_code"]) == 1}
            if int(h["qform_code"]) == 1:  # the qform nibabel itself would write (shears stripped), up to float32
                ref = nib.Nifti1Header()
                ref.set_qform(aff, 1)
                checks["qform"] = float(np.max(np.abs(img.get_qform() - ref.get_qform()))) < 1e-4
            if not all(checks.values()):
                bad.append((c["name"], checks, aff_err))
            with open(path, "rb") as f:
                raw = f.read()
            goldens[c["file"]] = {
                "sha256": hashlib.sha256(raw).hexdigest(),
                "nibabel_version": nib.__version__,
                "nibabel_shape": list(arr.shape),
                "nibabel_dtype": str(arr.dtype.newbyteorder("=")),
                "nibabel_affine": [float(v) for v in img.affine.reshape(-1)],
                "sform_code": int(h["sform_code"]),
                "qform_code": int(h["qform_code"]),
                "nifti_version": 2 if isinstance(img, nib.Nifti2Image) else 1,
                "checks": sorted(checks),
            }
        if bad:
            print("nibabel disagrees with the writer:", bad, file=sys.stderr)
            sys.exit(1)
        os.makedirs(DEST, exist_ok=True)
        for name in goldens:
            shutil.copyfile(os.path.join(tmp, name), os.path.join(DEST, name))
        with open(os.path.join(os.path.dirname(__file__), "nifti_writer_goldens.json"), "w") as f:
            json.dump(goldens, f, indent=1, sort_keys=True)
        print(f"{len(goldens)} files verified by nibabel {nib.__version__}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Loads a DICOM series folder the way MONAI's PydicomReader does and prints the median time as JSON.

Uses MONAI's PydicomReader when `monai` is importable (PYTHONPATH to a MONAI checkout), else the same steps
with pydicom and numpy (read every file, sort by InstanceNumber, rescale to float32, stack, swap i/j).
Usage: load_pydicom.py <folder> [reps=3]
"""
import glob
import json
import os
import sys
import time
import warnings

import numpy as np
import pydicom

warnings.simplefilter("ignore")
folder, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3

try:
    from monai.data.image_reader import PydicomReader

    impl = "monai.PydicomReader"

    def load():
        r = PydicomReader()
        return r.get_data(r.read(folder))[0]

except Exception:  # no MONAI: the equivalent pydicom/numpy steps
    impl = "pydicom+numpy"

    def load():
        slices = [pydicom.dcmread(f) for f in glob.glob(os.path.join(folder, "*"))]
        slices.sort(key=lambda s: s.InstanceNumber)
        arrs = [s.pixel_array.astype(np.float32) * s.RescaleSlope + s.RescaleIntercept for s in slices]
        return np.ascontiguousarray(np.swapaxes(np.stack(arrs, axis=-1), 0, 1))


times = []
for _ in range(reps):
    t = time.perf_counter()
    a = load()
    times.append((time.perf_counter() - t) * 1e3)
    del a
times.sort()
print(json.dumps({"impl": impl, "value": times[len(times) // 2]}))

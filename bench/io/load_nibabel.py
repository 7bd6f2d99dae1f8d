#!/usr/bin/python3
"""Companion of bench/io/run.ts: makes the benchmark volume and times nibabel loading it.

    load_nibabel.py make FILE        write a 512x512x200 int16 CT-like volume as .nii.gz
    load_nibabel.py time FILE REPS   print JSON with median seconds for nibabel loads
"""
import json
import statistics
import sys
import time

import numpy as np
import nibabel as nib


def make(path):
    rng = np.random.RandomState(0)
    z, y, x = np.meshgrid(np.arange(200), np.arange(512), np.arange(512), indexing="ij")
    body = ((x - 256) ** 2 + (y - 256) ** 2) < 200 ** 2
    vol = np.where(body, 40 + 30 * np.sin(x / 17.0) * np.cos(y / 23.0) + 0.2 * z, -1000)
    vol = vol + rng.normal(0, 12, size=vol.shape)
    vol = np.transpose(vol, (2, 1, 0)).astype(np.int16)  # (x, y, z)
    nib.save(nib.Nifti1Image(vol, np.diag([0.7, 0.7, 1.25, 1.0])), path)


def timeit(path, reps):
    out = {}
    for name, fn in [
        ("int16", lambda: np.asanyarray(nib.load(path).dataobj, order="C")),
        ("float32", lambda: np.asanyarray(nib.load(path).dataobj, order="C").astype(np.float32)),
    ]:
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            a = fn()
            ts.append(time.perf_counter() - t0)
            del a
        out[name] = statistics.median(ts)
    print(json.dumps(out))


def time_save(path, reps, out):
    img = nib.load(path)
    data = np.asanyarray(img.dataobj)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        nib.save(nib.Nifti1Image(data, img.affine), out)
        ts.append(time.perf_counter() - t0)
    print(json.dumps({"save_int16": statistics.median(ts)}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "save":
        time_save(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "uncompress":
        img = nib.load(sys.argv[2])
        nib.save(nib.Nifti1Image(np.asanyarray(img.dataobj), img.affine, img.header), sys.argv[3])
    else:
        timeit(sys.argv[2], int(sys.argv[3]))

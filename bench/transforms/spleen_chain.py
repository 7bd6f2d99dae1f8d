"""MONAI 1.4 side of bench/transforms/spleen_chain.ts.

  make <dir> <n>                  write n synthetic spleen-like pairs (512x512x90 int16 CT, uint8 label) as .nii.gz
  time <dir> <threads> <reps>     run the spleen preprocessing chain over the pairs, print one JSON line
                                  (median ms per item over reps after a warm-up pass, per-stage ms, output shapes/sums);
                                  a 5th argument 'cpu' times process CPU instead of wall time
"""
import glob
import json
import os
import sys
import time

import numpy as np


def make(d, n):
    import nibabel as nib

    os.makedirs(d, exist_ok=True)
    rs = np.random.RandomState(0)
    zz, yy, xx = np.meshgrid(np.arange(512), np.arange(512), np.arange(90), indexing="ij")
    for i in range(n):
        # air outside a body ellipse (soft tissue ~40 HU, noise), a brighter 'spleen' blob inside; x/y flipped (LPS-like)
        body = ((zz - 256.0) / 200) ** 2 + ((yy - 250.0) / 150) ** 2 < 1
        spleen = ((zz - 330.0 - 5 * i) / 40) ** 2 + ((yy - 200.0) / 30) ** 2 + ((xx - 45.0) / 20) ** 2 < 1
        img = np.full((512, 512, 90), -1000, np.int16)
        img[body] = 40
        img[spleen] = 120
        img += rs.randint(-30, 30, size=img.shape).astype(np.int16)
        aff = np.diag([-0.79, -0.79, 2.5, 1.0])
        aff[:3, 3] = [200.0, 190.0, -300.0]
        nib.save(nib.Nifti1Image(img, aff), os.path.join(d, f"img_{i}.nii.gz"))
        nib.save(nib.Nifti1Image(spleen.astype(np.uint8), aff), os.path.join(d, f"lab_{i}.nii.gz"))


def chain():
    from monai.transforms import (
        CropForegroundd,
        EnsureChannelFirstd,
        LoadImaged,
        Orientationd,
        ScaleIntensityRanged,
        Spacingd,
    )

    return [
        LoadImaged(keys=["image", "label"]),
        EnsureChannelFirstd(keys=["image", "label"]),
        Orientationd(keys=["image", "label"], axcodes="RAS"),
        Spacingd(keys=["image", "label"], pixdim=(1.5, 1.5, 2.0), mode=("bilinear", "nearest")),
        ScaleIntensityRanged(keys=["image"], a_min=-57, a_max=164, b_min=0.0, b_max=1.0, clip=True),
        CropForegroundd(keys=["image", "label"], source_key="image"),
    ]


def run(d, threads, reps, clock="wall"):
    import torch

    now = time.process_time if clock == "cpu" else time.perf_counter

    torch.set_num_threads(threads)
    ts = chain()
    items = [{"image": f, "label": f.replace("img_", "lab_")} for f in sorted(glob.glob(os.path.join(d, "img_*.nii.gz")))]
    per_item, stages, outs = [], {t.__class__.__name__: [] for t in ts}, []
    for rep in range(reps + 1):
        for it in items:
            t0 = now()
            x = dict(it)
            for t in ts:
                s = now()
                x = t(x)
                if rep > 0:
                    stages[t.__class__.__name__].append((now() - s) * 1000)
            if rep > 0:
                per_item.append((now() - t0) * 1000)
            if rep == 0:
                outs.append({k: [list(x[k].shape), float(x[k].float().sum())] for k in ("image", "label")})
            del x
    med = lambda v: float(np.median(v))
    print(json.dumps({"ms": med(per_item), "stages": {k: med(v) for k, v in stages.items()}, "outs": outs}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else "wall")

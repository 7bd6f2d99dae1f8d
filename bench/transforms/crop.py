"""Python side of bench/transforms/crop.ts: MONAI 1.4's RandCropByPosNegLabeld (4 samples of 96^3, pos 1, neg 1,
image_key image, image_threshold 0) on the same generated 1x226x157x113 volume and label.
Usage: PYTHONPATH=<monai src> /usr/bin/python3 bench/transforms/crop.py <threads> <reps> [cpu|wall]
Prints one JSON line: median and best ms per call and the crop centres of the first call (seed 0)."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
reps = int(sys.argv[2])
clock = time.process_time if len(sys.argv) > 3 and sys.argv[3] == "cpu" else time.perf_counter
from monai.data import MetaTensor  # noqa: E402
from monai.transforms import RandCropByPosNegLabeld  # noqa: E402

SHAPE = (226, 157, 113)


def volume():
    """As crop.ts: an intensity ramp with a zero border (background where image <= 0) and a ball label."""
    z, y, x = torch.meshgrid(*[torch.arange(n, dtype=torch.float32) for n in SHAPE], indexing="ij")
    img = (z * 0.5 + y * 0.25 + x * 0.125) / 100.0
    img[:10] = 0
    img[-10:] = 0
    label = (((z - 140) ** 2 + (y - 70) ** 2 + (x - 60) ** 2) < 30**2).float()
    return MetaTensor(img[None]), MetaTensor(label[None])


img, label = volume()
t = RandCropByPosNegLabeld(keys=["image", "label"], label_key="label", spatial_size=(96, 96, 96), pos=1, neg=1,
                           num_samples=4, image_key="image", image_threshold=0).set_random_state(seed=0)
times, centres = [], None
for i in range(reps + 1):
    s = clock()
    out = t({"image": img, "label": label})
    times.append((clock() - s) * 1e3)
    if i == 0:
        centres = [[int(v) for v in o["image"].meta["crop_center"]] for o in out]
times = sorted(times[1:])
print(json.dumps({"ms": times[len(times) // 2], "best": times[0], "centres": centres}))

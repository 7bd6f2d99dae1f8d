"""Goldens for createTestImage2d/3d (packages/monai/src/data/synthetic.ts) from MONAI 1.4's
create_test_image_2d/3d with numpy RandomState(seed); also the generator's next draw afterwards, so the
number of draws is checked too.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_synthetic.py
"""
import json
import os

import numpy as np
from monai.data.synthetic import create_test_image_2d, create_test_image_3d

cases = []
opts2 = [
    dict(num_objs=4, rad_max=6, rad_min=2),
    dict(num_objs=6, rad_max=5, rad_min=1, noise_max=0.3, num_seg_classes=3, channel_dim=0),
    dict(num_objs=3, rad_max=7, rad_min=3, num_seg_classes=1, channel_dim=-1),
    dict(num_objs=5, rad_max=4, rad_min=2, noise_max=0.5, num_seg_classes=1, channel_dim=2),
    dict(num_objs=0, rad_max=4, rad_min=2),
]
opts3 = [
    dict(num_objs=3, rad_max=4, rad_min=2),
    dict(num_objs=4, rad_max=3, rad_min=1, noise_max=0.2, num_seg_classes=4, channel_dim=3),
    dict(num_objs=2, rad_max=4, rad_min=2, num_seg_classes=1, channel_dim=0),
]
for seed in (0, 42):
    for o in opts2:
        rs = np.random.RandomState(seed)
        img, lab = create_test_image_2d(17, 20, random_state=rs, **o)
        cases.append({"dims": [17, 20], "seed": seed, "options": o, "shape": list(img.shape), "dtype": str(img.dtype),
                      "image": img.ravel().tolist(), "labels": lab.ravel().tolist(), "labelDtype": str(lab.dtype), "next": rs.random()})
    for o in opts3:
        rs = np.random.RandomState(seed)
        img, lab = create_test_image_3d(10, 11, 12, random_state=rs, **o)
        cases.append({"dims": [10, 11, 12], "seed": seed, "options": o, "shape": list(img.shape), "dtype": str(img.dtype),
                      "image": img.ravel().tolist(), "labels": lab.ravel().tolist(), "labelDtype": str(lab.dtype), "next": rs.random()})
with open(os.path.join(os.path.dirname(__file__), "synthetic.json"), "w") as f:
    json.dump(cases, f)
print(len(cases))

"""pad_list_data_collate + decollate_batch of MetaTensors (MONAI 1.4): two dict items with images of
different spatial sizes, own affines and filenames, one already carrying an applied operation (Flipd).
Records the padded batch, and per decollated item its shape, values, affine, filename and applied
operation class names. Writes collate.json.
Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_collate.py
"""
import json
import os

import torch
from monai.data import MetaTensor, decollate_batch, pad_list_data_collate
from monai.transforms import Flipd

HERE = os.path.dirname(os.path.abspath(__file__))
a = MetaTensor(torch.arange(20.0).reshape(1, 4, 5), affine=torch.diag(torch.tensor([2.0, 3.0, 1.0, 1.0])),
               meta={"filename_or_obj": "a.nii"})
b = MetaTensor(torch.arange(18.0).reshape(1, 3, 6) + 100, affine=torch.eye(4), meta={"filename_or_obj": "b.nii"})
items = [Flipd(keys="image", spatial_axis=0)({"image": a}), {"image": b}]
batch = pad_list_data_collate(items, method="symmetric", mode="constant")
out = {"batch_shape": list(batch["image"].shape), "batch": batch["image"].as_tensor().tolist(),
       "batch_filenames": list(batch["image"].meta["filename_or_obj"]), "items": []}
for d in decollate_batch(batch):
    im = d["image"]
    out["items"].append({
        "shape": list(im.shape), "values": im.as_tensor().tolist(), "affine": im.affine.tolist(),
        "filename": im.meta["filename_or_obj"], "ops": [op["class"] for op in im.applied_operations],
        "is_batch": bool(im.is_batch),
    })
with open(os.path.join(HERE, "collate.json"), "w") as f:
    json.dump(out, f)
print(json.dumps(out)[:3000])

"""Golden for how MONAI 1.4's MetaTensor hands metadata to op results (MetaTensor.update_meta): for a
collated batch and for a single item, after a few ops, is the result a batch, and is its meta dict / its
applied_operations list the source's own object (shared) or a copy.
Run: PYTHONPATH=/work/pysrc/monai /usr/bin/python3 tools/goldens/data/make_meta_sharing.py"""
import json
import os

import torch
from monai.data import MetaTensor, list_data_collate

OPS = {
    "add": lambda x: x + 1,
    "relu": lambda x: torch.relu(x),
    "mul_tensor": lambda x: x * torch.ones_like(x.as_tensor()),
    "reshape": lambda x: x.reshape(x.shape),
}


def make(i):
    m = MetaTensor(torch.full((1, 4, 5), float(i)), meta={"filename_or_obj": f"{i}.nii", "nested": {"pixdim": [1.0, 2.0]}})
    m.applied_operations.append({"class": "Flip", "id": i})
    return m


def describe(src, out):
    return {
        "is_batch": bool(out.is_batch),
        "meta_shared": out.meta is src.meta,
        "ops_shared": out.applied_operations is src.applied_operations,
    }


def main():
    batch = list_data_collate([make(0), make(1), make(2)])
    item = make(5)
    res = {name: {"batch": describe(batch, op(batch)), "item": describe(item, op(item))} for name, op in OPS.items()}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "meta_sharing.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print(json.dumps(res))


if __name__ == "__main__":
    main()

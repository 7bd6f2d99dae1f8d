"""Goldens for PatchIter, PatchIterd, iterPatch and GridPatchDataset (packages/monai/src/data/grid_dataset.ts)
from MONAI 1.4: coordinates and values of every patch of small arrays (1x5x6 and 2x4x4x3), for several patch
sizes, start positions, pad modes (wrap, constant, reflect, none) and overlaps.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_grid_dataset.py
"""
import json
import os

import numpy as np

from monai.data import GridPatchDataset, PatchIter, PatchIterd
from monai.data.utils import iter_patch

a2 = np.arange(30, dtype=np.float32).reshape(1, 5, 6)
a3 = np.arange(96, dtype=np.float32).reshape(2, 4, 4, 3)
arrays = {"a2": a2, "a3": a3}


def dump(gen):
    return [{"coords": np.asarray(c).tolist(), "values": np.asarray(p).ravel().tolist(), "shape": list(np.asarray(p).shape)} for p, c in gen]


cases = []
for name, patch, start, mode in [
    ("a2", (2, 3), (), "wrap"),
    ("a2", (2, 2), (), "constant"),
    ("a2", (3, 4), (), "reflect"),
    ("a2", (2, 3), (), None),
    ("a2", (2, 4), (0, 1, 2), "wrap"),
    ("a2", (0, 4), (), "wrap"),
    ("a2", (4,), (), None),
    ("a3", (2, 3, 2), (), "wrap"),
    ("a3", (3, 3, 3), (), None),
]:
    cases.append({"kind": "PatchIter", "array": name, "patchSize": list(patch), "startPos": list(start), "mode": mode,
                  "patches": dump(PatchIter(patch_size=patch, start_pos=start, mode=mode)(arrays[name]))})
for name, patch, overlap, mode in [("a2", (1, 2, 3), (0.0, 0.5, 0.5), None), ("a2", (0, 3, 4), (0.0, 0.25, 0.75), "wrap"), ("a3", (2, 2, 2, 2), 0.5, None)]:
    cases.append({"kind": "iterPatch", "array": name, "patchSize": list(patch), "overlap": list(overlap) if isinstance(overlap, tuple) else overlap, "mode": mode,
                  "patches": dump(iter_patch(arrays[name].copy(), patch_size=patch, overlap=overlap, copy_back=False, mode=mode))})

# (a padded patch of the channel dim is left out: MONAI pads tensors-like arrays by torch, which never pads
# the channel dim, so such patches come out empty there)
# GridPatchDataset over two images, transform x*2+1 on each patch
ds = GridPatchDataset(data=[a2, a2 + 100], patch_iter=PatchIter(patch_size=(2, 3), mode=None), transform=lambda x: x * 2 + 1)
grid = dump(iter(ds))
# PatchIterd on a dict with an extra key
pid = PatchIterd(keys=["img", "seg"], patch_size=(3, 3), mode="constant")
dict_out = []
for d, c in pid({"img": a2, "seg": a2 * -1, "label": 3}):
    dict_out.append({"coords": np.asarray(c).tolist(), "img": d["img"].ravel().tolist(), "seg": d["seg"].ravel().tolist(),
                     "label": d["label"], "patch_coords": np.asarray(d["patch_coords"]).tolist(),
                     "original_spatial_shape": list(d["original_spatial_shape"]), "start_pos": list(d["start_pos"])})

with open(os.path.join(os.path.dirname(__file__), "grid_dataset.json"), "w") as f:
    json.dump({"cases": cases, "grid": grid, "patchIterd": dict_out}, f, separators=(",", ":"))
print(len(cases), "cases", len(grid), "grid patches", len(dict_out), "dict patches")

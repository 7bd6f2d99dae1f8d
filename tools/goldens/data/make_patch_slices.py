"""Goldens for getValidPatchSize, iterPatchPosition and iterPatchSlices (packages/monai/src/data/patch_slices.ts)
from MONAI 1.4's monai.data.utils.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_patch_slices.py
"""
import json
import os

from monai.data.utils import get_valid_patch_size, iter_patch_position, iter_patch_slices

cases = []
for image in ([10, 7], [5, 6, 4], [9]):
    for patch in (3, [4, 0, 2], [2, None, 5], [20, 3, 1]):
        for start in ((), (1,), (2, 1, 3)):
            for overlap in (0.0, 0.25, 0.5, [0.5, 0.0, 0.75], 1, [2, 1, 0]):
                for padded in (True, False):
                    ps = patch if isinstance(patch, int) else patch[: len(image)]
                    st = list(start[: len(image)])
                    ov = overlap if not isinstance(overlap, list) else overlap[: len(image)]
                    try:
                        sl = [[[s.start, s.stop] for s in t] for t in iter_patch_slices(image, ps, st, ov, padded)]
                        pos = [list(p) for p in iter_patch_position(image, ps, st, ov, padded)]
                    except ValueError:
                        continue
                    cases.append({"image": image, "patch": ps, "start": st, "overlap": ov, "padded": padded,
                                  "valid": list(get_valid_patch_size(image, ps)), "slices": sl, "positions": pos})
with open(os.path.join(os.path.dirname(__file__), "patch_slices.json"), "w") as f:
    json.dump(cases, f)
print(len(cases))

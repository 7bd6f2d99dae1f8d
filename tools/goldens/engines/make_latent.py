"""Golden for defaultMakeLatent (packages/monai/src/engines/utils.ts): MONAI 1.4's default_make_latent
after torch.manual_seed, small and >= 16-element (vectorised normal) sizes.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/engines/make_latent.py
"""
import json
import os

import torch
from monai.engines.utils import default_make_latent

out = []
for seed, n, size in ((0, 2, 5), (7, 5, 20)):
    torch.manual_seed(seed)
    out.append({"seed": seed, "numLatents": n, "latentSize": size, "values": default_make_latent(n, size).flatten().tolist()})
with open(os.path.join(os.path.dirname(__file__), "latent.json"), "w") as f:
    json.dump(out, f)

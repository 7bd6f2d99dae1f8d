"""Loads the state dicts monai-ts's Novograd wrote (write_ts_novograd.ts) into MONAI 1.4.0's Novograd
and checks that it continues the golden trajectories (novograd.json) for the remaining 25 steps (1e-6).

    node --conditions=source --import tsx tools/goldens/optimizers/write_ts_novograd.ts /tmp/ts_novograd_25.pt
    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/optimizers/check_ts_novograd.py /tmp/ts_novograd_25.pt
"""
import json
import os
import sys

import torch
from monai.optimizers import Novograd

here = os.path.dirname(os.path.abspath(__file__))
G = json.load(open(os.path.join(here, "novograd.json")))
sd = torch.load(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ts_novograd_25.pt")
worst = 0.0
for i, cfg in enumerate(G["configs"]):
    dt = torch.float32 if cfg["dtype"] == "float32" else torch.float64
    p = G["problem"]
    A = torch.tensor(p["A"], dtype=torch.float64).reshape(p["A_shape"]).to(dt)
    b = torch.tensor(p["b"], dtype=torch.float64).to(dt)
    start = cfg["trajectory"][G["resume_at"] - 1]
    w = torch.tensor(start[:4], dtype=torch.float64).to(dt).requires_grad_(True)
    c = torch.tensor(start[4:], dtype=torch.float64).to(dt).requires_grad_(True)
    opt = Novograd([{"params": [w]}, {"params": [c]}] if cfg["groups"] else [w, c], lr=123)
    opt.load_state_dict(sd[f"optimizer_{i}"])
    assert type(opt.state[w]["step"]) is int, type(opt.state[w]["step"])
    for s in range(G["resume_at"], G["steps"]):
        opt.zero_grad()
        (((A @ w + c - b) ** 2).mean() + 0.01 * (w**4).sum()).backward()
        opt.step()
        got = torch.cat([w.detach(), c.detach()]).double()
        want = torch.tensor(cfg["trajectory"][s], dtype=torch.float64)
        err = ((got - want).abs() / (1e-6 + 1e-6 * want.abs())).max().item()
        worst = max(worst, err)
        assert err <= 1.0, f"config {i} step {s + 1}: {got.tolist()} vs {want.tolist()}"
print(f"all {len(G['configs'])} configs continue MONAI's trajectories (worst error {worst:.3g} of tolerance)")

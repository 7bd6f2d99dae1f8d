"""Goldens for packages/monai/test/optimizers/novograd.test.ts: MONAI 1.4.0 Novograd trajectories.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/optimizers/make_novograd.py
Problem: loss = mean((A @ w + c - b) ** 2) + 0.01 * sum(w ** 4), 50 steps per option combination.
Writes novograd.json (parameters after every step, the final .grad, which Novograd rewrites in place,
and the final state) and novograd_resume_25.pt (each combination's optimizer.state_dict() after 25 steps,
saved by torch.save, which the test loads to continue the trajectory).
"""
import json
import os

import torch
import monai
from monai.optimizers import Novograd

assert monai.__version__ == "1.4.0", monai.__version__
here = os.path.dirname(os.path.abspath(__file__))
g = torch.Generator().manual_seed(7)
A = torch.randn(8, 4, generator=g, dtype=torch.float64)
b = torch.randn(8, generator=g, dtype=torch.float64)
w0 = torch.randn(4, generator=g, dtype=torch.float64)
c0 = torch.randn(1, generator=g, dtype=torch.float64)
STEPS, RESUME = 50, 25

CONFIGS = [
    {"options": {}},
    {"options": {"lr": 0.05}},
    {"options": {"lr": 0.05, "betas": [0.95, 0.5]}},
    {"options": {"lr": 0.05, "weight_decay": 0.1}},
    {"options": {"lr": 0.05, "grad_averaging": True}},
    {"options": {"lr": 0.05, "amsgrad": True, "betas": [0.9, 0.5]}},
    {"options": {"lr": 0.02, "betas": [0.8, 0.9], "eps": 1e-4, "weight_decay": 0.05, "grad_averaging": True, "amsgrad": True}},
    {"options": {"lr": 0.05}, "groups": [{"lr": 0.1, "amsgrad": True}, {"weight_decay": 0.2}]},
    {"options": {"lr": 0.05, "amsgrad": True}, "dtype": "float32"},
]


def camel(k):
    parts = k.split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def run(cfg):
    dt = torch.float32 if cfg.get("dtype") == "float32" else torch.float64
    a, bb = A.to(dt), b.to(dt)
    w = w0.to(dt).clone().requires_grad_(True)
    c = c0.to(dt).clone().requires_grad_(True)
    opts = dict(cfg["options"])
    if "betas" in opts:
        opts["betas"] = tuple(opts["betas"])
    params = [{"params": [w], **cfg["groups"][0]}, {"params": [c], **cfg["groups"][1]}] if "groups" in cfg else [w, c]
    opt = Novograd(params, **opts)
    traj, resume = [], None
    for s in range(STEPS):
        opt.zero_grad()
        loss = ((a @ w + c - bb) ** 2).mean() + 0.01 * (w**4).sum()
        loss.backward()
        opt.step()
        traj.append(torch.cat([w.detach(), c.detach()]).double().tolist())
        if s + 1 == RESUME:
            resume = opt.state_dict()
            resume = {"state": {k: {kk: (vv.clone() if torch.is_tensor(vv) else vv) for kk, vv in v.items()} for k, v in resume["state"].items()},
                      "param_groups": [dict(pg) for pg in resume["param_groups"]]}
    final = opt.state_dict()["state"]
    state = [{k: (v.double().flatten().tolist() if torch.is_tensor(v) else v) for k, v in final[i].items()} for i in sorted(final)]
    out = {
        "options": {camel(k): v for k, v in cfg["options"].items()},
        "groups": [{camel(k): v for k, v in gr.items()} for gr in cfg["groups"]] if "groups" in cfg else None,
        "dtype": cfg.get("dtype", "float64"),
        "trajectory": traj,
        "final_grad": torch.cat([w.grad, c.grad]).double().tolist(),
        "final_state": state,
    }
    return out, resume


results, saved = [], {}
for i, cfg in enumerate(CONFIGS):
    r, resume = run(cfg)
    results.append(r)
    saved[f"optimizer_{i}"] = resume
problem = {"A": A.flatten().tolist(), "A_shape": list(A.shape), "b": b.tolist(), "w0": w0.tolist(), "c0": c0.tolist()}
with open(os.path.join(here, "novograd.json"), "w") as f:
    json.dump({"monai": monai.__version__, "steps": STEPS, "resume_at": RESUME, "problem": problem, "configs": results}, f)
torch.save(saved, os.path.join(here, "novograd_resume_25.pt"))
print(f"{len(results)} configs written")

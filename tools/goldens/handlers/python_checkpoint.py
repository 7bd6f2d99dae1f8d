"""A checkpoint written by MONAI 1.4's CheckpointSaver in Python (python_ckpt/checkpoint_epoch=2.pt) and
the values it holds (python_checkpoint.json), for CheckpointLoader's test.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 python_checkpoint.py
A Linear(3, 2) trained 2 epochs of 2 iterations with Adam and a StepLR; saved: net, opt, lr, trainer.
"""
import json
import os

import torch
from ignite.engine import Engine, Events

from monai.handlers import CheckpointSaver

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "python_ckpt")
os.makedirs(out_dir, exist_ok=True)
for f in os.listdir(out_dir):
    os.remove(os.path.join(out_dir, f))
torch.manual_seed(0)
net = torch.nn.Linear(3, 2)
opt = torch.optim.Adam(net.parameters(), lr=0.01)
lr = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
x = torch.rand(4, 3)


def step(e, b):
    opt.zero_grad()
    loss = net(x).pow(2).mean()
    loss.backward()
    opt.step()
    return loss.item()


trainer = Engine(step)
trainer.add_event_handler(Events.EPOCH_COMPLETED, lambda e: lr.step())
CheckpointSaver(save_dir=out_dir, save_dict={"net": net, "opt": opt, "lr": lr, "trainer": trainer}, save_interval=2).attach(trainer)
trainer.run(range(2), max_epochs=2)
res = {
    "files": sorted(os.listdir(out_dir)),
    "weight": net.weight.detach().flatten().tolist(),
    "bias": net.bias.detach().flatten().tolist(),
    "exp_avg_weight": opt.state[net.weight]["exp_avg"].flatten().tolist(),
    "lr": opt.param_groups[0]["lr"],
    "last_epoch": lr.last_epoch,
}
with open(os.path.join(here, "python_checkpoint.json"), "w") as f:
    json.dump(res, f, indent=1)
print(res)

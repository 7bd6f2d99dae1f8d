"""Loads monai-ts's checkpoints with MONAI 1.4's CheckpointLoader into MONAI's UNet (strict) and prints OK.

Usage:
  node --conditions=source --import tsx packages/monai/test/handlers/helpers/small_unet_run.ts /tmp/run
  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
      tools/goldens/handlers/load_checkpoint_monai.py /tmp/run

Every .pt in <dir>/ckpt is loaded: the single-network key metric file into {"net": UNet}, the
"checkpoint_*" files into {"net": UNet, "opt": Adam, "trainer": an Ignite Engine}. The final file's
parameter sums must equal <dir>/final.json's (written by the TS run) to 1e-6, and the restored trainer's
iteration must equal the one in the file name.
"""
import json
import os
import re
import sys

import torch
from ignite.engine import Engine

from monai.handlers import CheckpointLoader
from monai.networks.nets import UNet


def main(run_dir):
    final = json.load(open(os.path.join(run_dir, "final.json")))
    c = final["config"]
    ckpt_dir = os.path.join(run_dir, "ckpt")
    files = sorted(f for f in os.listdir(ckpt_dir) if f.endswith(".pt"))
    if not files:
        raise SystemExit(f"no .pt files in {ckpt_dir}")
    for f in files:
        net = UNet(
            spatial_dims=c["spatialDims"], in_channels=c["inChannels"], out_channels=c["outChannels"],
            channels=c["channels"], strides=c["strides"], num_res_units=c["numResUnits"],
        )
        path = os.path.join(ckpt_dir, f)
        if f.startswith("checkpoint_"):
            opt = torch.optim.Adam(net.parameters(), lr=0.01)
            trainer = Engine(lambda e, b: None)
            trainer.state.max_epochs = 2
            CheckpointLoader(load_path=path, load_dict={"net": net, "opt": opt, "trainer": trainer}, strict=True)(trainer)
            m = re.search(r"(epoch|iteration)=(\d+)\.pt$", f)
            got = trainer.state.epoch if m.group(1) == "epoch" else trainer.state.iteration
            assert got == int(m.group(2)), f"{f}: trainer state {m.group(1)} {got}"
            assert len(opt.state) == len(list(net.parameters())), f"{f}: Adam state for {len(opt.state)} parameters"
        else:
            trainer = Engine(lambda e, b: None)
            CheckpointLoader(load_path=path, load_dict={"net": net}, strict=True)(trainer)
        with torch.no_grad():
            out = net(torch.zeros(1, c["inChannels"], 16, 16))
        assert out.shape == (1, c["outChannels"], 16, 16) and torch.isfinite(out).all()
        if "final_iteration" in f:
            sd = net.state_dict()
            bad = [k for k, v in final["sums"].items() if abs(sd[k].double().sum().item() - v) > 1e-6]
            assert not bad and set(final["sums"]) == set(sd), f"{f}: parameter sums differ for {bad}"
        print(f"{f}: loaded")
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1])

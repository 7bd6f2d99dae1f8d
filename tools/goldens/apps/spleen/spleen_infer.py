"""Goldens for `monai-ts infer` against MONAI 1.4: a small UNet trained by MONAI, its predictions by MONAI.

  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/apps/spleen/spleen_infer.py

Generates a tiny synthetic task with monai-ts (3 training volumes of 32x28x16 at 2x2x3 mm), trains MONAI's
UNet (channels 4, 8, 16; strides 2, 2; 1 residual unit; batch norm) for 60 iterations on the recipe's
pipeline, and writes next to this script:
  tiny_image.nii.gz, tiny_label.nii.gz   case 0 of the task (inputs of the test)
  unet_tiny.pt                           torch.save(model.state_dict())
  unet_tiny_ts.pt                        torch.jit.script(model) saved (TorchScript)
  monai_pred.nii.gz                      MONAI's prediction of tiny_image (recipe pipeline, sliding window
                                         16^3 / batch 4 / overlap 0.25, argmax, Invertd nearest), uint8
  spleen_infer.json                      Dice of that prediction against the label
"""
import json
import os
import shutil
import subprocess
import tempfile

import nibabel as nib
import numpy as np
import torch
from monai.data import MetaTensor
from monai.inferers import sliding_window_inference
from monai.losses import DiceCELoss
from monai.networks.nets import UNet
from monai.transforms import (
    Compose, CropForegroundd, EnsureChannelFirstd, Invertd, LoadImaged, Orientationd, RandCropByPosNegLabeld,
    ScaleIntensityRanged, Spacingd, SpatialPadd,
)
from monai.utils import set_determinism

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
GEN = """
import { generateSyntheticCtTask } from '%s/packages/monai/src/apps/synthetic/index.js';
generateSyntheticCtTask({ outputDir: process.argv[2], numTraining: 3, numTest: 0, size: [32, 28, 16], spacing: [2, 2, 3] });
"""


def main():
    tmp = tempfile.mkdtemp(prefix="monai-ts-infer-golden-", dir=os.path.join(ROOT, "tmp") if os.path.isdir(os.path.join(ROOT, "tmp")) else None)
    try:
        script = os.path.join(tmp, "gen.ts")
        open(script, "w").write(GEN % ROOT)
        subprocess.run(["node", "--conditions=source", "--import", "tsx", script, os.path.join(tmp, "task")], cwd=ROOT, check=True)
        task = os.path.join(tmp, "task")
        shutil.copy(os.path.join(task, "imagesTr", "organ_000.nii.gz"), os.path.join(HERE, "tiny_image.nii.gz"))
        shutil.copy(os.path.join(task, "labelsTr", "organ_000.nii.gz"), os.path.join(HERE, "tiny_label.nii.gz"))
        set_determinism(seed=0)
        keys = ["image", "label"]
        det = [
            LoadImaged(keys=keys), EnsureChannelFirstd(keys=keys), Orientationd(keys=keys, axcodes="RAS"),
            Spacingd(keys=keys, pixdim=(3.0, 3.0, 3.0), mode=("bilinear", "nearest")),
            ScaleIntensityRanged(keys="image", a_min=-57, a_max=164, b_min=0.0, b_max=1.0, clip=True),
            CropForegroundd(keys=keys, source_key="image"),
        ]
        train_tf = Compose(det + [SpatialPadd(keys=keys, spatial_size=(16, 16, 16)),
                                  RandCropByPosNegLabeld(keys=keys, label_key="label", spatial_size=(16, 16, 16), pos=1, neg=1, num_samples=2)])
        files = [{"image": os.path.join(task, "imagesTr", f"organ_{i:03d}.nii.gz"), "label": os.path.join(task, "labelsTr", f"organ_{i:03d}.nii.gz")} for i in range(3)]
        cached = [Compose(det)(f) for f in files]
        net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(4, 8, 16), strides=(2, 2), num_res_units=1, norm="batch")
        opt = torch.optim.Adam(net.parameters(), 1e-2)
        loss = DiceCELoss(to_onehot_y=True, softmax=True, squared_pred=True, batch=True)
        rand = Compose(train_tf.transforms[len(det):])
        rand.set_random_state(seed=0)
        net.train()
        for it in range(60):
            items = [s for c in cached for s in rand({k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in c.items()})]
            x = torch.stack([s["image"].as_tensor() for s in items])
            y = torch.stack([s["label"].as_tensor() for s in items])
            opt.zero_grad()
            l = loss(net(x), y)
            l.backward()
            opt.step()
        net.eval()
        torch.save(net.state_dict(), os.path.join(HERE, "unet_tiny.pt"))
        torch.jit.script(net).save(os.path.join(HERE, "unet_tiny_ts.pt"))

        pre = Compose([
            LoadImaged(keys="image"), EnsureChannelFirstd(keys="image"), Orientationd(keys="image", axcodes="RAS"),
            Spacingd(keys="image", pixdim=(3.0, 3.0, 3.0), mode="bilinear"),
            ScaleIntensityRanged(keys="image", a_min=-57, a_max=164, b_min=0.0, b_max=1.0, clip=True),
            CropForegroundd(keys="image", source_key="image"),
        ])
        d = pre({"image": os.path.join(HERE, "tiny_image.nii.gz")})
        with torch.no_grad():
            logits = sliding_window_inference(d["image"].unsqueeze(0), (16, 16, 16), 4, net, overlap=0.25)
        pred = logits.argmax(1).float()
        d["pred"] = MetaTensor(pred.as_tensor() if isinstance(pred, MetaTensor) else pred)
        out = Invertd(keys="pred", transform=pre, orig_keys="image", nearest_interp=True)(d)
        mask = np.asarray(out["pred"][0]).astype(np.uint8)
        src = nib.load(os.path.join(HERE, "tiny_image.nii.gz"))
        assert mask.shape == src.shape, (mask.shape, src.shape)
        nib.save(nib.Nifti1Image(mask, src.affine), os.path.join(HERE, "monai_pred.nii.gz"))
        label = np.asarray(nib.load(os.path.join(HERE, "tiny_label.nii.gz")).dataobj) > 0
        p = mask > 0
        dice = 2 * (p & label).sum() / (p.sum() + label.sum())
        json.dump({"dice": float(dice), "foreground": int(p.sum()), "iterations": 60}, open(os.path.join(HERE, "spleen_infer.json"), "w"), indent=1)
        print(f"MONAI prediction: {int(p.sum())} foreground voxels, Dice {dice:.4f} against the label")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

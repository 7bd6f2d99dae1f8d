"""Checks what `npm run demo` (or `monai-ts train` + `infer`) wrote, with Python's own readers.

  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
      tools/flagship/check_outputs.py [demo-output]

- every predictions/<name>_seg.nii.gz reads in nibabel with the grid (shape, affine) of task/imagesTs/<name>
  and holds only 0 and 1;
- run/checkpoints/best_metric_model.pt loads with torch.load(weights_only=True) into MONAI's UNet of the
  recipe (strict), when MONAI is importable;
- run/tensorboard holds an event file.
Prints one line per check and exits non-zero on any failure.
"""
import glob
import os
import sys

import numpy as np
import nibabel as nib
import torch


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "demo-output"
    bad = 0
    preds = sorted(glob.glob(os.path.join(root, "predictions", "*_seg.nii.gz")))
    if not preds:
        print(f"FAIL no predictions in {root}/predictions")
        bad += 1
    for p in preds:
        name = os.path.basename(p)[: -len("_seg.nii.gz")]
        src = nib.load(os.path.join(root, "task", "imagesTs", name + ".nii.gz"))
        img = nib.load(p)
        arr = np.asarray(img.dataobj)
        ok = img.shape == src.shape and np.allclose(img.affine, src.affine, atol=1e-4) and set(np.unique(arr)) <= {0, 1}
        print(f"{'ok  ' if ok else 'FAIL'} {p}: shape {img.shape} (image {src.shape}), {int(arr.sum())} foreground voxels, "
              f"affine diag {np.round(np.diag(img.affine)[:3], 4).tolist()}")
        bad += not ok
    best = os.path.join(root, "run", "checkpoints", "best_metric_model.pt")
    sd = torch.load(best, map_location="cpu", weights_only=True)
    try:
        from monai.networks.nets import UNet

        net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256), strides=(2, 2, 2, 2),
                   num_res_units=2, norm="batch")
        net.load_state_dict(sd)
        print(f"ok   {best}: {len(sd)} tensors load into MONAI's UNet (strict)")
    except ImportError:
        print(f"ok   {best}: {len(sd)} tensors (MONAI not importable: UNet load skipped)")
    events = glob.glob(os.path.join(root, "run", "tensorboard", "events.out.tfevents.*"))
    print(f"{'ok  ' if events else 'FAIL'} TensorBoard event files: {len(events)}")
    bad += not events
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

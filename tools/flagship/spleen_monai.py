"""The monai-ts spleen recipe (packages/monai/src/apps/spleen) in MONAI 1.4, for timing side by side.

Same data (a Decathlon-layout folder, e.g. the synthetic task `npm run demo` generates), same
pipelines, network, loss, optimizer, engines and stopping rule (validation mean Dice >= target), on the
CPU with as many intra-op threads as cores (as monai-ts). Prints one JSON line: seconds to the target
from the start of the run (caching included, as monai-ts's secondsToTarget), epoch times (training and
validation) and the best Dice. Like monai-ts's recipe, the evaluator saves the best-metric model
(CheckpointSaver, save_key_metric) into --output (default: a temporary folder removed at the end).

  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
      tools/flagship/spleen_monai.py --data demo-output/task [--epochs 40] [--target 0.9]
"""
import argparse
import json
import os
import shutil
import tempfile
import time

import torch
from monai.data import CacheDataset, DataLoader, load_decathlon_datalist
from monai.engines import SupervisedEvaluator, SupervisedTrainer
from monai.handlers import CheckpointSaver, MeanDice, ValidationHandler
from monai.inferers import SlidingWindowInferer
from monai.losses import DiceCELoss
from monai.networks.nets import UNet
from monai.optimizers import Novograd
from monai.transforms import (
    Compose, CropForegroundd, EnsureChannelFirstd, FgBgToIndicesd, LoadImaged, Orientationd, RandCropByPosNegLabeld,
    RandFlipd, RandRotate90d, RandShiftIntensityd, ScaleIntensityRanged, Spacingd, SpatialPadd,
)
from monai.utils import set_determinism
from ignite.engine import Events


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--target", type=float, default=0.9)
    p.add_argument("--num-val", type=int, default=4)
    p.add_argument("--roi", default="48,48,32")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--output", default=None, help="folder for best_metric_model.pt (default: a temporary one, removed)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (monai-ts uses all cores)")
    a = p.parse_args()
    out_dir = a.output or tempfile.mkdtemp(prefix="spleen-monai-")
    try:
        run(a, out_dir)
    finally:
        if a.output is None:
            shutil.rmtree(out_dir, ignore_errors=True)


def run(a, out_dir):
    # Debian's torch starts with one intra-op thread; monai-ts sets its pool to the machine's cores
    torch.set_num_threads(a.threads)
    roi = tuple(int(x) for x in a.roi.split(","))
    t0 = time.perf_counter()
    set_determinism(seed=0)
    files = load_decathlon_datalist(os.path.join(a.data, "dataset.json"), True, "training")
    train_files, val_files = files[: -a.num_val], files[-a.num_val:]
    keys = ["image", "label"]
    det = [
        LoadImaged(keys=keys),
        EnsureChannelFirstd(keys=keys),
        Orientationd(keys=keys, axcodes="RAS"),
        Spacingd(keys=keys, pixdim=(1.5, 1.5, 2.0), mode=("bilinear", "nearest")),
        ScaleIntensityRanged(keys="image", a_min=-57, a_max=164, b_min=0.0, b_max=1.0, clip=True),
        CropForegroundd(keys=keys, source_key="image"),
    ]
    train_tf = Compose(det + [
        SpatialPadd(keys=keys, spatial_size=roi),
        FgBgToIndicesd(keys="label", fg_postfix="_fg", bg_postfix="_bg", image_key="image"),
        RandCropByPosNegLabeld(keys=keys, label_key="label", spatial_size=roi, pos=1, neg=1, num_samples=2,
                               fg_indices_key="label_fg", bg_indices_key="label_bg"),
        RandFlipd(keys=keys, prob=0.1, spatial_axis=0),
        RandFlipd(keys=keys, prob=0.1, spatial_axis=1),
        RandFlipd(keys=keys, prob=0.1, spatial_axis=2),
        RandRotate90d(keys=keys, prob=0.1, max_k=3),
        RandShiftIntensityd(keys="image", offsets=0.1, prob=0.5),
    ])
    val_tf = Compose(det)
    train_ds = CacheDataset(train_files, train_tf, cache_rate=1.0, num_workers=None, progress=False)
    val_ds = CacheDataset(val_files, val_tf, cache_rate=1.0, num_workers=None, progress=False)
    train_loader = DataLoader(train_ds, batch_size=2, shuffle=True, num_workers=0)
    val_loader = DataLoader(val_ds, batch_size=1, num_workers=0)

    net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256), strides=(2, 2, 2, 2),
               num_res_units=2, norm="batch")
    opt = Novograd(net.parameters(), lr=a.lr)
    loss = DiceCELoss(to_onehot_y=True, softmax=True, squared_pred=True, batch=True)
    evaluator = SupervisedEvaluator(
        device=torch.device("cpu"), val_data_loader=val_loader, network=net, decollate=False,
        inferer=SlidingWindowInferer(roi_size=roi, sw_batch_size=4, overlap=0.25),
        key_val_metric={"val_mean_dice": MeanDice(include_background=False, num_classes=2,
                                                  output_transform=lambda o: (o["pred"].argmax(1, keepdim=True), o["label"]))},
        val_handlers=[CheckpointSaver(save_dir=out_dir, save_dict={"net": net}, save_key_metric=True,
                                      key_metric_filename="best_metric_model.pt")],
    )
    trainer = SupervisedTrainer(
        device=torch.device("cpu"), max_epochs=a.epochs, train_data_loader=train_loader, network=net, optimizer=opt,
        loss_function=loss, decollate=False, train_handlers=[ValidationHandler(validator=evaluator, interval=1)],
    )
    res = {"seconds_to_target": None, "epoch_seconds": [], "dice": [], "cache_seconds": time.perf_counter() - t0}
    start = {}

    @trainer.on(Events.EPOCH_STARTED)
    def _s(engine):
        start["t"] = time.perf_counter()

    @trainer.on(Events.EPOCH_COMPLETED)
    def _e(engine):
        # runs after the ValidationHandler (attached first), so the metric is this epoch's
        d = evaluator.state.metrics["val_mean_dice"]
        res["dice"].append(round(float(d), 4))
        res["epoch_seconds"].append(round(time.perf_counter() - start["t"], 3))
        print(f"epoch {engine.state.epoch}: val Dice {d:.4f} ({time.perf_counter() - t0:.1f} s)", flush=True)
        if d >= a.target and res["seconds_to_target"] is None:
            res["seconds_to_target"] = time.perf_counter() - t0
            engine.terminate()

    trainer.run()
    res.update(best=max(res["dice"]) if res["dice"] else None, epochs=trainer.state.epoch, total_seconds=time.perf_counter() - t0,
               threads=torch.get_num_threads(), torch=torch.__version__)
    print(json.dumps(res))


if __name__ == "__main__":
    main()

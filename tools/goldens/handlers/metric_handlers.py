"""Golden values of MONAI 1.4's metric handlers, MetricsSaver and ClassificationSaver on an Ignite 0.4 engine
(metric_handlers.json).

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 metric_handlers.py
Inputs are seeded here and saved with the results: 3 iterations of 2 one-hot 2-D segmentations (3 classes,
6x6; one item has class 2 in neither prediction nor label, another only in the prediction), classification
scores, and regression images. Each engine runs 2 epochs over the same batches (the handlers reset per epoch).
Floats that JSON cannot hold are written as the strings "nan", "inf", "-inf".
"""
import json
import math
import os
import tempfile
import warnings

import numpy as np
import torch
from ignite.engine import Engine

from monai.handlers import (
    ROCAUC,
    ClassificationSaver,
    ConfusionMatrix,
    HausdorffDistance,
    MeanAbsoluteError,
    MeanDice,
    MeanIoUHandler,
    MeanSquaredError,
    MetricsSaver,
    PeakSignalToNoiseRatio,
    RootMeanSquaredError,
    SurfaceDistance,
)

warnings.simplefilter("ignore")
rng = np.random.RandomState(1234)
ITERS, B, C, H = 3, 2, 3, 6


def clean(x):
    if isinstance(x, torch.Tensor):
        return clean(x.tolist())
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


# segmentation label maps [ITERS, B, H, H]
pred_maps = rng.randint(0, C, size=(ITERS, B, H, H))
label_maps = rng.randint(0, C, size=(ITERS, B, H, H))
pred_maps[0, 1][pred_maps[0, 1] == 2] = 1  # class 2 absent from both in iteration 0, item 1
label_maps[0, 1][label_maps[0, 1] == 2] = 0
label_maps[1, 0][label_maps[1, 0] == 2] = 1  # class 2 only in the prediction


def one_hot(m):
    return torch.nn.functional.one_hot(torch.as_tensor(m), C).permute(0, 3, 1, 2).float()


seg_batches = [(one_hot(pred_maps[i]), one_hot(label_maps[i])) for i in range(ITERS)]

SEG_CASES = {
    "dice": (MeanDice, {}),
    "dice_nobg_mean_batch": (MeanDice, {"include_background": False, "reduction": "mean_batch"}),
    "dice_labels": (MeanDice, {"reduction": "mean_batch", "return_with_label": True}),
    "dice_sum": (MeanDice, {"reduction": "sum"}),
    "iou": (MeanIoUHandler, {}),
    "iou_nobg": (MeanIoUHandler, {"include_background": False}),
    "cm_f1": (ConfusionMatrix, {"metric_name": "f1 score"}),
    "cm_sens_sample": (ConfusionMatrix, {"metric_name": "sensitivity", "compute_sample": True}),
    "hd": (HausdorffDistance, {}),
    "hd95_directed": (HausdorffDistance, {"percentile": 95, "directed": True, "include_background": True}),
    "hd_chessboard": (HausdorffDistance, {"distance_metric": "chessboard"}),
    "asd": (SurfaceDistance, {}),
    "asd_symmetric_taxicab": (SurfaceDistance, {"symmetric": True, "distance_metric": "taxicab"}),
}


def run_cases(batches, cases, epochs=2):
    engine = Engine(lambda e, b: batches[(e.state.iteration - 1) % len(batches)])
    engine.state.metric_details = {}
    for name, (cls, kw) in cases.items():
        cls(**kw).attach(engine, name)
    engine.run(range(len(batches)), max_epochs=epochs)
    return {
        "metrics": {k: clean(engine.state.metrics[k]) for k in cases},
        "details": {k: clean(v) for k, v in engine.state.metric_details.items()},
    }


out = {"seg": {"pred_maps": pred_maps.tolist(), "label_maps": label_maps.tolist(), "cases": {k: v[1] for k, v in SEG_CASES.items()}}}
out["seg"].update(run_cases(seg_batches, SEG_CASES))

# classification: scores [ITERS, B, 3] and multi-label one-hot labels
scores = rng.rand(ITERS, B, 3).astype(np.float32)
labels = np.stack([np.eye(3)[rng.randint(0, 3, size=B)] for _ in range(ITERS)]).astype(np.float32)
labels[0, 0, :] = [1, 0, 1]
cls_batches = [(torch.from_numpy(scores[i]), torch.from_numpy(labels[i])) for i in range(ITERS)]
CLS_CASES = {f"auc_{a}": (ROCAUC, {"average": a}) for a in ["macro", "micro", "weighted", "none"]}
out["cls"] = {"scores": scores.tolist(), "labels": labels.tolist(), "cases": {k: v[1] for k, v in CLS_CASES.items()}}
out["cls"].update(run_cases(cls_batches, CLS_CASES))

# regression: [ITERS, B, 1, 4, 4]
ypred = rng.rand(ITERS, B, 1, 4, 4).astype(np.float32)
ytrue = rng.rand(ITERS, B, 1, 4, 4).astype(np.float32)
reg_batches = [(torch.from_numpy(ypred[i]), torch.from_numpy(ytrue[i])) for i in range(ITERS)]
REG_CASES = {
    "mse": (MeanSquaredError, {}),
    "mae": (MeanAbsoluteError, {"reduction": "sum"}),
    "rmse": (RootMeanSquaredError, {}),
    "psnr": (PeakSignalToNoiseRatio, {"max_val": 1.0}),
}
out["reg"] = {"ypred": ypred.tolist(), "ytrue": ytrue.tolist(), "cases": {k: v[1] for k, v in REG_CASES.items()}}
out["reg"].update(run_cases(reg_batches, REG_CASES))


def read_dir(d):
    return {f: open(os.path.join(d, f)).read() for f in sorted(os.listdir(d))}


# MetricsSaver: file names from the batch's metadata (a dict of lists, decollated by the saver)
names = [[f"img_{i}_{b}.nii.gz" for b in range(B)] for i in range(ITERS)]
saver_out = {}
for case, kw in {
    "all": {"metrics": "*", "metric_details": "*", "summary_ops": "*"},
    "some": {"metrics": ["dice_nobg_mean_batch", "hd"], "metric_details": ["hd"], "summary_ops": ["mean", "25percentile", "notnans"], "delimiter": "\t"},
    "no_details": {"metrics": "*", "metric_details": None},
}.items():
    engine = Engine(lambda e, b: seg_batches[(e.state.iteration - 1) % ITERS])
    engine.state.metric_details = {}
    MeanDice(include_background=False).attach(engine, "dice")
    MeanDice(include_background=False, reduction="mean_batch").attach(engine, "dice_nobg_mean_batch")
    HausdorffDistance().attach(engine, "hd")
    with tempfile.TemporaryDirectory() as d:
        MetricsSaver(save_dir=d, batch_transform=lambda b: b, **kw).attach(engine)
        engine.run([{"filename_or_obj": n} for n in names], max_epochs=1)
        saver_out[case] = {"options": kw, "files": read_dir(d)}
# confusion-matrix details are [items, classes, 4]: the raw file holds numpy's str of each class's 4 counts
engine = Engine(lambda e, b: seg_batches[(e.state.iteration - 1) % ITERS])
engine.state.metric_details = {}
ConfusionMatrix(metric_name="f1 score").attach(engine, "cm")
with tempfile.TemporaryDirectory() as d:
    MetricsSaver(save_dir=d, batch_transform=lambda b: b, metrics=None, metric_details="*").attach(engine)
    engine.run([{"filename_or_obj": n} for n in names], max_epochs=1)
    saver_out["confusion_matrix"] = {"options": {"metrics": None, "metric_details": "*"}, "files": read_dir(d)}
out["metrics_saver"] = {"names": names, "cases": saver_out}

# ClassificationSaver: one row per item; with and without file names
cls_saver = {}
for case, with_names in {"names": True, "index": False}.items():
    engine = Engine(lambda e, b: torch.from_numpy(scores[(e.state.iteration - 1) % ITERS]))
    with tempfile.TemporaryDirectory() as d:
        bt = (lambda b: b) if with_names else (lambda b: [{} for _ in range(B)])
        ClassificationSaver(output_dir=d, batch_transform=bt, output_transform=lambda o: o).attach(engine)
        engine.run([{"filename_or_obj": n} for n in names], max_epochs=2)
        cls_saver[case] = read_dir(d)
out["classification_saver"] = cls_saver

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "metric_handlers.json"), "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
print("written", {k: list(v["cases"]) if "cases" in v else list(v) for k, v in out.items()})

"""Golden log lines of MONAI 1.4's StatsHandler on an Ignite 0.4 engine (stats_lines.json).

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 stats_lines.py
The engine runs 2 epochs of 4 iterations; outputs are fixed losses, metrics are set at each epoch end
(a scalar, a 0-d tensor, an exact .4f tie and a list), and a key metric with its best value is tracked.
"""
import json
import logging
import os
import warnings

import torch
from ignite.engine import Engine, Events

from monai.handlers import StatsHandler

warnings.simplefilter("ignore")
LOSSES = [0.5, 0.123456, 1.0, 0.03125, 2.5e-05, 7.0, 0.1, 0.25]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def run(case, **kwargs):
    engine = Engine(lambda e, b: LOSSES[e.state.iteration - 1])
    engine.state.key_metric_name = "val_mean_dice"
    engine.state.best_metric = -1
    engine.state.best_metric_epoch = -1
    engine.state.custom = 0.1 + 0.2

    @engine.on(Events.EPOCH_COMPLETED)
    def _metrics(e):
        d = 0.5 + 0.25 * e.state.epoch
        e.state.metrics = {"val_mean_dice": d, "acc": torch.tensor(0.75), "tie": 0.03125, "per_class": [0.5, 0.25]}
        e.state.best_metric = d
        e.state.best_metric_epoch = e.state.epoch

    name = f"golden_{case}"
    col = Collect()
    StatsHandler(name=name, output_transform=lambda x: x, **kwargs).attach(engine)
    logging.getLogger(name).addHandler(col)
    engine.run(range(4), max_epochs=2)
    return col.lines


out = {
    "default": run("default"),
    "attrs_fmt": run("attrs_fmt", state_attributes=["custom", "best_metric", "missing"], tag_name="train_loss", key_var_format="{} = {:.3f}|"),
    "every2": run("every2", iteration_log=lambda e, i: i % 2 == 0, epoch_log=False),
}
with open(os.path.join(os.path.dirname(__file__), "stats_lines.json"), "w") as f:
    json.dump(out, f, indent=1)
print({k: len(v) for k, v in out.items()})

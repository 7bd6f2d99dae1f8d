"""Golden file lists of MONAI 1.4's CheckpointSaver over Ignite 0.4's Checkpoint (checkpoint_names.json).

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 checkpoint_names.py
An Ignite engine runs epochs of 3 iterations; a metric from a fixed list is set at each epoch end
(before the saver's handlers run); after every epoch (and at the end or the exception) the folder's
sorted file names are recorded.
"""
import json
import os
import tempfile
import warnings

import torch
from ignite.engine import Engine, Events

from monai.handlers import CheckpointSaver

warnings.simplefilter("ignore")
METRICS = [0.5, 0.9, 0.7, 0.95, 0.95, 0.2]


def run(epochs, saver_kwargs, two_objects=False, fail_at=None):
    net = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)

    def step(e, b):
        if fail_at is not None and e.state.iteration == fail_at:
            raise RuntimeError("boom")
        return 0.0

    engine = Engine(step)

    @engine.on(Events.EPOCH_COMPLETED)
    def _metric(e):
        e.state.metrics = {"m": METRICS[e.state.epoch - 1]}

    with tempfile.TemporaryDirectory() as d:
        save_dict = {"net": net, "opt": opt} if two_objects else {"net": net}
        CheckpointSaver(save_dir=d, save_dict=save_dict, **saver_kwargs).attach(engine)
        seen = []

        @engine.on(Events.EPOCH_COMPLETED)
        def _list(e):
            seen.append(sorted(os.listdir(d)))

        error = None
        try:
            engine.run(range(3), max_epochs=epochs)
        except RuntimeError as err:
            error = str(err)
        return {"per_epoch": seen, "end": sorted(os.listdir(d)), "error": error}


out = {
    "single": run(6, dict(save_final=True, save_key_metric=True, key_metric_name="m", key_metric_n_saved=2, save_interval=2, n_saved=2)),
    "two_iter": run(
        4,
        dict(
            file_prefix="run", save_key_metric=True, key_metric_name="m", key_metric_negative_sign=True,
            key_metric_greater_or_equal=True, key_metric_filename="best.pt", epoch_level=False, save_interval=4, n_saved=1,
        ),
        two_objects=True,
    ),
    "keep_all_final_name": run(3, dict(save_final=True, final_filename="final.pt", save_interval=1, n_saved=None)),
    "exception": run(3, dict(save_final=True, save_interval=1), fail_at=5),
}
with open(os.path.join(os.path.dirname(__file__), "checkpoint_names.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out)[:2000])

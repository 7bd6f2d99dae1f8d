"""Handler interplay golden (MONAI 1.4 + Ignite 0.4): a SupervisedTrainer (3 iterations per epoch, up to 8
epochs) with ValidationHandler(exec_at_start), an epoch-level StepLR LrScheduleHandler, and an evaluator
whose scripted metric 'acc' (ties included) drives CheckpointSaver(save_key_metric, key_metric_n_saved=2,
with and without key_metric_greater_or_equal) and EarlyStopHandler(patience 3). Records per trainer epoch
the lr, the files in the checkpoint folder, the evaluator's epochs, and where training stops. Also an
iteration-level StepLR. Writes handlers.json.
Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_handlers.py
"""
import json
import os
import tempfile

import torch
from ignite.engine import Events

from monai.engines import SupervisedEvaluator, SupervisedTrainer
from monai.handlers import CheckpointSaver, EarlyStopHandler, LrScheduleHandler, ValidationHandler

HERE = os.path.dirname(os.path.abspath(__file__))
ACC = [0.5, 0.6, 0.6, 0.7, 0.7, 0.65, 0.7, 0.4, 0.4, 0.4]
out = {}


def data(n):
    return [{"image": torch.ones(1, 2), "label": torch.zeros(1, 1)} for _ in range(n)]


def run(tag, greater_or_equal):
    torch.manual_seed(0)
    net = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    rec = {"lr": [], "files": [], "val_epochs": [], "acc": []}
    with tempfile.TemporaryDirectory() as d:
        ev = SupervisedEvaluator(device=torch.device("cpu"), val_data_loader=data(2), epoch_length=2, network=net)
        calls = [0]

        @ev.on(Events.EPOCH_COMPLETED)
        def set_acc(e):
            e.state.metrics["acc"] = ACC[calls[0]]
            rec["val_epochs"].append(e.state.epoch)
            rec["acc"].append(ACC[calls[0]])
            calls[0] += 1

        tr = SupervisedTrainer(
            device=torch.device("cpu"), max_epochs=8, train_data_loader=data(3), epoch_length=3, network=net,
            optimizer=opt, loss_function=torch.nn.MSELoss(),
            train_handlers=[LrScheduleHandler(torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), print_lr=False),
                            ValidationHandler(interval=1, validator=ev, exec_at_start=True)],
        )
        CheckpointSaver(save_dir=d, save_dict={"net": net}, save_key_metric=True, key_metric_name="acc",
                        key_metric_n_saved=2, key_metric_greater_or_equal=greater_or_equal).attach(ev)
        EarlyStopHandler(patience=3, score_function=lambda e: e.state.metrics["acc"], trainer=tr).attach(ev)

        @tr.on(Events.EPOCH_STARTED)
        def lr(e):
            rec["lr"].append(opt.param_groups[0]["lr"])

        @tr.on(Events.EPOCH_COMPLETED)
        def files(e):
            rec["files"].append(sorted(os.listdir(d)))

        tr.run()
        rec["final_files"] = sorted(os.listdir(d))
        rec["trainer"] = {"epoch": tr.state.epoch, "iteration": tr.state.iteration}
        rec["evaluator"] = {"epoch": ev.state.epoch, "iteration": ev.state.iteration}
    out[tag] = rec


run("strict", False)
run("greater_or_equal", True)

# iteration-level StepLR (step_size 4, gamma 0.1) over 2 epochs of 3 iterations: lr seen at each iteration
torch.manual_seed(0)
net = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(net.parameters(), lr=1.0)
tr = SupervisedTrainer(device=torch.device("cpu"), max_epochs=2, train_data_loader=data(3), epoch_length=3, network=net,
                       optimizer=opt, loss_function=torch.nn.MSELoss(),
                       train_handlers=[LrScheduleHandler(torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.1),
                                                         epoch_level=False, print_lr=False)])
lrs = []
tr.add_event_handler(Events.ITERATION_STARTED, lambda e: lrs.append(opt.param_groups[0]["lr"]))
tr.run()
out["iteration_level_lr"] = lrs
with open(os.path.join(HERE, "handlers.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))

"""Workflow numerics parity golden: MONAI 1.4 SupervisedTrainer / SupervisedEvaluator / EnsembleEvaluator /
GanTrainer on tiny seeded networks. Writes workflows.pt (inputs, initial and final state dicts) and
workflows.json (per-iteration losses, metrics, engine state).
Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_workflows.py
"""
import json
import os

import torch
from ignite.engine import Events

from monai.data import decollate_batch
from monai.engines import EnsembleEvaluator, GanTrainer, SupervisedEvaluator, SupervisedTrainer
from monai.engines.utils import IterationEvents, default_make_latent
from monai.handlers import MeanDice, from_engine
from monai.inferers import SlidingWindowInferer
from monai.losses import DiceLoss
from monai.transforms import Activationsd, AsDiscreted, Compose

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def make_net():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 3, padding=1)
    )


torch.manual_seed(0)
init = make_net().state_dict()
init2 = make_net().state_dict()
images = torch.rand(6, 2, 1, 8, 8)  # 6 batches of 2
labels = torch.cat([(images < 0.4), (images >= 0.4)], dim=2).float()  # one-hot, [6, 2, 2, 8, 8]
batches = [{"image": images[i], "label": labels[i]} for i in range(6)]
tensors = {"images": images, "labels": labels}
for k, v in init.items():
    tensors["init." + k] = v
for k, v in init2.items():
    tensors["init2." + k] = v
out = {}


def net_from(sd):
    n = make_net()
    n.load_state_dict(sd)
    return n


def trainer_case(name, *, opt="sgd", set_to_none=False, decollate=True, post=False, accumulate=0):
    net = net_from(init)
    if opt == "sgd":
        optim = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    else:
        optim = torch.optim.Adam(net.parameters(), lr=0.01)
    loss = DiceLoss(softmax=True)
    kw = {}
    if post:
        kw["postprocessing"] = Compose(
            [Activationsd(keys="pred", softmax=True), AsDiscreted(keys="pred", argmax=True, to_onehot=2)]
        )
        kw["key_train_metric"] = {"train_dice": MeanDice(output_transform=from_engine(["pred", "label"]))}
    if accumulate:
        def update(engine, batchdata):
            # gradient accumulation over `accumulate` iterations, loss scaled by 1/accumulate
            inputs, targets = engine.prepare_batch(batchdata, engine.state.device, engine.non_blocking)
            engine.network.train()
            if (engine.state.iteration - 1) % accumulate == 0:
                engine.optimizer.zero_grad(set_to_none=engine.optim_set_to_none)
            pred = engine.inferer(inputs, engine.network)
            lossv = engine.loss_function(pred, targets).mean()
            (lossv / accumulate).backward()
            if engine.state.iteration % accumulate == 0:
                engine.optimizer.step()
            return {"image": inputs, "label": targets, "pred": pred, "loss": lossv}
        kw["iteration_update"] = update
    tr = SupervisedTrainer(
        device=torch.device("cpu"), max_epochs=2, train_data_loader=batches[:3], epoch_length=3, network=net, optimizer=optim,
        loss_function=loss, decollate=decollate, optim_set_to_none=set_to_none, **kw,
    )
    losses, metrics = [], []

    @tr.on(Events.ITERATION_COMPLETED)
    def rec(e):
        o = e.state.output
        v = o[0]["loss"] if isinstance(o, list) else o["loss"]
        losses.append(float(v))

    @tr.on(Events.EPOCH_COMPLETED)
    def rec_m(e):
        metrics.append(dict(e.state.metrics))

    tr.run()
    s = tr.state
    out[name] = {
        "losses": losses, "metrics": metrics, "iteration": s.iteration, "epoch": s.epoch,
        "best_metric": s.best_metric, "best_metric_epoch": s.best_metric_epoch,
        "output_is_list": isinstance(s.output, list),
    }
    for k, v in net.state_dict().items():
        tensors[f"{name}.{k}"] = v


trainer_case("plain")
trainer_case("adam", opt="adam")
trainer_case("set_to_none", set_to_none=True)
trainer_case("no_decollate", decollate=False)
trainer_case("post_metric", post=True)
trainer_case("accumulate", accumulate=2)
trainer_case("no_decollate_post", decollate=False, post=True)

# SupervisedEvaluator: sliding window (roi 4x4, sw batch 3, overlap 0.25, gaussian) + post + MeanDice
post = Compose([Activationsd(keys="pred", softmax=True), AsDiscreted(keys="pred", argmax=True, to_onehot=2)])
ev = SupervisedEvaluator(
    device=torch.device("cpu"), val_data_loader=batches, epoch_length=6, network=net_from(init),
    inferer=SlidingWindowInferer(roi_size=(4, 4), sw_batch_size=3, overlap=0.25, mode="gaussian"),
    postprocessing=post, key_val_metric={"val_dice": MeanDice(output_transform=from_engine(["pred", "label"]))},
)
raw = []


@ev.on(IterationEvents.FORWARD_COMPLETED)
def rec_pred(e):
    raw.append(e.state.output["pred"].detach().clone())


ev.run(3)
tensors["eval.pred"] = torch.stack(raw)
out["evaluator"] = {"metrics": dict(ev.state.metrics), "epoch": ev.state.epoch, "iteration": ev.state.iteration,
                    "best_metric": ev.state.best_metric, "best_metric_epoch": ev.state.best_metric_epoch}

# EnsembleEvaluator: two networks, pred keys, mean-ensemble in postprocessing is left out; metric on p1
ens = EnsembleEvaluator(
    device=torch.device("cpu"), val_data_loader=batches[:4], epoch_length=4, networks=[net_from(init), net_from(init2)],
    pred_keys=["p0", "p1"],
    postprocessing=Compose([Activationsd(keys=["p0", "p1"], softmax=True),
                            AsDiscreted(keys=["p0", "p1"], argmax=True, to_onehot=2)]),
    key_val_metric={"d1": MeanDice(output_transform=from_engine(["p1", "label"]))},
    additional_metrics={"d0": MeanDice(output_transform=from_engine(["p0", "label"]))},
)
ens_raw = []


@ens.on(IterationEvents.FORWARD_COMPLETED)
def rec_ens(e):
    ens_raw.append(torch.stack([e.state.output["p0"], e.state.output["p1"]]).detach().clone())


ens.run()
tensors["ens.pred"] = torch.stack(ens_raw)
out["ensemble"] = {"metrics": dict(ens.state.metrics), "epoch": ens.state.epoch, "iteration": ens.state.iteration,
                   "best_metric": ens.state.best_metric, "best_metric_epoch": ens.state.best_metric_epoch}

# GanTrainer: G Linear(4 -> 16) + tanh reshaped to [1, 4, 4]; D Linear(16 -> 1); reals [B, 1, 4, 4]
torch.manual_seed(1)
G = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Unflatten(1, (1, 4, 4)))
D = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 1))
for k, v in G.state_dict().items():
    tensors["gan.g_init." + k] = v.clone()
for k, v in D.state_dict().items():
    tensors["gan.d_init." + k] = v.clone()
reals = torch.rand(5, 1, 4, 4)
tensors["gan.reals"] = reals


gan_data = torch.utils.data.DataLoader([{"reals": r} for r in reals], batch_size=2)
bce = torch.nn.BCEWithLogitsLoss()


def d_loss(fakes, reals):
    return bce(D(reals), torch.ones(reals.shape[0], 1)) + bce(D(fakes.detach()), torch.zeros(fakes.shape[0], 1))


def g_loss(fakes):
    return bce(D(fakes), torch.ones(fakes.shape[0], 1))


gan = GanTrainer(
    device=torch.device("cpu"), max_epochs=2, train_data_loader=gan_data, g_network=G,
    g_optimizer=torch.optim.Adam(G.parameters(), lr=0.01), g_loss_function=g_loss, d_network=D,
    d_optimizer=torch.optim.SGD(D.parameters(), lr=0.05), d_loss_function=d_loss, d_train_steps=2, latent_shape=4,
)
gl, dl = [], []


@gan.on(Events.ITERATION_COMPLETED)
def rec_gan(e):
    gl.append(e.state.output["g_loss"])
    dl.append(e.state.output["d_loss"])


torch.manual_seed(7)
gan.run()
out["gan"] = {"g_loss": gl, "d_loss": dl, "iteration": gan.state.iteration, "epoch": gan.state.epoch}
for k, v in G.state_dict().items():
    tensors["gan.g_final." + k] = v
for k, v in D.state_dict().items():
    tensors["gan.d_final." + k] = v

torch.save({k: v.contiguous() for k, v in tensors.items()}, os.path.join(HERE, "workflows.pt"))
with open(os.path.join(HERE, "workflows.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out)[:2000])

"""Event order golden for monai-ts engines: Ignite 0.4.12 + MONAI 1.4.

Records (tag, event, iteration, epoch) for every handler call of three setups:
  trainer:   a SupervisedTrainer with filtered handlers (every/once/before/after/custom filter), OR-ed events,
             a custom event fired from a handler, terminate_epoch at iteration 8, terminate at 13, then a
             second run() that resumes and finishes;
  swallowed: an Engine whose process function raises at iteration 4 with an EXCEPTION_RAISED handler that
             returns (Ignite goes on with the epoch);
  trainer_numbers: its data, start and final Linear(2, 1) parameters (SGD lr 0.1, MSE, 18 iterations);
  reraised:  the same with a handler that re-raises (Ignite fires EXCEPTION_RAISED twice, then propagates).
Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_event_order.py
"""
import json
import os

import torch
from ignite.engine import Engine, Events, EventEnum

from monai.engines import SupervisedTrainer
from monai.engines.utils import IterationEvents

ENGINE_EVENTS = [
    Events.STARTED, Events.EPOCH_STARTED, Events.GET_BATCH_STARTED, Events.GET_BATCH_COMPLETED,
    Events.ITERATION_STARTED, Events.ITERATION_COMPLETED, Events.EPOCH_COMPLETED, Events.COMPLETED,
    Events.EXCEPTION_RAISED, Events.TERMINATE, Events.TERMINATE_SINGLE_EPOCH, Events.DATALOADER_STOP_ITERATION,
]
ITER_EVENTS = list(IterationEvents)


class CustomEvents(EventEnum):
    MY_EVENT = "my_event"


def name_of(e):
    return e.name if hasattr(e, "name") else str(e)


def recorder(log, tag, event):
    def h(engine, *args, **kwargs):
        log.append([tag, name_of(event), engine.state.iteration, engine.state.epoch])
    return h


def trainer_case():
    torch.manual_seed(0)
    net = torch.nn.Linear(2, 1)
    data = [{"image": torch.randn(2, 2), "label": torch.randn(2, 1)} for _ in range(5)]
    start = {"weight": net.weight.tolist(), "bias": net.bias.tolist()}
    trainer = SupervisedTrainer(
        device="cpu", max_epochs=4, train_data_loader=data, epoch_length=5, network=net,
        optimizer=torch.optim.SGD(net.parameters(), lr=0.1), loss_function=torch.nn.MSELoss(),
    )
    trainer.register_events(*CustomEvents, event_to_attr={CustomEvents.MY_EVENT: "iteration"})
    log = []
    for e in ENGINE_EVENTS + ITER_EVENTS + [CustomEvents.MY_EVENT]:
        trainer.add_event_handler(e, recorder(log, "all", e))
    trainer.add_event_handler(Events.ITERATION_COMPLETED(every=2), recorder(log, "every2", Events.ITERATION_COMPLETED))
    trainer.add_event_handler(Events.ITERATION_COMPLETED(once=[3, 7]), recorder(log, "once37", Events.ITERATION_COMPLETED))
    trainer.add_event_handler(Events.EPOCH_COMPLETED(before=3, after=0), recorder(log, "before3", Events.EPOCH_COMPLETED))
    trainer.add_event_handler(Events.ITERATION_STARTED(every=3, after=2, before=12), recorder(log, "every3_2_12", Events.ITERATION_STARTED))
    trainer.add_event_handler(
        Events.ITERATION_COMPLETED(event_filter=lambda e, n: n in (4, 9)), recorder(log, "custom49", Events.ITERATION_COMPLETED)
    )
    trainer.add_event_handler(Events.STARTED | Events.COMPLETED, recorder(log, "startedOrCompleted", "STARTED|COMPLETED"))
    trainer.add_event_handler(Events.ITERATION_COMPLETED(every=3), lambda e: e.fire_event(CustomEvents.MY_EVENT))
    trainer.add_event_handler(CustomEvents.MY_EVENT(every=2), recorder(log, "my_every2", CustomEvents.MY_EVENT))
    trainer.add_event_handler(IterationEvents.LOSS_COMPLETED, recorder(log, "loss", IterationEvents.LOSS_COMPLETED))
    trainer.add_event_handler(Events.ITERATION_COMPLETED(once=8), lambda e: e.terminate_epoch())
    trainer.add_event_handler(Events.ITERATION_COMPLETED(once=13), lambda e: e.terminate())
    trainer.run()
    log.append(["run_returned", "", trainer.state.iteration, trainer.state.epoch])
    trainer.run()
    log.append(["run_returned", "", trainer.state.iteration, trainer.state.epoch])
    numbers = {
        "images": [d["image"].tolist() for d in data], "labels": [d["label"].tolist() for d in data],
        "start": start, "final": {"weight": net.weight.tolist(), "bias": net.bias.tolist()},
    }
    return log, numbers


def exception_case(reraise):
    def step(engine, batch):
        if engine.state.iteration == 4:
            raise RuntimeError("boom at 4")
        return batch

    engine = Engine(step)
    log = []
    for e in ENGINE_EVENTS:
        if e != Events.EXCEPTION_RAISED:
            engine.add_event_handler(e, recorder(log, "all", e))

    def on_exc(engine, err):
        log.append(["exception:" + str(err), "EXCEPTION_RAISED", engine.state.iteration, engine.state.epoch])
        if reraise:
            raise err

    engine.add_event_handler(Events.EXCEPTION_RAISED, on_exc)
    try:
        engine.run([1, 2, 3], max_epochs=2)
        log.append(["run_returned", "", engine.state.iteration, engine.state.epoch])
    except RuntimeError as err:
        log.append(["run_raised:" + str(err), "", engine.state.iteration, engine.state.epoch])
    return log


def main():
    log, numbers = trainer_case()
    out = {"trainer": log, "trainer_numbers": numbers, "swallowed": exception_case(False), "reraised": exception_case(True)}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "event_order.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print({k: len(v) for k, v in out.items()}, numbers["final"])


if __name__ == "__main__":
    main()

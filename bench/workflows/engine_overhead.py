"""Python twin of bench/workflows/engine_overhead.ts: Ignite 0.4's Engine and MONAI's SupervisedTrainer.
Usage: PYTHONPATH=<ignite>:<monai>:<einops> /usr/bin/python3 engine_overhead.py <iterations> <steps>
Prints one JSON line: engine_noop_us (Engine over a list with a process function returning the batch),
trainer_us and manual_us (SupervisedTrainer vs the same step in a plain loop, Linear(4, 1), MSE, SGD,
batch 8) per iteration, and monai (whether MONAI's trainer was importable)."""
import json
import sys
import time

import torch
from ignite.engine import Engine

torch.set_num_threads(1)
n, steps = int(sys.argv[1]), int(sys.argv[2])

data = list(range(n))
e = Engine(lambda engine, b: b)
e.run(data[:100], max_epochs=1)
t = time.perf_counter()
e.run(data, max_epochs=1)
noop = (time.perf_counter() - t) / n * 1e6

torch.manual_seed(0)
net = torch.nn.Linear(4, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
loss_fn = torch.nn.MSELoss()
batches = [{"image": torch.randn(8, 4), "label": torch.randn(8, 1)} for _ in range(16)]


def manual():
    for i in range(steps):
        b = batches[i % 16]
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(b["image"]), b["label"]).mean()
        loss.backward()
        opt.step()


manual()
t = time.perf_counter()
manual()
manual_us = (time.perf_counter() - t) / steps * 1e6

trainer_us = None
try:
    from monai.engines import SupervisedTrainer

    def trainer_run():
        tr = SupervisedTrainer(device="cpu", max_epochs=steps // 16, train_data_loader=batches, epoch_length=16,
                               network=net, optimizer=opt, loss_function=loss_fn)
        tr.run()

    trainer_run()
    t = time.perf_counter()
    trainer_run()
    trainer_us = (time.perf_counter() - t) / (steps // 16 * 16) * 1e6
except ImportError:
    pass
print(json.dumps({"engine_noop_us": noop, "trainer_us": trainer_us, "manual_us": manual_us, "monai": trainer_us is not None}))

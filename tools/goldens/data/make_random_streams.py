"""Goldens for DataLoader(randomStreams: 'monai'): the batches MONAI 1.4's DataLoader gives over two epochs
for a Dataset of 10 items with three random dictionary transforms, batch_size 3, shuffle with a seeded
generator, for num_workers 0, 2 and 2 with persistent workers. MONAI seeds the dataset once (num_workers 0)
or each worker with base_seed + worker_id through its worker_init_fn, and the random states run on from
there, so these batches depend on num_workers.
Run: PYTHONPATH=/work/pysrc/monai /usr/bin/python3 tools/goldens/data/make_random_streams.py"""
import json
import os

import torch
from monai.data import DataLoader, Dataset, MetaTensor
from monai.transforms import Compose, RandFlipd, RandGaussianNoised, RandShiftIntensityd


def make_item(i):
    return {"img": MetaTensor(torch.full((1, 4, 5), float(i))), "id": i}


def pipeline():
    return Dataset(
        list(range(10)),
        Compose(
            [
                make_item,
                RandGaussianNoised(keys=["img"], prob=0.7),
                RandShiftIntensityd(keys=["img"], offsets=2, prob=0.5),
                RandFlipd(keys=["img"], prob=0.5, spatial_axis=1),
            ]
        ),
    )


cases = []
for workers, persistent in [(0, False), (2, False), (2, True)]:
    g = torch.Generator()
    g.manual_seed(7)
    dl = DataLoader(pipeline(), batch_size=3, shuffle=True, num_workers=workers, persistent_workers=persistent, generator=g)
    epochs = []
    for _ in range(2):
        epochs.append([{"ids": [int(x) for x in b["id"]], "values": b["img"].flatten().tolist()} for b in dl])
    cases.append({"numWorkers": workers, "persistentWorkers": persistent, "epochs": epochs})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_streams.json")
with open(out, "w") as f:
    json.dump({"cases": cases}, f)
print(out)

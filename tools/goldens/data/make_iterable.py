"""Goldens for IterableDataset / ShuffleBuffer (MONAI 1.4): the order ShuffleBuffer pops items for a seed,
buffer size and epoch count (first and second iteration: MONAI adds 1 to the seed per iteration), and the
order a torch DataLoader with 2 worker processes and batch_size=1 delivers (each worker shuffles the same
way and keeps positions i, i+2, ...; batches are taken from the workers in turn).
Run: PYTHONPATH=/work/pysrc/monai /usr/bin/python3 tools/goldens/data/make_iterable.py"""
import json
import os

import torch
from monai.data import IterableDataset, ShuffleBuffer

cases = []
for n, size, seed, epochs in [(10, 3, 0, 1), (20, 512, 42, 1), (7, 1, 5, 1), (15, 4, 7, 2), (12, 5, 123456789, 1), (9, 2, 0, 3)]:
    sb = ShuffleBuffer(list(range(n)), buffer_size=size, seed=seed, epochs=epochs)
    first = [int(x) for x in sb]
    second = [int(x) for x in sb]
    cases.append({"n": n, "bufferSize": size, "seed": seed, "epochs": epochs, "first": first, "second": second})

loaders = []
for n, size, seed in [(10, 4, 3), (11, 3, 0)]:
    dl = torch.utils.data.DataLoader(ShuffleBuffer(list(range(n)), buffer_size=size, seed=seed), batch_size=1, num_workers=2)
    loaders.append({"n": n, "bufferSize": size, "seed": seed, "workers": 2, "order": [int(b[0]) for b in dl]})
plain = torch.utils.data.DataLoader(IterableDataset(list(range(9))), batch_size=2, num_workers=2)
plain_batches = [[int(x) for x in b] for b in plain]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iterable.json")
with open(out, "w") as f:
    json.dump({"shuffleBuffer": cases, "loaders": loaders, "iterableBatchesW2": plain_batches}, f)
print(out)

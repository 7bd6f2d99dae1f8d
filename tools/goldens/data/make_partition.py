"""Goldens for partitionDataset, partitionDatasetClasses, resampleDatalist, DistributedSampler and
createCrossValidationDatalist (packages/monai/src/data/{utils,samplers,decathlon_datalist}.ts) from MONAI 1.4.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/make_partition.py
"""
import json
import os

from monai.data import DistributedSampler, partition_dataset, partition_dataset_classes, resample_datalist
from monai.data.decathlon_datalist import create_cross_validation_datalist

out = {"partition": [], "classes": [], "resample": [], "sampler": [], "crossval": []}
for n in (10, 11):
    data = list(range(100, 100 + n))
    for seed in (0, 7, 12345):
        for shuffle in (False, True):
            for ratios in ([0.6, 0.2, 0.2], [1, 1], [0.33, 0.33, 0.34], [3, 1, 1, 1]):
                out["partition"].append({"n": n, "options": {"ratios": ratios, "shuffle": shuffle, "seed": seed},
                                         "result": partition_dataset(data, ratios=ratios, shuffle=shuffle, seed=seed)})
            for parts in (2, 3, 4, 5):
                for even in (False, True):
                    for drop in ((False, True) if even else (False,)):
                        r = partition_dataset(data, num_partitions=parts, shuffle=shuffle, seed=seed, even_divisible=even, drop_last=drop)
                        out["partition"].append({"n": n, "options": {"numPartitions": parts, "shuffle": shuffle, "seed": seed,
                                                 "evenDivisible": even, "dropLast": drop}, "result": r})
    classes = [i % 3 for i in range(n)]
    for seed in (0, 5):
        for shuffle in (False, True):
            out["classes"].append({"n": n, "classes": classes, "options": {"numPartitions": 2, "shuffle": shuffle, "seed": seed},
                                   "result": partition_dataset_classes(data, classes, num_partitions=2, shuffle=shuffle, seed=seed)})
            out["classes"].append({"n": n, "classes": classes, "options": {"ratios": [0.7, 0.3], "shuffle": shuffle, "seed": seed},
                                   "result": partition_dataset_classes(data, classes, ratios=[0.7, 0.3], shuffle=shuffle, seed=seed)})
    for factor in (0.5, 1.0, 2.3):
        for pick in (False, True):
            out["resample"].append({"n": n, "factor": factor, "randomPick": pick, "seed": 3,
                                    "result": resample_datalist(data, factor, random_pick=pick, seed=3)})


class DS:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


for n in (5, 10, 11):
    for reps in (2, 3, 4):
        for shuffle in (False, True):
            for even in (True, False):
                for drop in (False, True):
                    for epoch in (0, 3):
                        if not even and (n < reps or (drop and n % reps)):
                            continue  # MONAI fails there (torch's length assertion); ours refuses at construction
                        ranks = []
                        for rank in range(reps):
                            s = DistributedSampler(DS(n), even_divisible=even, num_replicas=reps, rank=rank, shuffle=shuffle, seed=11, drop_last=drop)
                            s.set_epoch(epoch)
                            ranks.append(list(iter(s)))
                        out["sampler"].append({"n": n, "options": {"numReplicas": reps, "shuffle": shuffle, "evenDivisible": even,
                                               "dropLast": drop, "seed": 11}, "epoch": epoch, "ranks": ranks})

datalist = [{"image": f"img{i}.nii.gz", "label": f"lab{i}.nii.gz"} for i in range(9)]
for seed in (0, 4):
    r = create_cross_validation_datalist(datalist, nfolds=5, train_folds=[0, 1, 2, 3], val_folds=4, seed=seed)
    out["crossval"].append({"seed": seed, "result": r})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "partition.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print({k: len(v) for k, v in out.items()})

# One rank of bench/distributed/allreduce.ts on PyTorch's side: the same sizes, repetitions and timing
# (median of allreduces bracketed by barriers; process CPU time per allreduce), printed by rank 0 as one JSON line.
import json
import os
import time

import torch
import torch.distributed as dist

SIZES_MIB = [1, 4, 16, 64]
REPS = {1: 40, 4: 20, 16: 10, 64: 5}

torch.set_num_threads(1)
dist.init_process_group("gloo", init_method="env://")
out = {}
for mib in SIZES_MIB:
    t = torch.ones(mib * 1024 * 1024 // 4)
    dist.all_reduce(t)
    times = []
    cpu = 0.0
    for _ in range(REPS[mib]):
        dist.barrier()
        c0 = time.process_time()
        t0 = time.perf_counter()
        dist.all_reduce(t)
        times.append((time.perf_counter() - t0) * 1000)
        cpu += (time.process_time() - c0) * 1000
    times.sort()
    out[str(mib)] = times[len(times) // 2]
    out["cpu" + str(mib)] = cpu / REPS[mib]
dist.destroy_process_group()
if os.environ["RANK"] == "0":
    print(json.dumps(out), flush=True)

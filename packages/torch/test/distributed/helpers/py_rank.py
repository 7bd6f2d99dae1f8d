# One Python PyTorch rank of the interoperability test: the same steps as the 'interop' scenario of
# scenarios.ts, through torch.distributed's env:// rendezvous, printing its results as one JSON line.
import json
import sys
from datetime import timedelta

import torch
import torch.distributed as dist


def interop():
    dist.init_process_group("gloo", init_method="env://", timeout=timedelta(seconds=20))
    rank = dist.get_rank()
    a = torch.arange(4, dtype=torch.float32) + rank * 10
    dist.all_reduce(a)
    b = torch.tensor([3.5, -2.0]) if rank == 1 else torch.zeros(2)
    dist.broadcast(b, 1)
    parts = [torch.zeros(2), torch.zeros(2)]
    dist.all_gather(parts, torch.tensor([rank, rank + 0.25], dtype=torch.float32))
    m = torch.tensor([rank + 1, 5 - rank], dtype=torch.float32)
    dist.all_reduce(m, op=dist.ReduceOp.MAX)
    dist.barrier()
    out = {"rank": rank, "allReduce": a.tolist(), "broadcast": b.tolist(), "allGather": [p.tolist() for p in parts], "max": m.tolist()}
    dist.destroy_process_group()
    return out


if __name__ == "__main__":
    if sys.argv[1] != "interop":
        sys.exit("py_rank.py: only the 'interop' scenario exists, found " + sys.argv[1])
    print(json.dumps(interop()), flush=True)

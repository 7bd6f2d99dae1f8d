"""Python side of bench/torch/serialization.ts: torch.save / torch.load of a large state dict.

  serialization.py make PATH MB     write a state dict of float32 tensors totalling MB megabytes
  serialization.py load PATH        time torch.load(PATH)
  serialization.py save PATH OUT    load PATH, then time torch.save to OUT (and an fsync after it)

Prints one JSON line: seconds, and the process's peak RSS (ru_maxrss) in bytes.
"""
import json
import os
import resource
import sys
import time

import torch


def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main():
    mode, path = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    if mode == 'make':
        total = int(sys.argv[3]) * 1000 * 1000
        per = 100 * 1000 * 1000
        sd = {}
        i = 0
        while total > 0:
            n = min(per, total) // 4
            sd['layer%d.weight' % i] = torch.arange(n, dtype=torch.float32)
            total -= n * 4
            i += 1
        torch.save(sd, path)
        print(json.dumps({'made': path, 'bytes': os.path.getsize(path)}))
        return
    base = rss()
    if mode == 'load':
        t = time.perf_counter()
        sd = torch.load(path)
        dt = time.perf_counter() - t
        print(json.dumps({'seconds': dt, 'peak_rss': rss(), 'base_rss': base, 'tensors': len(sd)}))
    elif mode == 'save':
        sd = torch.load(path)
        t = time.perf_counter()
        torch.save(sd, sys.argv[3])
        dt = time.perf_counter() - t
        fd = os.open(sys.argv[3], os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        dtf = time.perf_counter() - t
        print(json.dumps({'seconds': dt, 'seconds_with_fsync': dtf, 'peak_rss': rss(), 'base_rss': base}))


main()

"""Runs tools/flagship/spleen_monai.py (the recipe in MONAI 1.4) for bench/flagship/time_to_dice.ts and adds
the process CPU time (user + system, every thread) spent in the run, imports excluded: the script stops the
trainer at the target, so its CPU time to the end is its CPU time to the target (plus the last print).

  time_to_dice.py <spleen_monai.py> <threads> [its arguments...]
Prints spleen_monai.py's JSON line with cpu_seconds and threads added.
"""
import contextlib
import importlib.util
import io
import json
import resource
import sys


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main():
    script, threads, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    spec = importlib.util.spec_from_file_location("spleen_monai", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # MONAI, ignite and torch imports happen here, before the clock
    import torch

    torch.set_num_threads(threads)
    sys.argv = [script, *args]
    out = io.StringIO()
    c0 = cpu()
    with contextlib.redirect_stdout(out):
        mod.main()
    spent = cpu() - c0
    lines = out.getvalue().strip().splitlines()
    for line in lines[:-1]:
        print(line, file=sys.stderr)  # the per-epoch lines, for the log
    res = json.loads(lines[-1])
    res.update(cpu_seconds=spent, threads=torch.get_num_threads())
    print(json.dumps(res))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference goldens for our writers: files written by @monai-ts/torch that PyTorch read back and
verified, committed so that `npm test` (written_golden.test.ts) can judge the writers without Python:
it writes the same objects again and requires the bytes to be identical.

Run from the repository root with Debian's Python (torch 1.13):
    /usr/bin/python3 tools/goldens/serialization/make_written_goldens.py

1. writes, with our save / saveCheckpoint, into a temporary folder:
     ts_state.pt       tools/goldens/serialization/write_pt.ts (every dtype, views, Parameter, ...)
     ts_floats.pt      the same script: Python floats
     ts_checkpoint.pt  the same script: saveCheckpoint of a model and an optimizer
     ts_optim.pt       tools/goldens/optim/write_ts_state_dicts.ts: every golden optimizer /
                       scheduler / GradScaler state dict after 25 steps
2. checks them in PyTorch: tools/check_pt_weights_only.py (torch.load(weights_only=True), values,
   dtypes, structure, Parameter, shared tensors) and tools/goldens/optim/check_ts_state_dicts.py
   (torch.optim optimizers and schedulers restored from ts_optim.pt continue the golden
   trajectories of steps 26-50; required to within 1e-10, float64);
3. only if every check passes, copies the files to packages/torch/test/fixtures/serialization/
   written/ with verified.json: PyTorch's version, each file's SHA-256 and size, the checks' output.
"""
import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'torch', 'test', 'fixtures', 'serialization', 'written')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'goldens', 'optim'))
import check_pt_weights_only as pt_check  # noqa: E402
import check_ts_state_dicts as optim_check  # noqa: E402

FILES = ['ts_state.pt', 'ts_floats.pt', 'ts_checkpoint.pt', 'ts_optim.pt']
TOL = 1e-10


def main():
    tmp = tempfile.mkdtemp(prefix='monai-ts-written-')
    try:
        pt_check.write(tmp)
        subprocess.run(['npx', 'tsx', 'tools/goldens/optim/write_ts_state_dicts.ts', os.path.join(tmp, 'ts_optim.pt')],
                       cwd=ROOT, check=True)
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            ok = pt_check.check(tmp)
            worst_opt, worst_sched = optim_check.main(os.path.join(tmp, 'ts_optim.pt'))
            optim_ok = worst_opt <= TOL and worst_sched <= TOL
            print('ts_optim.pt: trajectories continued in torch.optim within %g: %s' % (TOL, optim_ok))
        print(log.getvalue())
        if not (ok and optim_ok):
            print('FAIL: goldens not written')
            return 1
        os.makedirs(OUT, exist_ok=True)
        files = {}
        for name in FILES:
            shutil.copyfile(os.path.join(tmp, name), os.path.join(OUT, name))
            data = open(os.path.join(OUT, name), 'rb').read()
            files[name] = {'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data)}
        record = {
            'made_by': 'tools/goldens/serialization/make_written_goldens.py',
            'torch': torch.__version__,
            'result': 'PASS',
            'files': files,
            'checks': log.getvalue().replace(tmp, '<tmp>').strip().split('\n'),
        }
        with open(os.path.join(OUT, 'verified.json'), 'w') as f:
            json.dump(record, f, indent=1)
            f.write('\n')
        print('wrote', OUT)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Check that .pt files written by @monai-ts/torch load in PyTorch with weights_only=True.

Usage (from the repository root): /usr/bin/python3 tools/check_pt_weights_only.py [OUT_DIR]

1. runs tools/goldens/serialization/write_pt.ts (npx tsx) which saves ts_state.pt and ts_floats.pt
   with our `save` plus ts_expected.json, the canonical form of what it saved;
2. loads ts_state.pt with torch.load(weights_only=True) and compares every value (dtypes, shapes,
   tensor values bit for bit, nesting, dict key order, tuples vs lists, ints incl. 2**70);
3. loads ts_checkpoint.pt (saveCheckpoint of a model and an optimizer) with weights_only=False;
4. loads ts_floats.pt (a checkpoint with Python floats) with weights_only=True -- PyTorch 1.13's
   restricted unpickler has no BINFLOAT opcode, so this is expected to fail on 1.13 and pass on
   >= 2.0 -- and with weights_only=False;
5. prints a summary; exits non-zero if a check that must pass fails.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
DTYPE_NAME = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.uint8: 'uint8', torch.int8: 'int8', torch.int16: 'int16',
    torch.int32: 'int32', torch.int64: 'int64', torch.bool: 'bool',
}


def fval(x):
    if math.isnan(x):
        return {'__float__': 'nan'}
    if math.isinf(x):
        return {'__float__': 'inf' if x > 0 else '-inf'}
    return x


def values(t):
    c = t.detach().contiguous().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        return [int(x) & 0xFFFF for x in c.view(torch.int16).tolist()]
    if t.dtype == torch.int64:
        return [str(int(x)) for x in c.tolist()]
    if t.dtype == torch.bool:
        return [1 if x else 0 for x in c.tolist()]
    if t.is_floating_point():
        return [fval(x) for x in c.tolist()]
    return [int(x) for x in c.tolist()]


def canon(v):
    if isinstance(v, torch.Tensor):
        return {'__tensor__': {'dtype': DTYPE_NAME[v.dtype], 'shape': list(v.shape), 'values': values(v)}}
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2 ** 53 - 1 else {'__bigint__': str(v)}
    if isinstance(v, float):
        return fval(v)
    if isinstance(v, tuple):
        return {'__tuple__': [canon(x) for x in v]}
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {'__dict__': [[k, canon(x)] for k, x in v.items()]}
        return {'__map__': [[canon(k), canon(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def write(out):
    os.makedirs(out, exist_ok=True)
    subprocess.run(['npx', 'tsx', 'tools/goldens/serialization/write_pt.ts', out], cwd=ROOT, check=True)


def check(out):
    """Runs the checks on the files in `out`; prints what it finds and returns True if all pass."""
    with open(os.path.join(out, 'ts_expected.json')) as f:
        exp = json.load(f)

    print(f'torch {torch.__version__}; files in {out}')
    ok = True

    obj = torch.load(os.path.join(out, 'ts_state.pt'), weights_only=True)
    got = json.loads(json.dumps(canon(obj)))
    same = got == exp['ts_state']
    shared = obj['same_tensor_twice'][0] is obj['same_tensor_twice'][1]
    print(f"ts_state.pt  weights_only=True : loaded; {len(obj['model'])} tensors "
          f"({', '.join(sorted({DTYPE_NAME[t.dtype] for t in obj['model'].values()}))}); "
          f"values/dtypes/shapes/structure identical: {same}; same tensor saved twice is one object: {shared}")
    meta = getattr(obj['model'], '_metadata', None)
    print(f"             model is an OrderedDict with _metadata {dict(meta) if meta is not None else None}")
    ok &= same and shared and meta is not None and meta['layer'] == {'version': 2}
    p, lr = obj['param'], obj['leaf_requires_grad']
    grads = isinstance(p, torch.nn.Parameter) and p.requires_grad and lr.requires_grad and not obj['model']['f16'].requires_grad
    print(f"             nn.Parameter comes back as {type(p).__name__} (requires_grad={p.requires_grad}); "
          f"a leaf tensor with requires_grad keeps it: {lr.requires_grad}")
    ok &= grads
    if not same:
        print('  expected:', json.dumps(exp['ts_state'])[:2000])
        print('  got     :', json.dumps(got)[:2000])

    try:
        f = torch.load(os.path.join(out, 'ts_floats.pt'), weights_only=True)
        fsame = json.loads(json.dumps(canon(f))) == exp['ts_floats']
        print(f'ts_floats.pt weights_only=True : loaded; identical: {fsame}')
        ok &= fsame
    except Exception as e:  # noqa: BLE001
        msg = str(e).split('WeightsUnpickler error:')[-1].strip()
        expected_fail = torch.__version__.startswith('1.')
        print(f'ts_floats.pt weights_only=True : refused by torch {torch.__version__} ({msg}) -- '
              f"{'expected: 1.x has no BINFLOAT in its weights_only unpickler' if expected_fail else 'UNEXPECTED'}")
        ok &= expected_fail
    f = torch.load(os.path.join(out, 'ts_floats.pt'), weights_only=False)
    fsame = json.loads(json.dumps(canon(f))) == exp['ts_floats']
    print(f'ts_floats.pt weights_only=False: loaded; identical: {fsame}')
    ok &= fsame

    ck = torch.load(os.path.join(out, 'ts_checkpoint.pt'), weights_only=False)
    ck_ok = (sorted(ck) == ['epoch', 'model', 'optimizer'] and ck['epoch'] == 4
             and torch.equal(ck['optimizer']['state'][0]['momentum_buffer'], ck['model']['weight'])
             and ck['optimizer']['param_groups'][0]['lr'] == 0.01)
    print(f"ts_checkpoint.pt (saveCheckpoint) : loaded; keys {sorted(ck)}, optimizer state keys "
          f"{list(ck['optimizer']['state'])} (ints), lr {ck['optimizer']['param_groups'][0]['lr']}: {ck_ok}")
    ok &= ck_ok

    print('RESULT:', 'PASS' if ok else 'FAIL')
    return bool(ok)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix='monai-ts-pt-')
    write(out)
    return 0 if check(out) else 1


if __name__ == '__main__':
    sys.exit(main())

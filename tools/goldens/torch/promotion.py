"""Goldens for dtype results: torch.promote_types, torch.result_type and torch.can_cast over every
pair of the binding's dtypes (packages/torch/test/dtype_promotion.test.ts).
Run: /usr/bin/python3 tools/goldens/torch/promotion.py"""
import json, os
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'promotion.json')
NAMES = ['float32', 'float64', 'float16', 'bfloat16', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool', 'complex64', 'complex128']
DT = {n: getattr(torch, n) for n in NAMES}
name = lambda d: str(d).replace('torch.', '')

def attempt(f):
    try:
        return name(f())
    except RuntimeError as e:
        return {'error': str(e).split('\n')[0]}

# Python scalars as JS gives them: an integral number, a fractional number, a boolean.
SCALARS = {'int': 2, 'float': 2.5, 'bool': True}
pairs = []
for a in NAMES:
    for b in NAMES:
        ta, tb = torch.ones(2, dtype=DT[a]), torch.ones(2, dtype=DT[b])
        pairs.append({
            'a': a, 'b': b,
            'promote': attempt(lambda: torch.promote_types(DT[a], DT[b])),
            'tensors': attempt(lambda: torch.result_type(ta, tb)),
            # a 0-dim tensor takes part like a scalar of its kind
            'zeroDim': attempt(lambda: torch.result_type(ta, torch.ones((), dtype=DT[b]))),
            'canCast': torch.can_cast(DT[a], DT[b]),
        })
scalars = []
for a in NAMES:
    t = torch.ones(2, dtype=DT[a])
    for kind, v in SCALARS.items():
        scalars.append({'a': a, 'scalar': kind, 'tensorScalar': attempt(lambda: torch.result_type(t, v)),
                        'scalarTensor': attempt(lambda: torch.result_type(v, t))})
with open(OUT, 'w') as f:
    rows = lambda xs: ',\n'.join(json.dumps(x) for x in xs)
    f.write('{"torch": %s,\n"pairs": [\n%s\n],\n"scalars": [\n%s\n]}\n' % (json.dumps(torch.__version__), rows(pairs), rows(scalars)))
print('wrote', OUT, len(pairs), 'pairs', len(scalars), 'scalar cases')

"""Goldens for tensor printing and indexing (packages/torch/test/api.test.ts).
Run: /usr/bin/python3 tools/goldens/torch/misc.py"""
import json, os
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'misc.json')
base = torch.arange(60, dtype=torch.float32).reshape(3, 4, 5)

def vals(t):
    return {'shape': list(t.shape), 'data': t.flatten().tolist()}

prints = {
    'float2d': str(torch.tensor([[1.0, 2.0], [3.0, 4.5]])),
    'intlike': str(torch.tensor([1.0, -2.0, 3.0])),
    'int64': str(torch.tensor([[1, -20], [300, 4]])),
    'bool': str(torch.tensor([True, False, True])),
    'float64': str(torch.tensor([0.5, 1.25], dtype=torch.float64)),
    'int32': str(torch.tensor([1, 2], dtype=torch.int32)),
    'sci': str(torch.tensor([1e-5, 1.0, 12345.0])),
    'big': str(torch.tensor([1e9, 2.0])),
    'scalar': str(torch.tensor(3.5)),
    'empty': str(torch.zeros(0)),
    'nan': str(torch.tensor([float('nan'), float('inf'), -1.5])),
    'requires_grad': str(torch.tensor([1.5, 2.0], requires_grad=True)),
    'long_row': str(torch.arange(2000, dtype=torch.float32)),
    'summarized2d': str(torch.arange(1200, dtype=torch.float32).reshape(30, 40) / 7),
    '3d': str(torch.arange(8).reshape(2, 2, 2)),
}
index = {
    'a': vals(base[1]),
    'b': vals(base[:, 1:3]),
    'c': vals(base[..., ::2]),
    'd': vals(base[None, 0, -1]),
    'e': vals(base[:, torch.tensor([0, 2])]),
    'f': vals(base[base > 40]),
    'g': vals(base[1:, :, 4]),
}
assign = base.clone()
assign[0, :, 1] = -1
assign[assign > 55] = 0
assign[1, torch.tensor([0, 3])] = torch.full((2, 5), 7.0)
with open(OUT, 'w') as f:
    json.dump({'prints': prints, 'index': index, 'assign': vals(assign)}, f, indent=1)
print('wrote', OUT)

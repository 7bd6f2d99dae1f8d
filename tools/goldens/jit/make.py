"""TorchScript fixtures for packages/torch/test/jit.test.ts, saved by PyTorch 1.13 with their
expected outputs. Run: /usr/bin/python3 tools/goldens/jit/make.py"""
import json, os
from typing import Dict, List, Tuple
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'jit')
torch.manual_seed(0)


class Seg(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv3d(1, 4, 3, padding=1)
        self.norm = torch.nn.BatchNorm3d(4)
        self.head = torch.nn.Conv3d(4, 2, 1)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(torch.relu(self.norm(self.conv(x)))))


class Multi(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 2)

    def forward(self, pair: Tuple[torch.Tensor, torch.Tensor], scale: float, names: List[str]) -> Dict[str, torch.Tensor]:
        a, b = pair
        out = {'sum': self.lin(a + b) * scale, 'count': torch.tensor(len(names))}
        return out

    @torch.jit.export
    def twice(self, x: torch.Tensor) -> Tuple[torch.Tensor, int]:
        return x * 2, x.dim()


seg = torch.jit.script(Seg().eval())
seg.save(os.path.join(OUT, 'seg.pt'))
x = torch.randn(1, 1, 6, 6, 6)
with torch.no_grad():
    y = seg(x)
multi = torch.jit.script(Multi())
multi.save(os.path.join(OUT, 'multi.pt'))
a, b = torch.randn(2, 3), torch.randn(2, 3)
m = multi((a, b), 0.5, ['p', 'q', 'r'])
params = {k: list(v.shape) for k, v in seg.named_parameters()}
json.dump({
    'seg': {'x': x.flatten().tolist(), 'xShape': list(x.shape), 'y': y.flatten().tolist(), 'yShape': list(y.shape), 'params': params,
            'convWeightSum': float(seg.conv.weight.sum()), 'buffers': [k for k, _ in seg.named_buffers()]},
    'multi': {'a': a.flatten().tolist(), 'b': b.flatten().tolist(), 'sum': m['sum'].flatten().tolist(), 'count': int(m['count'])},
}, open(os.path.join(OUT, 'expected.json'), 'w'))
print('wrote', OUT)

"""Goldens for packages/torch/test/nn/module.test.ts (PyTorch 1.13, Debian's python3-torch):

    /usr/bin/python3 tools/goldens/nn/make_module.py

A small composite network (Sequential, ModuleList, ModuleDict with an OrderedDict Sequential, an own
parameter, a persistent and a non-persistent buffer): its print, names of parameters, buffers,
modules and state-dict entries, the seeded initial state, and the outputs on a saved input.
"""
import os
import sys
from collections import OrderedDict
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from common import Blob  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'nn', 'module')


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True), nn.MaxPool2d(2))
        self.blocks = nn.ModuleList([nn.Linear(16, 8), nn.Dropout(0.1)])
        self.heads = nn.ModuleDict({'cls': nn.Linear(8, 3), 'reg': nn.Sequential(OrderedDict([('fc', nn.Linear(8, 1)), ('act', nn.Sigmoid())]))})
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer('step', torch.zeros((), dtype=torch.long))
        self.register_buffer('cache', torch.zeros(2), persistent=False)

    def forward(self, x):
        x = self.features(x).flatten(1)
        for b in self.blocks:
            x = b(x)
        return self.heads['cls'](x) * self.scale, self.heads['reg'](x)


def run():
    blob = Blob()
    torch.manual_seed(7)
    net = Net()
    init_state = {k: blob.add(v) for k, v in net.state_dict().items()}
    x = torch.randn(2, 1, 4, 4)
    net.eval()
    a, b = net(x)
    index = dict(
        repr=repr(net),
        parameters=[n for n, _ in net.named_parameters()],
        buffers=[n for n, _ in net.named_buffers()],
        modules=[n for n, _ in net.named_modules()],
        children=[n for n, _ in net.named_children()],
        state=init_state,
        input=blob.add(x),
        outputs=[blob.add(a), blob.add(b)],
    )
    blob.write(OUT, index)


if __name__ == '__main__':
    run()

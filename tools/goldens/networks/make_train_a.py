"""Training-mode goldens for packages/monai/test/networks/nets/train_a.test.ts (MONAI 1.4.0, torch 1.13):

    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/networks/make_train_a.py

For each case: MONAI's seeded weights, an input and weights g; in training mode the output of
net(x), the gradient of sum(net(x) * g) for every parameter, and the batch-norm running statistics
after that forward (train_a/<case>.pt). No dropout, so training mode is deterministic."""
import json
import os

import torch
from monai.networks import nets

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'train_a')
CASES = [
    ('unet_3d_batch_res', 'UNet', dict(spatial_dims=3, in_channels=1, out_channels=2, channels=(2, 4, 8), strides=(2, 2), num_res_units=2, norm='batch'), (2, 1, 8, 8, 8)),
    ('basicunet_2d', 'BasicUNet', dict(spatial_dims=2, in_channels=1, out_channels=2, features=(2, 2, 4, 4, 8, 2)), (2, 1, 32, 32)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    index = []
    for i, (name, cls, kwargs, shape) in enumerate(CASES):
        torch.manual_seed(3000 + i)
        net = getattr(nets, cls)(**kwargs)
        before = {k: v.clone() for k, v in net.state_dict().items()}
        x = torch.randn(*shape)
        net.train()
        out = net(x)
        g = torch.randn_like(out)
        (out * g).sum().backward()
        grads = {k: p.grad for k, p in net.named_parameters()}
        after = {k: v for k, v in net.state_dict().items() if 'running' in k or 'num_batches' in k}
        torch.save({'state_dict': before, 'input': x, 'g': g, 'output': out.detach(), 'grads': grads, 'buffers_after': after}, os.path.join(OUT, name + '.pt'))
        index.append({'name': name, 'class': cls, 'options': {k2: v for k2, v in camel(kwargs).items()}})
        print(name, tuple(out.shape))
    with open(os.path.join(HERE, 'train_a.json'), 'w') as f:
        json.dump(index, f, indent=1)


def camel(d):
    import re
    conv = lambda v: [conv(x) for x in v] if isinstance(v, (list, tuple)) else v
    return {re.sub(r'_([a-z])', lambda m: m.group(1).upper(), k): conv(v) for k, v in d.items()}


if __name__ == '__main__':
    main()

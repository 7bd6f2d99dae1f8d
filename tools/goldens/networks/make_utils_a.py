"""Goldens for packages/monai/test/networks/utils.test.ts (MONAI 1.4.0, torch 1.13):

    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/networks/make_utils_a.py

normalize_transform and to_norm_affine for every align_corners / zero_centered combination, one_hot,
predict_segmentation, pixelshuffle, gaussian_1d and GaussianFilter's sigma gradients on small seeded inputs; values as nested lists in utils_a.json."""
import json
import os

import torch
from monai.networks import utils

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(5)
out = {'normalize_transform': [], 'to_norm_affine': []}
for shape in ([5, 7], [4, 1, 6], [1, 3]):
    for ac in (False, True):
        for zc in (False, True):
            out['normalize_transform'].append({'shape': shape, 'align_corners': ac, 'zero_centered': zc,
                                               'value': utils.normalize_transform(shape, align_corners=ac, zero_centered=zc).tolist()})
aff = torch.tensor([[[1.1, 0.2, 3.0], [-0.3, 0.9, -1.0], [0, 0, 1]], [[0.5, 0, 0], [0, 2.0, 1.0], [0, 0, 1]]], dtype=torch.float64)
for ac in (False, True):
    for zc in (False, True):
        out['to_norm_affine'].append({'src': [6, 9], 'dst': [8, 5], 'align_corners': ac, 'zero_centered': zc, 'affine': aff.tolist(),
                                      'value': utils.to_norm_affine(aff, [6, 9], [8, 5], ac, zc).tolist()})
labels = torch.randint(0, 4, (2, 1, 3, 3))
out['one_hot'] = {'labels': labels.tolist(), 'num_classes': 4, 'value': utils.one_hot(labels, 4).tolist()}
labels1 = torch.randint(0, 3, (5,))
out['one_hot_1d'] = {'labels': labels1.tolist(), 'num_classes': 3, 'value': utils.one_hot(labels1, 3, dim=1).tolist()}
logits = torch.randn(2, 3, 4)
out['predict_segmentation'] = {'logits': logits.tolist(), 'threshold': 0.3,
                               'thresholded': utils.predict_segmentation(logits, threshold=0.3).tolist(),
                               'exclusive': utils.predict_segmentation(logits, mutually_exclusive=True).tolist()}
x = torch.arange(2 * 8 * 2 * 3 * 2, dtype=torch.float32).reshape(2, 8, 2, 3, 2)
out['pixelshuffle'] = {'shape': list(x.shape), 'value': utils.pixelshuffle(x, 3, 2).tolist()}
from monai.networks.layers import GaussianFilter
from monai.networks.layers.convutils import gaussian_1d
out['gaussian_1d'] = [{'sigma': sg, 'truncated': tr, 'approx': ap, 'normalize': nz,
                       'value': gaussian_1d(torch.tensor(sg), truncated=tr, approx=ap, normalize=nz).tolist()}
                      for sg, tr in ((0.5, 4.0), (1.3, 3.0), (2.2, 2.0)) for ap in ('erf', 'sampled', 'scalespace') for nz in (False, True)]
gx = torch.randn(1, 1, 12, 12)
gw = torch.randn(1, 1, 12, 12)
out['gaussian_grad'] = {'x': gx.tolist(), 'w': gw.tolist(), 'cases': []}
for ap in ('erf', 'sampled', 'scalespace'):
    gf = GaussianFilter(2, sigma=(0.9, 2.5), truncated=3.0, approx=ap, requires_grad=True)
    (gf(gx) * gw).sum().backward()
    out['gaussian_grad']['cases'].append({'approx': ap, 'grads': [gf.kernel_sigma_0.grad.item(), gf.kernel_sigma_1.grad.item()]})
with open(os.path.join(HERE, 'utils_a.json'), 'w') as f:
    json.dump(out, f)
print('wrote utils_a.json')

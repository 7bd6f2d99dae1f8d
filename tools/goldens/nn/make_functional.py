"""Goldens for packages/torch/test/nn/functional.test.ts, made with Debian's python3-torch (1.13):

    /usr/bin/python3 tools/goldens/nn/make_functional.py

Each case calls one torch.nn.functional function on saved inputs and records its output and the
gradients of sum(output * g) with respect to the floating-point inputs that require grad. The
TypeScript test has a function of the same name per case.
"""
import os
import sys
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from common import Blob  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'nn', 'functional')


def R(*shape):
    return ('randn', list(shape))


def P(*shape):  # probabilities in (0.05, 0.95)
    return ('prob', list(shape))


def W(*shape):  # a constant weight (no grad)
    return ('weight', list(shape))


def IDX(n, *shape):
    return ('index%d' % n, list(shape))


def G(*shape):  # sampling grid in [-1.2, 1.2]
    return ('grid', list(shape))


CASES = []


def case(name, inputs, fn):
    CASES.append((name, inputs, fn))


# interpolate
case('interp-nearest-1d', [R(2, 2, 5)], lambda x: F.interpolate(x, scale_factor=2))
case('interp-nearest-2d-size', [R(1, 2, 4, 5)], lambda x: F.interpolate(x, size=(7, 3)))
case('interp-nearest-3d', [R(1, 1, 3, 4, 2)], lambda x: F.interpolate(x, scale_factor=(2, 1.5, 3)))
case('interp-nearest-exact-2d', [R(1, 2, 5, 6)], lambda x: F.interpolate(x, scale_factor=1.7, mode='nearest-exact'))
case('interp-area-2d', [R(2, 2, 7, 6)], lambda x: F.interpolate(x, size=(3, 2), mode='area'))
case('interp-area-scale', [R(1, 2, 8, 6)], lambda x: F.interpolate(x, scale_factor=0.5, mode='area'))
case('interp-linear-ac', [R(2, 2, 5)], lambda x: F.interpolate(x, size=9, mode='linear', align_corners=True))
case('interp-linear', [R(2, 2, 5)], lambda x: F.interpolate(x, scale_factor=1.3, mode='linear'))
case('interp-bilinear-recompute', [R(1, 2, 5, 4)], lambda x: F.interpolate(x, scale_factor=1.5, mode='bilinear', recompute_scale_factor=True))
case('interp-bilinear-down', [R(1, 2, 7, 9)], lambda x: F.interpolate(x, scale_factor=0.6, mode='bilinear'))
case('interp-bilinear-aa', [R(1, 2, 9, 8)], lambda x: F.interpolate(x, size=(3, 4), mode='bilinear', antialias=True))
case('interp-bicubic-aa', [R(1, 1, 9, 8)], lambda x: F.interpolate(x, size=(4, 3), mode='bicubic', antialias=True))
case('interp-bicubic-ac', [R(1, 2, 4, 5)], lambda x: F.interpolate(x, size=(6, 7), mode='bicubic', align_corners=True))
case('interp-trilinear', [R(1, 2, 3, 4, 3)], lambda x: F.interpolate(x, size=(5, 5, 4), mode='trilinear'))
case('interp-trilinear-ac', [R(1, 1, 3, 3, 3)], lambda x: F.interpolate(x, scale_factor=(2, 1, 1.5), mode='trilinear', align_corners=True))
# grid sampling and affine grids
case('gridsample-2d-bilinear', [R(2, 2, 5, 6), G(2, 4, 3, 2)], lambda x, g: F.grid_sample(x, g, align_corners=False))
case('gridsample-2d-nearest-border', [R(1, 2, 5, 6), G(1, 4, 3, 2)], lambda x, g: F.grid_sample(x, g, mode='nearest', padding_mode='border', align_corners=False))
case('gridsample-2d-bicubic-reflection', [R(1, 2, 5, 6), G(1, 3, 4, 2)], lambda x, g: F.grid_sample(x, g, mode='bicubic', padding_mode='reflection', align_corners=True))
case('gridsample-3d-bilinear', [R(1, 2, 4, 5, 3), G(1, 3, 2, 4, 3)], lambda x, g: F.grid_sample(x, g, align_corners=True))
case('gridsample-3d-nearest-reflection', [R(1, 1, 4, 5, 3), G(1, 2, 2, 3, 3)], lambda x, g: F.grid_sample(x, g, mode='nearest', padding_mode='reflection', align_corners=False))
case('affinegrid-2d', [R(2, 2, 3)], lambda t: F.affine_grid(t, [2, 3, 4, 5], align_corners=False))
case('affinegrid-3d-ac', [R(1, 3, 4)], lambda t: F.affine_grid(t, [1, 1, 3, 4, 2], align_corners=True))
# padding
case('pad-constant', [R(2, 3, 4)], lambda x: F.pad(x, (1, 2, 0, 1), value=1.5))
case('pad-constant-negative', [R(2, 3, 5)], lambda x: F.pad(x, (-1, 2)))
case('pad-reflect-1d', [R(2, 3, 5)], lambda x: F.pad(x, (2, 3), mode='reflect'))
case('pad-reflect-2d', [R(1, 2, 4, 5)], lambda x: F.pad(x, (1, 2, 3, 1), mode='reflect'))
case('pad-reflect-3d', [R(1, 1, 3, 4, 5)], lambda x: F.pad(x, (1, 1, 2, 0, 1, 2), mode='reflect'))
case('pad-replicate-1d', [R(2, 2, 4)], lambda x: F.pad(x, (3, 1), mode='replicate'))
case('pad-replicate-2d', [R(1, 2, 3, 4)], lambda x: F.pad(x, (1, 2, 3, 1), mode='replicate'))
case('pad-replicate-3d', [R(1, 1, 2, 3, 4)], lambda x: F.pad(x, (1, 0, 2, 1, 1, 1), mode='replicate'))
case('pad-circular-1d', [R(2, 2, 4)], lambda x: F.pad(x, (2, 1), mode='circular'))
case('pad-circular-2d', [R(1, 2, 3, 4)], lambda x: F.pad(x, (1, 2, 2, 1), mode='circular'))
case('pad-circular-3d', [R(1, 1, 3, 3, 4)], lambda x: F.pad(x, (1, 1, 1, 2, 2, 0), mode='circular'))
# one-hot, normalisation helpers
case('onehot', [IDX(4, 2, 3)], lambda i: F.one_hot(i))
case('onehot-classes', [IDX(3, 5)], lambda i: F.one_hot(i, 6))
case('normalize', [R(3, 4, 2)], lambda x: F.normalize(x))
case('normalize-p1-dim0', [R(3, 4)], lambda x: F.normalize(x, p=1.0, dim=0, eps=1e-3))
case('cosine-similarity', [R(3, 5, 2), R(3, 5, 2)], lambda a, b: F.cosine_similarity(a, b))
case('cosine-similarity-dim', [R(4, 3), R(1, 3)], lambda a, b: F.cosine_similarity(a, b, dim=-1, eps=1e-6))
case('pixel-unshuffle', [R(1, 2, 4, 6)], lambda x: F.pixel_unshuffle(x, 2))
case('softmin', [R(3, 4)], lambda x: F.softmin(x, dim=1))
case('logsigmoid', [R(3, 4)], lambda x: F.logsigmoid(x))
case('glu', [R(3, 4)], lambda x: F.glu(x))
case('hardswish', [R(3, 4)], lambda x: F.hardswish(x))
case('softsign', [R(3, 4)], lambda x: F.softsign(x))
case('local-response-norm', [R(2, 6, 4)], lambda x: F.local_response_norm(x, 3))
# losses
case('ce', [R(4, 5), IDX(5, 4)], lambda x, t: F.cross_entropy(x, t))
case('ce-weight-ignore', [R(6, 4), IDX(4, 6), W(4)], lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=2))
case('ce-smoothing-sum', [R(6, 4), IDX(4, 6), W(4)], lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1, reduction='sum'))
case('ce-2d-none', [R(2, 3, 4, 2), IDX(3, 2, 4, 2)], lambda x, t: F.cross_entropy(x, t, reduction='none'))
case('ce-probs-smoothing', [R(4, 3), P(4, 3)], lambda x, t: F.cross_entropy(x, t / t.sum(1, keepdim=True), label_smoothing=0.2))
case('nll', [R(5, 4), IDX(4, 5)], lambda x, t: F.nll_loss(F.log_softmax(x, 1), t))
case('nll-weight-ignore-2d', [R(2, 3, 4), IDX(3, 2, 4), W(3)], lambda x, t, w: F.nll_loss(x, t, weight=w, ignore_index=0))
case('bce', [P(3, 4), P(3, 4)], lambda x, t: F.binary_cross_entropy(x, t))
case('bce-weight-none', [P(3, 4), P(3, 4), W(4)], lambda x, t, w: F.binary_cross_entropy(x, t, weight=w, reduction='none'))
case('bce-logits', [R(3, 4), P(3, 4)], lambda x, t: F.binary_cross_entropy_with_logits(x, t))
case('bce-logits-posweight', [R(3, 4), P(3, 4), W(4), W(4)], lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw * 3, reduction='sum'))
case('mse', [R(3, 4), R(3, 4)], lambda x, t: F.mse_loss(x, t))
case('mse-none', [R(3, 4), R(3, 4)], lambda x, t: F.mse_loss(x, t, reduction='none'))
case('l1-sum', [R(3, 4), R(3, 4)], lambda x, t: F.l1_loss(x, t, reduction='sum'))
case('smoothl1', [R(3, 4), R(3, 4)], lambda x, t: F.smooth_l1_loss(x, t, beta=0.5))
case('smoothl1-beta0', [R(3, 4), R(3, 4)], lambda x, t: F.smooth_l1_loss(x, t, beta=0.0))
case('huber', [R(3, 4), R(3, 4)], lambda x, t: F.huber_loss(x, t, delta=0.7))
case('kldiv-batchmean', [R(3, 4), P(3, 4)], lambda x, t: F.kl_div(F.log_softmax(x, 1), t, reduction='batchmean'))
case('kldiv-logtarget-none', [R(3, 4), R(3, 4)], lambda x, t: F.kl_div(x, t, reduction='none', log_target=True))
case('kldiv-mean', [R(3, 4), P(3, 4)], lambda x, t: F.kl_div(x, t))


def make(spec):
    kind, shape = spec
    if kind == 'randn':
        return torch.randn(shape)
    if kind in ('prob', 'weight'):
        return torch.rand(shape) * 0.9 + 0.05
    if kind == 'grid':
        return (torch.rand(shape) * 2 - 1) * 1.2
    if kind.startswith('index'):
        return torch.randint(0, int(kind[5:]), shape)
    raise ValueError(kind)


def run():
    blob = Blob()
    out = []
    for ci, (name, specs, fn) in enumerate(CASES):
        torch.manual_seed(2000 + ci)
        raw = [make(s) for s in specs]
        xs = [x.clone().requires_grad_(True) if x.is_floating_point() and s[0] != 'weight' else x for x, s in zip(raw, specs)]
        y = fn(*xs)
        entry = dict(name=name, inputs=[blob.add(x) for x in raw], needsGrad=[x.requires_grad for x in xs], output=blob.add(y))
        if y.is_floating_point() and y.requires_grad:
            g = torch.randn_like(y)
            (y * g).sum().backward()
            entry['gradOutput'] = blob.add(g)
            entry['inputGrads'] = [blob.add(x.grad) if x.is_floating_point() and x.grad is not None else None for x in xs]
        out.append(entry)
    blob.write(OUT, {'torch': torch.__version__, 'cases': out})


if __name__ == '__main__':
    run()

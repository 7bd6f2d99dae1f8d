"""Goldens for DynUNet, SegResNet(VAE), VNet, HighResNet, AHNet, DenseNet*, SENet* from MONAI 1.4.

Run:  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
        tools/goldens/networks/make_nets_b.py

Writes next to this script:
  nets_b/<case>.pt   {'state_dict', 'input', 'output'[, 'output_train', 'loss_train']} saved by torch.save;
                     train outputs are computed after torch.manual_seed(123)
  nets_b.json        per case: the constructor options (camelCase, as the TypeScript test passes them),
                     parameter count and state-dict keys with shapes; per default-size network a digest
                     of its keys and shapes (those are too large to save weights for).

Weights: MONAI's seeded init, with norm affines randomised (MONAI initialises them to constants, which
would hide mix-ups) and batch-norm running statistics taken from one random batch. All values are float16-exact and saved as float16
(the input too); tensors over SMALL elements are overlapping strided views of random storages shared
per kind and scale (w[o, i, ...] = r[off + 2*o + i + ...], at the tensor's own scale), so networks whose
channel counts MONAI fixes (VNet, AHNet, SENet: 10-45M parameters) fit in a few hundred KB. Outputs
over 16384 elements keep every second voxel per spatial axis ('outputStep'). MONAI's model loads exactly these values with load_state_dict(strict=True) before
computing the outputs.
"""
import hashlib
import math
import json
import os

import torch
from torch import nn

from monai.networks.nets import (
    AHNet, DenseNet, DenseNet121, DenseNet169, DenseNet201, DenseNet264, DynUNet, HighResNet, SegResNet,
    SegResNetVAE, SENet154, SEResNet50, SEResNet101, SEResNet152, SEResNext50, SEResNext101, SwinUNETR, UNETR, ViT, VNet,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'nets_b')
SMALL = 128


def snake(k):
    out = ''
    for ch in k:
        out += '_' + ch.lower() if ch.isupper() else ch
    return out


def py_opts(opts):
    """camelCase options (as JSON, also inside layer pairs and dicts) -> MONAI keyword arguments."""
    def conv(v):
        if isinstance(v, dict):
            return {snake(k): conv(x) for k, x in v.items()}
        if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], dict):
            return (v[0], conv(v[1]))
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return conv(opts)


def randomise(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm)):
                if getattr(m, 'weight', None) is not None:
                    m.weight.normal_(1.0, 0.1, generator=gen)
                    m.bias.normal_(0.0, 0.1, generator=gen)
                if getattr(m, 'running_mean', None) is not None:
                    m.running_mean.normal_(0.0, 0.1, generator=gen)
                    m.running_var.uniform_(0.5, 1.5, generator=gen)
            if isinstance(m, nn.PReLU):
                m.weight.uniform_(0.1, 0.4, generator=gen)


def checksum(v):
    """sum(v * (i % 97 + 1)) over the flattened tensor, in float64 (exact for the small integers here)."""
    w = torch.arange(v.numel(), dtype=torch.float64).remainder(97).add(1)
    return float((v.reshape(-1).double() * w).sum())


def compact_state(model, gen):
    """The state dict to save, float16-exact, all floating tensors views of ONE float16 storage (one zip
    record instead of hundreds): tensors up to SMALL elements hold their own values, larger ones overlap
    in random regions shared per kind and scale (steps of sqrt 2). Integer buffers over 4096 elements
    (SwinUNETR's relative-position index, 0.9 MB each in 3-D) are left out and given as checksums;
    equal small integer tensors (num_batches_tracked) are saved once."""
    out, seen, bases, omitted, ints = {}, {}, {}, {}, []
    chunks, size = [], 0

    def place(values):
        nonlocal size
        chunks.append(values.reshape(-1).half())
        start = size
        size += values.numel()
        return start

    small = []
    for k, v in model.state_dict().items():
        # A module registered twice (DynUNet's skip_layers) appears under several keys: save it once.
        ptr = (v.data_ptr(), tuple(v.shape))
        if ptr in seen:
            out[k] = seen[ptr]
            continue
        seen[ptr] = k
        if not v.is_floating_point():
            if v.numel() > 4096:
                omitted[k] = checksum(v)
                out[k] = None
                continue
            same = next((t for t in ints if t.shape == v.shape and torch.equal(t, v)), None)
            if same is None:
                same = v.clone()
                ints.append(same)
            out[k] = same
            continue
        if v.numel() <= SMALL:
            small.append((k, v))
            out[k] = None
            continue
        vf = v.float()
        if v.dim() == 1 and k.endswith('running_var'):
            kind, level = 'pos', round(2 * math.log2(float(vf.mean())))
        elif v.dim() == 1 and 0.5 < float(vf.mean()) < 1.5 and float(vf.std()) < 0.3:
            kind, level = 'one', 0
        else:
            rms = float(vf.pow(2).mean().sqrt()) or 0.05
            kind, level = 'normal', round(2 * math.log2(rms))
        strides = [1] * v.dim()
        strides[0] = 2 if v.dim() > 1 else 1
        span = 1 + sum((d - 1) * s for d, s in zip(v.shape, strides))
        offset = int(torch.randint(0, 512, (1,), generator=gen))
        bases.setdefault((kind, level), []).append((k, v.shape, strides, offset, span))
        out[k] = None
    views = []
    for k, v in small:
        views.append((k, v.shape, v.stride() if v.is_contiguous() else None, place(v.contiguous())))
    for (kind, level), items in sorted(bases.items()):
        n = max(o + s for _, _, _, o, s in items)
        if kind == 'pos':
            base = torch.empty(n).uniform_(0.8, 1.25, generator=gen) * 2 ** (level / 2)
        elif kind == 'one':
            base = 1 + 0.1 * torch.randn(n, generator=gen)
        else:
            base = torch.randn(n, generator=gen) * 2 ** (level / 2)
        start = place(base)
        for k, shape, strides, offset, _ in items:
            views.append((k, shape, strides, start + offset))
    flat = torch.cat(chunks) if chunks else torch.empty(0, dtype=torch.half)
    for k, shape, strides, offset in views:
        if strides is None:
            strides = torch.empty(shape).stride()
        out[k] = flat.as_strided(shape, strides, offset)
    for k in list(out):
        if isinstance(out[k], str):
            out[k] = out[out[k]]
    for k in omitted:
        del out[k]
    return out, omitted


def calibrate(model, shape, gen):
    """Sets batch-norm running statistics to those of one random batch, so eval outputs stay well scaled."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not bns:
        return
    for m in bns:
        m.momentum = 1.0
    model.train()
    with torch.no_grad():
        model(torch.randn([8] + shape[1:], generator=gen))
    for m in bns:
        m.momentum = 0.1
        m.running_var.mul_(torch.empty_like(m.running_var).uniform_(0.8, 1.25, generator=gen))
        m.num_batches_tracked.fill_(7)


def keys_shapes(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def digest(model):
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        h.update(f"{k}:{','.join(map(str, v.shape))};".encode())
    return h.hexdigest()


def n_params(model):
    return sum(p.numel() for p in model.parameters())


CLASSES = {c.__name__: c for c in [AHNet, DenseNet, DenseNet121, DenseNet169, DenseNet201, DenseNet264, DynUNet,
                                    HighResNet, SegResNet, SegResNetVAE, SENet154, SEResNet50, SEResNet101,
                                    SEResNet152, SEResNext50, SEResNext101, SwinUNETR, UNETR, ViT, VNet]}
# Our class names where they differ from MONAI's Python spelling.
TS_NAME = {'SEResNext50': 'SEResNeXt50', 'SEResNext101': 'SEResNeXt101'}

SMALL_HR = [
    {'name': 'conv_0', 'nFeatures': 4, 'kernelSize': 3},
    {'name': 'res_1', 'nFeatures': 4, 'kernels': [3, 3], 'repeat': 1},
    {'name': 'res_2', 'nFeatures': 8, 'kernels': [3, 3], 'repeat': 2},
    {'name': 'res_3', 'nFeatures': 8, 'kernels': [3, 1], 'repeat': 1},
    {'name': 'conv_1', 'nFeatures': 8, 'kernelSize': 1},
    {'name': 'conv_2', 'kernelSize': 1},
]

# name, class, options (camelCase), input shape, also compute a train-mode output
CASES = [
    ('dynunet_2d', 'DynUNet', dict(spatialDims=2, inChannels=1, outChannels=2, kernelSize=[3, 3, 3, 3],
                                   strides=[1, 2, 2, 2], upsampleKernelSize=[2, 2, 2], filters=[4, 8, 16, 32],
                                   deepSupervision=True, deepSuprNum=2), [2, 1, 32, 32], True),
    ('dynunet_3d', 'DynUNet', dict(spatialDims=3, inChannels=2, outChannels=3, kernelSize=[[3, 3, 1], 3, 3],
                                   strides=[1, [2, 2, 1], 2], upsampleKernelSize=[[2, 2, 1], 2],
                                   filters=[4, 8, 16], normName='batch',
                                   actName=['leakyrelu', {'negativeSlope': 0.1}], resBlock=True, transBias=True,
                                   deepSupervision=True, deepSuprNum=1), [1, 2, 16, 16, 8], True),
    ('segresnet_2d', 'SegResNet', dict(spatialDims=2, initFilters=4, inChannels=1, outChannels=2,
                                       norm=['group', {'numGroups': 2}], blocksDown=[1, 2, 2], blocksUp=[1, 1],
                                       upsampleMode='deconv'), [1, 1, 16, 16], False),
    ('segresnet_3d', 'SegResNet', dict(spatialDims=3, initFilters=4, inChannels=1, outChannels=2,
                                       norm=['group', {'numGroups': 2}], dropoutProb=0.2), [1, 1, 16, 16, 16], False),
    ('segresnetvae_3d', 'SegResNetVAE', dict(inputImageSize=[16, 16, 16], vaeNz=8, spatialDims=3, initFilters=4,
                                             inChannels=1, outChannels=2, norm=['group', {'numGroups': 2}]),
     [1, 1, 16, 16, 16], True),
    ('vnet_2d', 'VNet', dict(spatialDims=2, inChannels=1, outChannels=2), [1, 1, 16, 16], False),
    ('vnet_3d', 'VNet', dict(spatialDims=3, inChannels=2, outChannels=1, act='prelu', bias=True),
     [1, 2, 16, 16, 16], False),
    ('highresnet_2d', 'HighResNet', dict(spatialDims=2, inChannels=1, outChannels=3, layerParams=SMALL_HR),
     [1, 1, 16, 16], False),
    ('highresnet_3d', 'HighResNet', dict(spatialDims=3, inChannels=2, outChannels=2, layerParams=SMALL_HR,
                                         normType='instance', actiType='prelu', channelMatching='project',
                                         bias=True), [1, 2, 12, 12, 12], False),
    ('ahnet_2d', 'AHNet', dict(layers=[1, 1, 1, 1], spatialDims=2, inChannels=1, outChannels=2, pspBlockNum=2),
     [1, 1, 64, 64], False),
    ('ahnet_3d', 'AHNet', dict(layers=[1, 1, 1, 1], spatialDims=3, inChannels=1, outChannels=1, pspBlockNum=1,
                               upsampleMode='trilinear'), [1, 1, 32, 32, 32], False),
    ('densenet121_2d', 'DenseNet121', dict(spatialDims=2, inChannels=1, outChannels=3, initFeatures=8,
                                           growthRate=4, blockConfig=[2, 2, 2, 2]), [2, 1, 32, 32], False),
    ('densenet169_3d', 'DenseNet169', dict(spatialDims=3, inChannels=2, outChannels=2, initFeatures=4,
                                           growthRate=4, blockConfig=[1, 2], bnSize=2,
                                           norm=['instance', {'affine': True}], act='elu', dropoutProb=0.1),
     [1, 2, 16, 16, 16], False),
    ('densenet_1d', 'DenseNet', dict(spatialDims=1, inChannels=1, outChannels=2, initFeatures=4, growthRate=2,
                                     blockConfig=[2, 1], norm=['group', {'numGroups': 2}]), [2, 1, 32], False),
    ('senet154_2d', 'SENet154', dict(spatialDims=2, inChannels=1, numClasses=3, layers=[1, 1, 1, 1]),
     [1, 1, 32, 32], False),
    ('seresnet50_3d', 'SEResNet50', dict(spatialDims=3, inChannels=1, numClasses=2, layers=[1, 1, 1, 1]),
     [1, 1, 16, 16, 16], False),
    ('seresnext50_2d', 'SEResNext50', dict(spatialDims=2, inChannels=3, numClasses=4, layers=[1, 1, 2, 1]),
     [2, 3, 32, 32], False),
    ('unetr_3d', 'UNETR', dict(inChannels=1, outChannels=1, imgSize=[16, 32, 16], featureSize=4, hiddenSize=32,
                               mlpDim=64, numHeads=4, qkvBias=True), [1, 1, 16, 32, 16], False),
    ('unetr_2d', 'UNETR', dict(inChannels=2, outChannels=3, imgSize=[32, 48], featureSize=4, hiddenSize=16, mlpDim=32,
                               numHeads=2, projType='perceptron', normName='batch', convBlock=False, resBlock=False,
                               spatialDims=2), [2, 2, 32, 48], False),
    ('vit_2d', 'ViT', dict(inChannels=1, imgSize=32, patchSize=8, hiddenSize=16, mlpDim=32, numLayers=2, numHeads=4,
                           classification=True, numClasses=3, spatialDims=2), [2, 1, 32, 32], False),
    ('vit_2d_sincos', 'ViT', dict(inChannels=2, imgSize=[32, 16], patchSize=8, hiddenSize=16, mlpDim=16, numLayers=1,
                                  numHeads=2, posEmbedType='sincos', projType='perceptron', spatialDims=2),
     [1, 2, 32, 16], False),
    ('vit_3d_sincos', 'ViT', dict(inChannels=1, imgSize=16, patchSize=8, hiddenSize=12, mlpDim=12, numLayers=1,
                                  numHeads=2, posEmbedType='sincos'), [1, 1, 16, 16, 16], False),
    ('swinunetr_3d', 'SwinUNETR', dict(inChannels=1, outChannels=2, featureSize=12, useV2=True, downsample='mergingv2',
                                       normName='batch'),
     [1, 1, 32, 32, 32], False),
    ('swinunetr_2d', 'SwinUNETR', dict(inChannels=2, outChannels=3, featureSize=12, depths=[2, 1, 1, 2],
                                       numHeads=[2, 4, 4, 8], normName='batch', normalize=False, spatialDims=2),
     [1, 2, 64, 32], False),
]

# Default-size networks: digest of keys and shapes, and parameter count only.
DEFAULTS = [
    ('DenseNet121', dict(spatialDims=2, inChannels=1, outChannels=2)),
    ('DenseNet169', dict(spatialDims=2, inChannels=1, outChannels=2)),
    ('DenseNet201', dict(spatialDims=2, inChannels=1, outChannels=2)),
    ('DenseNet264', dict(spatialDims=2, inChannels=1, outChannels=2)),
    ('SENet154', dict(spatialDims=2, inChannels=3, numClasses=10)),
    ('SEResNet50', dict(spatialDims=2, inChannels=3, numClasses=10)),
    ('SEResNet101', dict(spatialDims=2, inChannels=3, numClasses=10)),
    ('SEResNet152', dict(spatialDims=2, inChannels=3, numClasses=10)),
    ('SEResNext50', dict(spatialDims=2, inChannels=3, numClasses=10)),
    ('SEResNext101', dict(spatialDims=2, inChannels=3, numClasses=10)),
    ('DynUNet', dict(spatialDims=3, inChannels=1, outChannels=2, kernelSize=[3, 3, 3, 3, 3],
                     strides=[1, 2, 2, 2, 2], upsampleKernelSize=[2, 2, 2, 2])),
    ('SegResNet', dict()),
    ('VNet', dict()),
    ('HighResNet', dict()),
    ('AHNet', dict()),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {'cases': {}, 'defaults': []}
    for name, cls, opts, shape, train in CASES:
        torch.manual_seed(0)
        kwargs = py_opts(opts)
        if cls == 'SwinUNETR':  # MONAI 1.4 still requires its deprecated img_size
            kwargs['img_size'] = shape[2:]
        model = CLASSES[cls](**kwargs)
        gen = torch.Generator().manual_seed(1)
        randomise(model, gen)
        calibrate(model, shape, gen)
        sd, omitted = compact_state(model, gen)
        model.load_state_dict(sd, strict=not omitted)
        x = torch.randn(shape, generator=gen).half().float()
        model.eval()
        with torch.no_grad():
            y = model(x)
        if isinstance(y, tuple):
            y = y[0]
        # Large outputs are kept at every second voxel along each spatial axis (the test slices the same).
        step = 2 if y.numel() > 16384 else 1
        sub = (slice(None), slice(None)) + (slice(None, None, step),) * (y.dim() - 2)
        blob = {'state_dict': sd, 'input': x.half(), 'output': y[sub].clone(), 'outputStep': step}
        if train:
            # Train mode (deep supervision, the VAE branch with its random latent sample after seeding).
            model.train()
            torch.manual_seed(123)
            with torch.no_grad():
                yt = model(x)
            if isinstance(yt, tuple):
                blob['loss_train'] = yt[1]
                yt = yt[0]
            blob['output_train'] = yt[sub].clone()
        torch.save(blob, os.path.join(OUT, name + '.pt'))
        meta['cases'][name] = {
            'class': TS_NAME.get(cls, cls), 'options': opts, 'inputShape': shape, 'train': train, 'outputStep': step,
            'numParams': n_params(model), 'numKeys': len(model.state_dict()), 'digest': digest(model),
        }
        if omitted:
            meta['cases'][name]['omitted'] = omitted
        if len(model.state_dict()) <= 150:
            meta['cases'][name]['keys'] = keys_shapes(model)
        print(name, n_params(model), tuple(y.shape), float(y.abs().max()), os.path.getsize(os.path.join(OUT, name + '.pt')))
    for cls, opts in DEFAULTS:
        torch.manual_seed(0)
        model = CLASSES[cls](**py_opts(opts))
        sd = model.state_dict()
        meta['defaults'].append({'class': TS_NAME.get(cls, cls), 'options': opts, 'numParams': n_params(model),
                                 'numKeys': len(sd), 'digest': digest(model),
                                 'firstKeys': list(sd)[:3], 'lastKeys': list(sd)[-3:]})
        print(cls, n_params(model))
        del model
    with open(os.path.join(HERE, 'nets_b.json'), 'w') as f:
        json.dump(meta, f, separators=(',', ':'))


if __name__ == '__main__':
    main()

"""Goldens for packages/torch/test/nn/layers.test.ts, made with Debian's python3-torch (1.13):

    /usr/bin/python3 tools/goldens/nn/make_layers.py

For every case: the module's repr, parameter count, state-dict keys/shapes/values right after
construction with torch.manual_seed(seed) (the TypeScript side checks its own default init against
them), then, in the given mode and after torch.manual_seed(seed + 1), the outputs of forward, and
the gradients of sum(output * g) with respect to the float inputs and every parameter. Cases with
`steps` run that many forwards first (x * (k + 1) + k for step k) so running statistics evolve.
"""
import os
import sys
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from common import Blob  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'nn', 'layers')


def I(shape, kind='randn', grad=True, same_as=None):
    return {'shape': shape, 'kind': kind, 'grad': grad, 'same_as': same_as}


CASES = []


def case(name, cls, kwargs, inputs, mode='train', steps=0, fkwargs=None, fargs=None):
    CASES.append(dict(name=name, cls=cls, kwargs=kwargs, inputs=inputs, mode=mode, steps=steps, fkwargs=fkwargs or {}, fargs=fargs or []))


# linear
case('Linear', 'Linear', dict(in_features=5, out_features=3), [I([4, 5])])
case('Linear-nobias-3d', 'Linear', dict(in_features=5, out_features=3, bias=False), [I([2, 4, 5])])
case('Bilinear', 'Bilinear', dict(in1_features=3, in2_features=4, out_features=2), [I([5, 3]), I([5, 4])])
case('Identity', 'Identity', dict(), [I([2, 3])])
# convolutions
case('Conv1d', 'Conv1d', dict(in_channels=2, out_channels=4, kernel_size=3, stride=2, padding=1), [I([2, 2, 9])])
case('Conv1d-groups-dilation', 'Conv1d', dict(in_channels=4, out_channels=6, kernel_size=3, dilation=2, groups=2), [I([2, 4, 11])])
case('Conv1d-same-reflect', 'Conv1d', dict(in_channels=2, out_channels=3, kernel_size=4, padding='same', padding_mode='reflect'), [I([2, 2, 8])])
case('Conv1d-circular', 'Conv1d', dict(in_channels=2, out_channels=3, kernel_size=3, padding=2, padding_mode='circular'), [I([2, 2, 7])])
case('Conv2d', 'Conv2d', dict(in_channels=2, out_channels=4, kernel_size=3, padding=1), [I([2, 2, 6, 5])])
case('Conv2d-same-even', 'Conv2d', dict(in_channels=2, out_channels=3, kernel_size=(4, 3), padding='same', dilation=(1, 2)), [I([1, 2, 7, 8])])
case('Conv2d-valid-nobias', 'Conv2d', dict(in_channels=3, out_channels=2, kernel_size=2, padding='valid', bias=False), [I([2, 3, 5, 5])])
case('Conv2d-groups-replicate', 'Conv2d', dict(in_channels=4, out_channels=4, kernel_size=3, stride=(2, 1), padding=(1, 2), groups=4, padding_mode='replicate'), [I([2, 4, 6, 5])])
case('Conv2d-unbatched', 'Conv2d', dict(in_channels=2, out_channels=3, kernel_size=3), [I([2, 5, 5])])
case('Conv3d', 'Conv3d', dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, padding=1), [I([2, 2, 5, 6, 5])])
case('Conv3d-same-dilation', 'Conv3d', dict(in_channels=2, out_channels=2, kernel_size=3, padding='same', dilation=2), [I([1, 2, 5, 5, 6])])
case('Conv3d-circular', 'Conv3d', dict(in_channels=1, out_channels=2, kernel_size=(3, 1, 3), padding=1, padding_mode='circular'), [I([1, 1, 4, 5, 4])])
case('ConvTranspose1d', 'ConvTranspose1d', dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, padding=1, output_padding=1), [I([2, 2, 5])])
case('ConvTranspose2d', 'ConvTranspose2d', dict(in_channels=4, out_channels=2, kernel_size=3, stride=2, groups=2, dilation=2, bias=False), [I([1, 4, 4, 3])])
case('ConvTranspose2d-outputsize', 'ConvTranspose2d', dict(in_channels=2, out_channels=2, kernel_size=3, stride=2, padding=1), [I([1, 2, 4, 4])], fargs=[[8, 8]])
case('ConvTranspose3d', 'ConvTranspose3d', dict(in_channels=2, out_channels=3, kernel_size=2, stride=2), [I([2, 2, 3, 3, 2])])
case('ConvTranspose3d-pad', 'ConvTranspose3d', dict(in_channels=2, out_channels=2, kernel_size=3, stride=(2, 1, 2), padding=1, output_padding=(1, 0, 0)), [I([1, 2, 3, 3, 3])])
# normalization
case('BatchNorm1d-2d', 'BatchNorm1d', dict(num_features=3), [I([6, 3])], steps=3)
case('BatchNorm1d-3d', 'BatchNorm1d', dict(num_features=3, momentum=0.3), [I([4, 3, 5])], steps=3)
case('BatchNorm2d', 'BatchNorm2d', dict(num_features=3), [I([2, 3, 4, 4])], steps=3)
case('BatchNorm2d-cumulative', 'BatchNorm2d', dict(num_features=2, momentum=None), [I([2, 2, 3, 3])], steps=3)
case('BatchNorm2d-eval', 'BatchNorm2d', dict(num_features=3), [I([2, 3, 4, 4])], mode='eval')
case('BatchNorm2d-noaffine-nostats', 'BatchNorm2d', dict(num_features=3, affine=False, track_running_stats=False), [I([2, 3, 3, 3])], steps=1)
case('BatchNorm3d', 'BatchNorm3d', dict(num_features=2, eps=1e-3), [I([2, 2, 3, 3, 3])], steps=3)
case('InstanceNorm1d', 'InstanceNorm1d', dict(num_features=3), [I([2, 3, 6])])
case('InstanceNorm2d-affine-stats', 'InstanceNorm2d', dict(num_features=3, affine=True, track_running_stats=True), [I([2, 3, 4, 5])], steps=3)
case('InstanceNorm2d-eval-stats', 'InstanceNorm2d', dict(num_features=3, track_running_stats=True), [I([2, 3, 4, 5])], mode='eval')
case('InstanceNorm3d-unbatched', 'InstanceNorm3d', dict(num_features=2, affine=True), [I([2, 3, 4, 3])])
case('GroupNorm', 'GroupNorm', dict(num_groups=2, num_channels=4), [I([3, 4, 5, 2])])
case('GroupNorm-noaffine', 'GroupNorm', dict(num_groups=3, num_channels=3, affine=False, eps=1e-3), [I([2, 3, 4])])
case('LayerNorm', 'LayerNorm', dict(normalized_shape=[4, 5]), [I([3, 4, 5])])
case('LayerNorm-noaffine', 'LayerNorm', dict(normalized_shape=5, elementwise_affine=False), [I([2, 3, 5])])
case('LocalResponseNorm-3d', 'LocalResponseNorm', dict(size=2), [I([2, 5, 4])])
case('LocalResponseNorm-4d', 'LocalResponseNorm', dict(size=3, alpha=0.01, beta=0.5, k=2.0), [I([2, 6, 3, 3])])
case('LocalResponseNorm-5d', 'LocalResponseNorm', dict(size=2), [I([1, 4, 2, 3, 2])])
# dropout (same seed, same libtorch generator: the masks match)
case('Dropout', 'Dropout', dict(p=0.3), [I([4, 6])])
case('Dropout-eval', 'Dropout', dict(), [I([4, 6])], mode='eval')
case('Dropout2d', 'Dropout2d', dict(p=0.5), [I([2, 6, 3, 3])])
case('Dropout3d', 'Dropout3d', dict(p=0.4), [I([2, 5, 2, 2, 2])])
case('Dropout3d-unbatched', 'Dropout3d', dict(p=0.4), [I([5, 2, 2, 2])])
case('AlphaDropout', 'AlphaDropout', dict(p=0.2), [I([5, 7])])
# activations
case('ReLU', 'ReLU', dict(), [I([3, 7])])
case('ReLU6', 'ReLU6', dict(), [I([3, 7], kind='wide')])
case('LeakyReLU', 'LeakyReLU', dict(negative_slope=0.2), [I([3, 7])])
case('PReLU', 'PReLU', dict(), [I([2, 3, 4])])
case('PReLU-channels', 'PReLU', dict(num_parameters=3, init=0.1), [I([2, 3, 4])])
case('ELU', 'ELU', dict(alpha=0.5), [I([3, 7])])
case('SELU', 'SELU', dict(), [I([3, 7])])
case('CELU', 'CELU', dict(alpha=1.5), [I([3, 7])])
case('GELU', 'GELU', dict(), [I([3, 7])])
case('GELU-tanh', 'GELU', dict(approximate='tanh'), [I([3, 7])])
case('SiLU', 'SiLU', dict(), [I([3, 7])])
case('Mish', 'Mish', dict(), [I([3, 7])])
case('Sigmoid', 'Sigmoid', dict(), [I([3, 7])])
case('Tanh', 'Tanh', dict(), [I([3, 7])])
case('Softmax', 'Softmax', dict(dim=1), [I([3, 4, 2])])
case('LogSoftmax', 'LogSoftmax', dict(dim=-1), [I([3, 4, 5])])
case('Softplus', 'Softplus', dict(beta=2, threshold=1), [I([3, 7])])
case('Hardtanh', 'Hardtanh', dict(min_val=-0.5, max_val=0.7), [I([3, 7])])
# pooling
case('MaxPool1d', 'MaxPool1d', dict(kernel_size=3, stride=2, padding=1), [I([2, 3, 9])])
case('MaxPool2d-indices', 'MaxPool2d', dict(kernel_size=2, return_indices=True), [I([2, 2, 6, 5])])
case('MaxPool2d-dilation', 'MaxPool2d', dict(kernel_size=(2, 3), stride=1, dilation=(2, 1), padding=(1, 1)), [I([1, 2, 6, 6])])
case('MaxPool3d-ceil', 'MaxPool3d', dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True), [I([1, 2, 6, 5, 4])])
case('AvgPool1d', 'AvgPool1d', dict(kernel_size=3, stride=2, padding=1), [I([2, 3, 9])])
case('AvgPool2d-nopadcount', 'AvgPool2d', dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), [I([2, 2, 7, 6])])
case('AvgPool2d-ceil', 'AvgPool2d', dict(kernel_size=2, ceil_mode=True), [I([1, 2, 5, 5])])
case('AvgPool3d-divisor', 'AvgPool3d', dict(kernel_size=2, divisor_override=3), [I([1, 2, 4, 4, 5])])
case('AdaptiveAvgPool1d', 'AdaptiveAvgPool1d', dict(output_size=3), [I([2, 3, 8])])
case('AdaptiveAvgPool2d-none', 'AdaptiveAvgPool2d', dict(output_size=(3, None)), [I([2, 2, 7, 5])])
case('AdaptiveAvgPool3d', 'AdaptiveAvgPool3d', dict(output_size=2), [I([1, 2, 5, 4, 3])])
case('AdaptiveMaxPool1d', 'AdaptiveMaxPool1d', dict(output_size=4), [I([2, 3, 9])])
case('AdaptiveMaxPool2d-indices', 'AdaptiveMaxPool2d', dict(output_size=(2, 3), return_indices=True), [I([2, 2, 7, 5])])
case('AdaptiveMaxPool3d', 'AdaptiveMaxPool3d', dict(output_size=(2, 2, 1)), [I([1, 2, 5, 4, 3])])
# resampling and reshaping
case('Upsample-nearest', 'Upsample', dict(scale_factor=2), [I([1, 2, 3, 4])])
case('Upsample-bilinear-ac', 'Upsample', dict(size=(7, 5), mode='bilinear', align_corners=True), [I([1, 2, 3, 4])])
case('Upsample-trilinear', 'Upsample', dict(scale_factor=1.5, mode='trilinear'), [I([1, 2, 3, 4, 2])])
case('Upsample-bicubic', 'Upsample', dict(scale_factor=(2, 1.5), mode='bicubic'), [I([1, 1, 3, 4])])
case('Upsample-linear', 'Upsample', dict(size=7, mode='linear'), [I([2, 2, 4])])
case('PixelShuffle', 'PixelShuffle', dict(upscale_factor=2), [I([1, 8, 2, 3])])
case('Flatten', 'Flatten', dict(), [I([2, 3, 4, 2])])
case('Unflatten', 'Unflatten', dict(dim=1, unflattened_size=(2, 3)), [I([4, 6])])
case('Embedding', 'Embedding', dict(num_embeddings=10, embedding_dim=3, padding_idx=0), [I([2, 5], kind='index10', grad=False)])
case('Embedding-maxnorm', 'Embedding', dict(num_embeddings=6, embedding_dim=4, max_norm=1.0), [I([7], kind='index6', grad=False)])
# attention
case('MultiheadAttention-self', 'MultiheadAttention', dict(embed_dim=8, num_heads=2), [I([5, 2, 8]), I(None, same_as=0), I(None, same_as=0)])
case('MultiheadAttention-kvdim-masks', 'MultiheadAttention', dict(embed_dim=8, num_heads=4, kdim=6, vdim=5, add_bias_kv=True, add_zero_attn=True),
     [I([4, 2, 8]), I([3, 2, 6]), I([3, 2, 5]), I([2, 3], kind='mask', grad=False), I([4, 3], kind='mask0', grad=False)],
     fkwargs=dict(key_padding_mask=3, attn_mask=4))
case('MultiheadAttention-batchfirst-noavg', 'MultiheadAttention', dict(embed_dim=6, num_heads=3, batch_first=True, bias=False),
     [I([2, 4, 6]), I([2, 3, 6]), I(None, same_as=1)], fkwargs=dict(average_attn_weights=False))
case('TransformerEncoderLayer', 'TransformerEncoderLayer', dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0), [I([5, 2, 8])])
case('TransformerEncoderLayer-normfirst-gelu-dropout', 'TransformerEncoderLayer',
     dict(d_model=8, nhead=4, dim_feedforward=12, dropout=0.2, activation='gelu', norm_first=True, batch_first=True), [I([2, 5, 8])])
case('TransformerEncoder', 'TransformerEncoder',
     dict(encoder_layer={'__module__': 'TransformerEncoderLayer', 'kwargs': dict(d_model=8, nhead=2, dim_feedforward=12, dropout=0.0)},
          num_layers=2, norm={'__module__': 'LayerNorm', 'kwargs': dict(normalized_shape=8)}),
     [I([4, 2, 8]), I([2, 4], kind='mask', grad=False)], fkwargs=dict(src_key_padding_mask=1))
# padding modules
case('ConstantPad1d', 'ConstantPad1d', dict(padding=(2, 3), value=3.5), [I([2, 3, 4])])
case('ConstantPad2d', 'ConstantPad2d', dict(padding=1, value=-1.0), [I([1, 2, 3, 3])])
case('ConstantPad3d', 'ConstantPad3d', dict(padding=(1, 0, 2, 1, 0, 1), value=0.5), [I([1, 1, 2, 3, 2])])
case('ZeroPad2d', 'ZeroPad2d', dict(padding=(1, 2, 0, 1)), [I([1, 2, 3, 3])])
case('ReflectionPad1d', 'ReflectionPad1d', dict(padding=2), [I([2, 3, 5])])
case('ReflectionPad2d', 'ReflectionPad2d', dict(padding=(1, 1, 2, 0)), [I([1, 2, 4, 4])])
case('ReflectionPad3d', 'ReflectionPad3d', dict(padding=1), [I([1, 1, 3, 3, 3])])
case('ReplicationPad1d', 'ReplicationPad1d', dict(padding=(3, 1)), [I([2, 2, 4])])
case('ReplicationPad2d', 'ReplicationPad2d', dict(padding=2), [I([1, 2, 3, 3])])
case('ReplicationPad3d', 'ReplicationPad3d', dict(padding=(1, 2, 0, 1, 1, 0)), [I([1, 1, 2, 3, 2])])
# more activations, dropout variants, resampling modules
case('Softsign', 'Softsign', dict(), [I([3, 5])])
case('Tanhshrink', 'Tanhshrink', dict(), [I([3, 5])])
case('Threshold', 'Threshold', dict(threshold=0.1, value=-2.0), [I([3, 5])])
case('GLU', 'GLU', dict(dim=1), [I([3, 4, 2])])
case('Softmax2d', 'Softmax2d', dict(), [I([2, 3, 2, 2])])
case('Softmin', 'Softmin', dict(dim=0), [I([3, 4])])
case('LogSigmoid', 'LogSigmoid', dict(), [I([3, 4])])
case('Hardswish', 'Hardswish', dict(), [I([3, 4], kind='wide')])
case('Hardsigmoid', 'Hardsigmoid', dict(), [I([3, 4], kind='wide')])
case('Dropout1d', 'Dropout1d', dict(p=0.5), [I([3, 6, 4])])
case('FeatureAlphaDropout', 'FeatureAlphaDropout', dict(p=0.3), [I([2, 6, 3, 3])])
case('UpsamplingNearest2d', 'UpsamplingNearest2d', dict(scale_factor=2), [I([1, 2, 2, 3])])
case('UpsamplingBilinear2d', 'UpsamplingBilinear2d', dict(size=(5, 4)), [I([1, 2, 2, 3])])
case('PixelUnshuffle', 'PixelUnshuffle', dict(downscale_factor=2), [I([1, 2, 4, 6])])
case('Embedding-scalegrad', 'Embedding', dict(num_embeddings=5, embedding_dim=2, scale_grad_by_freq=True), [I([2, 6], kind='index5', grad=False)])
# loss modules
case('CrossEntropyLoss', 'CrossEntropyLoss', dict(label_smoothing=0.05), [I([5, 4]), I([5], kind='index4', grad=False)])
case('NLLLoss-sum', 'NLLLoss', dict(reduction='sum', ignore_index=1), [I([5, 4]), I([5], kind='index4', grad=False)])
case('BCEWithLogitsLoss', 'BCEWithLogitsLoss', dict(), [I([3, 4]), I([3, 4], kind='prob', grad=False)])
case('BCELoss', 'BCELoss', dict(reduction='none'), [I([3, 4], kind='prob'), I([3, 4], kind='prob', grad=False)])
case('MSELoss', 'MSELoss', dict(), [I([3, 4]), I([3, 4])])
case('L1Loss', 'L1Loss', dict(), [I([3, 4]), I([3, 4])])
case('SmoothL1Loss', 'SmoothL1Loss', dict(beta=0.3), [I([3, 4]), I([3, 4])])
case('HuberLoss', 'HuberLoss', dict(delta=0.5, reduction='sum'), [I([3, 4]), I([3, 4])])
case('KLDivLoss', 'KLDivLoss', dict(reduction='batchmean', log_target=True), [I([3, 4]), I([3, 4])])
case('CosineSimilarity', 'CosineSimilarity', dict(dim=0), [I([3, 4]), I([3, 4])])


def build_kwargs(kw):
    """Values {'__module__': name, 'kwargs': {...}} become modules, built in order."""
    out = {}
    for k, v in kw.items():
        if isinstance(v, dict) and '__module__' in v:
            v = getattr(nn, v['__module__'])(**build_kwargs(v['kwargs']))
        out[k] = v
    return out


def make_input(spec, gen_inputs):
    if spec['same_as'] is not None:
        return gen_inputs[spec['same_as']]
    shape = spec['shape']
    k = spec['kind']
    if k == 'randn':
        t = torch.randn(shape)
    elif k == 'wide':
        t = torch.randn(shape) * 5
    elif k == 'prob':
        t = torch.rand(shape) * 0.9 + 0.05
    elif k.startswith('index'):
        t = torch.randint(0, int(k[5:]), shape)
    elif k == 'mask':
        t = torch.zeros(shape, dtype=torch.bool)
        t[0, -1] = True
    elif k == 'mask0':
        t = torch.rand(shape) < 0.3
        t[:, 0] = False
    else:
        raise ValueError(k)
    return t


def run():
    blob = Blob()
    out_cases = []
    for ci, c in enumerate(CASES):
        seed = 1000 + ci
        torch.manual_seed(seed)
        kwargs = build_kwargs(c['kwargs'])
        m = getattr(nn, c['cls'])(**kwargs)
        sd = m.state_dict()
        entry = dict(name=c['name'], cls=c['cls'], kwargs=c['kwargs'], seed=seed, mode=c['mode'], steps=c['steps'], fargs=c['fargs'],
                     fkwargs=c['fkwargs'], repr=repr(m), numParams=sum(p.numel() for p in m.parameters()),
                     state={k: blob.add(v) for k, v in sd.items()}, inputSpecs=c['inputs'])
        torch.manual_seed(seed + 7)
        inputs = []
        for s in c['inputs']:
            inputs.append(make_input(s, inputs))
        entry['inputs'] = [blob.add(t) for t in inputs]
        m.train(c['mode'] == 'train')
        torch.manual_seed(seed + 1)

        def call(xs):
            kwi = {v for v in c['fkwargs'].values() if type(v) is int}
            pos = [xs[i] for i in range(len(xs)) if i not in kwi]
            kw = {k: (xs[v] if type(v) is int else v) for k, v in c['fkwargs'].items()}
            return m(*pos, *c['fargs'], **kw)

        for step in range(c['steps']):
            with torch.no_grad():
                xs = [x * (step + 1) + step if x.is_floating_point() else x for x in inputs]
                call(xs)
        xs = []
        for s, x in zip(c['inputs'], inputs):
            if s['same_as'] is not None:
                xs.append(xs[s['same_as']])
            elif x.is_floating_point() and s['grad']:
                xs.append(x.clone().requires_grad_(True))
            else:
                xs.append(x)
        out = call(xs)
        outs = list(out) if isinstance(out, tuple) else [out]
        torch.manual_seed(seed + 3)
        gs = [torch.randn_like(o) if o is not None and o.is_floating_point() else None for o in outs]
        loss = sum((o * g).sum() for o, g in zip(outs, gs) if g is not None)
        loss.backward()
        entry['outputs'] = [blob.add(o) for o in outs]
        entry['gradOutputs'] = [blob.add(g) for g in gs]
        entry['inputGrads'] = [blob.add(x.grad) if (s['same_as'] is None and x.is_floating_point() and s['grad']) else None for s, x in zip(c['inputs'], xs)]
        entry['paramGrads'] = {n: blob.add(p.grad) for n, p in m.named_parameters() if p.grad is not None}
        entry['finalState'] = {k: blob.add(v) for k, v in m.state_dict().items()}
        out_cases.append(entry)
    blob.write(OUT, {'torch': torch.__version__, 'cases': out_cases})


if __name__ == '__main__':
    run()

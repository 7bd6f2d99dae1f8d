"""Goldens for packages/monai/test/networks/blocks/blocks_a.test.ts, made with MONAI 1.4.0 on Debian's
python3-torch (1.13):

    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/networks/make_blocks_a.py

Each case builds one MONAI block or layer with a fixed seed, runs it twice in training mode (batch-norm
statistics), then in eval mode on seeded inputs. blocks_a.json: TypeScript options, parameter count,
state-dict keys and shapes; blocks_a/<case>.pt: state dict, inputs, output.
"""
import json
import os
import re

import torch

import monai
from monai.networks import blocks, layers

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'blocks_a')


def camel(s):
    return re.sub(r'_([a-z0-9])', lambda m: m.group(1).upper(), s)


def ts_value(v):
    if isinstance(v, dict):
        return {camel(k): ts_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [ts_value(x) for x in v]
    return v


def theta2d():
    a = torch.tensor([[0.9, 0.2, 1.5], [-0.1, 1.1, -2.0]])
    return a


def theta3d():
    return torch.tensor([[[1.0, 0.1, 0.0, 0.5], [0.0, 0.9, 0.2, -1.0], [0.1, 0.0, 1.1, 0.0]]])


CASES = [
    # name, module path, class, kwargs, input shapes (or callables for extra inputs)
    ('convolution_3d_transposed', blocks, 'Convolution', dict(spatial_dims=3, in_channels=4, out_channels=3, strides=2, kernel_size=3, is_transposed=True,
                                                            adn_ordering='ADN', act=('elu', {'alpha': 0.5}), norm='batch', dropout=0.2), [(2, 4, 6, 6, 6)]),
    ('convolution_2d_dilated_group', blocks, 'Convolution', dict(spatial_dims=2, in_channels=4, out_channels=8, kernel_size=3, dilation=2, groups=2,
                                                               norm=('group', {'num_groups': 4}), act='gelu', bias=False), [(2, 4, 10, 10)]),
    ('residualunit_2d_stride', blocks, 'ResidualUnit', dict(spatial_dims=2, in_channels=3, out_channels=6, strides=2, subunits=3,
                                                          norm=('instance', {'affine': True}), act=('prelu', {'num_parameters': 6})), [(2, 3, 12, 12)]),
    ('residualunit_1d_channels', blocks, 'ResidualUnit', dict(spatial_dims=1, in_channels=2, out_channels=4, last_conv_only=True, norm='batch'), [(3, 2, 20)]),
    ('simpleaspp_2d', blocks, 'SimpleASPP', dict(spatial_dims=2, in_channels=3, conv_out_channels=2), [(2, 3, 16, 16)]),
    ('simpleaspp_3d_custom', blocks, 'SimpleASPP', dict(spatial_dims=3, in_channels=2, conv_out_channels=2, kernel_sizes=(1, 5), dilations=(1, 2),
                                                       norm_type=('instance', {'affine': True}), acti_type='relu', bias=True), [(1, 2, 8, 8, 8)]),
    ('channelselayer_3d', blocks, 'ChannelSELayer', dict(spatial_dims=3, in_channels=8, r=4), [(2, 8, 5, 5, 5)]),
    ('channelselayer_2d_residual', blocks, 'ChannelSELayer', dict(spatial_dims=2, in_channels=6, r=2, acti_type_1='tanh', acti_type_2='sigmoid', add_residual=True), [(2, 6, 7, 7)]),
    ('residualselayer_2d', blocks, 'ResidualSELayer', dict(spatial_dims=2, in_channels=4), [(2, 4, 6, 6)]),
    ('seblock_2d_project', blocks, 'SEBlock', dict(spatial_dims=2, in_channels=4, n_chns_1=6, n_chns_2=6, n_chns_3=8, r=2), [(2, 4, 8, 8)]),
    ('seblock_3d_params', blocks, 'SEBlock', dict(spatial_dims=3, in_channels=8, n_chns_1=4, n_chns_2=4, n_chns_3=8,
                                                  conv_param_1={'kernel_size': 1, 'norm': 'instance', 'act': 'relu'},
                                                  conv_param_2={'kernel_size': 3, 'norm': 'batch', 'act': 'prelu', 'strides': 1},
                                                  acti_type_final=None), [(2, 8, 5, 5, 5)]),
    ('sebottleneck_2d', blocks, 'SEBottleneck', dict(spatial_dims=2, inplanes=16, planes=4, groups=2, reduction=4), [(2, 16, 6, 6)]),
    ('seresnetbottleneck_2d', blocks, 'SEResNetBottleneck', dict(spatial_dims=2, inplanes=16, planes=4, groups=1, reduction=4), [(2, 16, 6, 6)]),
    ('seresnextbottleneck_3d', blocks, 'SEResNeXtBottleneck', dict(spatial_dims=3, inplanes=16, planes=4, groups=4, reduction=4, base_width=32), [(2, 16, 4, 4, 4)]),
    ('upsample_deconv_kernel3_2d', blocks, 'UpSample', dict(spatial_dims=2, in_channels=4, out_channels=2, scale_factor=2, kernel_size=3), [(2, 4, 5, 5)]),
    ('upsample_deconvgroup_3d', blocks, 'UpSample', dict(spatial_dims=3, in_channels=4, out_channels=2, scale_factor=(2, 1, 2), mode='deconvgroup'), [(1, 4, 3, 4, 5)]),
    ('upsample_nontrainable_nearest_2d', blocks, 'UpSample', dict(spatial_dims=2, in_channels=3, out_channels=2, scale_factor=3, mode='nontrainable',
                                                                   interp_mode='nearest', align_corners=None), [(2, 3, 4, 5)]),
    ('upsample_nontrainable_linear_3d', blocks, 'UpSample', dict(spatial_dims=3, in_channels=2, out_channels=2, scale_factor=2, mode='nontrainable'), [(1, 2, 3, 4, 5)]),
    ('upsample_pixelshuffle_3d', blocks, 'UpSample', dict(spatial_dims=3, in_channels=2, out_channels=3, scale_factor=2, mode='pixelshuffle'), [(1, 2, 3, 4, 3)]),
    ('subpixelupsample_2d_nopool', blocks, 'SubpixelUpsample', dict(spatial_dims=2, in_channels=3, scale_factor=3, apply_pad_pool=False, bias=False), [(2, 3, 4, 4)]),
    ('gaussianfilter_2d', layers, 'GaussianFilter', dict(spatial_dims=2, sigma=(1.0, 2.5)), [(2, 3, 20, 24)]),
    ('gaussianfilter_3d_sampled', layers, 'GaussianFilter', dict(spatial_dims=3, sigma=0.8, truncated=3.0, approx='sampled'), [(1, 2, 9, 10, 11)]),
    ('affinetransform_2d', layers, 'AffineTransform', dict(), [(2, 1, 8, 10), theta2d]),
    ('affinetransform_3d_size_border', layers, 'AffineTransform', dict(spatial_size=(4, 5, 6), padding_mode='border', align_corners=False), [(1, 2, 6, 7, 8), theta3d]),
    ('affinetransform_2d_normalized_nearest', layers, 'AffineTransform', dict(normalized=True, mode='nearest', reverse_indexing=False), [(1, 1, 9, 9), lambda: torch.tensor([[[0.8, -0.3, 0.1], [0.3, 0.8, 0.0]]])]),
    ('affinetransform_2d_zero_centered', layers, 'AffineTransform', dict(zero_centered=True, padding_mode='reflection'), [(1, 2, 7, 9), theta2d]),
    ('savitzkygolay_2d_reflect', layers, 'SavitzkyGolayFilter', dict(window_length=5, order=2, axis=3, mode='reflect'), [(1, 2, 8, 9)]),
    ('savitzkygolay_3d_zeros', layers, 'SavitzkyGolayFilter', dict(window_length=7, order=3, axis=4), [(2, 1, 5, 6, 10)]),
    ('savitzkygolay_1d_replicate', layers, 'SavitzkyGolayFilter', dict(window_length=3, order=1, mode='replicate'), [(2, 3, 12)]),
    ('gaussianfilter_2d_scalespace', layers, 'GaussianFilter', dict(spatial_dims=2, sigma=(0.9, 2.5), truncated=3.0, approx='scalespace'), [(1, 2, 16, 20)]),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    index = {'monai': monai.__version__, 'torch': torch.__version__, 'cases': []}
    for i, (name, mod, cls, kwargs, in_specs) in enumerate(CASES):
        torch.manual_seed(2000 + i)
        net = getattr(mod, cls)(**kwargs)
        inputs = [torch.randn(*s) if isinstance(s, tuple) else s() for s in in_specs]
        net.train()
        with torch.no_grad():
            for _ in range(2):
                net(*[x * 2 + 0.5 if j == 0 else x for j, x in enumerate(inputs)])
        net.eval()
        with torch.no_grad():
            out = net(*inputs)
        sd = net.state_dict()
        torch.save({'state_dict': sd, 'inputs': inputs, 'output': out}, os.path.join(OUT, name + '.pt'))
        index['cases'].append({
            'name': name, 'class': cls, 'options': ts_value(kwargs), 'param_count': sum(p.numel() for p in net.parameters()),
            'keys': [[k, list(v.shape)] for k, v in sd.items()], 'output_shape': list(out.shape),
        })
        print(name, index['cases'][-1]['param_count'], tuple(out.shape))
    with open(os.path.join(HERE, 'blocks_a.json'), 'w') as f:
        json.dump(index, f, indent=1)


if __name__ == '__main__':
    main()

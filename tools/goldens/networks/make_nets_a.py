"""Goldens for packages/monai/test/networks/nets/nets_a.test.ts, made with MONAI 1.4.0 on Debian's
python3-torch (1.13):

    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/networks/make_nets_a.py

For each case: MONAI's network is built with a fixed seed, run twice in training mode on random
input (so BatchNorm running statistics are not the initial ones), then switched to eval mode.
nets_a.json records the TypeScript options, the parameter count and the state-dict keys with their
shapes; nets_a/<case>.pt (torch.save) holds MONAI's state dict, a seeded input and MONAI's eval
output(s). Channel counts and sizes are kept small so the files stay small.
"""
import json
import os
import re

import torch

import monai
from monai.networks import nets

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'nets_a')


def camel(s):
    return re.sub(r'_([a-z])', lambda m: m.group(1).upper(), s)


def ts_value(v):
    """Python constructor arguments as the TypeScript options: tuples -> arrays, dict keys camelCase."""
    if isinstance(v, dict):
        return {camel(k): ts_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [ts_value(x) for x in v]
    return v


CASES = [
    # name, class, kwargs, input shape
    ('unet_3d_res_batch', 'UNet', dict(spatial_dims=3, in_channels=1, out_channels=2, channels=(4, 8, 16), strides=(2, 2), num_res_units=2, norm='batch'), (2, 1, 8, 8, 8)),
    ('unet_2d_plain', 'UNet', dict(spatial_dims=2, in_channels=3, out_channels=2, channels=(4, 8, 16, 32), strides=(2, 2, 2)), (1, 3, 32, 32)),
    ('unet_2d_custom', 'UNet', dict(spatial_dims=2, in_channels=1, out_channels=2, channels=(4, 8, 16), strides=(2, 2), num_res_units=1,
                                    act=('leakyrelu', {'negative_slope': 0.1}), norm=('group', {'num_groups': 2}), dropout=0.1,
                                    adn_ordering='ADN', kernel_size=5, up_kernel_size=3, bias=False), (2, 1, 24, 24)),
    ('basicunet_2d', 'BasicUNet', dict(spatial_dims=2, in_channels=1, out_channels=2, features=(4, 4, 8, 8, 16, 4)), (1, 1, 32, 32)),
    ('basicunet_3d_nontrainable', 'BasicUNet', dict(spatial_dims=3, in_channels=1, out_channels=2, features=(2, 2, 4, 4, 8, 2), upsample='nontrainable',
                                                    norm='batch', act='relu'), (2, 1, 16, 16, 16)),
    ('basicunet_2d_pixelshuffle', 'BasicUNet', dict(spatial_dims=2, in_channels=1, out_channels=2, features=(4, 4, 8, 8, 16, 4), upsample='pixelshuffle'), (1, 1, 32, 32)),
    ('autoencoder_2d', 'AutoEncoder', dict(spatial_dims=2, in_channels=1, out_channels=1, channels=(4, 8, 16), strides=(2, 2, 2)), (2, 1, 32, 32)),
    ('autoencoder_3d_res_inter', 'AutoEncoder', dict(spatial_dims=3, in_channels=1, out_channels=2, channels=(4, 8), strides=(2, 2), num_res_units=2,
                                                     inter_channels=[8, 8], inter_dilations=[1, 2], num_inter_units=2), (1, 1, 16, 16, 16)),
    ('varautoencoder_2d', 'VarAutoEncoder', dict(spatial_dims=2, in_shape=(1, 32, 32), out_channels=1, latent_size=2, channels=(4, 8, 16), strides=(2, 2, 2)), (2, 1, 32, 32)),
    ('varautoencoder_3d_res', 'VarAutoEncoder', dict(spatial_dims=3, in_shape=(1, 16, 16, 16), out_channels=1, latent_size=3, channels=(4, 8), strides=(2, 2),
                                                     num_res_units=1, use_sigmoid=False), (1, 1, 16, 16, 16)),
    ('generator_2d', 'Generator', dict(latent_shape=(8,), start_shape=(4, 8, 8), channels=(8, 4, 1), strides=(2, 2, 1)), (2, 8)),
    ('generator_3d_plain', 'Generator', dict(latent_shape=(4,), start_shape=(2, 4, 4, 4), channels=(4, 1), strides=(2, 1), num_res_units=0, norm='batch'), (2, 4)),
    ('discriminator_2d', 'Discriminator', dict(in_shape=(1, 32, 32), channels=(4, 8, 16), strides=(2, 2, 2)), (2, 1, 32, 32)),
    ('classifier_2d', 'Classifier', dict(in_shape=(1, 32, 32), classes=3, channels=(4, 8, 16), strides=(2, 2, 2), last_act='softmax'), (2, 1, 32, 32)),
    ('classifier_3d_plain', 'Classifier', dict(in_shape=(2, 16, 16, 16), classes=4, channels=(4, 8), strides=(2, 2), num_res_units=0), (2, 2, 16, 16, 16)),
    ('regressor_2d', 'Regressor', dict(in_shape=(1, 32, 32), out_shape=(2, 3), channels=(4, 8, 16), strides=(2, 2, 2)), (2, 1, 32, 32)),
    ('regressor_3d', 'Regressor', dict(in_shape=(1, 16, 16, 16), out_shape=(2,), channels=(4, 8), strides=(2, 2), num_res_units=1, norm='batch'), (2, 1, 16, 16, 16)),
    ('critic_2d', 'Critic', dict(in_shape=(1, 32, 32), channels=(4, 8, 16), strides=(2, 2, 2)), (2, 1, 32, 32)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    index = {'monai': monai.__version__, 'torch': torch.__version__, 'cases': []}
    for i, (name, cls, kwargs, in_shape) in enumerate(CASES):
        torch.manual_seed(1000 + i)
        net = getattr(nets, cls)(**kwargs)
        x = torch.randn(*in_shape)
        net.train()
        with torch.no_grad():
            for _ in range(2):
                net(torch.randn(*in_shape) * 2 + 0.5)
        net.eval()
        with torch.no_grad():
            out = net(x)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        sd = net.state_dict()
        torch.save({'state_dict': sd, 'input': x, 'outputs': outs}, os.path.join(OUT, name + '.pt'))
        index['cases'].append({
            'name': name, 'class': cls, 'options': ts_value(kwargs), 'input_shape': list(in_shape),
            'param_count': sum(p.numel() for p in net.parameters()),
            'keys': [[k, list(v.shape)] for k, v in sd.items()],
            'output_shapes': [list(o.shape) for o in outs],
        })
        print(name, index['cases'][-1]['param_count'], [tuple(o.shape) for o in outs])
    with open(os.path.join(HERE, 'nets_a.json'), 'w') as f:
        json.dump(index, f, indent=1)


if __name__ == '__main__':
    main()

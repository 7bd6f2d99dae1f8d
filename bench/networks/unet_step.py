"""Python twin of bench/networks/unet_step.ts: one training step of MONAI's spleen UNet (spatial_dims 3,
1 -> 2 channels, channels 16-256, strides 2, 2 residual units, batch norm; batch 2x1x96^3,
DiceLoss(to_onehot_y, softmax), Adam). Prints the median step in ms (or process CPU ms with 'cpu').
Usage: PYTHONPATH=<monai source> /usr/bin/python3 bench/networks/unet_step.py <threads> <steps> [cpu]"""
import json, sys, time
import torch
from monai.losses import DiceLoss
from monai.networks.nets import UNet

torch.set_num_threads(int(sys.argv[1]))
steps = int(sys.argv[2])
clock = time.process_time if len(sys.argv) > 3 and sys.argv[3] == 'cpu' else time.perf_counter

torch.manual_seed(0)
model = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256), strides=(2, 2, 2, 2), num_res_units=2, norm='batch')
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
loss_fn = DiceLoss(to_onehot_y=True, softmax=True)
x = torch.randn(2, 1, 96, 96, 96)
y = (x > 0.5).float()


def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


step()
times = []
for _ in range(steps):
    t = clock()
    step()
    times.append(clock() - t)
times.sort()
print(json.dumps({'value': times[len(times) // 2] * 1e3}))

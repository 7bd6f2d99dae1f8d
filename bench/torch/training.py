"""Python twin of bench/torch/training.ts: one training step of the TinyUNet3d of
examples/tiny_unet.ts (batch 2 of 1x64x64x64, cross entropy, Adam). Prints the median step in ms.
Usage: /usr/bin/python3 bench/torch/training.py <threads>"""
import json, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(int(sys.argv[1]))


class Block(nn.Module):
    def __init__(self, conv, ch):
        super().__init__()
        self.conv = conv
        self.norm = nn.BatchNorm3d(ch)

    def forward(self, x):
        return torch.relu(self.norm(self.conv(x)))


class TinyUNet3d(nn.Module):
    def __init__(self, cin=1, cout=2, c=(8, 16, 32)):
        super().__init__()
        conv = lambda i, o, s=1: nn.Conv3d(i, o, 3, stride=s, padding=1)
        up = lambda i, o: nn.ConvTranspose3d(i, o, 2, stride=2)
        self.enc1 = Block(conv(cin, c[0]), c[0])
        self.down1 = Block(conv(c[0], c[1], 2), c[1])
        self.down2 = Block(conv(c[1], c[2], 2), c[2])
        self.up2 = Block(up(c[2], c[1]), c[1])
        self.dec2 = Block(conv(2 * c[1], c[1]), c[1])
        self.up1 = Block(up(c[1], c[0]), c[0])
        self.dec1 = Block(conv(2 * c[0], c[0]), c[0])
        self.head = nn.Conv3d(c[0], cout, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        d1 = self.down1(e1)
        d2 = self.down2(d1)
        u2 = self.dec2(torch.cat([self.up2(d2), d1], 1))
        u1 = self.dec1(torch.cat([self.up1(u2), e1], 1))
        return self.head(u1)


torch.manual_seed(0)
model = TinyUNet3d()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(2, 1, 64, 64, 64)
y = (x > 0.5).long().squeeze(1)
loss_fn = nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


for _ in range(2):
    step()
times = []
for _ in range(7):
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({'value': times[len(times) // 2] * 1e3}))

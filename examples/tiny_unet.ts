// A small 3D U-Net (two levels: conv, batch norm, ReLU, strided conv down, transposed conv up,
// skip connections), used by the demo and by bench/torch/training.ts. Its Python twin is in
// bench/torch/training.py: same layers, same order, same parameter names.
import { nn, type Tensor } from '@monai-ts/torch';
import * as torch from '@monai-ts/torch';

class Block extends nn.Module {
  declare conv: nn.Conv3d | nn.ConvTranspose3d;
  declare norm: nn.BatchNorm3d;
  constructor(conv: nn.Conv3d | nn.ConvTranspose3d, channels: number) {
    super();
    this.conv = conv;
    this.norm = new nn.BatchNorm3d({ numFeatures: channels });
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => torch.relu(this.norm.forward(this.conv.forward(x))));
  }
}

export class TinyUNet3d extends nn.Module {
  declare enc1: Block;
  declare down1: Block;
  declare down2: Block;
  declare up2: Block;
  declare dec2: Block;
  declare up1: Block;
  declare dec1: Block;
  declare head: nn.Conv3d;

  constructor(inChannels = 1, outChannels = 2, c = [8, 16, 32]) {
    super();
    const conv = (i: number, o: number, stride = 1) => new nn.Conv3d({ inChannels: i, outChannels: o, kernelSize: 3, stride, padding: 1 });
    const upconv = (i: number, o: number) => new nn.ConvTranspose3d({ inChannels: i, outChannels: o, kernelSize: 2, stride: 2 });
    this.enc1 = new Block(conv(inChannels, c[0]), c[0]);
    this.down1 = new Block(conv(c[0], c[1], 2), c[1]);
    this.down2 = new Block(conv(c[1], c[2], 2), c[2]);
    this.up2 = new Block(upconv(c[2], c[1]), c[1]);
    this.dec2 = new Block(conv(2 * c[1], c[1]), c[1]);
    this.up1 = new Block(upconv(c[1], c[0]), c[0]);
    this.dec1 = new Block(conv(2 * c[0], c[0]), c[0]);
    this.head = new nn.Conv3d({ inChannels: c[0], outChannels, kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const e1 = this.enc1.forward(x);
      const d1 = this.down1.forward(e1);
      const d2 = this.down2.forward(d1);
      const u2 = this.dec2.forward(torch.cat([this.up2.forward(d2), d1], { dim: 1 }));
      const u1 = this.dec1.forward(torch.cat([this.up1.forward(u2), e1], { dim: 1 }));
      return this.head.forward(u1);
    });
  }
}

// A small 3-D UNet (the configuration of golden case unet_3d_res_batch: channels 4, 8, 16, strides 2,
// two residual units, batch norm) trained 3 Adam steps on seeded data, shared by the round-trip test
// and tools/goldens/networks/write_trained_unet.ts (whose output check_roundtrip.py loads into MONAI).
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { UNet } from '../../../src/networks/nets/unet.js';

export const TRAINED_UNET_OPTIONS = { spatialDims: 3, inChannels: 1, outChannels: 2, channels: [4, 8, 16], strides: [2, 2], numResUnits: 2, norm: 'batch' } as const;

/** The trained network (in eval mode), a seeded evaluation input, and the losses of the 3 steps. */
export function trainUNet3Steps(): { net: UNet; input: Tensor; losses: number[] } {
  torch.manualSeed(7);
  const net = new UNet({ ...TRAINED_UNET_OPTIONS, channels: [...TRAINED_UNET_OPTIONS.channels], strides: [...TRAINED_UNET_OPTIONS.strides] });
  const opt = new torch.optim.Adam([...net.parameters()], { lr: 1e-2 });
  const lossFn = new torch.nn.CrossEntropyLoss();
  const losses: number[] = [];
  torch.tidy(() => {
    const x = torch.randn([2, 1, 16, 16, 16]);
    const y = x.gt(0.3).long().squeeze(1);
    for (let i = 0; i < 3; i++) {
      torch.tidy(() => {
        opt.zeroGrad();
        const loss = lossFn.forward(net.forward(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
  });
  opt.dispose();
  net.eval();
  const input = torch.randn([1, 1, 16, 16, 16]);
  return { net, input, losses };
}

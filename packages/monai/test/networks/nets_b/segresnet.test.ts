// SegResNet and SegResNetVAE against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in
// helpers.ts): 2-D with transposed-convolution upsampling, 3-D with linear upsampling and dropout, the
// VAE variant in evaluation and in training (output and VAE loss with MONAI's seeded latent sample),
// and the default network's keys; gradients of the VAE loss.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { SegResNet, SegResNetVAE } from '../../../src/networks/index.js';
import { checkCase, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['segresnet_2d', 'segresnet_3d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));
test('segresnetvae_3d matches MONAI (keys, parameters, eval output, seeded train output and VAE loss)', () => checkCase('segresnetvae_3d'));

test('SegResNet with default options matches MONAI keys and parameter count', () => {
  checkDefault(golden.defaults.find((d) => d.class === 'SegResNet')!);
});

test('SegResNetVAE: training gives a finite VAE loss and gradients reach the VAE branch', () => {
  const net = new SegResNetVAE({ inputImageSize: [16, 16], spatialDims: 2, initFilters: 4, norm: ['group', { numGroups: 2 }], vaeNz: 4, vaeEstimateStd: true });
  try {
    torch.tidy(() => {
      const [seg, loss] = net.forwardVAE(torch.randn([2, 1, 16, 16]));
      assert.deepEqual(seg.shape, [2, 2, 16, 16]);
      assert.ok(loss && loss.dim() === 0 && Number.isFinite(loss.item()));
      seg.mean().add(loss!).backward();
      for (const k of ['vae_fc1.weight', 'vae_fc2.weight', 'vae_fc3.weight', 'vae_conv_final.2.conv.weight', 'convInit.conv.weight'])
        assert.ok(net.getParameter(k).grad, `${k} has a gradient`);
      net.eval();
      assert.equal(net.forwardVAE(torch.randn([1, 1, 16, 16]))[1], null);
    });
    net.zeroGrad();
  } finally {
    net.dispose();
  }
});

test('SegResNet: bad options and inputs name the option', () => {
  assert.match(errorOf(() => new SegResNet({ spatialDims: 1 })), /SegResNet: spatialDims must be 2 or 3, found 1/);
  assert.match(errorOf(() => new SegResNet({ norm: 'grop' })), /SegResNet: option 'norm'.*grop.*did you mean 'group'/);
  assert.match(errorOf(() => new SegResNet({ act: 'reluu' })), /SegResNet: option 'act'.*reluu/);
  assert.match(errorOf(() => new SegResNet({ normName: 'batch' })), /SegResNet: normName='batch' is deprecated/);
  assert.match(errorOf(() => new SegResNet({ upsampleMode: 'deconvv' as never })), /SegResNet: upsampleMode.*did you mean 'deconv'/);
  assert.match(errorOf(() => new SegResNet({ blocksDown: [1, 1], blocksUp: [1, 1] })), /SegResNet: blocksUp must have at most/);
  assert.match(errorOf(() => new SegResNetVAE({ spatialDims: 2 } as never)), /SegResNetVAE.*inputImageSize/);
  assert.match(errorOf(() => new SegResNetVAE({ inputImageSize: [16, 16], vaeNZ: 4 } as never)), /SegResNetVAE.*vaeNZ.*vaeNz/);
  assert.match(errorOf(() => new SegResNetVAE({ inputImageSize: [16, 16], numGroups: 4 } as never)), /SegResNetVAE.*numGroups/);
  assert.match(errorOf(() => new SegResNetVAE({ inputImageSize: [16, 16, 16], spatialDims: 2, initFilters: 2, norm: 'batch' })), /SegResNetVAE: inputImageSize must have spatialDims=2/);
  const net = new SegResNet({ spatialDims: 2, initFilters: 2, norm: 'batch', blocksDown: [1, 1], blocksUp: [1] });
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 2, 8, 8]))), /SegResNet: input has 2 channels.*inChannels=1/);
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 8, 7]))), /SegResNet: spatial sizes must be multiples of 2/);
    });
  } finally {
    net.dispose();
  }
});

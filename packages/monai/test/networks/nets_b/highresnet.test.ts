// HighResNet against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in helpers.ts):
// small layer parameters in 2-D (batch norm, ReLU, channel padding) and 3-D (instance norm, PReLU,
// projected residuals, biases), plus MONAI's default network's keys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { ChannelPad, HighResNet } from '../../../src/networks/index.js';
import { checkCase, checkGradients, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['highresnet_2d', 'highresnet_3d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

test('HighResNet with default options matches MONAI keys and parameter count', () => {
  checkDefault(golden.defaults.find((d) => d.class === 'HighResNet')!);
});

test('ChannelPad pads channels evenly (extra at the end) or refuses to shrink', () => {
  torch.tidy(() => {
    const cp = new ChannelPad({ spatialDims: 2, inChannels: 2, outChannels: 5 });
    const y = cp.forward(torch.ones([1, 2, 3, 3]));
    assert.deepEqual(y.shape, [1, 5, 3, 3]);
    assert.deepEqual(Array.from(y.sum([0, 2, 3]).toTypedArray() as Float32Array), [0, 9, 9, 0, 0]);
  });
  assert.match(errorOf(() => new ChannelPad({ spatialDims: 2, inChannels: 4, outChannels: 2 })), /ChannelPad: mode 'pad' cannot reduce 4 channels to 2/);
  assert.match(errorOf(() => new ChannelPad({ spatialDims: 2, inChannels: 1, outChannels: 2, mode: 'projct' as never })), /ChannelPad: mode.*did you mean 'project'/);
});

test('HighResNet: bad options and inputs name the option', () => {
  assert.match(errorOf(() => new HighResNet({ spatialDims: 2, normType: 'bach' })), /HighResNet: .*norm.*bach.*did you mean 'batch'/);
  assert.match(errorOf(() => new HighResNet({ spatialDims: 2, actiType: 'rel' })), /HighResNet: .*act.*rel/);
  assert.match(errorOf(() => new HighResNet({ spatialDims: 2, channelMatching: 'proj' as never })), /HighResNet: channelMatching/);
  assert.match(errorOf(() => new HighResNet({ layerParams: [{ nFeatures: 4, kernelSize: 3 }, { nFeatures: 4, kernelSize: 1 }] })), /HighResNet: layerParams must have at least 3/);
  assert.match(errorOf(() => new HighResNet({ layerParams: [{ nFeature: 4 } as never, {}, {}] })), /layerParams\[0\].*nFeature.*nFeatures/);
  const net = new HighResNet({ spatialDims: 2, layerParams: [{ nFeatures: 2, kernelSize: 3 }, { nFeatures: 2, kernels: [3], repeat: 1 }, { nFeatures: 2, kernelSize: 1 }, { kernelSize: 1 }] });
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 2, 8, 8]))), /HighResNet: input has 2 channels.*inChannels=1/);
    });
  } finally {
    net.dispose();
  }
});

test('HighResNet: a training step sends gradients to every parameter', () => {
  const net = new HighResNet({ spatialDims: 2, channelMatching: 'project', layerParams: [{ nFeatures: 2, kernelSize: 3 }, { nFeatures: 4, kernels: [3, 3], repeat: 1 }, { nFeatures: 4, kernelSize: 1 }, { kernelSize: 1 }] });
  try {
    checkGradients(net, [2, 1, 8, 8]);
  } finally {
    net.dispose();
  }
});

// SwinUNETR against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in helpers.ts):
// 3-D with useV2 and PatchMergingV2 (shifted windows padded from 16 to 21, batch norm), 2-D with
// MONAI's PatchMerging, uneven depths and heads, no output normalisation, all with MONAI's weights.
// The 3-D relative-position index buffers (0.9 MB each) are compared by checksum instead of stored.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { SwinUNETR, computeMask, windowPartition, windowReverse } from '../../../src/networks/index.js';
import { checkCase, checkGradients, errorOf } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['swinunetr_3d', 'swinunetr_2d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

test('windowPartition and windowReverse are inverses; the shift mask separates regions', () => {
  torch.tidy(() => {
    const x = torch.randn([2, 4, 6, 3]);
    const w = windowPartition(x, [2, 3]);
    assert.deepEqual(w.shape, [8, 6, 3]);
    assert.equal(windowReverse(w, [2, 3], [2, 4, 6]).sub(x).abs().max().item(), 0);
    const m = computeMask([4, 4], [2, 2], [1, 1], 'cpu');
    assert.deepEqual(m.shape, [4, 4, 4]);
    assert.equal(m.select(0, 0).abs().max().item(), 0, 'the first window lies in one region');
    assert.ok(m.select(0, 3).eq(-100).any().item(), 'the last window spans regions');
  });
});

test('SwinUNETR: bad options and inputs name the option', () => {
  const base = { inChannels: 1, outChannels: 2, featureSize: 12, spatialDims: 2 };
  assert.match(errorOf(() => new SwinUNETR({ ...base, featureSize: 16 })), /SwinUNETR: featureSize must be a positive multiple of 12, found 16/);
  assert.match(errorOf(() => new SwinUNETR({ ...base, depths: [2, 2] })), /SwinUNETR: depths must have 4 entries/);
  assert.match(errorOf(() => new SwinUNETR({ ...base, numHeads: [5, 6, 12, 24] })), /SwinUNETR: stage 1 has 12 channels, not divisible by numHeads\[0\]=5/);
  assert.match(errorOf(() => new SwinUNETR({ ...base, downsample: 'merge' as never })), /SwinUNETR: downsample.*'merging', 'mergingv2'/);
  assert.match(errorOf(() => new SwinUNETR({ ...base, normName: 'insance' })), /SwinUNETR: option 'normName'.*insance.*did you mean 'instance'/);
  assert.match(errorOf(() => new SwinUNETR({ ...base, dropRate: 2 })), /SwinUNETR: dropRate must be between 0 and 1, found 2/);
  const net = new SwinUNETR(base);
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 2, 32, 32]))), /SwinUNETR: input has 2 channels.*inChannels=1/);
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 32, 48]))), /SwinUNETR: spatial dimensions \[3\] of input image .* must be divisible by 2\*\*5/);
    });
  } finally {
    net.dispose();
  }
});

test('SwinUNETR: a training step sends gradients to every parameter', () => {
  const net = new SwinUNETR({ inChannels: 1, outChannels: 2, featureSize: 12, depths: [2, 1, 1, 1], spatialDims: 2, normName: 'batch', useV2: true, dropoutPathRate: 0.1 });
  try {
    checkGradients(net, [2, 1, 32, 32]);
  } finally {
    net.dispose();
  }
});

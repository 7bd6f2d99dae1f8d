// AHNet against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in helpers.ts): one
// bottleneck per stage, 2-D with transposed-convolution upsampling and two pyramid levels, 3-D with
// trilinear upsampling and one level (11-15M parameters; MONAI's weights from the .pt), and the
// default network's keys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { AHNet } from '../../../src/networks/index.js';
import { checkCase, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['ahnet_2d', 'ahnet_3d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

test('AHNet with default options matches MONAI keys and parameter count', () => {
  checkDefault(golden.defaults.find((d) => d.class === 'AHNet')!);
});

test('AHNet: bad options and inputs name the option', () => {
  assert.match(errorOf(() => new AHNet({ spatialDims: 1 })), /AHNet: spatialDims must be 2 or 3, found 1/);
  assert.match(errorOf(() => new AHNet({ pspBlockNum: 5 })), /AHNet: pspBlockNum must be an integer from 0 to 4, found 5/);
  assert.match(errorOf(() => new AHNet({ upsampleMode: 'trilinar' as never })), /AHNet: upsampleMode.*did you mean 'trilinear'/);
  assert.match(errorOf(() => new AHNet({ layers: [1, 1, 1] })), /AHNet: layers must be 4 positive block counts/);
  assert.match(errorOf(() => new AHNet({ pretrained: true })), /AHNet: pretrained=true .* not available/);
  const net = new AHNet({ spatialDims: 2, layers: [1, 1, 1, 1], pspBlockNum: 0, inChannels: 2 });
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 32, 32]))), /AHNet: input has 1 channels.*inChannels=2/);
    });
  } finally {
    net.dispose();
  }
});

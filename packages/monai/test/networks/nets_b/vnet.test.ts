// VNet against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in helpers.ts):
// 2-D with ELU, 3-D with per-channel PReLU and biases (45M parameters; MONAI's weights from the .pt).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { VNet } from '../../../src/networks/index.js';
import { checkCase, checkGradients, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['vnet_2d', 'vnet_3d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

test('VNet with default options matches MONAI keys and parameter count', () => {
  checkDefault(golden.defaults.find((d) => d.class === 'VNet')!);
});

test('VNet: bad options and inputs name the option', () => {
  assert.match(errorOf(() => new VNet({ spatialDims: 1 })), /VNet: spatialDims must be 2 or 3, found 1/);
  assert.match(errorOf(() => new VNet({ spatialDims: 2, inChannels: 3 })), /VNet: .*divisible by inChannels, found inChannels=3/);
  assert.match(errorOf(() => new VNet({ spatialDims: 2, act: 'elux' })), /VNet: option 'act'.*elux.*did you mean 'elu'/);
  assert.match(errorOf(() => new VNet({ spatialDims: 2, dropoutProbDwn: 0.1 } as never)), /VNet.*dropoutProbDwn.*dropoutProbDown/);
  const net = new VNet({ spatialDims: 2, inChannels: 2 });
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 16, 16]))), /VNet: input has 1 channels.*inChannels=2/);
      assert.match(errorOf(() => net.forward(torch.zeros([1, 2, 16, 24]))), /VNet: spatial sizes must be multiples of 16/);
    });
  } finally {
    net.dispose();
  }
});

test('VNet: dropoutProbDown null removes the down-path dropout layers (as MONAI)', () => {
  const net = new VNet({ spatialDims: 2, dropoutProbDown: null });
  try {
    assert.equal(net.down_tr128.dropout, undefined);
    assert.ok(net.up_tr256.dropout);
  } finally {
    net.dispose();
  }
});

test('VNet: a training step sends gradients to every parameter', () => {
  const net = new VNet({ spatialDims: 2, act: 'prelu' });
  try {
    checkGradients(net, [2, 1, 16, 16]);
  } finally {
    net.dispose();
  }
});

// DynUNet against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in helpers.ts):
// 2-D with instance norm and two supervision heads, 3-D anisotropic with residual blocks, batch norm,
// leaky ReLU 0.1 and a transposed-conv bias; eval outputs and deep-supervision train outputs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { DynUNet, getPadding, getOutputPadding } from '../../../src/networks/index.js';
import { checkCase, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['dynunet_2d', 'dynunet_3d']) test(`${name} matches MONAI (keys, parameters, eval and deep-supervision train outputs)`, () => checkCase(name));

test('DynUNet with nnU-Net default filters matches MONAI keys and parameter count', () => {
  checkDefault(golden.defaults.find((d) => d.class === 'DynUNet')!);
});

test('getPadding and getOutputPadding follow nnU-Net arithmetic', () => {
  assert.equal(getPadding(3, 1), 1);
  assert.equal(getPadding(3, 2), 1);
  assert.deepEqual(getPadding([3, 3, 1], [2, 2, 1]), [1, 1, 0]);
  assert.equal(getOutputPadding(2, 2, 0), 0);
  assert.deepEqual(getOutputPadding([3, 3], [2, 2], [1, 1]), [1, 1]);
  assert.match(errorOf(() => getPadding(1, 3)), /negative/);
});

const base = { spatialDims: 2, inChannels: 1, outChannels: 2, kernelSize: [3, 3, 3], strides: [1, 2, 2], upsampleKernelSize: [2, 2], filters: [2, 4, 8] };

test('DynUNet: bad options name the option', () => {
  assert.match(errorOf(() => new DynUNet({ ...base, normName: 'batchh' })), /DynUNet.*normName.*batchh.*did you mean 'batch'/s);
  assert.match(errorOf(() => new DynUNet({ ...base, actName: 'relux' })), /DynUNet.*actName.*relux/s);
  assert.match(errorOf(() => new DynUNet({ ...base, kernelSize: [3, 3] })), /DynUNet: kernelSize and strides/);
  assert.match(errorOf(() => new DynUNet({ ...base, strides: [1, [2, 2, 2], 2] })), /DynUNet: strides\[1\] must have spatialDims=2/);
  assert.match(errorOf(() => new DynUNet({ ...base, upsampleKernelSize: [2] })), /DynUNet: upsampleKernelSize/);
  assert.match(errorOf(() => new DynUNet({ ...base, filters: [2, 4] })), /DynUNet: filters/);
  assert.match(errorOf(() => new DynUNet({ ...base, deepSupervision: true, deepSuprNum: 2 })), /DynUNet: deepSuprNum/);
  assert.match(errorOf(() => new DynUNet({ ...base, resBlok: true } as never)), /DynUNet.*resBlok.*resBlock/);
});

test('DynUNet: a wrong channel count or rank names the option', () => {
  const net = new DynUNet(base);
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 3, 8, 8]))), /DynUNet: input has 3 channels.*inChannels=1/);
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 8, 8, 8]))), /DynUNet: .*spatialDims=2/);
    });
  } finally {
    net.dispose();
  }
});

test('DynUNet: gradients reach every parameter in deep-supervision training', () => {
  const net = new DynUNet({ ...base, deepSupervision: true, deepSuprNum: 1, resBlock: true });
  try {
    torch.tidy(() => {
      const y = net.forward(torch.randn([2, 1, 8, 8]));
      assert.deepEqual(y.shape, [2, 2, 2, 8, 8]);
      y.square().sum().backward();
      for (const [k, p] of net.namedParameters()) assert.ok(p.grad, `${k} has a gradient`);
    });
    net.zeroGrad();
  } finally {
    net.dispose();
  }
});

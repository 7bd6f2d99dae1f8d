// Layer factories and MONAI's string-or-pair layer specifications.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { nn } from '@monai-ts/torch';
import { Act, Conv, Dropout, Norm, Pool, Pad, getActLayer, getDropoutLayer, getNormLayer, getPoolLayer, layerFromOption, splitArgs } from '../../../src/networks/layers/index.js';
import { Swish, Mish, GEGLU, MemoryEfficientSwish } from '../../../src/networks/blocks/activation.js';

const start = torch.memory().liveTensors;
const made: nn.Module[] = [];
const keep = <M extends nn.Module>(m: M): M => (made.push(m), m);
after(() => {
  for (const m of made) m.dispose();
  assert.equal(torch.memory().liveTensors, start);
});

test('factories pick classes by name (case-insensitive) and spatial dimensions', () => {
  assert.equal(Conv.get('conv', 1), nn.Conv1d);
  assert.equal(Conv.get('CONV', 3), nn.Conv3d);
  assert.equal(Conv.get('convtrans', 2), nn.ConvTranspose2d);
  assert.equal(Norm.get('batch', 3), nn.BatchNorm3d);
  assert.equal(Norm.get('instance', 2), nn.InstanceNorm2d);
  assert.equal(Norm.get('group'), nn.GroupNorm);
  assert.equal(Dropout.get('dropout', 1), nn.Dropout);
  assert.equal(Dropout.get('dropout', 3), nn.Dropout3d);
  assert.equal(Pool.get('max', 2), nn.MaxPool2d);
  assert.equal(Pool.get('adaptiveavg', 3), nn.AdaptiveAvgPool3d);
  assert.equal(Pad.get('replicationpad', 3), nn.ReplicationPad3d);
  assert.equal(Act.get('PReLU'), nn.PReLU);
  assert.equal(Act.get('swish'), Swish);
  assert.ok(Norm.names.includes('localresponse'));
  assert.ok(Conv.needsDims('conv') && !Act.needsDims('relu'));
});

test('unknown names and bad dimensions throw with the factory, a suggestion and the known names', () => {
  assert.throws(() => Norm.get('batchh', 3), /Norm: unknown layer name 'batchh' \(did you mean 'batch'\?\); known names: instance, batch/);
  assert.throws(() => Act.get('relux'), /Act: unknown layer name 'relux' \(did you mean 'relu'\?\)/);
  assert.throws(() => Conv.get('conv', 4), /Conv 'conv': spatial dimensions must be 1, 2 or 3, found 4/);
  assert.throws(() => Conv.get('conv'), /spatial dimensions are required/);
});

test('getNormLayer fills numFeatures / numChannels from channels and passes the pair options', () => {
  const bn = keep(getNormLayer('batch', 3, 16)) as unknown as nn.BatchNorm3d;
  assert.ok(bn instanceof nn.BatchNorm3d);
  assert.equal(bn.numFeatures, 16);
  const inorm = keep(getNormLayer(['instance', { affine: true }], 2, 8)) as unknown as nn.InstanceNorm2d;
  assert.ok(inorm instanceof nn.InstanceNorm2d && inorm.affine);
  const gn = keep(getNormLayer(['group', { numGroups: 4 }], 3, 16)) as unknown as nn.GroupNorm;
  assert.equal(gn.numChannels, 16);
  assert.equal(gn.numGroups, 4);
  assert.ok(keep(getNormLayer('')) instanceof nn.Identity);
  assert.throws(() => getNormLayer(['batch', { momentun: 0.1 }], 3, 4), /unknown option 'momentun' \(did you mean 'momentum'\?\)/);
});

test('getActLayer, getDropoutLayer, getPoolLayer', () => {
  const p = keep(getActLayer(['prelu', { numParameters: 1, init: 0.25 }])) as unknown as nn.PReLU;
  assert.ok(p instanceof nn.PReLU);
  assert.equal(p.weight.item(), 0.25);
  assert.ok(getActLayer('mish') instanceof Mish);
  assert.ok(getActLayer('memswish') instanceof MemoryEfficientSwish);
  assert.ok(getActLayer('geglu') instanceof GEGLU);
  assert.equal((getActLayer(['leakyrelu', { negativeSlope: 0.2 }]) as unknown as nn.LeakyReLU).negativeSlope, 0.2);
  assert.throws(() => getActLayer(['sigmoid', { inplace: true }]), /Sigmoid takes no options, found inplace/);
  const d = getDropoutLayer(0.3, 3) as unknown as nn.Dropout3d;
  assert.ok(d instanceof nn.Dropout3d);
  assert.equal(d.p, 0.3);
  assert.ok(getDropoutLayer(['alphadropout', { p: 0.25 }]) instanceof nn.AlphaDropout);
  assert.ok(getPoolLayer(['max', { kernelSize: 2 }], 3) instanceof nn.MaxPool3d);
  assert.ok(getActLayer([nn.ReLU, { inplace: true }]) instanceof nn.ReLU);
  assert.throws(() => splitArgs(['relu'] as never), /a layer must be given as a name or a \[name, options\] pair/);
});

test('layerFromOption names the module and the option', () => {
  assert.throws(() => layerFromOption('UNet', 'act', () => getActLayer('preluu')), /^TypeError: UNet: option 'act': Act: unknown layer name 'preluu' \(did you mean 'prelu'\?\)/);
});

test('MONAI activations compute their formulas', () => {
  torch.tidy(() => {
    const x = torch.linspace(-3, 3, 13);
    const sw = new Swish({ alpha: 2 }).forward(x);
    assert.ok(sw.allclose(x.mul(torch.sigmoid(x.mul(2))), { atol: 1e-7 }));
    const ms = new MemoryEfficientSwish().forward(x);
    assert.ok(ms.allclose(x.mul(torch.sigmoid(x)), { atol: 1e-6 }));
    const mi = new Mish().forward(x);
    assert.ok(mi.allclose(x.mul(torch.tanh(nn.functional.softplus(x))), { atol: 1e-6 }));
    const g = new GEGLU().forward(torch.arange(8, { dtype: 'float32' }).reshape([2, 4]));
    assert.deepEqual(g.shape, [2, 2]);
  });
});

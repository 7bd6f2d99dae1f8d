// Bad input to the networks: wrong channel counts and ranks, unknown norm / activation names and
// unknown options give errors naming the module and the option, and leak no tensors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { AutoEncoder, BasicUNet, Classifier, Convolution, Generator, ResidualUnit, SEBlock, UNet, VarAutoEncoder, Regressor } from '../../src/networks/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

const base = { spatialDims: 2, inChannels: 1, outChannels: 2, channels: [4, 8], strides: [2] };

test('unknown norm and act names name the network, the option and the known names', () => {
  assert.throws(() => new UNet({ ...base, norm: 'batchh' }), /^TypeError: UNet: option 'norm': Norm: unknown layer name 'batchh' \(did you mean 'batch'\?\); known names: instance, batch/);
  assert.throws(() => new UNet({ ...base, numResUnits: 2, act: 'preluu' }), /^TypeError: UNet: option 'act': Act: unknown layer name 'preluu' \(did you mean 'prelu'\?\)/);
  assert.throws(() => new UNet({ ...base, act: ['prelu', { num_parameters: 1 }] }), /UNet: option 'act': PReLU: unknown option 'num_parameters' \(did you mean 'numParameters'\?\)/);
  assert.throws(() => new BasicUNet({ spatialDims: 2, norm: 'instanse' }), /^TypeError: BasicUNet: option 'norm': Norm: unknown layer name 'instanse' \(did you mean 'instance'\?\)/);
  assert.throws(() => new Convolution({ spatialDims: 3, inChannels: 1, outChannels: 2, act: 'reluu' }), /^TypeError: Convolution: option 'act': Act: unknown layer name 'reluu' \(did you mean 'relu'\?\)/);
  assert.throws(() => new ResidualUnit({ spatialDims: 3, inChannels: 1, outChannels: 2, norm: 'grop' }), /ResidualUnit|Convolution: option 'norm': Norm: unknown layer name 'grop' \(did you mean 'group'\?\)/);
  assert.throws(() => new Classifier({ inShape: [1, 8, 8], classes: 2, channels: [2], strides: [2], lastAct: 'softmaxx' }), /^TypeError: Classifier: option 'lastAct': Act: unknown layer name 'softmaxx' \(did you mean 'softmax'\?\)/);
  assert.throws(() => new SEBlock({ spatialDims: 2, inChannels: 4, nChns1: 4, nChns2: 4, nChns3: 4, actiTypeFinal: 'relu7' }), /SEBlock: option 'actiTypeFinal': Act: unknown layer name 'relu7'/);
  assert.throws(() => new AutoEncoder({ ...base, strides: [2, 2], channels: [4, 8], norm: 'bach' }), /^TypeError: AutoEncoder: option 'norm': Norm: unknown layer name 'bach' \(did you mean 'batch'\?\)/);
});

test('unknown options and bad values name the network and the option', () => {
  assert.throws(() => new UNet({ ...base, numResUnit: 2 } as never), /^TypeError: UNet: unknown option 'numResUnit' \(did you mean 'numResUnits'\?\)/);
  assert.throws(() => new UNet({ ...base, channels: [4] }), /UNet: channels must have at least 2 values/);
  assert.throws(() => new UNet({ ...base, channels: [4, 8, 16] }), /UNet: strides must have len\(channels\) - 1 = 2 values, found \[2\]/);
  assert.throws(() => new UNet({ ...base, inChannels: 0 }), /UNet: inChannels must be a positive integer, found 0/);
  assert.throws(() => new UNet({ ...base, kernelSize: [3, 3, 3] }), /UNet: kernelSize must have spatialDims=2 values/);
  assert.throws(() => new VarAutoEncoder({ spatialDims: 2, inShape: [1, 16, 16], outChannels: 1, latentSize: 2, channels: [4], strides: [2], inChannels: 1 } as never), /VarAutoEncoder: unknown option 'inChannels'/);
  assert.throws(() => new Regressor({ inShape: [1, 8, 8], outShape: [2], channels: [2], strides: [2], kernelsize: 3 } as never), /Regressor: unknown option 'kernelsize' \(did you mean 'kernelSize'\?\)/);
});

test('wrong channel counts and ranks at forward name the network and inChannels', () => {
  const unet = new UNet(base);
  const bunet = new BasicUNet({ spatialDims: 2, inChannels: 2, features: [2, 2, 2, 2, 2, 2] });
  const ae = new AutoEncoder({ ...base, channels: [2], strides: [2] });
  const reg = new Regressor({ inShape: [3, 8, 8], outShape: [2], channels: [2], strides: [2] });
  const gen = new Generator({ latentShape: [4], startShape: [2, 4, 4], channels: [1], strides: [2] });
  try {
    torch.tidy(() => {
      assert.throws(() => unet.forward(torch.zeros([1, 3, 8, 8])), /^RangeError: UNet: input has 3 channels \(shape \[1, 3, 8, 8\]\), expected inChannels=1/);
      assert.throws(() => unet.forward(torch.zeros([1, 1, 8, 8, 8])), /UNet: expected a \(batch, channel, 2 spatial\) input of 4 dimensions for spatialDims=2, found shape \[1, 1, 8, 8, 8\]/);
      assert.throws(() => bunet.forward(torch.zeros([1, 1, 16, 16])), /BasicUNet: input has 1 channels .* expected inChannels=2/);
      assert.throws(() => ae.forward(torch.zeros([1, 2, 8, 8])), /AutoEncoder: input has 2 channels .* expected inChannels=1/);
      assert.throws(() => reg.forward(torch.zeros([2, 1, 8, 8])), /Regressor: input has 1 channels .* expected inChannels=3/);
      assert.throws(() => gen.forward(torch.zeros([2, 5])), /Generator: input of shape \[2, 5\] does not hold latentShape \[4\]/);
    });
  } finally {
    for (const m of [unet, bunet, ae, reg, gen]) m.dispose();
  }
});

test('act: null and norm: null leave the activation and normalisation out, as None in MONAI', () => {
  const net = new UNet({ ...base, act: null, norm: null });
  try {
    const keys = [...net.namedModules()].map(([k]) => k);
    assert.ok(!keys.some((k) => k.endsWith('.adn.A') || k.endsWith('.adn.N')), keys.join(', '));
    assert.ok(keys.includes('model.0.adn.D'), 'dropout 0.0 still makes a Dropout, as MONAI');
  } finally {
    net.dispose();
  }
});

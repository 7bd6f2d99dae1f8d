// DenseNet and DenseNet121/169/201/264 against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py;
// checks in helpers.ts): reduced configurations in 1-D (group norm), 2-D and 3-D (instance norm, ELU,
// dropout) with MONAI's weights, and each named variant's default keys and parameter count.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { DenseNet, DenseNet121, DenseNet264, loadTorchvisionDenseNet } from '../../../src/networks/index.js';
import { checkCase, checkGradients, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['densenet121_2d', 'densenet169_3d', 'densenet_1d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

for (const cls of ['DenseNet121', 'DenseNet169', 'DenseNet201', 'DenseNet264'])
  test(`${cls} with default options matches MONAI keys and parameter count`, () => checkDefault(golden.defaults.find((d) => d.class === cls)!));

test('DenseNet: bad options and inputs name the option', () => {
  const base = { spatialDims: 2, inChannels: 1, outChannels: 2, initFeatures: 4, growthRate: 2, blockConfig: [1, 1] };
  assert.match(errorOf(() => new DenseNet({ ...base, norm: 'btch' })), /DenseNet: option 'norm'.*btch.*did you mean 'batch'/);
  assert.match(errorOf(() => new DenseNet121({ ...base, act: 'relu7' })), /DenseNet121: option 'act'.*relu7/);
  assert.match(errorOf(() => new DenseNet({ ...base, spatialDims: 4 })), /DenseNet: spatialDims must be 1, 2 or 3, found 4/);
  assert.match(errorOf(() => new DenseNet({ ...base, growthrate: 2 } as never)), /DenseNet.*growthrate.*growthRate/);
  assert.match(errorOf(() => new DenseNet264({ ...base, pretrained: true })), /DenseNet264: no pretrained weights/);
  assert.match(errorOf(() => new DenseNet121({ ...base, pretrained: true })), /DenseNet121: pretrained weights are not downloaded.*loadTorchvisionDenseNet/);
  const net = new DenseNet(base);
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 3, 16, 16]))), /DenseNet: input has 3 channels.*inChannels=1/);
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 16]))), /DenseNet: .*spatialDims=2/);
    });
  } finally {
    net.dispose();
  }
});

test('DenseNet: a training step sends gradients to every parameter', () => {
  const net = new DenseNet({ spatialDims: 2, inChannels: 1, outChannels: 2, initFeatures: 4, growthRate: 2, blockConfig: [1, 1], dropoutProb: 0.1 });
  try {
    checkGradients(net, [2, 1, 16, 16]);
  } finally {
    net.dispose();
  }
});

test('loadTorchvisionDenseNet renames torchvision keys as MONAI does and skips mismatched layers', () => {
  const opts = { spatialDims: 2, inChannels: 3, outChannels: 5, initFeatures: 4, growthRate: 2, blockConfig: [1, 2] };
  const src = new DenseNet121(opts);
  const dst = new DenseNet121({ ...opts, outChannels: 7 });
  try {
    torch.tidy(() => {
      // torchvision's names: denselayerN.norm1 -> denselayerN.norm.1 (as in its old checkpoints).
      const tv: Record<string, torch.Tensor> = {};
      for (const [k, v] of Object.entries(src.stateDict())) tv[k.replace(/\.layers\.(norm|relu|conv)([12])\./, '.$1.$2.')] = v;
      assert.ok(Object.keys(tv).some((k) => k.includes('denselayer1.norm.1.weight')));
      const loaded = loadTorchvisionDenseNet(dst, tv);
      const mine = dst.stateDict(), theirs = src.stateDict();
      assert.ok(!loaded.includes('class_layers.out.weight'), 'the classifier of another size is skipped');
      // MONAI's pattern renames weights and running statistics only: a dense layer's num_batches_tracked stays.
      const expected = Object.keys(theirs).filter((k) => !k.startsWith('class_layers.out.') && !/denselayer\d+\.layers\.norm[12]\.num_batches_tracked$/.test(k));
      assert.deepEqual(loaded.slice().sort(), expected.sort());
      for (const k of loaded) assert.equal(mine[k].sub(theirs[k]).abs().max().item(), 0, k);
    });
  } finally {
    src.dispose();
    dst.dispose();
  }
});

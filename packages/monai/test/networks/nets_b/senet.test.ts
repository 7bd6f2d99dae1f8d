// SENet154, SE-ResNet and SE-ResNeXt against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py;
// checks in helpers.ts): reduced stage depths with MONAI's fixed channel widths (9-33M parameters,
// MONAI's weights from the .pt) in 2-D and 3-D, and every variant's default keys and parameter count.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { SENet, SENet154, SEResNet50, SEResNeXt50, loadCadeneSENet } from '../../../src/networks/index.js';
import { checkCase, checkDefault, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['senet154_2d', 'seresnet50_3d', 'seresnext50_2d']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

for (const cls of ['SENet154', 'SEResNet50', 'SEResNet101', 'SEResNet152', 'SEResNeXt50', 'SEResNeXt101'])
  test(`${cls} with default options matches MONAI keys and parameter count`, () => checkDefault(golden.defaults.find((d) => d.class === cls)!));

test('SENet: a block given by name builds the same network as the class', () => {
  const a = new SENet({ spatialDims: 1, inChannels: 1, block: 'se_resnet_bottleneck', layers: [1, 1, 1, 1], groups: 1, reduction: 16, numClasses: 2 });
  const b = new SEResNet50({ spatialDims: 1, inChannels: 1, layers: [1, 1, 1, 1], numClasses: 2, inplanes: 128, downsampleKernelSize: 3, input3x3: true, dropoutProb: 0.2 });
  try {
    torch.tidy(() => assert.deepEqual(Object.entries(a.stateDict()).map(([k, v]) => [k, v.shape]), Object.entries(b.stateDict()).map(([k, v]) => [k, v.shape])));
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('SENet: bad options and inputs name the option', () => {
  const small = { spatialDims: 1, inChannels: 1, layers: [1, 1, 1, 1], numClasses: 2 };
  assert.match(errorOf(() => new SENet({ ...small, block: 'se_bottlenek' as never, groups: 1, reduction: 16 })), /SENet: unknown block 'se_bottlenek'/);
  assert.match(errorOf(() => new SENet154({ ...small, layers: [1, 1, 1] })), /SENet154: layers must be 4 positive block counts/);
  assert.match(errorOf(() => new SEResNet50({ ...small, spatialDims: 4 })), /SEResNet50: spatialDims must be 1, 2 or 3, found 4/);
  assert.match(errorOf(() => new SEResNeXt50({ ...small, pretrained: true })), /SEResNeXt50: pretrained weights are not downloaded.*loadCadeneSENet/);
  assert.match(errorOf(() => new SEResNet50({ ...small, numClass: 3 } as never)), /SEResNet50.*numClass.*numClasses/);
  const net = new SEResNet50(small);
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 3, 64]))), /SEResNet50: input has 3 channels.*inChannels=1/);
    });
  } finally {
    net.dispose();
  }
});

test("loadCadeneSENet renames Cadene's keys as MONAI does and squeezes the SE 1x1-conv weights", () => {
  const opts = { spatialDims: 1, inChannels: 1, layers: [1, 1, 1, 1], numClasses: 2 };
  const src = new SEResNet50(opts);
  const dst = new SEResNet50(opts);
  try {
    torch.tidy(() => {
      // Cadene's names: conv1 / bn1 / se_module.fc1 (a 1x1 conv) / downsample.0 and .1.
      const cadene: Record<string, torch.Tensor> = {};
      for (const [k, v] of Object.entries(src.stateDict())) {
        let c = k.replace(/\.(conv\d)\.conv\./, '.$1.').replace(/\.conv(\d)\.adn\.N\./, '.bn$1.')
          .replace(/\.project\.conv\./, '.downsample.0.').replace(/\.project\.adn\.N\./, '.downsample.1.');
        let t = v;
        const se = /\.se_layer\.fc\.([02])\./.exec(c);
        if (se) {
          c = c.replace(/\.se_layer\.fc\.([02])\./, se[1] === '0' ? '.se_module.fc1.' : '.se_module.fc2.');
          if (t.dim() === 2) t = t.unsqueeze(-1);
        }
        cadene[c] = t;
      }
      assert.ok('layer1.0.bn1.weight' in cadene && 'layer1.0.se_module.fc1.weight' in cadene && 'layer2.0.downsample.1.running_var' in cadene);
      const loaded = loadCadeneSENet(dst, cadene);
      const mine = dst.stateDict(), theirs = src.stateDict();
      assert.equal(loaded.length, Object.keys(theirs).length);
      for (const k of Object.keys(theirs)) assert.equal(mine[k].sub(theirs[k]).abs().max().item(), 0, k);
    });
  } finally {
    src.dispose();
    dst.dispose();
  }
});

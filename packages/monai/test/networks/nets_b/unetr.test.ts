// UNETR and ViT against MONAI 1.4 (goldens: tools/goldens/networks/make_nets_b.py; checks in helpers.ts):
// UNETR in 3-D (conv patches, residual conv blocks, qkv bias) and 2-D (perceptron patches, batch norm,
// plain blocks), a 2-D ViT classifier with a class token and Tanh head, and 2-D/3-D ViTs with MONAI's
// fixed sin-cos position table, all with MONAI's weights.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { SABlock, UNETR, ViT } from '../../../src/networks/index.js';
import * as path from 'node:path';
import { GOLD, checkCase, checkGradients, errorOf, golden } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

for (const name of ['unetr_3d', 'unetr_2d', 'vit_2d', 'vit_2d_sincos', 'vit_3d_sincos']) test(`${name} matches MONAI (keys, parameters, eval output)`, () => checkCase(name));

test('ViT returns every block output; SABlock keeps the attention matrix when asked', () => {
  const vit = new ViT({ inChannels: 1, imgSize: 16, patchSize: 8, hiddenSize: 8, mlpDim: 8, numLayers: 3, numHeads: 2, spatialDims: 2, saveAttn: true });
  try {
    torch.tidy(() => {
      const [x, hidden] = vit.forward(torch.randn([2, 1, 16, 16]));
      assert.deepEqual(x.shape, [2, 4, 8]);
      assert.equal(hidden.length, 3);
      const att = (vit.blocks.at(0).attn as SABlock).attMat!;
      assert.deepEqual(att.shape, [2, 2, 4, 4]);
      assert.ok(att.sum(-1).sub(1).abs().max().item() < 1e-6, 'attention rows sum to 1');
    });
  } finally {
    for (const b of vit.blocks) b.attn.attMat?.dispose();
    vit.dispose();
  }
});

test('UNETR: bad options and inputs name the option', () => {
  const base = { inChannels: 1, outChannels: 2, imgSize: 16, featureSize: 2, hiddenSize: 8, mlpDim: 8, numHeads: 2, spatialDims: 2 };
  assert.match(errorOf(() => new UNETR({ ...base, hiddenSize: 9 })), /UNETR: hiddenSize \(9\) must be divisible by numHeads \(2\)/);
  assert.match(errorOf(() => new UNETR({ ...base, dropoutRate: 1.5 })), /UNETR: dropoutRate must be between 0 and 1, found 1.5/);
  assert.match(errorOf(() => new UNETR({ ...base, normName: 'batchx' })), /UNETR: option 'normName'.*batchx/);
  assert.match(errorOf(() => new UNETR({ ...base, projType: 'linear' as never })), /UNETR: .*PatchEmbeddingBlock: projType must be one of 'conv', 'perceptron', found 'linear'/);
  assert.match(errorOf(() => new UNETR({ ...base, imgSize: [16, 16, 16] })), /UNETR: imgSize must be a number or 2 numbers/);
  const net = new UNETR(base);
  try {
    torch.tidy(() => {
      assert.match(errorOf(() => net.forward(torch.zeros([1, 2, 16, 16]))), /UNETR: input has 2 channels.*inChannels=1/);
      assert.match(errorOf(() => net.forward(torch.zeros([1, 1, 32, 16]))), /UNETR: input spatial size must be imgSize \[16,16\]/);
    });
  } finally {
    net.dispose();
  }
});

test("UNETR: a training step sends gradients to every parameter (MONAI's unused cross-attention branch aside)", () => {
  const net = new UNETR({ inChannels: 1, outChannels: 2, imgSize: 16, featureSize: 2, hiddenSize: 8, mlpDim: 8, numHeads: 2, spatialDims: 2 });
  try {
    checkGradients(net, [2, 1, 16, 16], (k) => k.includes('cross_attn'));
  } finally {
    net.dispose();
  }
});

test("ViT's fixed sin-cos position table equals MONAI's (as saved, float16) and is not trained", () => {
  for (const name of ['vit_2d_sincos', 'vit_3d_sincos']) {
    const c = golden.cases[name];
    const net = new ViT(c.options as never);
    try {
      torch.tidy(() => {
        const saved = torch.load(path.join(GOLD, 'nets_b', `${name}.pt`)) as { state_dict: Record<string, torch.Tensor> };
        const ref = saved.state_dict['patch_embedding.position_embeddings'].to({ dtype: 'float32' });
        const ours = net.patch_embedding.position_embeddings;
        assert.deepEqual(ours.shape, ref.shape);
        assert.ok(ours.sub(ref).abs().max().item() < 1e-3, `${name}: table within float16 rounding`);
        assert.equal(ours.requiresGrad, false);
      });
    } finally {
      net.dispose();
    }
  }
});

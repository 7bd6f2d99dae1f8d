// networks/utils against MONAI 1.4 (tools/goldens/networks/make_utils_a.py): normalizeTransform,
// toNormAffine, oneHot, predictSegmentation, pixelshuffle; and evalMode/trainMode restoring modes,
// copyModelState, and the small layers (SkipConnection, Flatten, Reshape, DropPath).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { nn } from '@monai-ts/torch';
import {
  DropPath, Flatten, GaussianFilter, Reshape, SkipConnection, UNet, copyModelState, evalMode, gaussian1d, normalizeTransform, oneHot, pixelshuffle,
  predictSegmentation, toNormAffine, trainMode,
} from '../../src/networks/index.js';
import { assertAllClose } from '../../../torch/test/helpers/all_close.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));
const here = path.dirname(fileURLToPath(import.meta.url));
// Python's json writes MONAI's infinite scale (zero-centred size 1) as the bare word Infinity.
const G = JSON.parse(fs.readFileSync(path.join(here, '..', '..', '..', '..', 'tools', 'goldens', 'networks', 'utils_a.json'), 'utf8').replace(/\bInfinity\b/g, '1e999'));

test('normalizeTransform matches MONAI for every alignCorners / zeroCentered (float64, exact to 1e-12)', () => {
  for (const c of G.normalize_transform) {
    torch.tidy(() => {
      const t = normalizeTransform(c.shape, { alignCorners: c.align_corners, zeroCentered: c.zero_centered });
      assert.equal(t.dtype, 'float64');
      assertAllClose(t, torch.tensor(c.value, { dtype: 'float64' }), { rtol: 1e-12, atol: 1e-12 });
    });
  }
});

test('toNormAffine matches MONAI (float64, 1e-12)', () => {
  for (const c of G.to_norm_affine) {
    torch.tidy(() => {
      const r = toNormAffine(torch.tensor(c.affine, { dtype: 'float64' }), c.src, c.dst, { alignCorners: c.align_corners, zeroCentered: c.zero_centered });
      assertAllClose(r, torch.tensor(c.value, { dtype: 'float64' }), { rtol: 1e-12, atol: 1e-12 });
    });
  }
  torch.tidy(() => {
    assert.throws(() => toNormAffine(torch.eye(3).unsqueeze(0), [4, 4, 4], [4, 4, 4]), /toNormAffine: affine suggests 2D, found srcSize of 3D and dstSize of 3D/);
    assert.throws(() => toNormAffine(torch.eye(3), [4, 4], [4, 4]), /affine must be N x d x d/);
  });
});

test('oneHot, predictSegmentation and pixelshuffle match MONAI exactly', () => {
  torch.tidy(() => {
    const oh = oneHot(torch.tensor(G.one_hot.labels, { dtype: 'int64' }), G.one_hot.num_classes);
    assert.deepEqual(oh.shape, [2, 4, 3, 3]);
    assert.ok(oh.equal(torch.tensor(G.one_hot.value, { dtype: 'float32' })));
    const oh1 = oneHot(torch.tensor(G.one_hot_1d.labels, { dtype: 'int64' }), G.one_hot_1d.num_classes, { dim: 1 });
    assert.ok(oh1.equal(torch.tensor(G.one_hot_1d.value, { dtype: 'float32' })));
    assert.throws(() => oneHot(torch.zeros([2, 2, 3]), 3), /oneHot: labels must have size 1 along dim 1, found shape \[2, 2, 3\]/);
    const logits = torch.tensor(G.predict_segmentation.logits, { dtype: 'float32' });
    assert.ok(predictSegmentation(logits, { threshold: 0.3 }).equal(torch.tensor(G.predict_segmentation.thresholded, { dtype: 'int32' })));
    assert.ok(predictSegmentation(logits, { mutuallyExclusive: true }).equal(torch.tensor(G.predict_segmentation.exclusive, { dtype: 'int64' })));
    const x = torch.arange(G.pixelshuffle.shape.reduce((a: number, b: number) => a * b, 1), { dtype: 'float32' }).reshape(G.pixelshuffle.shape);
    assert.ok(pixelshuffle(x, 3, 2).equal(torch.tensor(G.pixelshuffle.value, { dtype: 'float32' })));
    assert.throws(() => pixelshuffle(torch.zeros([1, 3, 2, 2]), 2, 2), /pixelshuffle: channels \(3\) must be divisible by scaleFactor \*\* spatialDims \(2\^2=4\)/);
  });
});

test('evalMode / trainMode switch modes and grad mode for the call and restore them, also after a throw', () => {
  const a = new nn.Linear(2, 2);
  const b = new nn.Linear(2, 2);
  try {
    b.eval();
    const seen = evalMode([a, b], () => [a.training, b.training, torch.isGradEnabled()]);
    assert.deepEqual(seen, [false, false, false]);
    assert.equal(a.training, true);
    assert.equal(b.training, false);
    assert.throws(() => evalMode(a, () => { throw new Error('boom'); }), /boom/);
    assert.equal(a.training, true);
    assert.equal(torch.isGradEnabled(), true);
    const seen2 = torch.noGrad(() => trainMode([a, b], () => [a.training, b.training, torch.isGradEnabled()]));
    assert.deepEqual(seen2, [true, true, true]);
    assert.equal(b.training, false, 'b goes back to eval');
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('copyModelState copies matching keys and shapes, honours dstPrefix, excludeVars and mapping', () => {
  const opts = { spatialDims: 2, inChannels: 1, outChannels: 2, channels: [4, 8], strides: [2] };
  const src = new UNet(opts);
  const dst = new UNet({ ...opts, outChannels: 3 });
  try {
    torch.tidy(() => {
      const { stateDict, updatedKeys, unchangedKeys } = copyModelState(dst, src, { excludeVars: 'model\\.0\\.' });
      assert.ok(updatedKeys.length > 0 && unchangedKeys.length > 0);
      assert.ok(unchangedKeys.every((k) => k.startsWith('model.0.') || k.startsWith('model.2.')), unchangedKeys.join(', '));
      assert.ok(updatedKeys.includes('model.1.submodule.conv.weight'));
      assert.ok(dst.getParameter('model.1.submodule.conv.weight').equal(src.getParameter('model.1.submodule.conv.weight')));
      assert.ok(!dst.getParameter('model.0.conv.weight').equal(src.getParameter('model.0.conv.weight')));
      assert.equal(Object.keys(stateDict).length, updatedKeys.length + unchangedKeys.length);
      const wrapped = copyModelState({ 'net.model.0.conv.bias': torch.zeros([4]) }, src, { dstPrefix: 'net.' });
      assert.deepEqual(wrapped.updatedKeys, ['net.model.0.conv.bias']);
      assert.ok(wrapped.stateDict['net.model.0.conv.bias'].equal(src.getParameter('model.0.conv.bias')));
    });
  } finally {
    src.dispose();
    dst.dispose();
  }
});

test('SkipConnection modes, Flatten, Reshape and DropPath', () => {
  torch.tidy(() => {
    const x = torch.arange(12, { dtype: 'float32' }).reshape([2, 2, 3]);
    const id = new nn.Identity();
    assert.deepEqual(new SkipConnection(id).forward(x).shape, [2, 4, 3]);
    assert.ok(new SkipConnection(id, { mode: 'add' }).forward(x).equal(x.mul(2)));
    assert.ok(new SkipConnection(id, { mode: 'mul' }).forward(x).equal(x.mul(x)));
    assert.throws(() => new SkipConnection(id, { mode: 'concat' as never }), /SkipConnection: mode must be one of 'cat', 'add', 'mul', found 'concat'/);
    assert.deepEqual(new Flatten().forward(x).shape, [2, 6]);
    assert.deepEqual(new Reshape(3, 2).forward(x).shape, [2, 3, 2]);
    const dp = new DropPath({ dropProb: 0.5 });
    dp.eval();
    assert.equal(dp.forward(x), x, 'inactive in eval mode');
    dp.train();
    torch.manualSeed(0);
    const y = dp.forward(torch.ones([64, 3]));
    const rows = y.sum(1);
    assert.ok(rows.eq(0).logicalOr(rows.eq(6)).all().item(), 'whole samples dropped, the rest scaled by 1/keep');
    assert.throws(() => new DropPath({ dropProb: 1.5 }), /DropPath: dropProb must be between 0 and 1, found 1.5/);
  });
});

test('gaussian1d matches MONAI for erf, sampled and scalespace, normalised or not (1e-5 relative)', () => {
  for (const c of G.gaussian_1d) {
    torch.tidy(() => {
      const k = gaussian1d(c.sigma, { truncated: c.truncated, approx: c.approx, normalize: c.normalize });
      assertAllClose(k, torch.tensor(c.value, { dtype: 'float32' }), { rtol: 1e-5, atol: 1e-7 });
    });
  }
});

test("GaussianFilter's learnable sigmas get MONAI's gradients (1e-4 relative)", () => {
  for (const c of G.gaussian_grad.cases) {
    const gf = new GaussianFilter({ spatialDims: 2, sigma: [0.9, 2.5], truncated: 3.0, approx: c.approx, requiresGrad: true });
    try {
      torch.tidy(() => {
        const x = torch.tensor(G.gaussian_grad.x, { dtype: 'float32' });
        const w = torch.tensor(G.gaussian_grad.w, { dtype: 'float32' });
        gf.forward(x).mul(w).sum().backward();
        const grads = gf.sigma.map((s) => s.grad!.item());
        gf.sigma.forEach((s) => s.grad!.dispose());
        assertAllClose(grads, c.grads, { rtol: 1e-4, atol: 1e-6 });
      });
    } finally {
      gf.dispose();
    }
  }
});

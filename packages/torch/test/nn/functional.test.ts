// nn.functional against PyTorch 1.13 (fixtures from tools/goldens/nn/make_functional.py): outputs
// and input gradients of interpolate (all modes), gridSample, affineGrid, pad (all modes), oneHot,
// losses and similarity functions, to 1e-5 relative (fp32).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { functional as F } from '../../src/nn/index.js';
import { Fixture, assertClose, valuesOf } from './helpers.js';

type T = torch.Tensor;
const start = torch.memory().liveTensors;
const fx = new Fixture('functional');

const CASES: Record<string, (...xs: T[]) => T> = {
  'interp-nearest-1d': (x) => F.interpolate(x, { scaleFactor: 2 }),
  'interp-nearest-2d-size': (x) => F.interpolate(x, { size: [7, 3] }),
  'interp-nearest-3d': (x) => F.interpolate(x, { scaleFactor: [2, 1.5, 3] }),
  'interp-nearest-exact-2d': (x) => F.interpolate(x, { scaleFactor: 1.7, mode: 'nearest-exact' }),
  'interp-area-2d': (x) => F.interpolate(x, { size: [3, 2], mode: 'area' }),
  'interp-area-scale': (x) => F.interpolate(x, { scaleFactor: 0.5, mode: 'area' }),
  'interp-linear-ac': (x) => F.interpolate(x, { size: 9, mode: 'linear', alignCorners: true }),
  'interp-linear': (x) => F.interpolate(x, { scaleFactor: 1.3, mode: 'linear' }),
  'interp-bilinear-recompute': (x) => F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', recomputeScaleFactor: true }),
  'interp-bilinear-down': (x) => F.interpolate(x, { scaleFactor: 0.6, mode: 'bilinear' }),
  'interp-bilinear-aa': (x) => F.interpolate(x, { size: [3, 4], mode: 'bilinear', antialias: true }),
  'interp-bicubic-aa': (x) => F.interpolate(x, { size: [4, 3], mode: 'bicubic', antialias: true }),
  'interp-bicubic-ac': (x) => F.interpolate(x, { size: [6, 7], mode: 'bicubic', alignCorners: true }),
  'interp-trilinear': (x) => F.interpolate(x, { size: [5, 5, 4], mode: 'trilinear' }),
  'interp-trilinear-ac': (x) => F.interpolate(x, { scaleFactor: [2, 1, 1.5], mode: 'trilinear', alignCorners: true }),
  'gridsample-2d-bilinear': (x, g) => F.gridSample(x, g, { alignCorners: false }),
  'gridsample-2d-nearest-border': (x, g) => F.gridSample(x, g, { mode: 'nearest', paddingMode: 'border' }),
  'gridsample-2d-bicubic-reflection': (x, g) => F.gridSample(x, g, { mode: 'bicubic', paddingMode: 'reflection', alignCorners: true }),
  'gridsample-3d-bilinear': (x, g) => F.gridSample(x, g, { alignCorners: true }),
  'gridsample-3d-nearest-reflection': (x, g) => F.gridSample(x, g, { mode: 'nearest', paddingMode: 'reflection' }),
  'affinegrid-2d': (t) => F.affineGrid(t, [2, 3, 4, 5], { alignCorners: false }),
  'affinegrid-3d-ac': (t) => F.affineGrid(t, [1, 1, 3, 4, 2], { alignCorners: true }),
  'pad-constant': (x) => F.pad(x, [1, 2, 0, 1], { value: 1.5 }),
  'pad-constant-negative': (x) => F.pad(x, [-1, 2]),
  'pad-reflect-1d': (x) => F.pad(x, [2, 3], { mode: 'reflect' }),
  'pad-reflect-2d': (x) => F.pad(x, [1, 2, 3, 1], { mode: 'reflect' }),
  'pad-reflect-3d': (x) => F.pad(x, [1, 1, 2, 0, 1, 2], { mode: 'reflect' }),
  'pad-replicate-1d': (x) => F.pad(x, [3, 1], { mode: 'replicate' }),
  'pad-replicate-2d': (x) => F.pad(x, [1, 2, 3, 1], { mode: 'replicate' }),
  'pad-replicate-3d': (x) => F.pad(x, [1, 0, 2, 1, 1, 1], { mode: 'replicate' }),
  'pad-circular-1d': (x) => F.pad(x, [2, 1], { mode: 'circular' }),
  'pad-circular-2d': (x) => F.pad(x, [1, 2, 2, 1], { mode: 'circular' }),
  'pad-circular-3d': (x) => F.pad(x, [1, 1, 1, 2, 2, 0], { mode: 'circular' }),
  onehot: (i) => F.oneHot(i),
  'onehot-classes': (i) => F.oneHot(i, 6),
  normalize: (x) => F.normalize(x),
  'normalize-p1-dim0': (x) => F.normalize(x, { p: 1, dim: 0, eps: 1e-3 }),
  'cosine-similarity': (a, b) => F.cosineSimilarity(a, b),
  'cosine-similarity-dim': (a, b) => F.cosineSimilarity(a, b, { dim: -1, eps: 1e-6 }),
  'pixel-unshuffle': (x) => F.pixelUnshuffle(x, 2),
  softmin: (x) => F.softmin(x, 1),
  logsigmoid: (x) => F.logsigmoid(x),
  glu: (x) => F.glu(x),
  hardswish: (x) => F.hardswish(x),
  softsign: (x) => F.softsign(x),
  'local-response-norm': (x) => F.localResponseNorm(x, 3),
  ce: (x, t) => F.crossEntropy(x, t),
  'ce-weight-ignore': (x, t, w) => F.crossEntropy(x, t, { weight: w, ignoreIndex: 2 }),
  'ce-smoothing-sum': (x, t, w) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.1, reduction: 'sum' }),
  'ce-2d-none': (x, t) => F.crossEntropy(x, t, { reduction: 'none' }),
  'ce-probs-smoothing': (x, t) => F.crossEntropy(x, t.div(t.sum(1, { keepdim: true })), { labelSmoothing: 0.2 }),
  nll: (x, t) => F.nllLoss(F.logSoftmax(x, 1), t),
  'nll-weight-ignore-2d': (x, t, w) => F.nllLoss(x, t, { weight: w, ignoreIndex: 0 }),
  bce: (x, t) => F.binaryCrossEntropy(x, t),
  'bce-weight-none': (x, t, w) => F.binaryCrossEntropy(x, t, { weight: w, reduction: 'none' }),
  'bce-logits': (x, t) => F.binaryCrossEntropyWithLogits(x, t),
  'bce-logits-posweight': (x, t, w, pw) => F.binaryCrossEntropyWithLogits(x, t, { weight: w, posWeight: pw.mul(3), reduction: 'sum' }),
  mse: (x, t) => F.mseLoss(x, t),
  'mse-none': (x, t) => F.mseLoss(x, t, { reduction: 'none' }),
  'l1-sum': (x, t) => F.l1Loss(x, t, { reduction: 'sum' }),
  smoothl1: (x, t) => F.smoothL1Loss(x, t, { beta: 0.5 }),
  'smoothl1-beta0': (x, t) => F.smoothL1Loss(x, t, { beta: 0 }),
  huber: (x, t) => F.huberLoss(x, t, { delta: 0.7 }),
  'kldiv-batchmean': (x, t) => F.klDiv(F.logSoftmax(x, 1), t, { reduction: 'batchmean' }),
  'kldiv-logtarget-none': (x, t) => F.klDiv(x, t, { reduction: 'none', logTarget: true }),
  'kldiv-mean': (x, t) => F.klDiv(x, t),
};

test('every golden case has a TypeScript counterpart', () => {
  const names = fx.index.cases.map((c: any) => c.name);
  assert.deepEqual(names.filter((n: string) => !(n in CASES)), []);
  assert.deepEqual(Object.keys(CASES).filter((n) => !names.includes(n)), []);
});

for (const c of fx.index.cases) {
  test(c.name, () => {
    torch.tidy(() => {
      const xs: T[] = c.inputs.map((r: any, i: number) => {
        const t = fx.tensor(r);
        return c.needsGrad[i] ? t.requiresGrad_(true) : t;
      });
      const y = CASES[c.name](...xs);
      assertClose(y, fx.values(c.output), c.output.shape, 'output');
      assert.equal(y.dtype, c.output.dtype === 'int64' ? 'int64' : 'float32');
      if (c.gradOutput) {
        y.mul(fx.tensor(c.gradOutput)).sum().backward();
        c.inputGrads.forEach((ref: any, i: number) => {
          if (!ref) return;
          const g = xs[i].grad;
          assert.ok(g, `input ${i} has a gradient`);
          assertClose(g!, fx.values(ref), ref.shape, `grad of input ${i}`);
        });
      }
    });
  });
}

test('argument errors name the problem', () => {
  torch.tidy(() => {
    const x = torch.randn([1, 1, 4, 4]);
    assert.throws(() => F.interpolate(x, { size: 3, scaleFactor: 2 }), /only one of size or scale_factor/);
    assert.throws(() => F.interpolate(x, {}), /either size or scale_factor/);
    assert.throws(() => F.interpolate(x, { size: 3, alignCorners: true }), /align_corners option can only be set/);
    assert.throws(() => F.interpolate(x, { size: 3, mode: 'bilinar' as any }), /did you mean 'bilinear'/);
    assert.throws(() => F.interpolate(x, { size: 3, mode: 'trilinear' }), /Got 4D input, but trilinear mode needs 5D input/);
    assert.throws(() => F.interpolate(torch.randn([1, 1, 4, 4, 4]), { size: 3, mode: 'bilinear', antialias: true }), /Anti-alias/);
    assert.throws(() => F.pad(x, [1, 1], { mode: 'reflekt' as any }), /did you mean 'reflect'/);
    assert.throws(() => F.pad(x, [1, 1, 1]), /divisible by 2/);
    assert.throws(() => F.affineGrid(torch.randn([1, 2, 3]), [1, 1, 4, 4, 4]), /Nx3x4/);
    assert.throws(() => F.crossEntropy(x, x, { reduction: 'avg' as any }), /reduction must be/);
    assert.throws(() => F.crossEntropy(x, x, { labelSmoothing: 2 }), /label_smoothing/);
    assert.throws(() => F.dropout(x, { p: 1.5 }), /between 0 and 1/);
    assert.throws(() => F.binaryCrossEntropy(torch.rand([2, 3]), torch.rand([3, 2])), /target size/);
  });
});

test('inplace activations and dropout return the same tensor', () => {
  torch.tidy(() => {
    const x = torch.randn([3, 4]);
    assert.equal(F.relu(x, { inplace: true }), x);
    assert.ok((x.min().item() as number) >= 0);
    const y = torch.randn([3, 4]);
    assert.equal(F.leakyRelu(y, { negativeSlope: 0.1, inplace: true }), y);
    const z = torch.randn([2, 3, 4, 4]);
    assert.equal(F.dropout2d(z, { p: 0.5, inplace: true }), z);
  });
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

test('loss modules match their functional forms; class weights are buffers in the state dict', async () => {
  const nn = await import('../../src/nn/index.js');
  torch.tidy(() => {
    const x = torch.randn([4, 3]);
    const t = torch.tensor([0, 2, 1, 2]);
    const w = torch.tensor([0.2, 0.3, 0.5]);
    const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
    assert.ok(ce.forward(x, t).equal(F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.1 })));
    assert.deepEqual(Object.keys(ce.stateDict()), ['weight']);
    assert.equal(ce.toString(), 'CrossEntropyLoss()');
    ce.dispose();
    const p = torch.rand([4, 3]);
    const bce = new nn.BCEWithLogitsLoss({ posWeight: w });
    assert.ok(bce.forward(x, p).equal(F.binaryCrossEntropyWithLogits(x, p, { posWeight: w })));
    assert.deepEqual(Object.keys(bce.stateDict()), ['pos_weight']);
    bce.dispose();
    for (const [m, f] of [
      [new nn.MSELoss(), F.mseLoss], [new nn.L1Loss({ reduction: 'sum' }), (a: T, b: T) => F.l1Loss(a, b, { reduction: 'sum' })],
      [new nn.SmoothL1Loss({ beta: 0.5 }), (a: T, b: T) => F.smoothL1Loss(a, b, { beta: 0.5 })], [new nn.HuberLoss({ delta: 2 }), (a: T, b: T) => F.huberLoss(a, b, { delta: 2 })],
      [new nn.KLDivLoss({ reduction: 'batchmean' }), (a: T, b: T) => F.klDiv(a, b, { reduction: 'batchmean' })], [new nn.CosineSimilarity(), (a: T, b: T) => F.cosineSimilarity(a, b)],
    ] as [any, (a: T, b: T) => T][]) {
      assert.ok(m.forward(x, p).equal(f(x, p)), m.constructor.name);
    }
    assert.ok(new nn.NLLLoss().forward(x, t).equal(F.nllLoss(x, t)));
    assert.ok(new nn.BCELoss().forward(p, p).equal(F.binaryCrossEntropy(p, p)));
    assert.throws(() => new nn.MSELoss({ reduction: 'avg' as any }), /reduction must be/);
  });
});

test('scaledDotProductAttention: math path, bool/float masks, causal', () => {
  torch.tidy(() => {
    const q = torch.randn([2, 3, 4, 8]), k = torch.randn([2, 3, 5, 8]), v = torch.randn([2, 3, 5, 6]);
    const ref = torch.softmax(q.matmul(k.transpose(-2, -1)).div(Math.sqrt(8)), -1).matmul(v);
    assertClose(F.scaledDotProductAttention(q, k, v), valuesOf(ref), [2, 3, 4, 6], 'plain');
    const mask = torch.rand([4, 5]).gt(0.3);
    mask.assign(true, ':', 0);
    const refM = torch.softmax(q.matmul(k.transpose(-2, -1)).div(Math.sqrt(8)).maskedFill(mask.logicalNot(), -Infinity), -1).matmul(v);
    assertClose(F.scaledDotProductAttention(q, k, v, { attnMask: mask }), valuesOf(refM), [2, 3, 4, 6], 'bool mask');
    const fm = torch.randn([4, 5]);
    const refF = torch.softmax(q.matmul(k.transpose(-2, -1)).mul(0.5).add(fm), -1).matmul(v);
    assertClose(F.scaledDotProductAttention(q, k, v, { attnMask: fm, scale: 0.5 }), valuesOf(refF), [2, 3, 4, 6], 'float mask, scale');
    const qc = torch.randn([1, 4, 8]);
    const causal = F.scaledDotProductAttention(qc, qc, qc, { isCausal: true });
    assertClose(causal.at(0, 0), valuesOf(qc.at(0, 0)), [8], 'first query attends only to itself');
  });
});

test('unknown option keys throw with a suggestion', () => {
  torch.tidy(() => {
    const x = torch.randn([1, 1, 4, 4]);
    assert.throws(() => F.interpolate(x, { scaleFactor: 2, alignCorner: true } as any), /interpolate: unknown option 'alignCorner' \(did you mean 'alignCorners'\?\)/);
    assert.throws(() => F.conv2d(x, torch.randn([1, 1, 3, 3]), { pading: 1 } as any), /did you mean 'padding'/);
    assert.throws(() => F.crossEntropy(x, x, { ignore_index: 1 } as any), /did you mean 'ignoreIndex'/);
  });
});

// The cumulative-metric API (buffers, lists of channel-first tensors, reset, getBuffer) and bad input:
// unknown options, wrong names, mismatched shapes, empty buffers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import * as M from '../../src/metrics/index.js';
import * as monai from '../../src/index.js';

const start = torch.memory().liveTensors;

/** [B, C, H, W] one-hot float masks from label maps. */
function onehot(labels: number[][][], classes: number): Tensor {
  return torch.tidy(() => torch.nn.functional.oneHot(torch.tensor(labels, { dtype: 'int64' }), classes).permute([0, 3, 1, 2]).float());
}

const pred = onehot([[[0, 1, 1], [0, 1, 0], [2, 2, 0]], [[1, 1, 0], [0, 0, 0], [0, 2, 2]]], 3);
const label = onehot([[[0, 1, 1], [1, 1, 0], [2, 0, 0]], [[1, 0, 0], [0, 0, 0], [0, 0, 0]]], 3);

test('metrics are exported from monai-ts', () => {
  assert.equal(monai.DiceMetric, M.DiceMetric);
  assert.equal(monai.HausdorffDistanceMetric, M.HausdorffDistanceMetric);
  assert.equal(monai.computeRocAuc, M.computeRocAuc);
});

test('Cumulative: extend splits a batch, append adds one sample, getBuffer stacks copies, reset empties', () => {
  class Collect extends M.Cumulative {
    aggregate(): Tensor | Tensor[] | null {
      return this.getBuffer();
    }
  }
  const c = new Collect();
  assert.equal(c.getBuffer(), null);
  assert.equal(c.length, 0);
  torch.tidy(() => {
    c.extend(torch.tensor([[1, 2], [3, 4]]), torch.tensor([5, 6]));
    c.append(torch.tensor([7, 8]), 9);
  });
  assert.equal(c.length, 3);
  const [a, b] = c.getBuffer() as Tensor[];
  assert.deepEqual(a.tolist(), [[1, 2], [3, 4], [7, 8]]);
  assert.deepEqual(b.tolist(), [5, 6, 9]);
  torch.tidy(() => void a.fill_(0)); // a copy: the buffer is unchanged
  const again = c.getBuffer() as Tensor[];
  assert.deepEqual(again[0].tolist(), [[1, 2], [3, 4], [7, 8]]);
  torch.dispose([a, b, again]);
  assert.throws(() => torch.tidy(() => c.extend(torch.tensor([1]))), /expected 2 buffers of data as before, found 1/);
  c.reset();
  assert.equal(c.length, 0);
  assert.equal(c.getBuffer(), null);
});

test('a list of channel-first tensors gives the same values as the batch, and calls accumulate', () => {
  const m = new M.DiceMetric({ reduction: 'none' });
  try {
    torch.tidy(() => {
      const batch = m.call(pred, label) as Tensor;
      const list = m.call([pred.select(0, 0), pred.select(0, 1)], [label.select(0, 0), label.select(0, 1)]) as Tensor;
      assert.deepEqual(list.tolist(), batch.tolist()); // NaN (empty class 2 of item 1) included
      assert.equal(m.length, 4);
      const agg = m.aggregate() as Tensor;
      assert.deepEqual(agg.shape, [4, 3]);
      assert.deepEqual(agg.narrow(0, 0, 2).tolist(), batch.tolist());
    });
    m.reset();
    assert.throws(() => m.aggregate(), /DiceMetric\.aggregate: the data to aggregate must be one tensor, found an empty buffer/);
  } finally {
    m.reset();
  }
});

test('metrics called inside a tidy scope keep their buffers until reset', () => {
  const base = torch.memory().liveTensors;
  const m = new M.MeanIoU();
  torch.tidy(() => void m.call(pred, label));
  assert.equal(torch.memory().liveTensors, base + 2, 'one buffered row per sample survives the scope');
  const v = torch.tidy(() => (m.aggregate() as Tensor).item());
  assert.ok(Number.isFinite(v));
  m.reset();
  assert.equal(torch.memory().liveTensors, base, 'reset frees the buffers and their stacked copy');
});

test('options are checked: unknown keys, reductions, metric names, distance metrics, percentiles, thresholds', () => {
  assert.throws(() => new M.DiceMetric({ includeBackgroud: true } as never), /DiceMetric.*includeBackgroud.*includeBackground/);
  assert.throws(() => new M.DiceMetric({ reduction: 'mean_batches' as never }), /DiceMetric: reduction must be one of .*found 'mean_batches' \(did you mean 'mean_batch'\?\)/);
  assert.throws(() => new M.ConfusionMatrixMetric({ metricName: 'sensitivty' }), /metricName 'sensitivty' is not a known metric \(did you mean 'sensitivity'\?\)/);
  assert.throws(() => new M.HausdorffDistanceMetric({ distanceMetric: 'euclidian' as never }), /distanceMetric must be one of 'euclidean', 'chessboard', 'taxicab', found 'euclidian' \(did you mean 'euclidean'\?\)/);
  assert.throws(() => new M.HausdorffDistanceMetric({ percentile: 101 }), /percentile should be a value between 0 and 100, found 101/);
  assert.throws(() => new M.SurfaceDiceMetric({} as never), /SurfaceDiceMetric.*classThresholds/);
  assert.throws(() => new M.SurfaceDiceMetric({ classThresholds: [1, -1] }), /classThresholds need to be >= 0/);
  assert.throws(() => new M.SurfaceDiceMetric({ classThresholds: [1, Infinity] }), /classThresholds need to be finite/);
  assert.throws(() => new M.ROCAUCMetric({ average: 'macr' as never }), /average must be one of 'macro', 'weighted', 'micro', 'none', found 'macr'/);
  assert.throws(() => new M.GeneralizedDiceScore({ weightType: 'squared' as never }), /weightType must be one of 'square', 'simple', 'uniform'/);
});

test('bad input names the metric and what was found', () => {
  torch.tidy(() => {
    const small = pred.narrow(2, 0, 2);
    const twoCh = pred.narrow(1, 0, 2);
    assert.throws(() => new M.MeanIoU().call(pred, small), /MeanIoU: yPred and y should have the same shape, found \[2,3,3,3\] and \[2,3,2,3\]/);
    assert.throws(() => new M.DiceMetric().call(pred, small), /DiceMetric: y \[2,3,2,3\] should match yPred \[2,3,3,3\]/);
    assert.throws(() => new M.DiceMetric().call(pred.select(0, 0).select(0, 0), label.select(0, 0).select(0, 0)), /DiceMetric: yPred should have at least 3 dimensions/);
    assert.throws(() => new M.HausdorffDistanceMetric().call(pred, twoCh), /HausdorffDistanceMetric: yPred and y should have the same shape/);
    assert.throws(() => new M.SurfaceDiceMetric({ classThresholds: [1] }).call(pred, label), /the number of classes \(2\) does not match the number of classThresholds \(1\)/);
    assert.throws(() => new M.ConfusionMatrixMetric().call(pred, twoCh), /ConfusionMatrixMetric: yPred and y should have the same shape/);
    assert.throws(() => M.computeRocAuc(torch.rand([4, 2]), torch.ones([4, 3])), /computeRocAuc: data shapes of yPred and y do not match, found \[4,2\] and \[4,3\]/);
    assert.throws(() => new M.DiceMetric().call([pred.select(0, 0)], [label.select(0, 0), label.select(0, 1)]), /yPred and y must have the same length, found 1 and 2/);
    assert.throws(() => M.computeGeneralizedDice(pred, small), /computeGeneralizedDice: yPred \[2,3,3,3\] and y \[2,3,2,3\] should have the same shape/);
    assert.throws(() => new M.MSEMetric().call(pred, small), /MSEMetric: yPred and y shapes don't match, found \[2,3,3,3\] and \[2,3,2,3\]/);
    assert.throws(() => new M.MAEMetric().call(torch.ones([3]), torch.ones([3])), /MAEMetric: either channel or spatial dimensions required/);
    assert.throws(() => new M.PSNRMetric({} as never), /PSNRMetric: maxVal must be a positive number, found undefined/);
    assert.throws(() => new M.RMSEMetric({ reduce: 'mean' } as never), /RMSEMetric.*reduce.*reduction/);
  });
});

test('empty labels warn once per metric object, as Python shows a warning once', () => {
  const seen: string[] = [];
  const orig = process.emitWarning;
  (process as { emitWarning: unknown }).emitWarning = (m: string) => void seen.push(String(m));
  const m = new M.HausdorffDistanceMetric({ reduction: 'none' });
  try {
    torch.tidy(() => {
      const emptyY = torch.zerosLike(label);
      const r1 = m.call(pred, emptyY) as Tensor;
      m.call(pred, emptyY);
      // class 0 (after the background) has predicted edges but no label: inf, as MONAI
      assert.equal(r1.select(0, 0).select(0, 0).item(), Infinity);
    });
    assert.deepEqual(seen, [
      'the ground truth of class 0 is all 0, this may result in nan/inf distance.',
      'the ground truth of class 1 is all 0, this may result in nan/inf distance.',
    ]);
    seen.length = 0;
    torch.tidy(() => void M.computeHausdorffDistance(torch.zerosLike(pred), label));
    assert.ok(seen.some((s) => s.startsWith('the prediction of class 0 is all 0')), 'the functional form warns each call');
  } finally {
    process.emitWarning = orig;
    m.reset();
  }
});

test('ConfusionMatrixMetric turns computeSample off for classification input, with a warning', () => {
  const seen: string[] = [];
  const orig = process.emitWarning;
  (process as { emitWarning: unknown }).emitWarning = (m: string) => void seen.push(String(m));
  const m = new M.ConfusionMatrixMetric({ computeSample: true, metricName: ['f1', 'accuracy'] });
  try {
    torch.tidy(() => {
      m.call(torch.tensor([[1, 0], [0, 1], [1, 0]], { dtype: 'float32' }), torch.tensor([[1, 0], [1, 0], [1, 0]], { dtype: 'float32' }));
      const [f1, acc] = m.aggregate() as Tensor[];
      // matrices averaged over classes then samples: tp 1/3, fp 1/6, tn 1/3, fn 1/6
      assert.ok(Math.abs((f1.item() as number) - 2 / 3) < 1e-6);
      assert.ok(Math.abs((acc.item() as number) - 2 / 3) < 1e-6);
    });
    assert.equal(m.computeSample, false);
    assert.deepEqual(seen, ['ConfusionMatrixMetric: as for classification task, computeSample should be false.']);
  } finally {
    process.emitWarning = orig;
    m.reset();
  }
});

test('getMaskEdges: crop keeps a one-voxel margin (padded beyond the array), label fields use labelIdx', () => {
  torch.tidy(() => {
    const seg = torch.zeros([5, 6], { dtype: 'int64' });
    seg.narrow(0, 0, 2).narrow(1, 1, 3).fill_(2); // rows 0-1, cols 1-3, touching the top border
    const [e, g] = M.getMaskEdges(seg, torch.zerosLike(seg), { labelIdx: 2 });
    assert.deepEqual(e.shape, [4, 5]); // rows -1..2, cols 0..4
    assert.deepEqual(e.to('uint8').tolist(), [[0, 0, 0, 0, 0], [0, 1, 1, 1, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]]);
    assert.equal(g.any().item(), false);
    const [full] = M.getMaskEdges(seg, torch.zerosLike(seg), { labelIdx: 2, crop: false });
    assert.deepEqual(full.shape, [5, 6]);
    const none = M.getMaskEdges(torch.zeros([3, 3]), torch.zeros([3, 3]));
    assert.deepEqual(none[0].shape, [3, 3]);
    assert.throws(() => M.getMaskEdges(torch.zeros([3, 3]), torch.zeros([3, 4])), /segPred and segGt should have the same shape, found \[3,3\] and \[3,4\]/);
  });
});

after(() => {
  torch.dispose([pred, label]);
  assert.equal(torch.memory().liveTensors, start, 'metric API tests leaked tensors');
});

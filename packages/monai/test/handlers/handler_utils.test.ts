// handlers/utils: fromEngine, ignoreData, the early-stop score functions, writeMetricsReports' options and
// errors, and the gathers across ranks: one process returns its own data; a simulated 2-rank group (this
// process as rank 0 or 1, the other rank's data given) gathers in rank order with uneven lengths.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Engine } from '../../src/engines/index.js';
import {
  fromEngine, ignoreData, stoppingFnFromMetric, stoppingFnFromLoss, writeMetricsReports, evenlyDivisibleAllGather, stringListAllGather,
  gatherBuffersAcrossRanks, activeDistributed, rankAndWorldSize, type DistributedLike,
} from '../../src/handlers/index.js';
import { DiceMetric } from '../../src/metrics/index.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-utils-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const vals = (t: Tensor): number[] => torch.tidy(() => Array.from(t.to('float64').contiguous().data() as Float64Array));

/**
 * A 2-rank group seen from `rank`: allGather puts our tensor at our rank and the other rank's at its own,
 * as c10d does; the other rank's tensors are given per call (it pads to the same shape, as the real one does).
 */
function fakeGroup(rank: number, otherCalls: ((shape: number[]) => Tensor)[]): DistributedLike & { calls: number } {
  const g = {
    calls: 0,
    isInitialized: () => true,
    getWorldSize: () => 2,
    getRank: () => rank,
    allGather(out: Tensor[], t: Tensor) {
      assert.equal(out.length, 2);
      const other = otherCalls[g.calls++](t.shape);
      out[rank].copy_(t);
      out[1 - rank].copy_(other);
      other.dispose();
    },
  };
  return g;
}

/** What the other rank sends for stringListAllGather([text]): the byte count, then the bytes padded. */
function otherText(text: string): ((shape: number[]) => Tensor)[] {
  const bytes = Array.from(Buffer.from(text, 'utf8'));
  return [
    () => torch.tensor([bytes.length], { dtype: 'int64' }),
    (shape) => torch.tidy(() => torch.cat([torch.tensor(bytes, { dtype: 'uint8' }), torch.zeros([shape[0] - bytes.length], { dtype: 'uint8' })])),
  ];
}

/** What the other rank sends when it holds `data`: its length, then its data padded to the gathered maximum. */
function otherRank(data: number[][]): ((shape: number[]) => Tensor)[] {
  return [
    () => torch.tensor([data.length], { dtype: 'int64' }),
    (shape) => torch.tidy(() => {
      const t = torch.zeros(shape, { dtype: 'float32' });
      if (data.length) t.narrow(0, 0, data.length).copy_(torch.tensor(data, { dtype: 'float32' }));
      return t;
    }),
  ];
}

test('one process: evenlyDivisibleAllGather returns the data itself, stringListAllGather a copy, rank 0 of 1', () => {
  assert.equal(activeDistributed(), null, 'no process group in this test process');
  assert.deepEqual(rankAndWorldSize(), { rank: 0, worldSize: 1 });
  const t = torch.tensor([[1, 2], [3, 4]]);
  assert.equal(evenlyDivisibleAllGather(t, true), t);
  const parts = evenlyDivisibleAllGather(t, false);
  assert.equal(parts.length, 1);
  assert.equal(parts[0], t);
  const names = ['a', 'b'];
  const got = stringListAllGather(names);
  assert.deepEqual(got, names);
  assert.notEqual(got, names);
  const notInit = { isInitialized: () => false, getWorldSize: () => 4, getRank: () => 3, allGather: () => assert.fail('no gather without a group') };
  assert.equal(evenlyDivisibleAllGather(t, true, notInit), t);
  t.dispose();
  assert.throws(() => evenlyDivisibleAllGather([1, 2] as never, true), /evenlyDivisibleAllGather: data must be a Tensor, found object/);
});

for (const rank of [0, 1]) test(`simulated 2 ranks as rank ${rank}: uneven lengths gathered in rank order (pad and cut), concat and per-rank`, () => {
  const mine = torch.tensor([[1, 1], [2, 2], [3, 3]], { dtype: 'float32' });
  const theirs = [[9, 9]];
  const g = fakeGroup(rank, otherRank(theirs));
  const all = evenlyDivisibleAllGather(mine, true, g);
  assert.equal(g.calls, 2, 'lengths, then data');
  const expect = rank === 0 ? [1, 1, 2, 2, 3, 3, 9, 9] : [9, 9, 1, 1, 2, 2, 3, 3];
  assert.deepEqual(all.shape, [4, 2]);
  assert.deepEqual(vals(all), expect);
  const g2 = fakeGroup(rank, otherRank(theirs));
  const parts = evenlyDivisibleAllGather(mine, false, g2);
  assert.deepEqual(parts.map((p) => p.shape[0]), rank === 0 ? [3, 1] : [1, 3]);
  torch.dispose([mine, all, ...parts]);
});

test('simulated 2 ranks: stringListAllGather joins UTF-8 names in rank order; a rank without names adds none', () => {
  const other = ['über.nii', 'b.nii'];
  const bytes = Array.from(Buffer.from(other.join('\t'), 'utf8'));
  const sender = (): ((shape: number[]) => Tensor)[] => [
    () => torch.tensor([bytes.length], { dtype: 'int64' }),
    (shape) => torch.tidy(() => torch.cat([torch.tensor(bytes, { dtype: 'uint8' }), torch.zeros([shape[0] - bytes.length], { dtype: 'uint8' })])),
  ];
  assert.deepEqual(stringListAllGather(['a.nii'], '\t', fakeGroup(1, sender())), ['über.nii', 'b.nii', 'a.nii']);
  assert.deepEqual(stringListAllGather([], '\t', fakeGroup(0, sender())), ['über.nii', 'b.nii']);
});

test('gatherBuffersAcrossRanks: a metric aggregates over both ranks (as one process over all items), also on a rank without items; mismatched buffers named', () => {
  const p = torch.tensor([[[[1, 0], [0, 1]]], [[[1, 1], [0, 0]]]], { dtype: 'float32' });
  const y = torch.tensor([[[[1, 0], [0, 0]]], [[[1, 1], [0, 0]]]], { dtype: 'float32' });
  const single = new DiceMetric();
  torch.dispose(single.call(p, y));
  const whole = single.aggregate() as Tensor;
  // rank 0 holds item 0, rank 1 item 1: gathering gives both
  const m = new DiceMetric();
  torch.tidy(() => void torch.dispose(m.call(p.narrow(0, 0, 1), y.narrow(0, 0, 1))));
  const buf = single.getBuffer() as Tensor;
  const itemScores = vals(buf);
  buf.dispose();
  const desc = JSON.stringify([{ shape: [1], dtype: 'float32' }]);
  gatherBuffersAcrossRanks(m, fakeGroup(0, [...otherText(desc), ...otherRank([[itemScores[1]]])]));
  const agg = m.aggregate() as Tensor;
  assert.equal(agg.item(), whole.item());
  // wrapping twice gathers once (a second gather would repeat every rank's items)
  const twice = new DiceMetric();
  torch.tidy(() => void torch.dispose(twice.call(p.narrow(0, 0, 1), y.narrow(0, 0, 1))));
  const g1 = fakeGroup(0, [...otherText(desc), ...otherRank([[itemScores[1]]])]);
  gatherBuffersAcrossRanks(twice, g1);
  const never = { ...fakeGroup(0, []), allGather: () => assert.fail('gathered a second time') };
  assert.equal(gatherBuffersAcrossRanks(twice, never), twice);
  const agg3 = twice.aggregate() as Tensor;
  assert.equal(agg3.item(), whole.item());
  assert.equal(g1.calls, 4);
  agg3.dispose();
  twice.reset();
  // a rank that saw no item takes part with empty buffers and gets the other rank's
  const empty = gatherBuffersAcrossRanks(new DiceMetric(), fakeGroup(1, [...otherText(desc), ...otherRank([[itemScores[0]], [itemScores[1]]])]));
  const agg2 = empty.aggregate() as Tensor;
  assert.equal(agg2.item(), whole.item());
  // no rank has data: null everywhere (aggregate then fails as without ranks)
  const none = gatherBuffersAcrossRanks(new DiceMetric(), fakeGroup(0, otherText('null')));
  assert.equal(none.getBuffer(), null);
  // buffers of different shapes: a clear error instead of a collective failing
  const m3 = new DiceMetric();
  torch.tidy(() => void torch.dispose(m3.call(p.narrow(0, 0, 1), y.narrow(0, 0, 1))));
  gatherBuffersAcrossRanks(m3, fakeGroup(0, otherText(JSON.stringify([{ shape: [2], dtype: 'float32' }]))));
  assert.throws(() => m3.aggregate(), /DiceMetric: the ranks' metric buffers differ \(rank 0: \[\{"shape":\[1\],"dtype":"float32"\}\], rank 1: \[\{"shape":\[2\],"dtype":"float32"\}\]\)/);
  torch.dispose([p, y, whole, agg, agg2]);
  single.reset();
  m.reset();
  empty.reset();
  m3.reset();
});

test('fromEngine: a dict, a decollated list (per key, or the first item only), one key or several; ignoreData', () => {
  const d = { pred: 1, label: 2, loss: 0.5 };
  assert.deepEqual(fromEngine(['pred', 'label'])(d), [1, 2]);
  assert.deepEqual(fromEngine('pred')(d), [1]);
  const list = [{ pred: 1, label: 2, loss: 0.5 }, { pred: 3, label: 4, loss: 0.5 }];
  assert.deepEqual(fromEngine(['pred', 'label'])(list), [[1, 3], [2, 4]]);
  assert.deepEqual(fromEngine('pred')(list), [1, 3]);
  assert.equal(fromEngine('loss', true)(list), 0.5);
  assert.throws(() => fromEngine(['pred', 'lable'])(d), /fromEngine: key 'lable' is absent \(keys: pred, label, loss\)/);
  assert.throws(() => fromEngine(3 as never), /fromEngine: keys must be a string or a list of strings, found 3/);
  assert.equal(ignoreData({ a: 1 }), null);
});

test('stoppingFnFromMetric and stoppingFnFromLoss read the engine state; wrong values are named', () => {
  const e = new Engine(() => null);
  e.state.metrics.dice = 0.75;
  e.state.output = 0.25;
  assert.equal(stoppingFnFromMetric('dice')(e), 0.75);
  assert.equal(stoppingFnFromLoss()(e), -0.25);
  e.state.output = torch.tensor(0.5);
  assert.equal(stoppingFnFromLoss()(e), -0.5);
  (e.state.output as Tensor).dispose();
  assert.throws(() => stoppingFnFromMetric('iou')(e), /stoppingFnFromMetric: state.metrics\['iou'\] must be a number, found nothing/);
  e.state.output = [1, 2];
  assert.throws(() => stoppingFnFromLoss()(e), /stoppingFnFromLoss: state.output must be the loss/);
});

test('writeMetricsReports: class labels, 1-D details, row numbers without images, and errors', () => {
  const dir = path.join(tmp, 'r');
  writeMetricsReports({ saveDir: dir, metricDetails: { a: [0.5, 0.25] }, summaryOps: ['max', '50percentile'], classLabels: ['liver'], deli: ';' });
  assert.equal(fs.readFileSync(path.join(dir, 'a_raw.csv'), 'utf8'), 'filename;liver;mean\n0;0.5000;0.5000\n1;0.2500;0.2500\n');
  assert.equal(fs.readFileSync(path.join(dir, 'a_summary.csv'), 'utf8'), 'class;max;50percentile\nliver;0.5000;0.3750\nmean;0.5000;0.3750\n');
  assert.equal(fs.existsSync(path.join(dir, 'metrics.csv')), false, 'no metrics, no metrics.csv');
  assert.throws(() => writeMetricsReports({ saveDir: dir, outputType: 'json' }), /writeMetricsReports: unsupported output type 'json', expected 'csv'/);
  assert.throws(() => writeMetricsReports({ saveDir: dir, metricDetails: { a: [1] }, summaryOps: ['mode'] }), /unsupported summary op 'mode'/);
  assert.throws(() => writeMetricsReports({ saveDir: dir, metricDetails: { a: [1] }, summaryOps: ['101percentile'] }), /percentile must be within \[0, 100\], found '101percentile'/);
  assert.throws(() => writeMetricsReports({ saveDir: dir, metricDetails: { a: [[1, 2]] }, classLabels: ['x'] }), /1 classLabels for 2 classes in metric details 'a'/);
});

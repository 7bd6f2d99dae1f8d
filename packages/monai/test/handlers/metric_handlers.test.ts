// Metric handlers against MONAI 1.4 on Ignite 0.4 (tools/goldens/handlers/metric_handlers.py): the same
// fixed batches run 2 epochs through an Engine; state.metrics and state.metricDetails equal MONAI's
// (float32 results: rtol 1e-6), and equal the underlying metric computed directly (exactly).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Engine } from '../../src/engines/index.js';
import {
  MeanDice, MeanIoUHandler, ConfusionMatrix, HausdorffDistance, SurfaceDistance, ROCAUC, MeanSquaredError, MeanAbsoluteError,
  RootMeanSquaredError, PeakSignalToNoiseRatio, IgniteMetricHandler, fromEngine,
} from '../../src/handlers/index.js';
import { DiceMetric, HausdorffDistanceMetric, ROCAUCMetric, PSNRMetric } from '../../src/metrics/index.js';
import * as monai from '../../src/index.js';
import { readGolden, assertClose } from '../helpers/compare.js';

const start = torch.memory().liveTensors;

const G = readGolden('handlers/metric_handlers.json');
const TOL = { rtol: 1e-6, atol: 0 };
const num = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [num(v)]);
const camel = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

/** One-hot [B, C, H, W] float tensors from label maps [B, H, W]. */
function oneHot(maps: number[][][], c: number): Tensor {
  return torch.tidy(() => {
    const m = torch.tensor(maps, { dtype: 'int64' });
    return torch.stack(Array.from({ length: c }, (_, k) => m.eq(k)), 1).to('float32');
  });
}

const segBatches = (G.seg.pred_maps as number[][][][]).map((p, i) => [oneHot(p, 3), oneHot(G.seg.label_maps[i], 3)] as [Tensor, Tensor]);
const clsBatches = (G.cls.scores as number[][][]).map((s, i) => [torch.tensor(s, { dtype: 'float32' }), torch.tensor(G.cls.labels[i], { dtype: 'float32' })] as [Tensor, Tensor]);
const regBatches = (G.reg.ypred as number[][][][][]).map((p, i) => [torch.tensor(p, { dtype: 'float32' }), torch.tensor(G.reg.ytrue[i], { dtype: 'float32' })] as [Tensor, Tensor]);
after(() => {
  torch.dispose([...segBatches, ...clsBatches, ...regBatches].flat());
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const MAKERS: Record<string, (o: Record<string, unknown>) => IgniteMetricHandler> = {
  dice: (o) => new MeanDice(o), iou: (o) => new MeanIoUHandler(o), cm: (o) => new ConfusionMatrix(o), hd: (o) => new HausdorffDistance(o),
  asd: (o) => new SurfaceDistance(o), auc: (o) => new ROCAUC(o), mse: (o) => new MeanSquaredError(o), mae: (o) => new MeanAbsoluteError(o),
  rmse: (o) => new RootMeanSquaredError(o), psnr: (o) => new PeakSignalToNoiseRatio(o as { maxVal: number }),
};

/** Runs 2 epochs over the batches with every case's handler attached; returns the engine and the handlers. */
async function runCases(batches: [Tensor, Tensor][], cases: Record<string, Record<string, unknown>>): Promise<{ engine: Engine; handlers: IgniteMetricHandler[] }> {
  const engine = new Engine((e) => batches[(e.state.iteration - 1) % batches.length]);
  engine.state.metricDetails = {};
  const handlers = Object.entries(cases).map(([name, kw]) => {
    const h = MAKERS[/^[a-z]+/.exec(name)![0]](camel(kw));
    h.attach(engine, name);
    return h;
  });
  await engine.run([0, 1, 2], { maxEpochs: 2 });
  return { engine, handlers };
}

function compareMetric(name: string, actual: unknown, expected: unknown): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.deepEqual(actual, expected, `${name}: the labelled values`);
    return;
  }
  const a = actual instanceof torch.Tensor ? values(actual) : flat(actual);
  assertClose(a, flat(expected), TOL, `${name}: state.metrics`);
}

for (const group of ['seg', 'cls', 'reg'] as const) {
  test(`${group}: metric handlers equal MONAI's state.metrics and metricDetails after 2 epochs`, async () => {
    const { engine, handlers } = await runCases({ seg: segBatches, cls: clsBatches, reg: regBatches }[group], G[group].cases);
    for (const name of Object.keys(G[group].cases)) compareMetric(name, engine.state.metrics[name], G[group].metrics[name]);
    const details = engine.state.metricDetails as Record<string, Tensor>;
    assert.deepEqual(Object.keys(details).sort(), Object.keys(G[group].details).sort(), 'the handlers that keep details');
    for (const [name, d] of Object.entries(G[group].details)) {
      assert.deepEqual(details[name].shape, shapeOf(d), `${name}: details shape`);
      assertClose(values(details[name]), flat(d), TOL, `${name}: state.metricDetails`);
    }
    handlers.forEach((h) => h.dispose());
  });
}

const values = (t: Tensor): number[] => torch.tidy(() => Array.from(t.to('float64').contiguous().data() as Float64Array));

function shapeOf(v: unknown): number[] {
  return Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : [];
}

test('handler values equal the metric computed directly on the same batches (exact)', async () => {
  const direct = (m: { call(p: Tensor, y: Tensor): unknown; aggregate(): unknown; reset(): void }, batches: [Tensor, Tensor][]): unknown => {
    for (const [p, y] of batches) torch.dispose(m.call(p, y) as Tensor);
    const r = m.aggregate();
    const v = r instanceof torch.Tensor ? r.item() : r;
    torch.dispose(r as Tensor);
    m.reset();
    return v;
  };
  const { engine, handlers } = await runCases(segBatches, { dice: {}, hd: { percentile: 95, directed: true } });
  assert.equal(engine.state.metrics.dice, direct(new DiceMetric(), segBatches));
  assert.equal(engine.state.metrics.hd, direct(new HausdorffDistanceMetric({ percentile: 95, directed: true }), segBatches));
  handlers.forEach((h) => h.dispose());
  const r2 = await runCases(clsBatches, { auc_weighted: { average: 'weighted' } });
  assert.equal(r2.engine.state.metrics.auc_weighted, direct(new ROCAUCMetric({ average: 'weighted' }), clsBatches));
  r2.handlers.forEach((h) => h.dispose());
  const r3 = await runCases(regBatches, { psnr: { maxVal: 1.0 } });
  assert.equal(r3.engine.state.metrics.psnr, direct(new PSNRMetric({ maxVal: 1.0 }), regBatches));
  r3.handlers.forEach((h) => h.dispose());
});

test('outputTransform with fromEngine reads decollated outputs; ROCAUC keeps no details', async () => {
  const engine = new Engine((e) => {
    const [p, y] = segBatches[(e.state.iteration - 1) % 3];
    return [0, 1].map((i) => ({ pred: p.select(0, i), label: y.select(0, i) }));
  });
  engine.state.metricDetails = {};
  const h = new MeanDice({ outputTransform: fromEngine(['pred', 'label']) as never });
  h.attach(engine, 'dice');
  await engine.run([0, 1, 2], { maxEpochs: 1 });
  assertClose([engine.state.metrics.dice as number], [0.32448825240135193], TOL, 'MeanDice over lists of channel-first items');
  h.dispose();
  const auc = new ROCAUC();
  assert.equal(auc.saveDetails, false);
});

test('exported from monai-ts; bad options name the handler, the option and what was found', () => {
  assert.equal(monai.MeanDice, MeanDice);
  assert.equal(monai.PeakSignalToNoiseRatio, PeakSignalToNoiseRatio);
  assert.throws(() => new MeanDice({ includeBackgrund: false } as never), /MeanDice: unknown option 'includeBackgrund'.*includeBackground/);
  assert.throws(() => new MeanDice({ getNotNans: true } as never), /MeanDice: unknown option 'getNotNans'/);
  assert.throws(() => new MeanDice({ reduction: 'avg' } as never), /^TypeError: MeanDice: DiceMetric: reduction must be one of .*found 'avg'/);
  assert.throws(() => new HausdorffDistance({ distanceMetric: 'manhattan' } as never), /HausdorffDistance: .*distanceMetric must be one of 'euclidean', 'chessboard', 'taxicab', found 'manhattan'/);
  assert.throws(() => new ConfusionMatrix({ metricName: ['f1 score', 'tpr'] } as never), /ConfusionMatrix: metricName must be one name/);
  assert.throws(() => new ConfusionMatrix({ metricName: 'f2' }), /ConfusionMatrix: /);
  assert.throws(() => new ROCAUC({ saveDetails: true } as never), /ROCAUC: unknown option 'saveDetails'/);
  assert.throws(() => new ROCAUC({ average: 'mean' } as never), /ROCAUC: .*average must be one of/);
  assert.throws(() => new PeakSignalToNoiseRatio({} as never), /PeakSignalToNoiseRatio: PSNRMetric: maxVal must be a positive number/);
  assert.throws(() => new MeanIoUHandler({ outputTransform: 3 } as never), /MeanIoUHandler: outputTransform must be a function/);
  assert.throws(() => new SurfaceDistance({ saveDetails: 'yes' } as never), /SurfaceDistance: saveDetails must be a boolean, found string/);
});

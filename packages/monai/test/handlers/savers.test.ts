// MetricsSaver and ClassificationSaver write MONAI 1.4's files byte for byte (tools/goldens/handlers/
// metric_handlers.py), except the deliberate fix of MONAI's raw-file headers (one 'mean' column per file,
// where MONAI appends another 'mean' to each later file); MetricLogger records as MONAI's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Engine, Events } from '../../src/engines/index.js';
import { MeanDice, HausdorffDistance, ConfusionMatrix, MetricsSaver, ClassificationSaver, CSVSaver, MetricLogger, IgniteMetricHandler } from '../../src/handlers/index.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const G = readGolden('handlers/metric_handlers.json');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-savers-'));

function oneHot(maps: number[][][], c: number): Tensor {
  return torch.tidy(() => {
    const m = torch.tensor(maps, { dtype: 'int64' });
    return torch.stack(Array.from({ length: c }, (_, k) => m.eq(k)), 1).to('float32');
  });
}
const segBatches = (G.seg.pred_maps as number[][][][]).map((p, i) => [oneHot(p, 3), oneHot(G.seg.label_maps[i], 3)] as [Tensor, Tensor]);
const scores = (G.cls.scores as number[][][]).map((s) => torch.tensor(s, { dtype: 'float32' }));
const names = G.metrics_saver.names as string[][];
after(() => {
  torch.dispose([...segBatches.flat(), ...scores]);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const readDir = (d: string): Record<string, string> => Object.fromEntries(fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]));
const camel = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

for (const [caseName, c] of Object.entries(G.metrics_saver.cases as Record<string, { options: Record<string, unknown>; files: Record<string, string> }>)) {
  test(`MetricsSaver '${caseName}': metrics.csv, <name>_raw.csv and <name>_summary.csv equal MONAI's`, async () => {
    const dir = path.join(tmp, `metrics_${caseName}`);
    const engine = new Engine((e) => segBatches[(e.state.iteration - 1) % 3]);
    engine.state.metricDetails = {};
    const cm = caseName === 'confusion_matrix';
    const handlers: IgniteMetricHandler[] = cm
      ? [new ConfusionMatrix({ metricName: 'f1 score' })]
      : [new MeanDice({ includeBackground: false }), new MeanDice({ includeBackground: false, reduction: 'mean_batch' }), new HausdorffDistance()];
    (cm ? ['cm'] : ['dice', 'dice_nobg_mean_batch', 'hd']).forEach((n, i) => handlers[i].attach(engine, n));
    new MetricsSaver({ saveDir: dir, batchTransform: ((b: unknown) => b) as never, ...camel(c.options) } as never).attach(engine);
    await engine.run(names.map((n) => ({ filename_or_obj: n })), { maxEpochs: 1 });
    const ours = readDir(dir);
    const expected = Object.fromEntries(Object.entries(c.files).map(([f, text]) => [f, f.endsWith('_raw.csv') ? text.replace(/^(.*?)((,|\t)mean)+\n/, '$1$2\n') : text]));
    assert.deepEqual(Object.keys(ours), Object.keys(expected));
    for (const f of Object.keys(expected)) assert.equal(ours[f], expected[f], `${caseName}/${f}`);
    handlers.forEach((h) => h.dispose());
  });
}

test('ClassificationSaver writes predictions.csv as MONAI (file names from the metadata, float64 reprs; last epoch only)', async () => {
  for (const [caseName, withNames] of [['names', true], ['index', false]] as const) {
    const dir = path.join(tmp, `cls_${caseName}`);
    const engine = new Engine((e) => scores[(e.state.iteration - 1) % 3]);
    const saver = new ClassificationSaver({ outputDir: dir, batchTransform: (withNames ? (b: unknown) => b : () => [{}, {}]) as never });
    saver.attach(engine);
    await engine.run(names.map((n) => ({ filename_or_obj: n })), { maxEpochs: 2 });
    assert.deepEqual(readDir(dir), G.classification_saver[caseName], caseName);
  }
});

test('ClassificationSaver overwrite false appends each epoch; a custom saver gets the batch and the names', async () => {
  const dir = path.join(tmp, 'cls_append');
  const engine = new Engine((e) => scores[(e.state.iteration - 1) % 3]);
  new ClassificationSaver({ outputDir: dir, filename: 'p.csv', overwrite: false, delimiter: ';', batchTransform: ((b: unknown) => b) as never }).attach(engine);
  await engine.run(names.map((n) => ({ filename_or_obj: n })), { maxEpochs: 2 });
  const lines = fs.readFileSync(path.join(dir, 'p.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 12, 'two epochs of 6 rows');
  assert.equal(lines[6], lines[0]);
  assert.equal(lines[0], G.classification_saver.names['predictions.csv'].split('\n')[0].replaceAll(',', ';'));
  const got: { shape: number[]; names: unknown }[] = [];
  const e2 = new Engine((e) => scores[(e.state.iteration - 1) % 3]);
  new ClassificationSaver({ batchTransform: ((b: unknown) => b) as never, saver: { saveBatch: (b: Tensor, m: Record<string, unknown[]> | null) => void got.push({ shape: b.shape, names: m?.filename_or_obj }), finalize: () => undefined } }).attach(e2);
  await e2.run(names.map((n) => ({ filename_or_obj: n })), { maxEpochs: 1 });
  assert.deepEqual(got, [{ shape: [6, 3], names: names.flat() }]);
});

test('CSVSaver: running index keys without metadata, flush, overwrite', () => {
  const dir = path.join(tmp, 'csv');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'predictions.csv'), 'old\n');
  const s = new CSVSaver({ outputDir: dir, flush: true });
  assert.equal(fs.existsSync(path.join(dir, 'predictions.csv')), false, 'overwrite removes the old file');
  const t = torch.tensor([[0.5, 1], [0.1, 2]], { dtype: 'float64' });
  s.saveBatch(t);
  s.save(3);
  s.finalize();
  t.dispose();
  assert.equal(fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8'), '0,0.5,1.0\n1,0.1,2.0\n2,3.0\n');
  assert.throws(() => new CSVSaver({ outputdir: dir } as never), /CSVSaver: unknown option 'outputdir'.*outputDir/);
});

test('savers: bad options and bad transforms are named', async () => {
  assert.throws(() => new MetricsSaver({} as never), /MetricsSaver: missing required option 'saveDir'/);
  assert.throws(() => new MetricsSaver({ saveDir: tmp, sumaryOps: '*' } as never), /MetricsSaver: unknown option 'sumaryOps'.*summaryOps/);
  assert.throws(() => new MetricsSaver({ saveDir: tmp, outputType: 'json' }), /MetricsSaver: unsupported outputType 'json'/);
  assert.throws(() => new ClassificationSaver({ saveRank: -1 }), /ClassificationSaver: saveRank must be an integer >= 0, found -1/);
  const e = new Engine(() => [{ pred: 1 }]);
  new ClassificationSaver({ outputDir: path.join(tmp, 'never'), batchTransform: (() => [{}]) as never }).attach(e);
  await assert.rejects(e.run([0], { maxEpochs: 1 }), /ClassificationSaver: each prediction must be a tensor or a number, found object for item 0/);
  const e2 = new Engine(() => 0);
  new MetricsSaver({ saveDir: path.join(tmp, 'rank'), saveRank: 1 }).attach(e2);
  await assert.rejects(e2.run([0], { maxEpochs: 1 }), /MetricsSaver: saveRank \(1\) must be less than the world size \(1\)/);
  const e3 = new Engine(() => 0);
  e3.state.metricDetails = { d: torch.zeros([2, 2, 2, 2]) };
  new MetricsSaver({ saveDir: path.join(tmp, 'dims'), metricDetails: '*' }).attach(e3);
  await assert.rejects(e3.run([[{}]], { maxEpochs: 1 }), /writeMetricsReports: metric details 'd' must have at most 3 dimensions \(items, classes\[, values\]\), found \[2,2,2,2\]/);
  const e4 = new Engine(() => 0);
  e4.state.metricDetails = { cm: torch.zeros([1, 2, 4]) };
  new MetricsSaver({ saveDir: path.join(tmp, 'cm3d'), metricDetails: '*', summaryOps: '*' }).attach(e4);
  await assert.rejects(e4.run([[{}]], { maxEpochs: 1 }), /summaries of 3-D metric details \('cm', \[1,2,4\]\) are not supported/);
  torch.dispose((e4.state.metricDetails as Record<string, Tensor>).cm);
  torch.dispose((e3.state.metricDetails as Record<string, Tensor>).d);
});

test('MetricLogger: (iteration, loss) per trainer iteration, metrics per iteration and per evaluator run; state dict round trip', async () => {
  const losses = [0.5, 0.25, 0.125, 1];
  const trainer = new Engine((e) => [{ loss: torch.tensor(losses[e.state.iteration - 1]) }, { loss: -1 }]);
  const evaluator = new Engine(() => null);
  evaluator.on(Events.COMPLETED, (e: Engine) => void (e.state.metrics = { val: 0.5 + trainer.state.iteration / 100 }));
  const logger = new MetricLogger({ evaluator });
  logger.attach(trainer);
  trainer.on(Events.EPOCH_COMPLETED, async (e: Engine) => {
    e.state.metrics.acc = e.state.epoch / 10;
    await evaluator.run([0], { maxEpochs: 1 });
  });
  await trainer.run([0, 1], { maxEpochs: 2 });
  assert.deepEqual(logger.loss, [[1, 0.5], [2, 0.25], [3, 0.125], [4, 1]]);
  assert.deepEqual(logger.metrics, { val: [[2, 0.52], [4, 0.54]], acc: [[3, 0.1], [4, 0.1]] });
  const sd = logger.stateDict();
  const other = new MetricLogger();
  other.loadStateDict(JSON.parse(JSON.stringify(sd)));
  assert.deepEqual(other.stateDict(), sd);
  assert.throws(() => other.loadStateDict({ Loss: [] }), /MetricLogger.loadStateDict: required key 'Metrics' is absent/);
  const bad = new Engine(() => 3);
  new MetricLogger().attach(bad);
  await assert.rejects(bad.run([0], { maxEpochs: 1 }), /MetricLogger: the default lossTransform reads output\[0\].loss/);
  assert.throws(() => new MetricLogger({ lossTransfrom: () => 1 } as never), /MetricLogger: unknown option 'lossTransfrom'/);
});

test('in a SupervisedEvaluator: key and additional metric handlers with fromEngine, MetricsSaver naming rows from MetaTensor metadata', async () => {
  const { SupervisedEvaluator } = await import('../../src/engines/index.js');
  const { MetaTensor } = await import('../../src/data/meta_tensor.js');
  const { fromEngine } = await import('../../src/handlers/index.js');
  const dir = path.join(tmp, 'evaluator');
  const data = segBatches.map(([p, y], i) => ({ image: MetaTensor.fromTensor(p, { meta: { filename_or_obj: names[i] }, isBatch: true }), label: y }));
  const net = new torch.nn.Identity();
  const out = fromEngine(['pred', 'label']) as never;
  const handlers = [
    new MeanDice({ includeBackground: false, outputTransform: out }),
    new MeanDice({ includeBackground: false, reduction: 'mean_batch', outputTransform: out }),
    new HausdorffDistance({ outputTransform: out }),
  ];
  const ev = new SupervisedEvaluator({
    valDataLoader: data,
    network: net as never,
    keyValMetric: { dice: handlers[0] },
    additionalMetrics: { dice_nobg_mean_batch: handlers[1], hd: handlers[2] },
    valHandlers: [new MetricsSaver({ saveDir: dir, metricDetails: '*', summaryOps: '*', batchTransform: fromEngine('image') as never })],
  });
  await ev.run();
  const expected = G.metrics_saver.cases.all.files as Record<string, string>;
  const ours = readDir(dir);
  for (const f of Object.keys(expected)) assert.equal(ours[f], f.endsWith('_raw.csv') ? expected[f].replace(/^(.*?)(,mean)+\n/, '$1$2\n') : expected[f], f);
  assert.equal(ev.state.bestMetric, ev.state.metrics.dice);
  torch.dispose(data.map((d) => d.image));
  handlers.forEach((h) => h.dispose());
});

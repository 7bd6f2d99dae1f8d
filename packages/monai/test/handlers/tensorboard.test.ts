// TensorBoardStatsHandler and TensorBoardImageHandler on a SupervisedTrainer and a plain Engine: the event
// files read back hold MONAI's tags, the engine's steps and the values the engine logged; log filters,
// custom writers, transforms, writer ownership and option errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Engine, Events, SupervisedTrainer } from '../../src/engines/index.js';
import { IgniteMetricHandler, TensorBoardStatsHandler, TensorBoardImageHandler } from '../../src/handlers/index.js';
import { DiceLoss } from '../../src/losses/index.js';
import { SummaryWriter, readEventFile, readScalars, decodeGif } from '../../src/visualize/index.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-handlers-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

type Item = { image: Tensor; label: Tensor; pred: Tensor; loss: number };

function makeData(n: number, seed: number): { image: Tensor; label: Tensor }[] {
  torch.manualSeed(seed);
  return Array.from({ length: n }, () => torch.tidy(() => {
    const image = torch.rand([2, 1, 8, 8]);
    const label = torch.cat([image.lt(0.5), image.ge(0.5)], { dim: 1 }).float();
    return { image: torch.keep(image), label: torch.keep(label) };
  }));
}

/** Image, label and pred of every event in the file, by tag: [step, tag, width, height]. */
function imagesOf(file: string): [number, string, number, number][] {
  return readEventFile(file).flatMap((e) => (e.summary?.value ?? []).filter((v) => v.image).map((v) => [e.step, v.tag, v.image!.width, v.image!.height] as [number, string, number, number]));
}

test('SupervisedTrainer, 2 epochs x 3 iterations: loss per iteration, metric and state attribute per epoch, images every 2 iterations', async () => {
  const data = makeData(3, 5);
  torch.manualSeed(0);
  const net = new torch.nn.Sequential(new torch.nn.Conv2d(1, 2, 3, { padding: 1 }), new torch.nn.Softmax({ dim: 1 }));
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.5 });
  const predLabel = (o: unknown): [Tensor[], Tensor[]] => [(o as Item[]).map((i) => i.pred), (o as Item[]).map((i) => i.label)];
  const lossMetric = new IgniteMetricHandler({ lossFn: new DiceLoss(), outputTransform: predLabel });
  const writer = new SummaryWriter(path.join(tmp, 'train'));
  const warnings: string[] = [];
  const onWarn = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarn);
  const stats = new TensorBoardStatsHandler({ summaryWriter: writer, stateAttributes: ['bestMetric'] });
  const lossOnly = new TensorBoardStatsHandler({ summaryWriter: writer, outputTransform: (o: Item[]) => o[0].loss, tagName: 'train_loss_iter', epochLog: false, iterationLog: 2 });
  const images = new TensorBoardImageHandler({
    summaryWriter: writer, epochLevel: false, interval: 2, maxChannels: 2,
    batchTransform: (b: Item[]) => [b.map((i) => i.image), b.map((i) => i.label)], outputTransform: (o: Item[]) => o.map((i) => i.pred),
  });
  const trainer = new SupervisedTrainer({
    maxEpochs: 2, trainDataLoader: data, network: net, optimizer: opt, lossFunction: new DiceLoss(),
    keyTrainMetric: { train_dice_loss: lossMetric }, trainHandlers: [stats, lossOnly, images], metricCmpFn: (a, b) => a < b,
  });
  stats.attach(trainer); // attaching twice adds nothing
  const losses: [number, number][] = [];
  const metrics: [number, number, number][] = [];
  trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => void losses.push([e.state.iteration, (e.state.output as Item[])[0].loss]));
  trainer.on(Events.EPOCH_COMPLETED, (e: Engine) => void metrics.push([e.state.epoch, e.state.metrics.train_dice_loss as number, e.state.bestMetric as number]));
  await trainer.run();
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarn);
  writer.close();

  const sc = readScalars(path.join(tmp, 'train'));
  assert.deepEqual(Object.keys(sc).sort(), ['bestMetric', 'loss', 'train_dice_loss', 'train_loss_iter']);
  // simple_value is a float32: the engine's numbers rounded to float32
  assert.deepEqual(sc.loss.map((p) => [p.step, p.value]), losses.map(([s, v]) => [s, Math.fround(v)]));
  assert.deepEqual(sc.train_loss_iter.map((p) => [p.step, p.value]), losses.filter(([s]) => s % 2 === 0).map(([s, v]) => [s, Math.fround(v)]));
  assert.deepEqual(sc.train_dice_loss.map((p) => [p.step, p.value]), metrics.map(([e, m]) => [e, Math.fround(m)]));
  assert.deepEqual(sc.bestMetric.map((p) => [p.step, p.value]), metrics.map(([e, , b]) => [e, Math.fround(b)]));
  assert.equal(losses.length, 6);
  // the default outputTransform gives the first item's dict: its tensors are skipped with one warning each
  assert.deepEqual(warnings.filter((w) => w.includes('TensorBoardStatsHandler')).map((w) => w.match(/output '(\w+)'/)?.[1]), ['image', 'label', 'pred']);

  const want: [number, string, number, number][] = [];
  for (const step of [2, 4, 6]) want.push([step, 'input_0_HW_0', 8, 8], [step, 'input_1_HW_0', 8, 8], [step, 'input_1_HW_1', 8, 8], [step, 'output_HW_0', 8, 8], [step, 'output_HW_1', 8, 8]);
  assert.deepEqual(imagesOf(writer.fileName), want);

  lossMetric.dispose();
  opt.dispose();
  net.dispose();
  torch.dispose(data);
});

test('TensorBoardImageHandler: 3D batches as animated GIFs per epoch; globalIterTransform and index', async () => {
  torch.manualSeed(1);
  const batches = [0, 1].map(() => ({ image: torch.rand([2, 1, 5, 4, 3]), label: torch.rand([2, 2, 5, 4, 3]) }));
  const engine = new Engine((_e, b: { image: Tensor }) => ({ pred: b.image.mul(2) }));
  const writer = new SummaryWriter(path.join(tmp, 'gif'));
  new TensorBoardImageHandler({
    summaryWriter: writer, index: 1, maxChannels: 2, globalIterTransform: (s) => s * 10,
    batchTransform: (b: { image: Tensor; label: Tensor }) => [b.image, b.label], outputTransform: (o: { pred: Tensor }) => o.pred,
  }).attach(engine);
  try {
    await engine.run(batches, { maxEpochs: 2 });
  } finally {
    writer.close();
    torch.dispose(batches);
  }
  const got = readEventFile(writer.fileName).flatMap((e) => (e.summary?.value ?? []).map((v) => [e.step, v.tag, decodeGif(v.image!.encodedImageString).frames.length]));
  // one channel: maxOut = min(maxChannels, channels) = 1, so the tag ends in '/image' (MONAI's suffix rule)
  const perEpoch = (s: number): unknown[] => [[s, 'input_0_HWD/image', 5], [s, 'input_1_HWD/image/0', 5], [s, 'input_1_HWD/image/1', 5], [s, 'output_HWD/image', 5]];
  assert.deepEqual(got, [...perEpoch(10), ...perEpoch(20)]);
});

test('TensorBoardStatsHandler: epoch filters, custom writers, globalEpochTransform, own writer on logDir; option errors', async () => {
  const engine = new Engine((e) => e.state.iteration * 0.5);
  engine.on(Events.EPOCH_COMPLETED, (e: Engine) => void (e.state.metrics = { acc: e.state.epoch / 10, vec: [1, 2] }));
  const dir = path.join(tmp, 'own');
  const h = new TensorBoardStatsHandler({
    logDir: dir, outputTransform: (x: number) => x, epochLog: (_e, epoch) => epoch !== 2, globalEpochTransform: (ep) => ep + 100,
    iterationEventWriter: (e, w) => w.addScalar('custom', e.state.iteration, e.state.iteration),
  });
  h.attach(engine);
  // the metric handlers write at EPOCH_COMPLETED before this one in MONAI; here the metrics handler above runs first
  await engine.run([0, 0], { maxEpochs: 3 });
  h.close();
  h.close();
  const sc = readScalars(dir);
  assert.deepEqual(sc.acc.map((p) => [p.step, p.value]), [[101, Math.fround(0.1)], [103, Math.fround(0.3)]]);
  assert.deepEqual(sc.custom.map((p) => p.step), [1, 2, 3, 4, 5, 6]);
  assert.equal(sc.vec, undefined, 'non-scalar metrics are skipped');
  assert.equal(h.internalWriter, true);

  assert.throws(() => new TensorBoardStatsHandler({ iterationLogs: true } as never), /TensorBoardStatsHandler.*iterationLogs.*iterationLog/);
  assert.throws(() => new TensorBoardStatsHandler({ logDir: dir, iterationLog: 1.5 }), /iterationLog must be a boolean, an integer >= 0 or an event filter function, found 1.5/);
  assert.throws(() => new TensorBoardImageHandler({ logDir: dir, interval: 0 }), /interval must be a positive integer, found 0/);
  assert.throws(() => new TensorBoardImageHandler({ summaryWriter: {} as never }), /summaryWriter must be a SummaryWriter/);
  const e3 = new Engine(() => ({ loss: 1 }));
  const h3 = new TensorBoardStatsHandler({ logDir: path.join(tmp, 'dict') });
  h3.attach(e3);
  await assert.rejects(e3.run([0], { maxEpochs: 1 }), /default outputTransform takes state.output\[0\].*a dict \(keys: loss\); give an outputTransform/);
  h3.close();
  const e4 = new Engine(() => torch.tensor([0.25, 0.5]));
  const w4 = new SummaryWriter(path.join(tmp, 'tensor'));
  new TensorBoardStatsHandler({ summaryWriter: w4 }).attach(e4);
  await e4.run([0, 0], { maxEpochs: 1 });
  w4.close();
  assert.deepEqual(readScalars(path.join(tmp, 'tensor')).Loss.map((p) => [p.step, p.value]), [[1, 0.25], [2, 0.25]], 'a batch tensor output: its first element under Loss');
  const shared = new SummaryWriter(path.join(tmp, 'shared'));
  const s2 = new TensorBoardStatsHandler({ summaryWriter: shared, stateAttributes: ['nothing'] });
  const e2 = new Engine(() => null);
  s2.attach(e2);
  await assert.rejects(e2.run([0], { maxEpochs: 1 }), /state attribute 'nothing' must be a scalar to be written, found nothing/);
  s2.close(); // not its writer: still open
  shared.addScalar('after', 1, 1);
  shared.close();
  assert.deepEqual(readScalars(path.join(tmp, 'shared')).after.map((p) => p.value), [1]);
});

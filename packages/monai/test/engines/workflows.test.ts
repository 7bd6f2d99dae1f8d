// MONAI workflows: SupervisedEvaluator / EnsembleEvaluator with metric handlers and post-processing,
// best-metric tracking, SupervisedTrainer memory, options and errors, PrepareBatchExtraInput, GanTrainer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import {
  Events, IterationEvents, SupervisedTrainer, SupervisedEvaluator, EnsembleEvaluator, GanTrainer, PrepareBatchExtraInput,
  engineApplyTransform, defaultPrepareBatch, type Engine,
} from '../../src/engines/index.js';
import { IgniteMetricHandler } from '../../src/handlers/index.js';
import { DiceMetric } from '../../src/metrics/index.js';
import { DiceLoss } from '../../src/losses/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

/** Seeded [B, 2, 8, 8] one-hot labels and images. */
function makeData(n: number, seed: number): { image: Tensor; label: Tensor }[] {
  torch.manualSeed(seed);
  return Array.from({ length: n }, () => torch.tidy(() => {
    const image = torch.rand([2, 1, 8, 8]);
    const label = torch.cat([image.lt(0.5), image.ge(0.5)], { dim: 1 }).float();
    return torch.keep(image) && { image, label: torch.keep(label) };
  }));
}

function makeNet(): torch.nn.Module {
  torch.manualSeed(0);
  return new torch.nn.Sequential(new torch.nn.Conv2d(1, 2, 3, { padding: 1 }), new torch.nn.Softmax({ dim: 1 }));
}

/** A parameter-free module running fn (for networks that throw or take extra arguments). */
class FnNet extends torch.nn.Module {
  constructor(private readonly fn: (...a: Tensor[]) => Tensor) {
    super();
  }
  forward(...a: unknown[]): unknown {
    return this.fn(...(a as Tensor[]));
  }
}

const predLabel = (out: unknown): [Tensor[], Tensor[]] => {
  const items = out as { pred: Tensor; label: Tensor }[];
  return [items.map((o) => o.pred), items.map((o) => o.label)];
};
const asDiscrete = (d: unknown): unknown => {
  const o = d as Record<string, Tensor>;
  return { ...o, pred: torch.oneHot(o.pred.argmax({ dim: 0 }), 2).permute([2, 0, 1]).float() };
};

test('SupervisedEvaluator: decollated post-processed outputs feed a Dice key metric equal to DiceMetric on the same data; best metric tracked', async () => {
  const data = makeData(3, 1);
  const net = makeNet();
  net.train();
  const dice = new IgniteMetricHandler({ metricFn: new DiceMetric({ includeBackground: true }), outputTransform: predLabel });
  const ev = new SupervisedEvaluator({ valDataLoader: data, network: net, postprocessing: asDiscrete, keyValMetric: { val_dice: dice }, metricCmpFn: (a, b) => a < b });
  let gradOn: boolean | null = null;
  ev.on(IterationEvents.FORWARD_COMPLETED, (e: Engine) => void (gradOn = ((e.state.output as Record<string, Tensor>).pred).requiresGrad));
  await ev.run(3);
  assert.equal(gradOn, false, 'no gradients during evaluation');
  assert.equal(net.training, true, 'the network is back in training mode');
  const want = torch.tidy(() => {
    const m = new DiceMetric({ includeBackground: true });
    for (const b of data) {
      const p = torch.nn.functional.oneHot((net.forward(b.image) as Tensor).argmax({ dim: 1 }), 2).permute([0, 3, 1, 2]).float();
      m.call(p, b.label);
    }
    const v = (m.aggregate() as Tensor).item();
    m.reset();
    return v;
  });
  const got = ev.state.metrics.val_dice as number;
  assert.ok(Math.abs(got - want) < 1e-6, `dice ${got} vs ${want}`);
  assert.deepEqual([ev.state.epoch, ev.state.bestMetric, ev.state.bestMetricEpoch, ev.state.keyMetricName], [3, got, 3, 'val_dice']);
  const details = ev.state.metricDetails.val_dice as Tensor;
  assert.deepEqual(details.shape, [6, 2], 'per item and class');
  await ev.run(4); // same value: metricCmpFn (lower is better) keeps epoch 3
  assert.equal(ev.state.bestMetricEpoch, 3);
  dice.dispose();
  torch.dispose(data);
  net.dispose();
});

test('EnsembleEvaluator: one prediction per network under predKeys; predKeys must match the networks', async () => {
  const data = makeData(2, 2);
  const a = makeNet();
  const b = makeNet();
  const ev = new EnsembleEvaluator({ valDataLoader: data, networks: [a, b], predKeys: ['pa', 'pb'], decollate: false });
  const keys: string[][] = [];
  ev.on(Events.ITERATION_COMPLETED, (e: Engine) => void keys.push(Object.keys(e.state.output as object)));
  await ev.run();
  assert.deepEqual(keys, [['image', 'label', 'pa', 'pb'], ['image', 'label', 'pa', 'pb']]);
  assert.throws(() => new EnsembleEvaluator({ valDataLoader: data, networks: [a, b], predKeys: ['p'] }), /predKeys must have one key per network \(2\), found 1/);
  torch.dispose(data);
  a.dispose();
  b.dispose();
});

test('SupervisedTrainer: live tensors stay flat over iterations and epochs, with a loss metric attached', async () => {
  const data = makeData(4, 3);
  const net = makeNet();
  const opt = new torch.optim.Adam(net.parameters(), { lr: 1e-2 });
  const lossMetric = new IgniteMetricHandler({ lossFn: new DiceLoss(), outputTransform: predLabel });
  const trainer = new SupervisedTrainer({ maxEpochs: 5, trainDataLoader: data, network: net, optimizer: opt, lossFunction: new DiceLoss(), keyTrainMetric: { loss: lossMetric } });
  const live: number[] = [];
  const losses: number[] = [];
  trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => {
    live.push(torch.memory().liveTensors);
    losses.push((e.state.output as { loss: number }[])[0].loss);
  });
  await trainer.run();
  const later = live.slice(4); // Adam's state appears in the first step
  assert.equal(new Set(later).size, 1, `live tensors per iteration: ${live.join(',')}`);
  assert.ok(torch.memory().liveTensors <= live[live.length - 1], 'the last iteration is freed after the run');
  assert.ok(losses[losses.length - 1] < losses[0], `the loss falls: ${losses[0]} -> ${losses[losses.length - 1]}`);
  assert.equal(typeof trainer.state.metrics.loss, 'number');
  assert.deepEqual(trainer.getTrainStats(), { total_epochs: 5, total_iterations: 4, epoch: 5, iteration: 20 });
  lossMetric.dispose();
  opt.dispose();
  torch.dispose(data);
  net.dispose();
});

test('SupervisedTrainer: optimSetToNone clears gradients to null; options are checked', async () => {
  const data = makeData(2, 4);
  const net = makeNet();
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  const t = new SupervisedTrainer({ maxEpochs: 1, trainDataLoader: data, network: net, optimizer: opt, lossFunction: new DiceLoss(), optimSetToNone: true });
  const gradsAtForward: boolean[] = [];
  t.on(IterationEvents.FORWARD_COMPLETED, () => void gradsAtForward.push([...net.parameters()].every((p) => p.grad === null)));
  await t.run();
  assert.deepEqual(gradsAtForward, [true, true]);
  assert.throws(() => new SupervisedTrainer({ maxEpochs: 1, trainDataLoader: data, network: net, optimizer: opt, lossFunction: new DiceLoss(), optimSetTonone: true } as never), /optimSetTonone/);
  assert.throws(() => new SupervisedTrainer({ maxEpochs: 1, trainDataLoader: (function* () { yield 1; })(), network: net, optimizer: opt, lossFunction: new DiceLoss() }), /epochLength must be given when the data loader has no length/);
  assert.throws(() => new SupervisedTrainer({ maxEpochs: 1, trainDataLoader: 3 as never, network: net, optimizer: opt, lossFunction: new DiceLoss() }), /the data loader must be an iterable or async iterable/);
  opt.dispose();
  torch.dispose(data);
  net.dispose();
});

test('an error in the network reaches EXCEPTION_RAISED handlers; without one, run rejects with the message', async () => {
  const data = makeData(1, 5);
  const bad = new FnNet(() => { throw new Error('network exploded'); });
  const mk = () => new SupervisedTrainer({ maxEpochs: 1, trainDataLoader: data, network: bad, optimizer: new torch.optim.SGD([torch.keep(torch.zeros([1], { requiresGrad: true }))], { lr: 1 }), lossFunction: new DiceLoss() });
  const t1 = mk();
  const got: string[] = [];
  t1.on(Events.EXCEPTION_RAISED, (_e: Engine, err: Error) => void got.push(err.message));
  await t1.run();
  assert.deepEqual(got, ['network exploded']);
  const t2 = mk();
  await assert.rejects(t2.run(), /network exploded/);
  for (const t of [t1, t2]) { torch.dispose(t.optimizer.paramGroups[0].params); t.optimizer.dispose(); }
  torch.dispose(data);
});

test('PrepareBatchExtraInput passes batch entries to the network as positional or keyword arguments', async () => {
  const batch = { image: torch.ones([1, 1]), label: torch.zeros([1, 1]), scale: torch.full([1, 1], 3) };
  const args = torch.tidy(() => new PrepareBatchExtraInput(['scale']).call(batch, null, false));
  assert.equal((args as unknown[]).length, 4);
  assert.deepEqual(((args as unknown[])[2] as Tensor[])[0].tolist(), [[3]]);
  const kw = new PrepareBatchExtraInput({ s: 'scale' }).call(batch, null, false) as unknown[];
  assert.deepEqual(Object.keys(kw[3] as object), ['s']);
  assert.throws(() => new PrepareBatchExtraInput('nope').call(batch, null, false), /the batch has no key 'nope'/);
  assert.throws(() => defaultPrepareBatch(5), /expected a tensor, a pair of tensors or a dict with 'image', found number/);
  const seen: number[] = [];
  const net = new FnNet((x: Tensor, s: Tensor) => { seen.push(s.item()); return x.mul(s); });
  const p = torch.keep(torch.zeros([1], { requiresGrad: true }));
  const opt = new torch.optim.SGD([p], { lr: 1 });
  const t = new SupervisedTrainer({ maxEpochs: 1, trainDataLoader: [batch], network: net, optimizer: opt, lossFunction: (a: Tensor, b: Tensor) => a.sub(b).abs().add(p), prepareBatch: new PrepareBatchExtraInput('scale') });
  await t.run();
  assert.deepEqual(seen, [3]);
  opt.dispose();
  torch.dispose([batch, p]);
});

test('engineApplyTransform: dict batch and output merged, keys go back where they came from', () => {
  const [b, o] = engineApplyTransform({ image: 1, label: 2 }, { pred: 3 }, (d) => ({ ...(d as object), image: 10, pred: 30, extra: 4 }));
  assert.deepEqual(b, { image: 10, label: 2 });
  assert.deepEqual(o, { pred: 30, extra: 4 });
  const [, o2] = engineApplyTransform([1], 5, (x) => (x as number) * 2);
  assert.equal(o2, 10);
});

test('GanTrainer: discriminator then generator steps; output has reals, fakes, latents and both losses', async () => {
  torch.manualSeed(0);
  const g = new torch.nn.Linear(4, 3);
  const d = new torch.nn.Linear(3, 1);
  const gOpt = new torch.optim.SGD(g.parameters(), { lr: 0.1 });
  const dOpt = new torch.optim.SGD(d.parameters(), { lr: 0.1 });
  const reals = [torch.rand([2, 3]), torch.rand([2, 3])];
  const g0 = g.weight.clone();
  const trainer = new GanTrainer({
    maxEpochs: 1, trainDataLoader: reals, gNetwork: g, gOptimizer: gOpt, dNetwork: d, dOptimizer: dOpt, latentShape: 4, dTrainSteps: 2,
    gLossFunction: (fakes: Tensor) => d.forward(fakes).mean().neg(),
    dLossFunction: (fakes: Tensor, r: Tensor) => d.forward(fakes.detach()).mean().sub(d.forward(r).mean()),
  });
  const outs: string[][] = [];
  trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => void outs.push(Object.keys(e.state.output as object)));
  await trainer.run();
  assert.deepEqual(outs[0], ['reals', 'fakes', 'latents', 'g_loss', 'd_loss']);
  assert.ok(torch.tidy(() => g.weight.sub(g0).abs().max().item()) > 0, 'the generator was updated');
  torch.dispose([reals, g0]);
  gOpt.dispose();
  dOpt.dispose();
  g.dispose();
  d.dispose();
});

test('amp: autocast forward with a GradScaler created at run; a data loader sampler gets setEpoch per epoch', async () => {
  const data = makeData(2, 6);
  const epochs: number[] = [];
  const loader = { length: 2, sampler: { setEpoch: (n: number) => void epochs.push(n) }, [Symbol.iterator]: () => data[Symbol.iterator]() };
  const net = makeNet();
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  const t = new SupervisedTrainer({ maxEpochs: 3, trainDataLoader: loader, network: net, optimizer: opt, lossFunction: new DiceLoss(), amp: true });
  t.disposeBatches = false; // the loader hands out the same tensors every epoch
  const dtypes: string[] = [];
  t.on(IterationEvents.FORWARD_COMPLETED, (e: Engine) => void dtypes.push((e.state.output as Record<string, Tensor>).pred.dtype));
  await t.run();
  assert.ok(t.scaler !== null);
  assert.deepEqual(epochs, [1, 2, 3]);
  assert.equal(dtypes[0], 'bfloat16', 'the CPU autocast dtype');
  torch.dispose(t.scaler);
  opt.dispose();
  torch.dispose(data);
  net.dispose();
});

test('an evaluator run from a trainer EPOCH_COMPLETED handler (as ValidationHandler) is awaited; epochs follow the trainer', async () => {
  const train = makeData(2, 7);
  const val = makeData(2, 8);
  const net = makeNet();
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  const dice = new IgniteMetricHandler({ metricFn: new DiceMetric(), outputTransform: predLabel });
  const ev = new SupervisedEvaluator({ valDataLoader: val, network: net, postprocessing: asDiscrete, keyValMetric: { dice } });
  const t = new SupervisedTrainer({ maxEpochs: 3, trainDataLoader: train, network: net, optimizer: opt, lossFunction: new DiceLoss() });
  const log: string[] = [];
  t.on(Events.EPOCH_COMPLETED, (e: Engine) => ev.run(e.state.epoch).then(() => void log.push(`val${ev.state.epoch}`)));
  t.on(Events.EPOCH_COMPLETED, (e: Engine) => void log.push(`after${e.state.epoch}:${typeof ev.state.metrics.dice}`));
  const live: number[] = [];
  t.on(Events.EPOCH_STARTED, () => void live.push(torch.memory().liveTensors));
  await t.run();
  assert.deepEqual(log, ['val1', 'after1:number', 'val2', 'after2:number', 'val3', 'after3:number']);
  assert.equal(ev.state.bestMetricEpoch >= 1 && ev.state.bestMetricEpoch <= 3, true);
  assert.equal(live[1], live[2], `live tensors at epoch starts: ${live.join(',')}`);
  dice.dispose();
  opt.dispose();
  torch.dispose([train, val]);
  net.dispose();
});

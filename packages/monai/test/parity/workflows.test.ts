// Workflow numerics against MONAI 1.4 (golden: tools/goldens/parity/make_workflows.py): the same tiny
// networks, start weights and batches give the same per-iteration losses, metrics, engine state and final
// weights. Tolerance 1e-6 (float32, same libtorch kernels on both sides).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Events, IterationEvents, SupervisedTrainer, SupervisedEvaluator, EnsembleEvaluator, GanTrainer, type Engine } from '../../src/engines/index.js';
import { MeanDice, fromEngine } from '../../src/handlers/index.js';
import { SlidingWindowInferer } from '../../src/inferers/index.js';
import { DiceLoss } from '../../src/losses/index.js';
import { Activationsd, AsDiscreted } from '../../src/transforms/post/dictionary.js';
import { Compose } from '../../src/transforms/compose.js';
import { DataLoader, Dataset } from '../../src/data/index.js';

const dir = fileURLToPath(new URL('../../../../tools/goldens/parity/', import.meta.url));
const G = JSON.parse(readFileSync(dir + 'workflows.json', 'utf8'));
const start = torch.memory().liveTensors;
const T = torch.load(dir + 'workflows.pt') as Record<string, Tensor>;
after(() => {
  for (const t of Object.values(T)) t.dispose();
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});
torch.setNumThreads(1);

const TOL = 1e-6;
const sub = (prefix: string): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(T).filter(([k]) => k.startsWith(prefix + '.')).map(([k, v]) => [k.slice(prefix.length + 1), v]));

function makeNet(sd: Record<string, Tensor>): torch.nn.Module {
  const net = new torch.nn.Sequential(new torch.nn.Conv2d(1, 4, 3, { padding: 1 }), new torch.nn.ReLU(), new torch.nn.Conv2d(4, 2, 3, { padding: 1 }));
  net.loadStateDict(sd);
  return net;
}
const batches = (n: number): { image: Tensor; label: Tensor }[] =>
  Array.from({ length: n }, (_, i) => ({ image: T.images.select(0, i), label: T.labels.select(0, i) }));
const disposeBatches = (b: { image: Tensor; label: Tensor }[]): void => b.forEach((x) => { x.image.dispose(); x.label.dispose(); });

function assertClose(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: count`);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= TOL, `${what}[${i}]: ${g} vs MONAI ${want[i]}`));
}
function assertWeights(net: torch.nn.Module, want: Record<string, Tensor>, what: string): void {
  const sd = net.stateDict();
  assert.deepEqual(Object.keys(sd).sort(), Object.keys(want).sort(), `${what}: keys`);
  for (const [k, v] of Object.entries(want)) {
    const d = torch.tidy(() => sd[k].sub(v).abs().max().item());
    assert.ok(d <= TOL, `${what}.${k}: max |diff| ${d}`);
  }
  torch.dispose(Object.values(sd));
}
const post = (keys: string[]): Compose => new Compose([new Activationsd({ keys, softmax: true }), new AsDiscreted({ keys, argmax: true, toOnehot: 2 })]);

type Case = { opt?: 'sgd' | 'adam'; setToNone?: boolean; decollate?: boolean; post?: boolean; accumulate?: number };
for (const [name, c] of Object.entries<Case>({
  plain: {}, adam: { opt: 'adam' }, set_to_none: { setToNone: true }, no_decollate: { decollate: false }, post_metric: { post: true }, accumulate: { accumulate: 2 }, no_decollate_post: { decollate: false, post: true },
})) {
  test(`SupervisedTrainer '${name}': losses per iteration, metrics, state and final weights equal MONAI's`, async () => {
    const g = G[name];
    const data = batches(3);
    const net = makeNet(sub('init'));
    const optimizer = c.opt === 'adam' ? new torch.optim.Adam(net.parameters(), { lr: 0.01 }) : new torch.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    const extra: Record<string, unknown> = {};
    if (c.post) {
      extra.postprocessing = post(['pred']);
      extra.keyTrainMetric = { train_dice: new MeanDice({ outputTransform: fromEngine(['pred', 'label']) }) };
    }
    if (c.accumulate) {
      const k = c.accumulate;
      extra.iterationUpdate = (e: SupervisedTrainer, b: unknown) => {
        const [inputs, targets] = e.prepareBatch(b, e.state.device, e.nonBlocking) as [Tensor, Tensor];
        e.network.train();
        if ((e.state.iteration - 1) % k === 0) e.optimizer.zeroGrad({ setToNone: e.optimSetToNone });
        const pred = e.inferer.call(inputs, e.network as never) as Tensor;
        const loss = (e.lossFunction as DiceLoss).forward(pred, targets).mean();
        torch.tidy(() => loss.div(k).backward());
        if (e.state.iteration % k === 0) e.optimizer.step();
        return { image: inputs, label: targets, pred, loss };
      };
    }
    const tr = new SupervisedTrainer({
      maxEpochs: 2, trainDataLoader: data, network: net, optimizer, lossFunction: new DiceLoss({ softmax: true }),
      decollate: c.decollate ?? true, optimSetToNone: c.setToNone ?? false, ...extra,
    });
    const losses: number[] = [];
    const metrics: Record<string, unknown>[] = [];
    tr.on(Events.ITERATION_COMPLETED, (e: Engine) => {
      const o = e.state.output as Record<string, unknown> | Record<string, unknown>[];
      const v = Array.isArray(o) ? o[0].loss : o.loss;
      losses.push(typeof v === 'number' ? v : (v as Tensor).item());
    });
    tr.on(Events.EPOCH_COMPLETED, (e: Engine) => void metrics.push({ ...e.state.metrics }));
    await tr.run();
    assertClose(losses, g.losses, `${name} losses`);
    assert.equal(metrics.length, g.metrics.length);
    metrics.forEach((m, i) => {
      assert.deepEqual(Object.keys(m), Object.keys(g.metrics[i]), `${name} metric names, epoch ${i + 1}`);
      for (const k of Object.keys(m)) assertClose([m[k] as number], [g.metrics[i][k]], `${name} ${k} epoch ${i + 1}`);
    });
    assert.deepEqual([tr.state.iteration, tr.state.epoch, tr.state.bestMetricEpoch, Array.isArray(tr.state.output)], [g.iteration, g.epoch, g.best_metric_epoch, g.output_is_list]);
    assertClose([tr.state.bestMetric], [g.best_metric], `${name} bestMetric`);
    assertWeights(net, sub(name), name);
    for (const m of Object.values((extra.keyTrainMetric ?? {}) as Record<string, { dispose?: () => void }>)) m.dispose?.();
    optimizer.dispose();
    net.dispose();
    disposeBatches(data);
  });
}

test("SupervisedEvaluator with a gaussian SlidingWindowInferer, post-processing and a MeanDice key metric equals MONAI's", async () => {
  const g = G.evaluator;
  const data = batches(6);
  const dice = new MeanDice({ outputTransform: fromEngine(['pred', 'label']) });
  const net = makeNet(sub('init'));
  const ev = new SupervisedEvaluator({
    valDataLoader: data, network: net, postprocessing: post(['pred']), keyValMetric: { val_dice: dice },
    inferer: new SlidingWindowInferer({ roiSize: [4, 4], swBatchSize: 3, overlap: 0.25, mode: 'gaussian' }),
  });
  const preds: Tensor[] = [];
  ev.on(IterationEvents.FORWARD_COMPLETED, (e: Engine) => void preds.push(torch.keep(((e.state.output as Record<string, Tensor>).pred).clone())));
  await ev.run(3);
  const d = torch.tidy(() => torch.stack(preds).sub(T['eval.pred']).abs().max().item());
  assert.ok(d <= TOL, `sliding-window predictions: max |diff| ${d}`);
  assertClose([ev.state.metrics.val_dice as number, ev.state.bestMetric], [g.metrics.val_dice, g.best_metric], 'val_dice, bestMetric');
  assert.deepEqual([ev.state.epoch, ev.state.iteration, ev.state.bestMetricEpoch], [g.epoch, g.iteration, g.best_metric_epoch]);
  preds.forEach((p) => p.dispose());
  dice.dispose();
  net.dispose();
  disposeBatches(data);
});

test("EnsembleEvaluator with predKeys, key and additional metrics equals MONAI's", async () => {
  const g = G.ensemble;
  const data = batches(4);
  const d1 = new MeanDice({ outputTransform: fromEngine(['p1', 'label']) });
  const d0 = new MeanDice({ outputTransform: fromEngine(['p0', 'label']) });
  const nets = [makeNet(sub('init')), makeNet(sub('init2'))];
  const ev = new EnsembleEvaluator({
    valDataLoader: data, networks: nets, predKeys: ['p0', 'p1'],
    postprocessing: post(['p0', 'p1']), keyValMetric: { d1 }, additionalMetrics: { d0 },
  });
  const preds: Tensor[] = [];
  ev.on(IterationEvents.FORWARD_COMPLETED, (e: Engine) => {
    const o = e.state.output as Record<string, Tensor>;
    preds.push(torch.keep(torch.stack([o.p0, o.p1])));
  });
  await ev.run();
  const d = torch.tidy(() => torch.stack(preds).sub(T['ens.pred']).abs().max().item());
  assert.ok(d <= TOL, `ensemble predictions: max |diff| ${d}`);
  assert.deepEqual(Object.keys(ev.state.metrics), Object.keys(g.metrics), 'metric order');
  assertClose([ev.state.metrics.d1 as number, ev.state.metrics.d0 as number, ev.state.bestMetric], [g.metrics.d1, g.metrics.d0, g.best_metric], 'd1, d0, bestMetric');
  assert.deepEqual([ev.state.epoch, ev.state.iteration, ev.state.bestMetricEpoch], [g.epoch, g.iteration, g.best_metric_epoch]);
  preds.forEach((p) => p.dispose());
  d0.dispose();
  d1.dispose();
  nets.forEach((n) => n.dispose());
  disposeBatches(data);
});

test("GanTrainer (2 D steps, Adam G, SGD D, a partial last batch) gives MONAI's losses and weights", async () => {
  const g = G.gan;
  const gNet = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.Tanh(), new torch.nn.Unflatten(1, [1, 4, 4]));
  const dNet = new torch.nn.Sequential(new torch.nn.Flatten(), new torch.nn.Linear(16, 1));
  gNet.loadStateDict(sub('gan.g_init'));
  dNet.loadStateDict(sub('gan.d_init'));
  const reals = T['gan.reals'];
  const items = Array.from({ length: 5 }, (_, i) => ({ reals: reals.select(0, i) }));
  const loader = new DataLoader(new Dataset(items), { batchSize: 2 });
  const bce = new torch.nn.BCEWithLogitsLoss();
  const ones = (n: number): Tensor => torch.ones([n, 1]);
  const zeros = (n: number): Tensor => torch.zeros([n, 1]);
  const gOptimizer = new torch.optim.Adam(gNet.parameters(), { lr: 0.01 });
  const dOptimizer = new torch.optim.SGD(dNet.parameters(), { lr: 0.05 });
  const gan = new GanTrainer({
    maxEpochs: 2, trainDataLoader: loader, gNetwork: gNet, dNetwork: dNet, dTrainSteps: 2, latentShape: 4, gOptimizer, dOptimizer,
    dLossFunction: (fakes, r) => torch.tidy(() => bce.forward(dNet.forward(r) as Tensor, ones(r.shape[0])).add(bce.forward(dNet.forward(fakes.detach()) as Tensor, zeros(fakes.shape[0])))),
    gLossFunction: (fakes) => torch.tidy(() => bce.forward(dNet.forward(fakes) as Tensor, ones(fakes.shape[0]))),
  });
  const gl: number[] = [];
  const dl: number[] = [];
  gan.on(Events.ITERATION_COMPLETED, (e: Engine) => {
    const o = e.state.output as Record<string, number>;
    gl.push(o.g_loss);
    dl.push(o.d_loss);
  });
  torch.manualSeed(7);
  await gan.run();
  assertClose(gl, g.g_loss, 'g_loss');
  assertClose(dl, g.d_loss, 'd_loss');
  assert.deepEqual([gan.state.iteration, gan.state.epoch], [g.iteration, g.epoch]);
  assertWeights(gNet, sub('gan.g_final'), 'G');
  assertWeights(dNet, sub('gan.d_final'), 'D');
  gOptimizer.dispose();
  dOptimizer.dispose();
  gNet.dispose();
  dNet.dispose();
  torch.dispose(items.map((x) => x.reals));
});

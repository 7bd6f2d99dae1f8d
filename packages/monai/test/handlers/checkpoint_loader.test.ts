// CheckpointLoader: a checkpoint written by MONAI 1.4's CheckpointSaver in Python (golden:
// tools/goldens/handlers/python_checkpoint.py) restores network, Adam state, StepLR and the engine's
// counters; single-entry files; strict and strictShape; epoch beyond maxEpochs; errors naming the entry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { Engine, Events } from '../../src/engines/index.js';
import { CheckpointLoader, CheckpointSaver } from '../../src/handlers/index.js';

const made: { dispose(): void }[] = [];
const start = torch.memory().liveTensors;
after(() => {
  for (const m of made) m.dispose();
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const goldenDir = new URL('../../../../tools/goldens/handlers/', import.meta.url).pathname;
const golden = JSON.parse(readFileSync(join(goldenDir, 'python_checkpoint.json'), 'utf8'));
const pyCkpt = join(goldenDir, 'python_ckpt', 'checkpoint_epoch=2.pt');

const values = (t: torch.Tensor): number[] => torch.tidy(() => t.detach().flatten().tolist() as number[]);
const maxDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

function objects(outF = 2): { net: torch.nn.Linear; opt: torch.optim.Adam; lr: torch.optim.lrScheduler.StepLR } {
  torch.manualSeed(1);
  const net = new torch.nn.Linear(3, outF);
  const opt = new torch.optim.Adam(net.parameters(), { lr: 0.01 });
  made.push(net, opt);
  return { net, opt, lr: new torch.optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 }) };
}

test("a Python MONAI checkpoint restores net, Adam's exp_avg, StepLR and the engine (epoch 2 of 5: the run resumes at epoch 3)", async () => {
  const { net, opt, lr } = objects();
  const epochs: number[] = [];
  const engine = new Engine(() => 0);
  new CheckpointLoader({ loadPath: pyCkpt, loadDict: { net, opt, lr, trainer: engine }, mapLocation: 'cpu' }).attach(engine);
  engine.on(Events.STARTED, (e: Engine) => {
    assert.ok(maxDiff(values(net.weight), golden.weight) === 0, 'weights equal bit for bit');
    assert.ok(maxDiff(values(net.bias!), golden.bias) === 0);
    assert.ok(maxDiff(values(opt.state.get(net.weight)!.exp_avg as torch.Tensor), golden.exp_avg_weight) === 0);
    assert.equal(opt.paramGroups[0].lr, golden.lr);
    assert.equal(lr.lastEpoch, golden.last_epoch);
    assert.deepEqual([e.state.iteration, e.state.epoch, e.state.maxEpochs], [4, 2, 5]);
  });
  engine.on(Events.EPOCH_STARTED, (e: Engine) => void epochs.push(e.state.epoch));
  engine.state.maxEpochs = 5;
  engine.state.epochLength = 2;
  await engine.run([0, 1], { maxEpochs: 5 });
  assert.deepEqual(epochs, [3, 4, 5]);
  assert.equal(engine.state.iteration, 10);
});

test('a single-entry loadDict reads a file holding just that state dict; a missing entry is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'monai-ckload-'));
  try {
    const { net } = objects();
    torch.tidy(() => torch.save(net.stateDict(), join(dir, 'net.pt')));
    const { net: net2 } = objects();
    torch.tidy(() => torch.noGrad(() => net2.weight.zero_()));
    new CheckpointLoader({ loadPath: join(dir, 'net.pt'), loadDict: { net: net2 } }).call(new Engine(() => 0));
    assert.deepEqual(values(net2.weight), values(net.weight));
    const { net: n3, opt: o3 } = objects();
    assert.throws(() => new CheckpointLoader({ loadPath: pyCkpt, loadDict: { net: n3, optimizer: o3 } }).call(new Engine(() => 0)),
      /has no entry for 'optimizer' \(it has: net, opt, lr, trainer\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('strict: a network of another shape fails naming the entry; strictShape false loads the matching entries and skips non-modules', () => {
  const { net, opt } = objects(4);
  const before = values(net.weight);
  assert.throws(() => new CheckpointLoader({ loadPath: pyCkpt, loadDict: { net } }).call(new Engine(() => 0)),
    /loading 'net' from '.*checkpoint_epoch=2.pt' failed: .*size mismatch for weight/s);
  const warnings: string[] = [];
  const onWarn = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarn);
  try {
    new CheckpointLoader({ loadPath: pyCkpt, loadDict: { net, opt }, strictShape: false }).call(new Engine(() => 0));
  } finally {
    process.off('warning', onWarn);
  }
  assert.deepEqual(values(net.weight), before, 'mis-shaped weight left as it was');
});

test('an epoch in the checkpoint beyond the engine\'s maxEpochs is an error; bad options are named', () => {
  const engine = new Engine(() => 0);
  engine.state.maxEpochs = 1;
  assert.throws(() => new CheckpointLoader({ loadPath: pyCkpt, loadDict: { trainer: engine } }).call(engine), /epoch count in the checkpoint \(2\) is larger than the engine's maxEpochs \(1\)/);
  assert.throws(() => new CheckpointLoader({ loadPath: pyCkpt, loadDict: {} }), /loadDict must name at least one object/);
  assert.throws(() => new CheckpointLoader({ loadPath: pyCkpt, loadDict: { x: {} as never } }), /loadDict.x has no loadStateDict\(\)/);
  assert.throws(() => new CheckpointLoader({ loadPath: pyCkpt, loadDict: { trainer: engine }, map_location: 'cpu' } as never), /map_location.*mapLocation/s);
  assert.throws(() => new CheckpointLoader({ loadPath: '/nonexistent/x.pt', loadDict: { trainer: engine } }).call(engine), /x\.pt/);
});

test('a GradScaler and the engine saved by CheckpointSaver come back through CheckpointLoader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monai-ckload-scaler-'));
  try {
    const scaler = new torch.amp.GradScaler({ initScale: 1024, growthInterval: 7 });
    const engine = new Engine(() => 0);
    new CheckpointSaver({ saveDir: dir, saveDict: { scaler, trainer: engine }, saveFinal: true }).attach(engine);
    await engine.run([0, 1, 2], { maxEpochs: 1 });
    const scaler2 = new torch.amp.GradScaler();
    const engine2 = new Engine(() => 0);
    engine2.state.maxEpochs = 3;
    new CheckpointLoader({ loadPath: join(dir, 'checkpoint_final_iteration=3.pt'), loadDict: { scaler: scaler2, trainer: engine2 } }).call(engine2);
    assert.deepEqual([scaler2.getScale(), scaler2.stateDict().growth_interval], [1024, 7]);
    assert.deepEqual([engine2.state.iteration, engine2.state.epoch, engine2.state.maxEpochs, engine2.state.epochLength], [3, 1, 3, 3]);
    torch.dispose([...scaler.tensors(), ...scaler2.tensors()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MONAI's partial under/over load: strict false loads the shared keys of a shorter or longer network", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monai-ckload-partial-'));
  try {
    const one = new torch.nn.Sequential(new torch.nn.Linear(2, 2));
    const two = new torch.nn.Sequential(new torch.nn.Linear(2, 2), new torch.nn.Linear(2, 2));
    made.push(one, two);
    torch.tidy(() => torch.noGrad(() => {
      (one.stateDict()['0.weight'] as torch.Tensor).fill_(0.1);
      for (const [k, t] of Object.entries(two.stateDict())) (t as torch.Tensor).fill_(k.startsWith('0.') ? 0.2 : 0.3);
    }));
    const w = (m: torch.nn.Module, k: string): number[] => torch.tidy(() => values(m.stateDict()[k] as torch.Tensor));
    for (const [src, dst, name] of [[one, two, 'under'], [two, one, 'over']] as const) {
      const e = new Engine(() => 0);
      new CheckpointSaver({ saveDir: join(dir, name), saveDict: { net: src }, saveFinal: true }).attach(e);
      await e.run([0, 0], { maxEpochs: 1 });
      const file = join(dir, name, 'net_final_iteration=2.pt');
      assert.throws(() => new CheckpointLoader({ loadPath: file, loadDict: { net: dst } }).call(new Engine(() => 0)), /(Missing|Unexpected) key\(s\)/);
      new CheckpointLoader({ loadPath: file, loadDict: { net: dst }, strict: false }).call(new Engine(() => 0));
      if (name === 'under') assert.deepEqual(w(two, '0.weight'), Array(4).fill(Math.fround(0.1)));
    }
    // under: two's layer 0 took one's 0.1 and its layer 1 kept 0.3; over: one took two's layer 0 back
    assert.deepEqual([w(two, '0.weight'), w(two, '1.weight'), w(one, '0.weight')], [0.1, 0.3, 0.1].map((v) => Array(4).fill(Math.fround(v))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

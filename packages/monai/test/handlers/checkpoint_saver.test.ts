// CheckpointSaver: the files MONAI 1.4 + Ignite 0.4 keep after every epoch (golden:
// tools/goldens/handlers/checkpoint_names.py), file contents (a single object's own state dict, or a dict
// of them), the key metric list in the file and its reload, a failing save that leaves the last
// checkpoint valid, save on exception, bad options.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { Engine, Events } from '../../src/engines/index.js';
import { CheckpointSaver, CheckpointLoader, type CheckpointSaverOptions } from '../../src/handlers/index.js';

const start = torch.memory().liveTensors;
const made: { dispose(): void }[] = [];
after(() => {
  for (const m of made) m.dispose();
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

type Case = { per_epoch: string[][]; end: string[]; error: string | null };
const golden = JSON.parse(readFileSync(new URL('../../../../tools/goldens/handlers/checkpoint_names.json', import.meta.url), 'utf8')) as Record<string, Case>;
const METRICS = [0.5, 0.9, 0.7, 0.95, 0.95, 0.2];

const tmp = (): string => mkdtempSync(join(tmpdir(), 'monai-ckpt-'));

function makeObjects(): { net: torch.nn.Linear; opt: torch.optim.SGD } {
  torch.manualSeed(0);
  const net = new torch.nn.Linear(2, 1);
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  made.push(net, opt);
  return { net, opt };
}

/** The golden's run: epochs of 3 iterations, metric m from METRICS set before the saver runs, files listed per epoch. */
async function runCase(epochs: number, opts: Omit<CheckpointSaverOptions, 'saveDir' | 'saveDict'>, twoObjects = false, failAt: number | null = null): Promise<Case & { dir: string; saver: CheckpointSaver }> {
  const { net, opt } = makeObjects();
  const engine = new Engine((e: Engine) => {
    if (failAt !== null && e.state.iteration === failAt) throw new Error('boom');
    return 0;
  });
  engine.on(Events.EPOCH_COMPLETED, (e: Engine) => void (e.state.metrics = { m: METRICS[e.state.epoch - 1] }));
  const dir = tmp();
  const saver = new CheckpointSaver({ saveDir: dir, saveDict: twoObjects ? { net, opt } : { net }, ...opts });
  saver.attach(engine);
  const perEpoch: string[][] = [];
  engine.on(Events.EPOCH_COMPLETED, () => void perEpoch.push(readdirSync(dir).sort()));
  let error: string | null = null;
  try {
    await engine.run([0, 1, 2], { maxEpochs: epochs });
  } catch (e) {
    error = (e as Error).message;
  }
  return { per_epoch: perEpoch, end: readdirSync(dir).sort(), error, dir, saver };
}

test('key metric top-2, epoch interval 2 with nSaved 2, final: the files MONAI keeps after each epoch', async () => {
  const r = await runCase(6, { saveFinal: true, saveKeyMetric: true, keyMetricName: 'm', keyMetricNSaved: 2, saveInterval: 2, nSaved: 2 });
  try {
    assert.deepEqual({ per_epoch: r.per_epoch, end: r.end, error: r.error }, golden.single);
    // a single-object saveDict writes the object's own state dict
    const sd = torch.load(join(r.dir, 'net_key_metric=0.9500.pt')) as Record<string, torch.Tensor>;
    assert.deepEqual(Object.keys(sd).sort(), ['bias', 'weight']);
    torch.dispose(sd);
    assert.deepEqual(r.saver.savedFiles().keyMetric.map((p) => p.slice(r.dir.length + 1)), ['net_key_metric=0.9000.pt', 'net_key_metric=0.9500.pt']);
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('two objects, prefix, iteration interval, negative-sign key metric with a fixed file name, greaterOrEqual', async () => {
  const r = await runCase(4, {
    filePrefix: 'run', saveKeyMetric: true, keyMetricName: 'm', keyMetricNegativeSign: true, keyMetricGreaterOrEqual: true,
    keyMetricFilename: 'best.pt', epochLevel: false, saveInterval: 4, nSaved: 1,
  }, true);
  try {
    assert.deepEqual({ per_epoch: r.per_epoch, end: r.end, error: r.error }, golden.two_iter);
    const ck = torch.load(join(r.dir, 'run_checkpoint_iteration=12.pt')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(ck).sort(), ['net', 'opt']);
    assert.deepEqual(Object.keys(ck.net).sort(), ['bias', 'weight']);
    assert.ok(Array.isArray(ck.opt.param_groups));
    torch.dispose(ck);
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('nSaved null keeps every interval file; finalFilename fixes the final name', async () => {
  const r = await runCase(3, { saveFinal: true, finalFilename: 'final.pt', saveInterval: 1, nSaved: null });
  rmSync(r.dir, { recursive: true, force: true });
  assert.deepEqual({ per_epoch: r.per_epoch, end: r.end, error: r.error }, golden.keep_all_final_name);
});

test('an exception in iteration 5 saves net_final_iteration=5.pt and the run still fails with the message', async () => {
  const r = await runCase(3, { saveFinal: true, saveInterval: 1 }, false, 5);
  try {
    assert.deepEqual({ per_epoch: r.per_epoch, end: r.end, error: r.error }, golden.exception);
    const { net } = makeObjects();
    new CheckpointLoader({ loadPath: join(r.dir, 'net_final_iteration=5.pt'), loadDict: { net } }).call(new Engine(() => 0));
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('keyMetricSaveState stores Ignite\'s {saved: [(priority, filename)]} as "checkpointer"; loadStateDict restores the list', async () => {
  const r = await runCase(3, { saveKeyMetric: true, keyMetricName: 'm', keyMetricNSaved: 2, keyMetricSaveState: true }, true);
  try {
    const ck = torch.load(join(r.dir, 'checkpoint_key_metric=0.9000.pt')) as Record<string, unknown>;
    // written at epoch 2, when the list held epochs 1 and 2
    assert.deepEqual(ck.checkpointer, { saved: [[0.5, 'checkpoint_key_metric=0.5000.pt'], [0.9, 'checkpoint_key_metric=0.9000.pt']] });
    torch.dispose(ck);
    const { net, opt } = makeObjects();
    const saver2 = new CheckpointSaver({ saveDir: r.dir, saveDict: { net, opt }, saveKeyMetric: true, keyMetricName: 'm', keyMetricNSaved: 2 });
    const engine = new Engine(() => 0);
    new CheckpointLoader({ loadPath: join(r.dir, 'checkpoint_key_metric=0.9000.pt'), loadDict: { checkpointer: saver2 } }).call(engine);
    assert.deepEqual(saver2.savedFiles().keyMetric.map((p) => p.slice(r.dir.length + 1)), ['checkpoint_key_metric=0.5000.pt', 'checkpoint_key_metric=0.9000.pt']);
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('a save that fails leaves the previous checkpoint on disk and loadable, no temporary file, and fails the run', async () => {
  const { net } = makeObjects();
  let calls = 0;
  const flaky = { stateDict: () => { if (++calls === 2) throw new Error('disk on fire'); return { step: calls }; } };
  const engine = new Engine(() => 0);
  const dir = tmp();
  try {
    new CheckpointSaver({ saveDir: dir, saveDict: { net, flaky }, saveInterval: 1, nSaved: 1 }).attach(engine);
    await assert.rejects(engine.run([0], { maxEpochs: 3 }), /disk on fire/);
    assert.deepEqual(readdirSync(dir), ['checkpoint_epoch=1.pt']);
    const ck = torch.load(join(dir, 'checkpoint_epoch=1.pt')) as Record<string, unknown>;
    assert.deepEqual(ck.flaky, { step: 1 });
    torch.dispose(ck);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad options are named', () => {
  const { net } = makeObjects();
  const dir = tmp();
  try {
    assert.throws(() => new CheckpointSaver({ saveDir: dir, saveDict: {} }), /saveDict must name at least one object/);
    assert.throws(() => new CheckpointSaver({ saveDir: dir, saveDict: { net: 3 as never } }), /saveDict.net has no stateDict\(\)/);
    assert.throws(() => new CheckpointSaver({ saveDir: dir, saveDict: { net }, saveInterval: -1 }), /saveInterval must be an integer >= 0, found -1/);
    assert.throws(() => new CheckpointSaver({ saveDir: dir, saveDict: { net }, saveKeyMetric: true, keyMetricFilename: 'b.pt', keyMetricNSaved: 2 }), /keyMetricNSaved must be 1, found 2/);
    assert.throws(() => new CheckpointSaver({ saveDir: dir, saveDict: { net }, saveIntervall: 1 } as never), /saveIntervall.*saveInterval/s);
    assert.throws(() => new CheckpointSaver({ saveDir: dir, saveDict: { net, checkpointer: net }, saveKeyMetric: true, keyMetricSaveState: true }), /cannot have the key 'checkpointer'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MONAI's test case 2: a Python-int metric (here a bigint) names files without decimals, greaterOrEqual keeps the latest ties", async () => {
  const { net, opt } = makeObjects();
  const engine = new Engine((e: Engine) => void (e.state.metrics.val_loss = BigInt(e.state.iteration)));
  const dir = tmp();
  try {
    new CheckpointSaver({ saveDir: dir, saveDict: { net, opt }, name: 'CheckpointSaver', filePrefix: 'test', saveKeyMetric: true, keyMetricName: 'val_loss', keyMetricNSaved: 2, keyMetricGreaterOrEqual: true }).attach(engine);
    await engine.run(Array.from({ length: 8 }, () => 0), { maxEpochs: 5 });
    assert.deepEqual(readdirSync(dir).sort(), ['test_checkpoint_key_metric=32.pt', 'test_checkpoint_key_metric=40.pt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MONAI 1.4's test_handler_checkpoint_saver cases (run 2 epochs, then on to 5): the expected files exist", async () => {
  type Opts = Omit<CheckpointSaverOptions, 'saveDir' | 'saveDict'>;
  const cases: [string, Opts, string[]][] = [
    ['1', { saveFinal: true }, ['test_checkpoint_final_iteration=40.pt']],
    ['3', { saveInterval: 2, nSaved: 2, keyMetricGreaterOrEqual: true }, ['test_checkpoint_epoch=2.pt', 'test_checkpoint_epoch=4.pt']],
    ['4', { epochLevel: false, saveInterval: 10, nSaved: 2 }, ['test_checkpoint_iteration=30.pt', 'test_checkpoint_iteration=40.pt']],
    ['6', { saveFinal: true, finalFilename: 'final_model.pt' }, ['final_model.pt']],
    ['7', { saveKeyMetric: true, keyMetricName: 'val_loss', keyMetricFilename: 'model.pt' }, ['model.pt']],
    ['8', { saveKeyMetric: true, keyMetricName: 'val_loss', keyMetricFilename: 'model.pt', keyMetricGreaterOrEqual: true }, ['model.pt']],
  ];
  for (const [id, opts, expected] of cases) {
    const { net, opt } = makeObjects();
    const engine = new Engine((e: Engine) => void (e.state.metrics.val_loss = e.state.iteration));
    const dir = tmp();
    try {
      new CheckpointSaver({ saveDir: dir, saveDict: { net, opt }, name: 'CheckpointSaver', filePrefix: 'test', ...opts }).attach(engine);
      const data = Array.from({ length: 8 }, () => 0);
      await engine.run(data, { maxEpochs: 2 });
      await engine.run(data, { maxEpochs: 5 });
      // MONAI checks these exist; the saver keeps exactly these
      assert.deepEqual(readdirSync(dir).sort(), expected, `case ${id}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

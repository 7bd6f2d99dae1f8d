// StatsHandler: lines equal MONAI 1.4's on an Ignite engine (golden: tools/goldens/handlers/stats_lines.py),
// filters (every N, functions), non-scalar outputs, exceptions logged then rethrown, logger set-up and the
// engine logger's WARNING level, bad options.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Engine, Events } from '../../src/engines/index.js';
import { StatsHandler, getLogger, setupLogger, formatRecord, LogLevel, type LogRecord } from '../../src/handlers/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const golden = JSON.parse(readFileSync(new URL('../../../../tools/goldens/handlers/stats_lines.json', import.meta.url), 'utf8')) as Record<string, string[]>;
const LOSSES = [0.5, 0.123456, 1.0, 0.03125, 2.5e-5, 7.0, 0.1, 0.25];
let caseNo = 0;

/** The golden's engine: fixed losses, metrics and the key metric set at each epoch end before StatsHandler runs. */
async function runCase(options: ConstructorParameters<typeof StatsHandler>[0] = {}): Promise<string[]> {
  const engine = new Engine((e: Engine) => LOSSES[e.state.iteration - 1]);
  Object.assign(engine.state, { keyMetricName: 'val_mean_dice', bestMetric: -1, bestMetricEpoch: -1, custom: 0.1 + 0.2 });
  engine.on(Events.EPOCH_COMPLETED, (e: Engine) => {
    const d = 0.5 + 0.25 * e.state.epoch;
    torch.dispose(e.state.metrics.acc);
    e.state.metrics = { val_mean_dice: d, acc: torch.keep(torch.tensor(0.75)), tie: 0.03125, per_class: [0.5, 0.25] };
    Object.assign(e.state, { bestMetric: d, bestMetricEpoch: e.state.epoch });
  });
  const name = `stats_test_${caseNo++}`;
  const lines: string[] = [];
  getLogger(name).addSink((r) => lines.push(r.message));
  new StatsHandler({ name, outputTransform: (x: unknown) => x, ...options }).attach(engine);
  await engine.run([1, 2, 3, 4], { maxEpochs: 2 });
  torch.dispose(engine.state.metrics.acc);
  return lines;
}

test('iteration, epoch metric and key metric lines equal MONAI 1.4 (Python float repr, .4f with ties to even)', async () => {
  assert.deepEqual(await runCase(), golden.default);
});

test('stateAttributes, tagName and a keyVarFormat string as MONAI', async () => {
  const lines = await runCase({ stateAttributes: ['custom', 'bestMetric', 'missing'], tagName: 'train_loss', keyVarFormat: '{} = {:.3f}|' });
  // MONAI's state attribute is best_metric; ours is camelCase. A JS number cannot say whether it was the
  // float 1.0 or the int 1, so a state attribute of 1.0 prints as '1' (the key metric line knows it is a float)
  assert.deepEqual(lines, golden.attrs_fmt.map((l) => l.replace('best_metric: ', 'bestMetric: ').replace('bestMetric: 1.0 ', 'bestMetric: 1 ')));
});

test('iterationLog as a filter function and epochLog false', async () => {
  assert.deepEqual(await runCase({ iterationLog: (_e, i) => i % 2 === 0, epochLog: false }), golden.every2);
});

test('iterationLog / epochLog as an integer log every N events', async () => {
  const lines = await runCase({ iterationLog: 3, epochLog: 2 });
  assert.deepEqual(lines.filter((l) => l.startsWith('Epoch: ')), ['Epoch: 1/2, Iter: 3/4 -- Loss: 1.0000 ', 'Epoch: 2/2, Iter: 2/4 -- Loss: 7.0000 ']);
  assert.deepEqual(lines.filter((l) => l.startsWith('Epoch[')).map((l) => l.slice(0, 8)), ['Epoch[2]']);
});

test('default outputTransform (output[0]) prints the scalars of a decollated dict, warns once about the others', async () => {
  const warnings: string[] = [];
  const onWarn = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarn);
  try {
    const engine = new Engine(() => [{ loss: 0.25, image: [1, 2], aux: torch.keep(torch.tensor(2)) }]);
    const lines: string[] = [];
    getLogger('stats_dict').addSink((r) => lines.push(r.message));
    new StatsHandler({ name: 'stats_dict', epochLog: false }).attach(engine);
    engine.on(Events.ITERATION_COMPLETED, (e: Engine) => torch.dispose(e.state.output));
    await engine.run([1, 2]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(lines, ['Epoch: 1/1, Iter: 1/2 -- aux: 2.0000 loss: 0.2500 ', 'Epoch: 1/1, Iter: 2/2 -- aux: 2.0000 loss: 0.2500 ']);
    assert.equal(warnings.filter((w) => w.includes("non-scalar output 'image'")).length, 1);
  } finally {
    process.off('warning', onWarn);
  }
});

test('an exception is logged with its stack at ERROR, then rethrown so the run fails', async () => {
  const engine = new Engine((e: Engine) => {
    if (e.state.iteration === 2) throw new Error('network exploded');
    return 0.5;
  });
  const records: LogRecord[] = [];
  getLogger('stats_exc').addSink((r) => records.push(r));
  new StatsHandler({ name: 'stats_exc', outputTransform: (x: unknown) => x }).attach(engine);
  await assert.rejects(engine.run([1, 2, 3]), /network exploded/);
  const errs = records.filter((r) => r.level === LogLevel.ERROR);
  // Ignite fires EXCEPTION_RAISED in the epoch loop and again in the run loop when a handler rethrows
  assert.ok(errs.length >= 1);
  assert.equal(errs[0].message, 'Exception: network exploded');
  assert.match(formatRecord('%(levelname)s %(message)s', errs[0]), /^ERROR Exception: network exploded\nError: network exploded\n\s+at /);
});

test("setupLogger prints MONAI's '<time> - INFO - message' lines once per logger; other loggers drop INFO", () => {
  const lines: string[] = [];
  const l = setupLogger('stats_fmt', { write: (s) => lines.push(s) });
  setupLogger('stats_fmt', { write: (s) => lines.push(`again ${s}`) });
  new StatsHandler({ name: 'stats_fmt' });
  l.info('hello');
  l.debug('hidden');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - hello$/);
  const plain = getLogger('stats_plain');
  const got: string[] = [];
  plain.addSink((r) => got.push(`${r.levelName}:${r.message}`));
  plain.info('dropped');
  plain.warning('kept');
  assert.deepEqual(got, ['WARNING:kept']);
});

test("name null uses the engine's logger (ignite.engine.engine.<Class>), which is at WARNING: a warning says so", async () => {
  const warnings: string[] = [];
  const onWarn = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarn);
  try {
    const engine = new Engine(() => 1);
    new StatsHandler({ name: null, outputTransform: (x: unknown) => x }).attach(engine);
    await new Promise((r) => setImmediate(r));
    assert.ok(warnings.some((w) => w.includes("'ignite.engine.engine.Engine' is higher than INFO")), warnings.join('\n'));
  } finally {
    process.off('warning', onWarn);
  }
});

test('bad options are named', () => {
  assert.throws(() => new StatsHandler({ iterationLogs: true } as never), /StatsHandler.*iterationLogs.*iterationLog/s);
  assert.throws(() => new StatsHandler({ iterationLog: 0 }), /iterationLog must be a boolean, a positive integer or a filter function, found 0/);
  const h = new StatsHandler({ name: 'stats_bad', keyVarFormat: '{}: {:x}', outputTransform: (x: unknown) => x });
  const engine = new Engine(() => 1);
  h.attach(engine);
  return assert.rejects(engine.run([1]), /keyVarFormat '\{\}: \{:x\}': unsupported field '\{:x\}'/);
});

test('custom epoch/iteration print loggers replace the default lines; globalEpochTransform renumbers the epoch line', async () => {
  const custom: string[] = [];
  const a = await runCase({
    iterationPrintLogger: (e) => void custom.push(`it${e.state.iteration}`),
    epochPrintLogger: (e) => void custom.push(`ep${e.state.epoch}`),
  });
  assert.deepEqual(a, []);
  assert.deepEqual(custom, ['it1', 'it2', 'it3', 'it4', 'ep1', 'it5', 'it6', 'it7', 'it8', 'ep2']);
  const b = await runCase({ iterationLog: false, globalEpochTransform: (x) => x + 10 });
  assert.deepEqual(b.filter((l) => l.startsWith('Epoch[')).map((l) => l.slice(0, 10)), ['Epoch[11] ', 'Epoch[12] ']);
});

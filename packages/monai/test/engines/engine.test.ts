// Engine core: handler registration and removal, filters and their bad input, data sources (arrays, sync
// and async iterables, null with epochLength, unknown length), async handlers between iterations,
// synchronous iterations, terminate and resume, and flat memory over iterations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Engine, Events, defineEvents, EventsList } from '../../src/engines/index.js';
import * as monai from '../../src/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

test('engines are exported from monai-ts', () => {
  assert.equal(monai.Engine, Engine);
  assert.equal(monai.Events, Events);
  assert.equal(typeof monai.SupervisedTrainer, 'function');
  assert.equal(typeof monai.IgniteMetricHandler, 'function');
});

test('add, has and remove handlers; filtered handlers are found by the user function; handles remove', async () => {
  const e = new Engine(() => null);
  const calls: string[] = [];
  const h = (en: Engine) => void calls.push(`h${en.state.iteration}`);
  const f = (en: Engine) => void calls.push(`f${en.state.iteration}`);
  e.addEventHandler(Events.ITERATION_COMPLETED, h);
  const handle = e.addEventHandler(Events.ITERATION_COMPLETED.filter({ every: 2 }), f);
  assert.ok(e.hasEventHandler(h));
  assert.ok(e.hasEventHandler(f, Events.ITERATION_COMPLETED));
  assert.ok(!e.hasEventHandler(f, Events.EPOCH_COMPLETED));
  await e.run([1, 2, 3, 4]);
  assert.deepEqual(calls, ['h1', 'h2', 'f2', 'h3', 'h4', 'f4']);
  handle.remove();
  assert.ok(!e.hasEventHandler(f));
  e.removeEventHandler(h, Events.ITERATION_COMPLETED);
  assert.throws(() => e.removeEventHandler(h, Events.ITERATION_COMPLETED), /the handler is not registered for event 'iteration_completed'/);
  assert.throws(() => e.removeEventHandler(h, Events.EPOCH_STARTED), /event 'epoch_started' has no handlers/);
  calls.length = 0;
  await e.run([1, 2]);
  assert.deepEqual(calls, []);
});

test('extra handler arguments follow the engine; OR-ed events attach to each', async () => {
  const e = new Engine(() => null);
  const seen: unknown[] = [];
  e.on(Events.STARTED.or(Events.COMPLETED).or(Events.EPOCH_COMPLETED.filter({ once: 2 })), (en: Engine, tag: string) => void seen.push([tag, en.lastEventName]), 'x');
  assert.ok(Events.STARTED.or(Events.COMPLETED) instanceof EventsList);
  await e.run([0], { maxEpochs: 3 });
  assert.deepEqual(seen, [['x', 'started'], ['x', 'epoch_completed'], ['x', 'completed']]);
});

test('filter arguments are checked as Ignite does', () => {
  assert.throws(() => Events.ITERATION_COMPLETED.filter({ every: 0 }), /every must be a positive integer, found 0/);
  assert.throws(() => Events.ITERATION_COMPLETED.filter({ once: [] }), /once must be a positive integer or a non-empty list/);
  assert.throws(() => Events.ITERATION_COMPLETED.filter({ before: -1 }), /before must be an integer >= 0/);
  assert.throws(() => Events.ITERATION_COMPLETED.filter({ once: 2, every: 2 }), /once cannot be combined/);
  assert.throws(() => Events.ITERATION_COMPLETED.filter({ every: 2, eventFilter: () => true }), /eventFilter cannot be combined/);
  assert.throws(() => Events.ITERATION_COMPLETED.filter({}), /give one of every, once, before, after or eventFilter/);
  assert.throws(() => Events.ITERATION_COMPLETED.filter({ evry: 2 } as never), /unknown option 'evry'/);
  assert.equal(Events.ITERATION_COMPLETED.filter({ every: 1 }), Events.ITERATION_COMPLETED, 'every=1 is the plain event');
});

test('unregistered events are refused; a filter on a custom event needs its state counter', async () => {
  const e = new Engine(() => null);
  const C = defineEvents({ FOO: 'foo', BAR: 'bar' });
  assert.throws(() => e.addEventHandler(C.FOO, () => 0), /Event FOO is not a valid event for this Engine; register custom events/);
  assert.throws(() => e.fireEvent(C.FOO), /event 'foo' is not registered/);
  e.registerEvents([C.FOO, C.BAR, 'baz'], { bar: 'epoch' });
  const got: string[] = [];
  e.on(C.FOO.filter({ every: 2 }), () => void got.push('foo'));
  e.on(C.BAR.filter({ once: 1 }), () => void got.push('bar'));
  e.on('baz', () => void got.push('baz'));
  e.on(Events.EPOCH_COMPLETED, (en: Engine) => {
    en.fireEvent(C.BAR);
    en.fireEvent('baz');
  });
  await e.run([1], { maxEpochs: 2 });
  assert.deepEqual(got, ['bar', 'baz', 'baz']);
  e.on(Events.ITERATION_COMPLETED, (en: Engine) => en.fireEvent(C.FOO));
  await assert.rejects(e.run([1]), /event 'foo' has no state counter for its filter/);
});

test('data: sync and async iterables, null with epochLength, unknown length measured in the first epoch', async () => {
  const seen: unknown[] = [];
  const e = new Engine((_en, b: number | null) => void seen.push(b));
  async function* gen() {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      yield i;
    }
  }
  await e.run({ [Symbol.asyncIterator]: gen }, { maxEpochs: 2 });
  assert.deepEqual(seen, [0, 1, 2, 0, 1, 2]);
  assert.equal(e.state.epochLength, 3, 'the epoch length found when the data ran out');
  seen.length = 0;
  // as Ignite: a different epochLength needs the state reset first
  await assert.rejects(e.run(null, { epochLength: 2, maxEpochs: 2 }), /epochLength must equal the state's, found 2 vs 3/);
  e.state.maxEpochs = null;
  await e.run(null, { epochLength: 2, maxEpochs: 2 });
  assert.deepEqual(seen, [null, null, null, null]);
  await assert.rejects(e.run(null), /epochLength must be given when data is null/);
  await assert.rejects(e.run([]), /data is empty/);
  await assert.rejects(e.run(5 as never), /data must be an iterable or async iterable of batches, found number/);
  await assert.rejects(e.run([1], { maxEpoch: 2 } as never), /unknown option 'maxEpoch'/);
});

test('iterations are synchronous: a Promise from the process function or an in-iteration handler is an error', async () => {
  const e = new Engine(async () => 1);
  await assert.rejects(e.run([1]), /the process function returned a Promise; an iteration must be synchronous/);
  const C = defineEvents({ INNER: 'inner' });
  const e2 = new Engine((en) => en.fireEvent(C.INNER));
  e2.registerEvents([C.INNER]);
  e2.on(C.INNER, async () => undefined);
  await assert.rejects(e2.run([1]), /a handler of 'inner' returned a Promise; handlers of events inside an iteration must be synchronous/);
});

test('async handlers between iterations are awaited before the next handler and iteration', async () => {
  const log: string[] = [];
  const e = new Engine((en) => void log.push(`it${en.state.iteration}`));
  e.on(Events.EPOCH_COMPLETED, async (en: Engine) => {
    await new Promise((r) => setTimeout(r, 5));
    log.push(`async${en.state.epoch}`);
  });
  e.on(Events.EPOCH_COMPLETED, (en: Engine) => void log.push(`sync${en.state.epoch}`));
  await e.run([1, 2], { maxEpochs: 2 });
  assert.deepEqual(log, ['it1', 'it2', 'async1', 'sync1', 'it3', 'it4', 'async2', 'sync2']);
  const busy = e.run([1, 2], { maxEpochs: 2 });
  await assert.rejects(e.run([1]), /the engine is already running/);
  await busy;
});

test('terminate stops the run; a second run resumes where it stopped; maxEpochs below the state epoch is refused', async () => {
  const its: number[] = [];
  const e = new Engine((en) => void its.push(en.state.iteration));
  e.on(Events.ITERATION_COMPLETED.filter({ once: 5 }), (en: Engine) => en.terminate());
  await e.run([1, 2, 3], { maxEpochs: 3 });
  assert.deepEqual([e.state.iteration, e.state.epoch], [5, 2]);
  await e.run([1, 2, 3]);
  // as Ignite 0.4.12 (checked): the rest of the stopped epoch 2 is skipped, epoch 3 runs in full
  assert.deepEqual(its, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([e.state.iteration, e.state.epoch], [8, 3]);
  e.state.epoch = 2;
  e.state.iteration = 6;
  e.state.maxEpochs = 3;
  await assert.rejects(e.run([1, 2, 3], { maxEpochs: 1 }), /maxEpochs \(1\) must be >= the start epoch in the state \(2\)/);
});

test('an iteration\'s tensors are freed at the next one; batches of non-array data are freed with it', async () => {
  const base = torch.memory().liveTensors;
  const counts: number[] = [];
  const e = new Engine((_en, b: torch.Tensor) => torch.mul(b, 2).add(1));
  e.on(Events.ITERATION_COMPLETED, () => void counts.push(torch.memory().liveTensors - base));
  function* batches() {
    for (let i = 0; i < 20; i++) yield torch.ones([4]);
  }
  await e.run({ [Symbol.iterator]: batches }, { maxEpochs: 1 });
  assert.equal(new Set(counts).size, 1, `live tensors per iteration stay flat: ${counts.join(',')}`);
  assert.equal(torch.memory().liveTensors, base, 'nothing left after the run');
  // arrays belong to the caller: reused across epochs, not freed
  const data = [torch.ones([2]), torch.zeros([2])];
  await e.run(data, { maxEpochs: 3 });
  assert.ok(!data[0].isDisposed && !data[1].isDisposed);
  torch.dispose(data);
  assert.equal(torch.memory().liveTensors, base);
});

test('an error in a handler reaches EXCEPTION_RAISED with the error; at epoch level the run then ends, as Ignite', async () => {
  const e = new Engine(() => null);
  const got: string[] = [];
  e.on(Events.EPOCH_COMPLETED.filter({ once: 1 }), () => {
    throw new Error('handler failed');
  });
  e.on(Events.EXCEPTION_RAISED, (en: Engine, err: Error) => void got.push(`${err.message}@${en.state.epoch}`));
  e.on(Events.COMPLETED, () => void got.push('completed'));
  await e.run([1, 2], { maxEpochs: 3 });
  // the outer handler swallows it: no COMPLETED, epochs 2-3 not run (checked against Ignite 0.4.12)
  assert.deepEqual(got, ['handler failed@1']);
  assert.equal(e.state.epoch, 1);
});

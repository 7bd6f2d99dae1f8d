// Ignite's Timer and the per-iteration IterationTimer: time inside iterations only, averaged per step,
// reset per epoch; pause/resume bookkeeping; bad options named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Engine, Events } from '../../src/engines/index.js';
import { Timer, IterationTimer } from '../../src/handlers/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

test('IterationTimer: the mean time per iteration excludes time between iterations (20 ms inside, 60 ms outside)', async () => {
  const e = new Engine(() => sleep(20));
  e.on(Events.ITERATION_COMPLETED, () => undefined);
  e.on(Events.GET_BATCH_STARTED, () => sleep(60));
  const t = new IterationTimer().attach(e);
  const perEpoch: number[] = [];
  e.on(Events.EPOCH_COMPLETED, () => void perEpoch.push(t.value()));
  await e.run([0, 1, 2], { maxEpochs: 2 });
  assert.equal(t.stepCount, 3, 'steps counted per epoch (reset at EPOCH_STARTED)');
  // lower bound exact (sleep never returns early); counting the time outside would give >= 80 ms, so
  // the upper bound leaves 60 ms of scheduling delay for a loaded machine
  for (const v of perEpoch) assert.ok(v >= 0.02 && v < 0.08, `seconds per iteration ${v}`);
});

test('Timer: total between start and pause, paused time not counted, average by steps', () => {
  const t = new Timer({ average: true });
  sleep(5);
  t.pause();
  const paused = t.value();
  sleep(10);
  assert.equal(t.value(), paused, 'no time passes while paused');
  t.resume();
  t.step();
  t.step();
  sleep(5);
  t.pause();
  assert.ok(t.total >= 0.01 && t.value() === t.total / 2, `total ${t.total}, value ${t.value()}`);
  t.reset();
  assert.equal(t.stepCount, 0);
  assert.equal(t.running, true);
  assert.throws(() => new Timer({ averge: true } as never), /Timer: unknown option 'averge'.*average/);
  assert.throws(() => new Timer().attach(new Engine(() => 0), { begin: Events.STARTED } as never), /Timer.attach: unknown option 'begin'/);
});

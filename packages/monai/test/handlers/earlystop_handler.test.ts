// EarlyStopHandler: Ignite's EarlyStopping rule (patience, minDelta, cumulativeDelta), stopping the trainer
// from the trainer itself or from an evaluator's score, state dict, bad options.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Engine, Events } from '../../src/engines/index.js';
import { EarlyStopHandler } from '../../src/handlers/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

async function epochsRun(scores: number[], options: Partial<ConstructorParameters<typeof EarlyStopHandler>[0]>): Promise<number> {
  const trainer = new Engine(() => 0);
  new EarlyStopHandler({ patience: 2, scoreFunction: (e) => scores[e.state.epoch - 1], trainer, ...options }).attach(trainer);
  await trainer.run([0], { maxEpochs: scores.length });
  return trainer.state.epoch;
}

test('patience 2: stops after two checks without improvement (a tie is no improvement)', async () => {
  assert.equal(await epochsRun([0.1, 0.2, 0.2, 0.15, 0.3, 0.4], {}), 4);
  assert.equal(await epochsRun([0.1, 0.2, 0.3, 0.4], {}), 4);
});

test('minDelta measured from the last check, or cumulatively from the last best', async () => {
  const s = [1, 1.03, 1.06, 1.09];
  assert.equal(await epochsRun(s, { minDelta: 0.05 }), 3);
  assert.equal(await epochsRun(s, { minDelta: 0.05, cumulativeDelta: true }), 4);
});

test("attached to an evaluator-like engine, its score stops the trainer; stateDict is Ignite's", async () => {
  const trainer = new Engine(() => 0);
  const validator = new Engine(() => 0);
  const scores = [0.5, 0.4, 0.3];
  let i = 0;
  const h = new EarlyStopHandler({ patience: 1, scoreFunction: () => scores[i++] });
  h.setTrainer(trainer);
  h.attach(validator);
  trainer.on(Events.EPOCH_COMPLETED, () => validator.run([0]));
  await trainer.run([0], { maxEpochs: 10 });
  assert.equal(trainer.state.epoch, 2);
  assert.deepEqual(h.stateDict(), { counter: 1, best_score: 0.5 });
  h.loadStateDict({ counter: 0, best_score: 0.9 });
  assert.deepEqual([h.counter, h.bestScore], [0, 0.9]);
});

test('bad options are named; no trainer is an error at the first check', async () => {
  assert.throws(() => new EarlyStopHandler({ patience: 0, scoreFunction: () => 1 }), /patience must be a positive integer, found 0/);
  assert.throws(() => new EarlyStopHandler({ patience: 1, scoreFunction: () => 1, minDelta: -1 }), /minDelta must be >= 0, found -1/);
  assert.throws(() => new EarlyStopHandler({ patience: 1, scoreFunction: () => 1, trainer: {} as never }), /trainer must be an Engine/);
  const e = new Engine(() => 0);
  new EarlyStopHandler({ patience: 1, scoreFunction: () => 1 }).attach(e);
  await assert.rejects(e.run([0]), /EarlyStopHandler: no trainer/);
});

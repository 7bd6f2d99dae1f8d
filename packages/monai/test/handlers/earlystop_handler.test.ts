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

test("MONAI's early stop tests: iteration-level train loss stops at iteration 6; a validator's cumulative-delta metric stops at epoch 4", async () => {
  const trainer = new Engine(() => ({ loss: 1.5 }));
  new EarlyStopHandler({ patience: 5, scoreFunction: (e) => (e.state.output as { loss: number }).loss, trainer, epochLevel: false }).attach(trainer);
  await trainer.run([0, 1, 2, 3], { maxEpochs: 2 });
  assert.deepEqual([trainer.state.iteration, trainer.state.epoch], [6, 2]);

  const t2 = new Engine(() => null);
  const validator = new Engine(() => null);
  validator.state.metrics.val_acc = 0.9;
  t2.on(Events.EPOCH_COMPLETED, async () => {
    validator.state.metrics.val_acc = (validator.state.metrics.val_acc as number) + 0.01;
    await validator.run([0, 1, 2]);
  });
  const h = new EarlyStopHandler({ patience: 3, scoreFunction: (e) => e.state.metrics.val_acc as number, minDelta: 0.1, cumulativeDelta: true });
  h.attach(validator);
  h.setTrainer(t2);
  await t2.run([0, 1, 2], { maxEpochs: 5 });
  assert.deepEqual([t2.state.iteration, t2.state.epoch], [12, 4]);
});

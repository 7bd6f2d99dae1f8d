// ValidationHandler: the evaluator runs every N epochs (numbered with the trainer's epoch), every N
// iterations, and at the start; it is awaited before the trainer goes on; bad validators are named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Engine, Events, SupervisedEvaluator } from '../../src/engines/index.js';
import { ValidationHandler } from '../../src/handlers/index.js';

const made: { dispose(): void }[] = [];
const start = torch.memory().liveTensors;
after(() => {
  for (const m of made) m.dispose();
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

function evaluator(log: string[]): SupervisedEvaluator {
  const net = new torch.nn.Linear(2, 1);
  const data = [{ image: torch.keep(torch.ones([1, 2])), label: torch.keep(torch.zeros([1, 1])) }];
  made.push(net, { dispose: () => torch.dispose(data) });
  const ev = new SupervisedEvaluator({ valDataLoader: data, network: net });
  ev.on(Events.EPOCH_COMPLETED, (e: Engine) => void log.push(`val@${e.state.epoch}`));
  return ev;
}

test('epoch level every 2 and at the start: the validator runs with the trainer epoch, before the next epoch starts', async () => {
  const log: string[] = [];
  const trainer = new Engine(() => 0);
  trainer.on(Events.EPOCH_STARTED, (e: Engine) => void log.push(`train${e.state.epoch}`));
  new ValidationHandler({ interval: 2, validator: evaluator(log), execAtStart: true }).attach(trainer);
  await trainer.run([0, 1], { maxEpochs: 4 });
  assert.deepEqual(log, ['val@0', 'train1', 'train2', 'val@2', 'train3', 'train4', 'val@4']);
});

test('iteration level every 3 iterations; setValidator after construction', async () => {
  const log: string[] = [];
  const trainer = new Engine(() => 0);
  trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => void log.push(`it${e.state.iteration}`));
  const h = new ValidationHandler({ interval: 3, epochLevel: false });
  h.setValidator(evaluator(log));
  h.attach(trainer);
  await trainer.run([0, 1, 2, 3], { maxEpochs: 2 });
  assert.deepEqual(log.filter((l) => l.startsWith('val')), ['val@1', 'val@2']);
  assert.equal(log.indexOf('val@1'), log.indexOf('it3') + 1);
});

test('no validator, or not an Evaluator, is an error naming what was found', async () => {
  assert.throws(() => new ValidationHandler({ interval: 1, validator: new Engine(() => 0) as never }), /validator must be an Evaluator .*found Engine/);
  assert.throws(() => new ValidationHandler({ interval: 0 }), /interval must be a positive integer, found 0/);
  const trainer = new Engine(() => 0);
  new ValidationHandler({ interval: 1 }).attach(trainer);
  await assert.rejects(trainer.run([0]), /ValidationHandler: no validator/);
});

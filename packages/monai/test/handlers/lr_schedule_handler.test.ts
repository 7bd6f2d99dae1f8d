// LrScheduleHandler: StepLR stepped per epoch or per iteration, ReduceLROnPlateau fed by stepTransform,
// the "Current learning rate: ..." line as MONAI's, bad schedulers named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Engine } from '../../src/engines/index.js';
import { LrScheduleHandler, getLogger } from '../../src/handlers/index.js';

const made: { dispose(): void }[] = [];
const start = torch.memory().liveTensors;
after(() => {
  for (const m of made) m.dispose();
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

function sgd(): torch.optim.SGD {
  const net = new torch.nn.Linear(2, 1);
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  made.push(net, opt);
  return opt;
}

test('epoch level StepLR: lr halves every epoch, logged as Python prints the float', async () => {
  const opt = sgd();
  const lines: string[] = [];
  getLogger('lr_test').setLevel(20).addSink((r) => lines.push(r.message));
  const engine = new Engine(() => 0);
  new LrScheduleHandler({ lrScheduler: new torch.optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 }), name: 'lr_test' }).attach(engine);
  await engine.run([0, 1], { maxEpochs: 3 });
  assert.equal(opt.paramGroups[0].lr, 0.0125);
  assert.deepEqual(lines, ['Current learning rate: 0.05', 'Current learning rate: 0.025', 'Current learning rate: 0.0125']);
});

test('iteration level, printLr false; ReduceLROnPlateau gets stepTransform\'s metric', async () => {
  const opt = sgd();
  const engine = new Engine(() => 0);
  new LrScheduleHandler({ lrScheduler: new torch.optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.1 }), epochLevel: false, printLr: false }).attach(engine);
  await engine.run([0, 1, 2, 3], { maxEpochs: 1 });
  assert.ok(Math.abs(opt.paramGroups[0].lr - 0.001) < 1e-15, String(opt.paramGroups[0].lr));
  const opt2 = sgd();
  const plateau = new torch.optim.lrScheduler.ReduceLROnPlateau(opt2, { patience: 0, factor: 0.5 });
  const e2 = new Engine(() => 0);
  new LrScheduleHandler({ lrScheduler: plateau, stepTransform: () => 1.0, printLr: false }).attach(e2);
  await e2.run([0], { maxEpochs: 3 });
  // the first step sets the best; each later equal metric is a bad epoch and halves lr
  assert.equal(opt2.paramGroups[0].lr, 0.025);
});

test('bad options are named', () => {
  assert.throws(() => new LrScheduleHandler({ lrScheduler: {} as never }), /lrScheduler must have step\(\) and getLastLr\(\)/);
  const opt = sgd();
  assert.throws(() => new LrScheduleHandler({ lrScheduler: new torch.optim.lrScheduler.StepLR(opt, { stepSize: 1 }), stepTransform: 3 as never }), /stepTransform must be a function/);
});

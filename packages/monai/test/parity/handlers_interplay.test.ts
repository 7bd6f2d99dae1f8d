// Handler interplay against MONAI 1.4 + Ignite 0.4 (golden: tools/goldens/parity/make_handlers.py):
// ValidationHandler(execAtStart) + epoch-level StepLR on a trainer; an evaluator whose scripted metric
// (ties included) drives CheckpointSaver(saveKeyMetric, keyMetricNSaved 2) and EarlyStopHandler(patience 3).
// Per trainer epoch: lr at EPOCH_STARTED, checkpoint files at EPOCH_COMPLETED, validation epochs, stop point.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Events, SupervisedEvaluator, SupervisedTrainer, type Engine } from '../../src/engines/index.js';
import { CheckpointSaver, EarlyStopHandler, LrScheduleHandler, ValidationHandler } from '../../src/handlers/index.js';

const G = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../tools/goldens/parity/handlers.json', import.meta.url)), 'utf8'));
const ACC = [0.5, 0.6, 0.6, 0.7, 0.7, 0.65, 0.7, 0.4, 0.4, 0.4];
const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const data = (n: number): { image: Tensor; label: Tensor }[] => Array.from({ length: n }, () => ({ image: torch.ones([1, 2]), label: torch.zeros([1, 1]) }));
const mse = (p: Tensor, t: Tensor): Tensor => torch.tidy(() => p.sub(t).pow(2).mean());

for (const [tag, greaterOrEqual] of [['strict', false], ['greater_or_equal', true]] as const) {
  test(`trainer + evaluator handlers (keyMetricGreaterOrEqual ${greaterOrEqual}): lr, checkpoint files per epoch, validation epochs and the early stop equal MONAI's`, async () => {
    const g = G[tag];
    const dir = mkdtempSync(join(tmpdir(), 'monai-parity-'));
    const net = new torch.nn.Linear(2, 1);
    const opt = new torch.optim.SGD(net.parameters(), { lr: 1.0 });
    const trainData = data(3);
    const valData = data(2);
    const rec = { lr: [] as number[], files: [] as string[][], val_epochs: [] as number[], acc: [] as number[] };
    try {
      const ev = new SupervisedEvaluator({ valDataLoader: valData, network: net });
      let calls = 0;
      ev.on(Events.EPOCH_COMPLETED, (e: Engine) => {
        e.state.metrics.acc = ACC[calls];
        rec.val_epochs.push(e.state.epoch);
        rec.acc.push(ACC[calls++]);
      });
      const tr = new SupervisedTrainer({
        maxEpochs: 8, trainDataLoader: trainData, network: net, optimizer: opt, lossFunction: mse,
        trainHandlers: [
          new LrScheduleHandler({ lrScheduler: new torch.optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 }), printLr: false }),
          new ValidationHandler({ interval: 1, validator: ev, execAtStart: true }),
        ],
      });
      new CheckpointSaver({ saveDir: dir, saveDict: { net }, saveKeyMetric: true, keyMetricName: 'acc', keyMetricNSaved: 2, keyMetricGreaterOrEqual: greaterOrEqual }).attach(ev);
      new EarlyStopHandler({ patience: 3, scoreFunction: (e) => e.state.metrics.acc as number, trainer: tr }).attach(ev);
      tr.on(Events.EPOCH_STARTED, () => void rec.lr.push(opt.paramGroups[0].lr as number));
      tr.on(Events.EPOCH_COMPLETED, () => void rec.files.push(readdirSync(dir).sort()));
      await tr.run();
      assert.deepEqual(rec, { lr: g.lr, files: g.files, val_epochs: g.val_epochs, acc: g.acc });
      assert.deepEqual(readdirSync(dir).sort(), g.final_files);
      assert.deepEqual({ epoch: tr.state.epoch, iteration: tr.state.iteration }, g.trainer);
      assert.deepEqual({ epoch: ev.state.epoch, iteration: ev.state.iteration }, g.evaluator);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      opt.dispose();
      net.dispose();
      torch.dispose([...trainData, ...valData].flatMap((d) => [d.image, d.label]));
    }
  });
}

test("iteration-level StepLR (stepSize 4, gamma 0.1): the lr each iteration sees equals MONAI's", async () => {
  const net = new torch.nn.Linear(2, 1);
  const opt = new torch.optim.SGD(net.parameters(), { lr: 1.0 });
  const trainData = data(3);
  const tr = new SupervisedTrainer({
    maxEpochs: 2, trainDataLoader: trainData, network: net, optimizer: opt, lossFunction: mse,
    trainHandlers: [new LrScheduleHandler({ lrScheduler: new torch.optim.lrScheduler.StepLR(opt, { stepSize: 4, gamma: 0.1 }), epochLevel: false, printLr: false })],
  });
  const lrs: number[] = [];
  tr.on(Events.ITERATION_STARTED, () => void lrs.push(opt.paramGroups[0].lr as number));
  await tr.run();
  assert.deepEqual(lrs.map((x) => Math.fround(x)), G.iteration_level_lr.map((x: number) => Math.fround(x)));
  opt.dispose();
  net.dispose();
  torch.dispose(trainData.flatMap((d) => [d.image, d.label]));
});

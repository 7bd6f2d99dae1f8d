// Event order and state against Ignite 0.4.12 + MONAI 1.4 (tools/goldens/workflows/make_event_order.py):
// a SupervisedTrainer with filtered, OR-ed and custom-event handlers, terminateEpoch at iteration 8,
// terminate at 13 and a resuming second run; and an Engine whose process function throws, with an
// EXCEPTION_RAISED handler that returns or re-raises. The trainer's final Linear weights match to 1e-6.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Engine, Events, IterationEvents, SupervisedTrainer, defineEvents, type EventName } from '../../src/engines/index.js';

const golden = JSON.parse(readFileSync(new URL('../../../../tools/goldens/workflows/event_order.json', import.meta.url), 'utf8'));
const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

type Row = [string, string, number, number];
const ENGINE_EVENTS = [
  Events.STARTED, Events.EPOCH_STARTED, Events.GET_BATCH_STARTED, Events.GET_BATCH_COMPLETED, Events.ITERATION_STARTED,
  Events.ITERATION_COMPLETED, Events.EPOCH_COMPLETED, Events.COMPLETED, Events.EXCEPTION_RAISED, Events.TERMINATE,
  Events.TERMINATE_SINGLE_EPOCH, Events.DATALOADER_STOP_ITERATION,
];
const ITER_EVENTS = Object.values(IterationEvents);
const recorder = (log: Row[], tag: string, event: EventName | string) => (e: Engine) => {
  log.push([tag, typeof event === 'string' ? event : event.name, e.state.iteration, e.state.epoch]);
};

test('SupervisedTrainer: handler calls, filters, custom events, terminate and resume as Ignite + MONAI', async () => {
  const nums = golden.trainer_numbers;
  const net = new torch.nn.Linear(2, 1);
  torch.noGrad(() => {
    torch.tidy(() => {
      net.weight.copy_(torch.tensor(nums.start.weight));
      net.bias!.copy_(torch.tensor(nums.start.bias));
    });
  });
  const data = nums.images.map((img: number[][], i: number) => ({ image: torch.tensor(img), label: torch.tensor(nums.labels[i]) }));
  const optimizer = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  const loss = new torch.nn.MSELoss();
  const trainer = new SupervisedTrainer({ maxEpochs: 4, trainDataLoader: data, epochLength: 5, network: net, optimizer, lossFunction: loss });
  const Custom = defineEvents({ MY_EVENT: 'my_event' });
  trainer.registerEvents([Custom.MY_EVENT], { my_event: 'iteration' });
  const log: Row[] = [];
  for (const e of [...ENGINE_EVENTS, ...ITER_EVENTS, Custom.MY_EVENT]) trainer.addEventHandler(e, recorder(log, 'all', e));
  trainer.addEventHandler(Events.ITERATION_COMPLETED.filter({ every: 2 }), recorder(log, 'every2', Events.ITERATION_COMPLETED));
  trainer.addEventHandler(Events.ITERATION_COMPLETED.filter({ once: [3, 7] }), recorder(log, 'once37', Events.ITERATION_COMPLETED));
  trainer.addEventHandler(Events.EPOCH_COMPLETED.filter({ before: 3, after: 0 }), recorder(log, 'before3', Events.EPOCH_COMPLETED));
  trainer.addEventHandler(Events.ITERATION_STARTED.filter({ every: 3, after: 2, before: 12 }), recorder(log, 'every3_2_12', Events.ITERATION_STARTED));
  trainer.addEventHandler(Events.ITERATION_COMPLETED.filter({ eventFilter: (_e, n) => n === 4 || n === 9 }), recorder(log, 'custom49', Events.ITERATION_COMPLETED));
  trainer.addEventHandler(Events.STARTED.or(Events.COMPLETED), recorder(log, 'startedOrCompleted', 'STARTED|COMPLETED'));
  trainer.addEventHandler(Events.ITERATION_COMPLETED.filter({ every: 3 }), (e) => e.fireEvent(Custom.MY_EVENT));
  trainer.addEventHandler(Custom.MY_EVENT.filter({ every: 2 }), recorder(log, 'my_every2', Custom.MY_EVENT));
  trainer.addEventHandler(IterationEvents.LOSS_COMPLETED, recorder(log, 'loss', IterationEvents.LOSS_COMPLETED));
  trainer.addEventHandler(Events.ITERATION_COMPLETED.filter({ once: 8 }), (e) => e.terminateEpoch());
  trainer.addEventHandler(Events.ITERATION_COMPLETED.filter({ once: 13 }), (e) => e.terminate());
  await trainer.run();
  log.push(['run_returned', '', trainer.state.iteration, trainer.state.epoch]);
  await trainer.run();
  log.push(['run_returned', '', trainer.state.iteration, trainer.state.epoch]);
  assert.deepEqual(log, golden.trainer);
  const w = net.weight.tolist() as number[][];
  const b = net.bias!.tolist() as number[];
  const want = [...nums.final.weight[0], ...nums.final.bias];
  [...w[0], ...b].forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-6, `parameter ${i}: ${v} vs ${want[i]} (tolerance 1e-6)`));
  torch.dispose(data);
  optimizer.dispose();
  net.dispose();
});

for (const reraise of [false, true]) {
  test(`an exception in the process function reaches EXCEPTION_RAISED (${reraise ? 're-raised: fired twice, then run rejects' : 'swallowed: the epoch ends'}) as Ignite`, async () => {
    const engine = new Engine((e, batch) => {
      if (e.state.iteration === 4) throw new Error('boom at 4');
      return batch;
    });
    const log: Row[] = [];
    for (const e of ENGINE_EVENTS) if (e !== Events.EXCEPTION_RAISED) engine.addEventHandler(e, recorder(log, 'all', e));
    engine.addEventHandler(Events.EXCEPTION_RAISED, (e: Engine, err: Error) => {
      log.push([`exception:${err.message}`, 'EXCEPTION_RAISED', e.state.iteration, e.state.epoch]);
      if (reraise) throw err;
    });
    try {
      await engine.run([1, 2, 3], { maxEpochs: 2 });
      log.push(['run_returned', '', engine.state.iteration, engine.state.epoch]);
    } catch (err) {
      log.push([`run_raised:${(err as Error).message}`, '', engine.state.iteration, engine.state.epoch]);
    }
    assert.deepEqual(log, golden[reraise ? 'reraised' : 'swallowed']);
  });
}

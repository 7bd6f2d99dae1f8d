// A SupervisedTrainer fed by monai-ts's DataLoader (async iterable, shuffled, transform per item): batches
// handed over by the loader are freed with their iteration, so live tensors stay flat across epochs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { SupervisedTrainer, Events, type Engine } from '../../src/engines/index.js';
import { DataLoader, Dataset } from '../../src/data/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

for (const [numWorkers, asyncHandler] of [[0, false], [2, true]] as const) test(`SupervisedTrainer over a shuffled DataLoader (numWorkers ${numWorkers}${asyncHandler ? ', an async ITERATION_COMPLETED handler' : ''}): every item seen each epoch, live tensors flat`, async () => {
  torch.manualSeed(0);
  const items = Array.from({ length: 6 }, (_, i) => ({ image: [i, 1, 2, 3], label: [i] }));
  const ds = new Dataset(items, (d: unknown) => {
    const x = d as { image: number[]; label: number[] };
    return { image: torch.tensor(x.image, { dtype: 'float32' }), label: torch.tensor(x.label, { dtype: 'float32' }) };
  });
  const loader = new DataLoader(ds, { batchSize: 2, shuffle: true, numWorkers });
  const net = new torch.nn.Linear(4, 1);
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.01 });
  const t = new SupervisedTrainer({ maxEpochs: 4, trainDataLoader: loader, network: net, optimizer: opt, lossFunction: new torch.nn.MSELoss() });
  assert.equal(t.state.epochLength, 3, 'the loader\'s length');
  const live: number[] = [];
  const seen: number[][] = [[], [], [], []];
  t.on(Events.ITERATION_COMPLETED, (e: Engine) => {
    live.push(torch.memory().liveTensors);
    for (const o of e.state.output as { label: torch.Tensor }[]) seen[e.state.epoch - 1].push(o.label.item());
  });
  if (asyncHandler) t.on(Events.ITERATION_COMPLETED, () => new Promise((r) => setTimeout(r, 2)));
  await t.run();
  assert.equal(new Set(live).size, 1, `live tensors per iteration: ${live.join(',')}`);
  for (const s of seen) assert.deepEqual([...s].sort(), [0, 1, 2, 3, 4, 5]);
  opt.dispose();
  net.dispose();
});

test('worker batches arriving while an async handler is awaited belong to the trainer, not to that iteration (8 iterations, live tensors flat)', async () => {
  // tensor items without a transform travel to the workers; the handler's await lets the next
  // prefetched batch arrive while the engine's iteration scope is open
  torch.manualSeed(1);
  const items = Array.from({ length: 8 }, () => ({ image: torch.rand([1, 4, 4]), label: torch.rand([1, 4, 4]) }));
  const loader = new DataLoader(new Dataset(items), { batchSize: 2, shuffle: true, numWorkers: 2 });
  const net = new torch.nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 1 });
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  const t = new SupervisedTrainer({ maxEpochs: 2, trainDataLoader: loader, network: net, optimizer: opt, lossFunction: new torch.nn.MSELoss() });
  t.on(Events.ITERATION_COMPLETED, () => new Promise((r) => setTimeout(r, 5)));
  const before = torch.memory().liveTensors;
  try {
    await t.run();
    assert.equal(t.state.iteration, 8);
  } finally {
    await loader.close();
    opt.dispose();
    net.dispose();
    torch.dispose(items.flatMap((i) => [i.image, i.label]));
  }
  assert.ok(torch.memory().liveTensors <= before, 'no batch left behind');
});

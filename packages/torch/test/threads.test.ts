// The addon loads in worker threads, computes there while the main thread computes too, and a
// tensor moves between threads without a copy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;

test('a worker thread computes while the main thread does; shared tensors need no copy', async () => {
  const t = torch.zeros([3]);
  const token = t.share();
  // worker.mjs registers the TypeScript loader in the new thread before loading worker.ts.
  const worker = new Worker(new URL('./helpers/worker.mjs', import.meta.url), {
    workerData: { token },
    execArgv: ['--conditions=source'],
  });
  const ready = new Promise((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
  });
  await ready;
  const done = new Promise<{ acc: number; iters: number; start: number; end: number; threads: number; live: number }>((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
  });
  const t0 = performance.now();
  let mainIters = 0;
  const mainStart = t0 + performance.timeOrigin;
  while (performance.now() - t0 < 300) {
    torch.tidy(() => torch.mm(torch.ones([64, 64]), torch.ones([64, 64])).sum().item());
    mainIters++;
    if (mainIters % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  const mainEnd = performance.now() + performance.timeOrigin;
  const w = await done;
  await new Promise((r) => worker.once('exit', r));
  assert.equal(w.acc, 64 * 64 * 64 * 0.25);
  assert.ok(w.iters > 10 && mainIters > 10);
  assert.ok(w.start < mainEnd && mainStart < w.end, 'the two threads ran at the same time');
  assert.ok(w.threads >= 1);
  // the worker's add_ changed the main thread's tensor: same storage
  assert.deepEqual(t.toArray(), [1, 1, 1]);
  assert.throws(() => torch.fromShared(token), /unknown or already adopted/);
  t.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'thread tests leaked tensors');
});

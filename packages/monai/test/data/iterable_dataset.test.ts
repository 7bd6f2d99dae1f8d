// IterableDataset and ShuffleBuffer: MONAI 1.4's ShuffleBuffer order for seeds, buffer sizes and epochs
// (goldens from tools/goldens/data/make_iterable.py, exact), the order a 2-worker loader delivers
// (PyTorch's sharding: worker i keeps positions i, i+W, ...; batches taken in turn), identical items for
// numWorkers 0 and 2 with random transforms, async sources, errors naming the position, and an early
// break leaving no thread and no tensor.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { DataLoader, WorkerItemError, MetaTensor } from '../../src/data/index.js';
import { IterableDataset, ShuffleBuffer } from '../../src/data/iterable_dataset.js';
import { RandGaussianNoised } from '../../src/transforms/intensity/dictionary.js';
import { registerTransforms } from '../../src/transforms/serialize.js';
import { MakeItem, FailAt, TagThread, countTo12, asyncCountTo7 } from './helpers/loader_transforms.js';

const HELPERS = new URL('./helpers/loader_transforms.ts', import.meta.url).href;
const G = JSON.parse(readFileSync(new URL('../../../../tools/goldens/data/iterable.json', import.meta.url), 'utf8')) as {
  shuffleBuffer: { n: number; bufferSize: number; seed: number; epochs: number; first: number[]; second: number[] }[];
  loaders: { n: number; bufferSize: number; seed: number; workers: number; order: number[] }[];
  iterableBatchesW2: number[][];
};
const start = torch.memory().liveTensors;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

before(async () => {
  await registerTransforms(HELPERS);
});
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('ShuffleBuffer pops in MONAI 1.4 order (seed + 1 per iteration, several epochs)', async () => {
  for (const c of G.shuffleBuffer) {
    const sb = new ShuffleBuffer(range(c.n), null, { bufferSize: c.bufferSize, seed: c.seed, epochs: c.epochs });
    assert.deepEqual(await all(sb), c.first, `first iteration ${JSON.stringify(c)}`);
    assert.deepEqual(await all(sb), c.second, `second iteration ${JSON.stringify(c)}`);
    assert.equal(sb.seed, c.seed + 2);
  }
});

test('a 2-worker DataLoader delivers in PyTorch order: sharded streams, batches taken in turn', async () => {
  for (const c of G.loaders) {
    const ds = new ShuffleBuffer(range(c.n), null, { bufferSize: c.bufferSize, seed: c.seed });
    const got: number[] = [];
    for await (const b of new DataLoader<number[]>(ds, { batchSize: 1, numWorkers: 2 })) got.push(...b);
    assert.deepEqual(got, c.order, `ShuffleBuffer ${JSON.stringify(c)}`);
    // the main thread's copy advanced its seed once, as it would have iterating itself
    assert.equal(ds.seed, c.seed + 1);
  }
  const batches: number[][] = [];
  for await (const b of new DataLoader<number[]>(new IterableDataset(range(9)), { batchSize: 2, numWorkers: 2 })) batches.push(b);
  assert.deepEqual(batches, G.iterableBatchesW2);
});

test('numWorkers 0 and 2 deliver the same items, random transforms included; workers do the work', async () => {
  const make = () => new IterableDataset(countTo12, [new MakeItem(), new RandGaussianNoised({ keys: ['img'], prob: 0.6 }), new TagThread()]);
  const runs: Map<number, number[]>[] = [];
  const threads = new Set<number>();
  for (const numWorkers of [0, 2]) {
    const byId = new Map<number, number[]>();
    const g = new torch.Generator().manualSeed(5);
    for await (const b of new DataLoader<{ img: MetaTensor; id: number[]; thread: number[] }>(make(), { batchSize: 3, numWorkers, generator: g })) {
      assert.ok(b.img instanceof MetaTensor && b.img.isBatch);
      const rows = b.img.shape[0];
      const flat = Array.from(b.img.data() as Float32Array);
      const per = flat.length / rows;
      b.id.forEach((id, k) => byId.set(id, flat.slice(k * per, (k + 1) * per)));
      if (numWorkers) b.thread.forEach((t) => threads.add(t));
      b.img.dispose();
    }
    runs.push(byId);
  }
  assert.deepEqual([...runs[0].keys()].sort((a, b) => a - b), range(12));
  assert.deepEqual([...runs[1].keys()].sort((a, b) => a - b), range(12));
  for (const id of range(12)) assert.deepEqual(runs[1].get(id), runs[0].get(id), `item ${id}: same values (per-position seeds)`);
  assert.ok([...runs[0].values()].some((v) => v.some((x) => !Number.isInteger(x))), 'noise was added');
  assert.ok(threads.size === 2 && !threads.has(0), `items made in 2 workers (threads ${[...threads]})`);
});

test('async sources, re-iteration of a function source, direct iteration', async () => {
  const ds = new IterableDataset(asyncCountTo7);
  assert.deepEqual(await all(ds), range(7));
  assert.deepEqual(await all(ds), range(7), 'a function source opens a new stream per iteration');
  for (const numWorkers of [0, 2]) {
    const got: number[] = [];
    for await (const b of new DataLoader<number[]>(ds, { batchSize: 2, numWorkers, dropLast: false })) got.push(...b);
    assert.deepEqual(got.sort((a, b) => a - b), range(7), `numWorkers ${numWorkers}`);
  }
  // a generator object is one-shot (as in Python)
  const once = new IterableDataset((function* () { yield 1; yield 2; })());
  assert.deepEqual(await all(once), [1, 2]);
  assert.deepEqual(await all(once), []);
  // a spec names an exported generator function
  assert.deepEqual(await all(new IterableDataset({ module: HELPERS, name: 'countTo12' })), range(12));
});

test("a transform's error names the stream position, with 0 and 2 workers", async () => {
  for (const numWorkers of [0, 2]) {
    const ds = new IterableDataset(range(10), [new MakeItem(), new FailAt(5)]);
    await assert.rejects(async () => {
      for await (const b of new DataLoader<{ img: torch.Tensor }>(ds, { batchSize: 2, numWorkers })) b.img.dispose();
    }, (e: unknown) => e instanceof WorkerItemError && e.index === 5 && /refusing item 5/.test(e.message) && e.transformName === 'FailAt');
  }
});

function workerHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;
}

test('breaking out early ends the stream workers and frees every tensor in flight', async () => {
  const handles = workerHandles();
  const ds = new IterableDataset(countTo12, [new MakeItem([1, 16, 16])]);
  for (const numWorkers of [0, 2]) {
    let seen = 0;
    for await (const b of new DataLoader<{ img: torch.Tensor }>(ds, { batchSize: 1, numWorkers, prefetchFactor: 3 })) {
      b.img.dispose();
      if (++seen === 2) break;
    }
    assert.equal(seen, 2);
    assert.equal(torch.memory().liveTensors, start, `numWorkers ${numWorkers}: no tensor left`);
    assert.equal(workerHandles(), handles, `numWorkers ${numWorkers}: no worker thread left`);
  }
  // an endless ShuffleBuffer (epochs -1): workers blocked on credit stop when the loop breaks
  const endless = new ShuffleBuffer(range(5), [new MakeItem([1, 8, 8])], { bufferSize: 2, epochs: -1 });
  let n = 0;
  for await (const b of new DataLoader<{ img: torch.Tensor }>(endless, { batchSize: 2, numWorkers: 2 })) {
    b.img.dispose();
    if (++n === 7) break;
  }
  assert.equal(torch.memory().liveTensors, start);
  assert.equal(workerHandles(), handles);
});

test('a source that cannot travel loads on the main thread with one warning; workerInitFn runs in stream workers', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'MonaiWorkerWarning') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    const gen = (function* () {
      for (let i = 0; i < 5; i++) yield i;
    })();
    const got: number[] = [];
    for await (const b of new DataLoader<number[]>(new IterableDataset(gen), { batchSize: 2, numWorkers: 2 })) got.push(...b);
    assert.deepEqual(got, range(5), 'consecutive batches, as on the main thread');
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /dataset\.data is an instance of/);
  } finally {
    process.off('warning', onWarning);
  }
  // workerInitFn (exported by a registered module) runs in each stream worker; the items still arrive
  const { initWorker } = await import('./helpers/loader_transforms.js');
  const got: number[] = [];
  for await (const b of new DataLoader<number[]>(new IterableDataset(range(6)), { batchSize: 2, numWorkers: 2, workerInitFn: initWorker })) got.push(...b);
  assert.deepEqual(got, [0, 2, 1, 3, 4, 5]);
});

test('bad options and sources are refused with clear errors', () => {
  assert.throws(() => new IterableDataset(42 as never), /IterableDataset: data must be an iterable/);
  assert.throws(() => new IterableDataset({ module: 'relative.ts', name: 'f' }), /module must be an absolute path or a URL/);
  assert.throws(() => new ShuffleBuffer([], null, { bufferSize: 0 }), /bufferSize must be a positive integer/);
  assert.throws(() => new ShuffleBuffer([], null, { epochs: -2 }), /epochs must be an integer >= -1/);
  assert.throws(() => new ShuffleBuffer([], null, { buffersize: 3 } as never), /bufferSize/);
  assert.throws(() => new DataLoader(new IterableDataset([]), { shuffle: true }), /shuffle must be unset for an IterableDataset/);
  assert.throws(() => new DataLoader(new IterableDataset([])).length, /has no length/);
});

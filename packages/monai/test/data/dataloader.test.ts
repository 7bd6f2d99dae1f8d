// DataLoader acceptance: identical batches for numWorkers 0 and 2 (same seeds, same order, shuffle
// included), a worker's error names the item index and the transform, breaking out of a loop leaves no
// thread and no tensor, memory stays flat over many batches, and an anonymous closure falls back to the
// main thread with one warning.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { DataLoader, WorkerItemError, WorkerPool, padListDataCollate, MetaTensor } from '../../src/data/index.js';
import { freeUnread } from '../../src/data/worker_pool.js';
import { Dataset } from '../../src/data/dataset.js';
import { RandGaussianNoised, RandShiftIntensityd } from '../../src/transforms/intensity/dictionary.js';
import { RandFlipd } from '../../src/transforms/spatial/dictionary_random.js';
import { registerTransforms } from '../../src/transforms/serialize.js';
import { MakeItem, FailAt, TagThread, idsCollate, failingCollate } from './helpers/loader_transforms.js';

const HELPERS = new URL('./helpers/loader_transforms.ts', import.meta.url).href;
const start = torch.memory().liveTensors;

before(async () => {
  await registerTransforms(HELPERS);
});

function pipeline(): Dataset {
  return new Dataset(Array.from({ length: 10 }, (_, i) => i), [
    new MakeItem(),
    new RandGaussianNoised({ keys: ['img'], prob: 0.7 }),
    new RandShiftIntensityd({ keys: ['img'], offsets: 2, prob: 0.5 }),
    new RandFlipd({ keys: ['img'], prob: 0.5, spatialAxis: 1 }),
  ]);
}

interface Batch {
  img: MetaTensor;
  id: number[];
}

async function collect(loader: DataLoader<Batch>): Promise<{ values: number[][]; ids: number[][]; files: unknown[] }[]> {
  const out: { values: number[][]; ids: number[][]; files: unknown[] }[] = [];
  for await (const b of loader) {
    assert.ok(b.img instanceof MetaTensor && b.img.isBatch);
    out.push({ values: [Array.from(b.img.data() as Float32Array)], ids: [b.id], files: [b.img.meta.filename_or_obj] });
    b.img.dispose();
  }
  return out;
}

function gen(seed: number): torch.Generator {
  return new torch.Generator().manualSeed(seed);
}

test('numWorkers 0 and 2 give identical batches (random transforms, shuffle, last partial batch)', async () => {
  const runs = [];
  for (const numWorkers of [0, 2, 0]) {
    const loader = new DataLoader<Batch>(pipeline(), { batchSize: 3, shuffle: true, numWorkers, generator: gen(7) });
    assert.equal(loader.length, 4);
    runs.push(await collect(loader));
  }
  assert.equal(runs[0].length, 4);
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
  // the random transforms did fire: values differ from the plain index
  const flat = runs[0].flatMap((b) => b.values[0]);
  assert.ok(flat.some((v) => !Number.isInteger(v)), 'noise was added');
  // a different generator seed changes order and draws
  const other = await collect(new DataLoader<Batch>(pipeline(), { batchSize: 3, shuffle: true, numWorkers: 2, generator: gen(8) }));
  assert.notDeepEqual(other, runs[0]);
});

test('shuffle follows PyTorch RandomSampler order for a seeded generator', async () => {
  // python: g = torch.Generator(); g.manual_seed(0); torch.empty((), dtype=torch.int64).random_(generator=g)
  //         then torch.randperm(10, generator=g).tolist() == [3, 7, 5, 2, 0, 8, 1, 6, 9, 4]  (torch 1.13)
  const ds = new Dataset(Array.from({ length: 10 }, (_, i) => i));
  for (const numWorkers of [0, 2]) {
    const seen: number[] = [];
    for await (const b of new DataLoader<number[]>(ds, { batchSize: 4, shuffle: true, generator: gen(0), numWorkers })) seen.push(...b);
    assert.deepEqual(seen, [3, 7, 5, 2, 0, 8, 1, 6, 9, 4]);
  }
  const dropped: number[][] = [];
  for await (const b of new DataLoader<number[]>(ds, { batchSize: 4, dropLast: true })) dropped.push(b);
  assert.deepEqual(dropped, [[0, 1, 2, 3], [4, 5, 6, 7]]);
});

test('workers do the work, and a collateFn from a registered module runs there', async () => {
  const ds = new Dataset(Array.from({ length: 8 }, (_, i) => i), [new MakeItem(), new TagThread()]);
  const threads = new Set<number>();
  for await (const b of new DataLoader<{ img: torch.Tensor; thread: number[] }>(ds, { batchSize: 2, numWorkers: 2 })) {
    b.thread.forEach((t) => threads.add(t));
    b.img.dispose();
  }
  assert.ok(!threads.has(0), `items were made in workers, not the main thread (threads ${[...threads]})`);
  const ids: number[] = [];
  for await (const b of new DataLoader<number[]>(new Dataset(Array.from({ length: 8 }, (_, i) => i), [new MakeItem()]), { batchSize: 3, numWorkers: 2, collateFn: idsCollate })) ids.push(...b);
  assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
});

test("a worker's error names the item index and the transform, with 0 and 2 workers", async () => {
  for (const numWorkers of [0, 2]) {
    const ds = new Dataset(Array.from({ length: 12 }, (_, i) => i), [new MakeItem(), new FailAt(7)]);
    const loader = new DataLoader<Batch>(ds, { batchSize: 2, numWorkers });
    let got = 0;
    await assert.rejects(
      (async () => {
        for await (const b of loader) {
          b.img.dispose();
          got++;
        }
      })(),
      (e: unknown) => {
        assert.ok(e instanceof WorkerItemError, String(e));
        assert.equal(e.index, 7);
        assert.equal(e.transformName, 'FailAt');
        assert.match(e.message, /item 7 \(transform FailAt\) failed.*refusing item 7/);
        if (numWorkers) assert.match(e.message, /in worker \d/);
        return true;
      },
    );
    assert.equal(got, 3, 'the batches before the failing one arrived');
    assert.equal(torch.memory().liveTensors, start, `numWorkers ${numWorkers}: no tensor left behind`);
  }
});

test('a failing collateFn names the batch, with 0 and 2 workers', async () => {
  for (const numWorkers of [0, 2]) {
    const ds = new Dataset(Array.from({ length: 4 }, (_, i) => i), [new MakeItem()]);
    await assert.rejects(
      (async () => {
        for await (const _ of new DataLoader(ds, { batchSize: 2, numWorkers, collateFn: failingCollate })) assert.fail('no batch expected');
      })(),
      (e: unknown) => e instanceof WorkerItemError && /collateFn failed on the batch of items \[0, 1\].*cannot collate 2 items/.test(e.message),
    );
    assert.equal(torch.memory().liveTensors, start, `numWorkers ${numWorkers}: items freed`);
  }
});

function workerHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;
}

test('breaking out of a loop ends the workers and frees every tensor in flight', async () => {
  const handles = workerHandles();
  const ds = new Dataset(Array.from({ length: 40 }, (_, i) => i), [new MakeItem([1, 32, 32])]);
  const loader = new DataLoader<Batch>(ds, { batchSize: 2, numWorkers: 2, prefetchFactor: 4 });
  let n = 0;
  for await (const b of loader) {
    b.img.dispose();
    if (++n === 2) break;
  }
  assert.equal(n, 2);
  assert.equal(torch.memory().liveTensors, start, 'no tensor left in the main thread');
  assert.equal(workerHandles(), handles, 'no worker thread left');
  // the pool reports each worker's own count: nothing left there either
  const pool = await WorkerPool.start(ds, { numWorkers: 2 });
  const first = pool.submit({ indices: [0, 1], seeds: null, collate: null });
  const second = pool.submit({ indices: [2, 3], seeds: null, collate: null });
  const items = (await first) as { img: torch.Tensor }[];
  items.forEach((d) => d.img.dispose());
  pool.cancelAll(); // a result that already arrived is the caller's; one still running is freed on arrival
  await freeUnread([second]);
  assert.deepEqual(await pool.close(), [0, 0]);
  assert.equal(workerHandles(), handles);
  assert.equal(torch.memory().liveTensors, start);
});

test('the process exits by itself after a loop with workers is broken (workerSetup gives the user classes)', () => {
  const script = fileURLToPath(new URL('./helpers/loader_exit.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, `the process did not exit by itself: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^$|^(?![\s\S]*MonaiWorkerWarning)/, 'no fallback warning: the workers ran');
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { ids: [0, 1, 2, 3], live: 0 });
});

test('memory stays flat over many batches (quick version; bench/data/dataloader.ts runs 5,000)', async () => {
  const ds = new Dataset(Array.from({ length: 400 }, (_, i) => i), [new MakeItem([1, 16, 16]), new RandGaussianNoised({ keys: ['img'], prob: 1 })]);
  const loader = new DataLoader<Batch>(ds, { batchSize: 2, numWorkers: 2, persistentWorkers: true });
  let bytes0 = -1;
  for (let epoch = 0; epoch < 2; epoch++) {
    for await (const b of loader) b.img.dispose();
    const m = torch.memory();
    assert.equal(m.liveTensors, start);
    if (bytes0 < 0) bytes0 = m.bytes;
    else assert.equal(m.bytes, bytes0);
  }
  await loader.close();
});

test('an anonymous closure runs on the main thread with one warning, same results', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'MonaiWorkerWarning') warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    const ds = new Dataset(Array.from({ length: 6 }, (_, i) => i), [new MakeItem(), (d: unknown) => ({ ...(d as object), closure: true })]);
    const loader = new DataLoader<Batch & { closure: boolean[] }>(ds, { batchSize: 2, numWorkers: 2 });
    for (let epoch = 0; epoch < 2; epoch++) {
      for await (const b of loader) {
        assert.deepEqual(b.closure, [true, true]);
        b.img.dispose();
      }
    }
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /dataset\.transform\.transforms\[1\] is a function \(anonymous\).*workerSetup/);
  } finally {
    process.off('warning', onWarning);
  }
});

test('padListDataCollate pads items to the largest spatial shape, symmetric', () => {
  const a = MetaTensor.wrap(torch.ones([1, 2, 3]));
  const b = MetaTensor.wrap(torch.ones([1, 4, 2]));
  const batch = padListDataCollate([{ img: a, n: 1 }, { img: b, n: 2 }]) as { img: MetaTensor; n: number[] };
  assert.deepEqual(batch.img.shape, [2, 1, 4, 3]);
  assert.deepEqual(batch.n, [1, 2]);
  // a: rows padded 1 before and 1 after; b: one column padded after (symmetric: floor(1/2)=0 before)
  assert.deepEqual(batch.img.toArray(), [
    [[[0, 0, 0], [1, 1, 1], [1, 1, 1], [0, 0, 0]]],
    [[[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0]]],
  ]);
  batch.img.dispose();
  a.dispose();
  b.dispose();
});

test('option errors name the option', () => {
  const ds = new Dataset([1, 2]);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /DataLoader: batchSize must be an integer >= 1, got 0/);
  assert.throws(() => new DataLoader(ds, { shufle: true } as never), /shufle.*shuffle/s);
  assert.throws(() => new DataLoader(ds, { sampler: [0, 1], shuffle: true }), /sampler and shuffle/);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'dataloader tests leaked tensors');
});

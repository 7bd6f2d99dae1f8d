// CacheDataset / SmartCacheDataset built on worker threads (numWorkers, numInitWorkers): the cache equals
// the one built on the main thread byte for byte (tensors, metadata, applied operations) on the spleen
// chain over small NIfTI files; a failing item names its index and transform; the worker threads end
// and no tensor is left; a pipeline that cannot travel builds on the main thread with one warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import * as torch from '@monai-ts/torch';
import { CacheDataset } from '../../src/data/dataset.js';
import { SmartCacheDataset } from '../../src/data/smart_cache.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';
import { WorkerItemError } from '../../src/data/worker_pool.js';
import { disposeItem } from '../../src/data/item_codec.js';
import { writeNifti } from '../../src/data/formats/nifti.js';
import { LoadImaged } from '../../src/transforms/io/dictionary.js';
import { EnsureChannelFirstd } from '../../src/transforms/utility/ensure_channel_first.js';
import { Orientationd, Spacingd } from '../../src/transforms/spatial/dictionary.js';
import { RandFlipd } from '../../src/transforms/spatial/dictionary_random.js';
import { ScaleIntensityRanged } from '../../src/transforms/intensity/dictionary.js';
import { CropForegroundd } from '../../src/transforms/croppad/dictionary.js';
import { Lambdad } from '../../src/transforms/utility/dictionary.js';
import { loadTransformRegistry, registerTransforms } from '../../src/transforms/serialize.js';
import type { TransformLike } from '../../src/transforms/transform.js';
import { FailAt, MakeItem, TagThread } from './helpers/loader_transforms.js';

const HELPERS = new URL('./helpers/loader_transforms.ts', import.meta.url).href;
const start = torch.memory().liveTensors;
let dir = '';
let files: { image: string; label: string }[] = [];

/** OS threads of this process (Linux): worker threads and their libtorch pools show up here. */
function threadCount(): number {
  return Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]);
}

async function threadsBackTo(n: number): Promise<number> {
  for (let k = 0; k < 100 && threadCount() > n; k++) await new Promise((r) => setTimeout(r, 50));
  return threadCount();
}

before(async () => {
  await loadTransformRegistry();
  await registerTransforms(HELPERS);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-workers-'));
  // small CT-like volumes with an LPS-style anisotropic affine, as the spleen task's
  files = Array.from({ length: 5 }, (_, k) => {
    const image = path.join(dir, `img${k}.nii.gz`);
    const label = path.join(dir, `lab${k}.nii.gz`);
    const affine = new Float64Array([-0.8, 0, 0, 10 + k, 0, -0.75, 0, -5, 0, 0, 3, 2 * k, 0, 0, 0, 1]);
    torch.tidy(() => {
      const g = new torch.Generator().manualSeed(k);
      const img = torch.randint(-300, 400, [7, 18, 20], { generator: g }).to({ dtype: 'int16' }).contiguous();
      const lab = img.gt(150).to({ dtype: 'uint8' }).contiguous();
      const write = (f: string, t: torch.Tensor, element: 'int16' | 'uint8') =>
        t.withData((d) => writeNifti(f, { shape: [20, 18, 7], element, data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength), affine }));
      write(image, img, 'int16');
      write(label, lab, 'uint8');
    });
    return { image, label };
  });
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

function spleenChain(random = true): TransformLike[] {
  const keys = ['image', 'label'];
  return [
    new LoadImaged({ keys }),
    new EnsureChannelFirstd({ keys }),
    new Orientationd({ keys, axcodes: 'RAS' }),
    new Spacingd({ keys, pixdim: [1.5, 1.5, 2.0], mode: ['bilinear', 'nearest'] }),
    new ScaleIntensityRanged({ keys: ['image'], aMin: -57, aMax: 164, bMin: 0, bMax: 1, clip: true }),
    new CropForegroundd({ keys, sourceKey: 'image' }),
    ...(random ? [new RandFlipd({ keys, prob: 0.5, spatialAxis: 0 })] : []),
  ];
}

/** An item as comparable plain data: each tensor's dtype, shape and bytes, its metadata and applied operations. */
function snapshot(v: unknown): unknown {
  if (v instanceof torch.Tensor) {
    const bytes = Buffer.from(v.withData((d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice())).toString('base64');
    const base = { dtype: v.dtype, shape: v.shape, bytes };
    return v instanceof MetaTensor ? { ...base, meta: snapshot(v.meta), ops: snapshot(v.appliedOperations) } : base;
  }
  if (ArrayBuffer.isView(v)) return { typed: v.constructor.name, values: Array.from(v as Float64Array, Number) };
  if (Array.isArray(v)) return v.map(snapshot);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snapshot(x)]));
  return v;
}

function cacheOf(ds: CacheDataset): unknown[] {
  return (ds as unknown as { cache: unknown[] }).cache;
}

test('numWorkers 2 caches exactly what numWorkers 0 caches (spleen chain, bytes, metadata, applied operations)', () => {
  // one pipeline for both: applied-operation records carry the id of the transform that made them
  const chain = spleenChain();
  const a = new CacheDataset(files, chain, { numWorkers: 0, progress: false });
  const b = new CacheDataset(files, chain, { numWorkers: 2, progress: false });
  assert.equal(cacheOf(b).length, 5);
  const sa = cacheOf(a).map(snapshot);
  const sb = cacheOf(b).map(snapshot);
  assert.deepEqual(sb, sa);
  // cached items are MetaTensors here too, and the random tail runs on them as usual
  const item = cacheOf(b)[3] as { image: MetaTensor; label: MetaTensor };
  assert.ok(item.image instanceof MetaTensor && item.label instanceof MetaTensor);
  assert.equal(item.image.meta.filename_or_obj, files[3].image);
  for (let i = 0; i < 5; i++) {
    a.transform.setRandomState({ seed: 5 + i });
    const x = a.get(i);
    b.transform.setRandomState({ seed: 5 + i });
    const y = b.get(i);
    assert.deepEqual(snapshot(y), snapshot(x));
    disposeItem(x);
    disposeItem(y);
  }
  a.disposeCache();
  b.disposeCache();
});

test('cacheRate and hashAsKey choose the same items with workers; more workers than items is fine', () => {
  const dup = [files[0], files[1], files[0], files[2]];
  const chain = spleenChain(false);
  for (const options of [{ cacheRate: 0.6 }, { hashAsKey: true }]) {
    const a = new CacheDataset(dup, chain, { ...options, numWorkers: 0, progress: false });
    const b = new CacheDataset(dup, chain, { ...options, numWorkers: 3, progress: false });
    assert.equal(b.cacheNum, a.cacheNum, JSON.stringify(options));
    assert.deepEqual(cacheOf(b).map(snapshot), cacheOf(a).map(snapshot), JSON.stringify(options));
    a.disposeCache();
    b.disposeCache();
  }
});

test('a failing item names its index and transform, with or without workers; nothing is left behind', async () => {
  const threads = threadCount();
  const live = torch.memory().liveTensors;
  const data = Array.from({ length: 6 }, (_, i) => i);
  for (const numWorkers of [0, 2]) {
    assert.throws(
      () => new CacheDataset(data, [new MakeItem(), new FailAt(4)], { numWorkers, progress: false }),
      (e: unknown) => {
        assert.ok(e instanceof WorkerItemError, String(e));
        assert.equal(e.index, 4);
        assert.equal(e.transformName, 'FailAt');
        assert.match(e.message, /^CacheDataset: item 4 \(transform FailAt\) failed.*: refusing item 4$/);
        return true;
      },
    );
    assert.equal(torch.memory().liveTensors, live, `numWorkers ${numWorkers}: tensors of the items built before the failure are freed`);
  }
  assert.ok((await threadsBackTo(threads)) <= threads, 'worker threads ended');
});

test('the worker threads end with the build and no tensor is left after disposeCache', async () => {
  const warm = new CacheDataset([0, 1], [new MakeItem()], { numWorkers: 2, progress: false }); // libtorch's own pools start once
  warm.disposeCache();
  const threads = await threadsBackTo(0);
  const live = torch.memory().liveTensors;
  const local = new CacheDataset(Array.from({ length: 8 }, (_, i) => i), [new MakeItem([1, 3, 3])], { numWorkers: 0, progress: false });
  const held = torch.memory().liveTensors - live;
  local.disposeCache();
  const ds = new CacheDataset(Array.from({ length: 8 }, (_, i) => i), [new MakeItem([1, 3, 3])], { numWorkers: 2, progress: false });
  assert.deepEqual(
    cacheOf(ds).map((x) => (x as { id: number }).id),
    [0, 1, 2, 3, 4, 5, 6, 7],
    'order kept',
  );
  assert.ok(held >= 8);
  assert.equal(torch.memory().liveTensors, live + held, 'the cache holds as many tensors as one built on this thread');
  ds.disposeCache();
  assert.equal(torch.memory().liveTensors, live);
  assert.ok((await threadsBackTo(threads)) <= threads, `threads back to ${threads}, found ${threadCount()}`);
});

test('a closure in the cached prefix: main-thread build with one MonaiWorkerWarning; after the boundary: still workers', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const double = (x: unknown) => (x as torch.Tensor).mul(2);
    const prefix = [new MakeItem([1, 2, 2]), new Lambdad({ keys: ['img'], func: double })];
    const a = new CacheDataset([0, 1, 2], prefix, { numWorkers: 0, progress: false });
    const b = new CacheDataset([0, 1, 2], prefix, { numWorkers: 2, progress: false });
    assert.deepEqual(cacheOf(b).map(snapshot), cacheOf(a).map(snapshot));
    await new Promise((r) => setImmediate(r)); // warnings are emitted on a later tick
    const ours = warnings.filter((w) => w.name === 'MonaiWorkerWarning');
    assert.equal(ours.length, 1);
    assert.match(ours[0].message, /^CacheDataset: numWorkers=2 but .*func.* building the cache on this thread instead/);
    // a plain function ends the cached prefix; it stays on this thread and the prefix goes to workers
    const threaded = new CacheDataset([0, 1, 2], [new MakeItem([1, 2, 2]), new TagThread(), (d: unknown) => d], { numWorkers: 2, progress: false });
    assert.ok(cacheOf(threaded).every((x) => (x as { thread: number }).thread !== threadId), 'built by worker threads');
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => w.name === 'MonaiWorkerWarning').length, 1, 'no second warning');
    for (const ds of [a, b, threaded]) ds.disposeCache();
  } finally {
    process.off('warning', onWarning);
  }
});

test('SmartCacheDataset numInitWorkers builds the first cache on workers, equal to the main-thread one', () => {
  const opts = { cacheNum: 3, replaceRate: 0.5, shuffle: true, seed: 3, progress: false };
  const chain = spleenChain(false);
  const a = new SmartCacheDataset(files, chain, { ...opts, numInitWorkers: 0 });
  const b = new SmartCacheDataset(files, chain, { ...opts, numInitWorkers: 2 });
  assert.deepEqual(cacheOf(b).map(snapshot), cacheOf(a).map(snapshot));
  a.disposeCache();
  b.disposeCache();
});

test('SmartCacheDataset numReplaceWorkers: replacements computed by workers give the same rounds; errors name the item', async () => {
  const threads = threadCount();
  const data = Array.from({ length: 9 }, (_, i) => i);
  const rounds = (numReplaceWorkers: number): number[][] => {
    const ds = new SmartCacheDataset(data, [new MakeItem([1, 2, 2]), new TagThread()], { cacheNum: 4, replaceRate: 0.5, shuffle: true, seed: 7, numReplaceWorkers, progress: false });
    const ids = (): number[] => cacheOf(ds).map((x) => (x as { id: number }).id);
    const out = [ids()];
    ds.start();
    for (let r = 0; r < 3; r++) {
      ds.updateCache();
      out.push(ids());
      const replaced = cacheOf(ds).slice(2) as { thread: number }[];
      assert.ok(replaced.every((x) => (x.thread !== threadId) === numReplaceWorkers > 1), 'replacements come from workers exactly when asked');
    }
    ds.shutdown();
    ds.start(); // restarts at position 0, as MONAI
    ds.updateCache();
    out.push(ids());
    // each cached item holds its own value
    for (const x of cacheOf(ds) as { id: number; img: torch.Tensor }[]) assert.deepEqual(Array.from(x.img.data() as Float32Array), [x.id, x.id, x.id, x.id]);
    ds.disposeCache();
    return out;
  };
  assert.deepEqual(rounds(2), rounds(1));
  const failing = new SmartCacheDataset(data, [new MakeItem([1, 2, 2]), new FailAt(5)], { cacheNum: 4, replaceRate: 0.5, shuffle: false, numReplaceWorkers: 2, progress: false });
  failing.start();
  // round 1 replaces with items 4 and 5: item 5 fails in a worker
  assert.throws(() => failing.updateCache(), (e: unknown) => e instanceof WorkerItemError && e.index === 5 && e.transformName === 'FailAt');
  failing.disposeCache();
  assert.ok((await threadsBackTo(threads)) <= threads, 'replacement workers end with shutdown/disposeCache');
});

test('constructed before the transform registry is loaded: built on this thread, one warning saying what to call', () => {
  const child = new URL('./helpers/cache_no_registry.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', child], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { cached: number; live: number; warnings: { name: string; code?: string; message: string }[] };
  assert.equal(out.cached, 3);
  assert.equal(out.live, 0);
  assert.equal(out.warnings.length, 1);
  assert.equal(out.warnings[0].code, 'MONAI_TS_REGISTRY_NOT_LOADED');
  assert.match(out.warnings[0].message, /^CacheDataset: numWorkers=2, but the transform registry is not loaded yet.*await loadTransformRegistry\(\)/);
});

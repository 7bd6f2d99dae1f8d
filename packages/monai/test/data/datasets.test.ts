// Dataset, CacheDataset, PersistentDataset, ZipDataset and ArrayDataset against MONAI 1.4 (goldens from
// tools/goldens/data/make_datasets.py): a seeded pipeline with a deterministic prefix and random
// transforms, read twice over (successive draws compared too), values at 1e-6 (float32); plus cache
// boundaries, PersistentDataset's handling of corrupt and foreign files, slicing and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { ArrayDataset, CacheDataset, Dataset, PersistentDataset, ZipDataset, jsonHashing } from '../../src/data/dataset.js';
import { disposeItem } from '../../src/data/item_codec.js';
import { Compose } from '../../src/transforms/compose.js';
import { RandFlip } from '../../src/transforms/spatial/array_random.js';
import { RandFlipd } from '../../src/transforms/spatial/dictionary_random.js';
import { RandShiftIntensity, ScaleIntensity } from '../../src/transforms/intensity/array/shift_scale.js';
import { RandShiftIntensityd, ScaleIntensityd } from '../../src/transforms/intensity/dictionary.js';
import { Transform } from '../../src/transforms/transform.js';
import { assertClose, readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-datasets-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const G = readGolden('data/datasets.json') as Record<string, unknown[]>;
const TOL = { rtol: 1e-6, atol: 1e-6 };

const items = () => Array.from({ length: 5 }, (_, i) => ({ img: torch.tidy(() => torch.arange(20, { dtype: 'float32' }).reshape([1, 4, 5]).mul(i + 1).add(i)) }));
const pipeline = () =>
  new Compose([new ScaleIntensityd({ keys: 'img' }), new RandFlipd({ keys: 'img', prob: 0.5, spatialAxis: 0 }), new RandShiftIntensityd({ keys: 'img', offsets: 0.5, prob: 0.8 })]).setRandomState({ seed: 42 });

function readAll(ds: { get(i: number): unknown }, order: number[], name: string): void {
  const expected = G[name] as number[][];
  order.forEach((i, k) => {
    const item = ds.get(i) as { img: torch.Tensor };
    assertClose(values(item.img), expected[k], TOL, `${name} read ${k} (item ${i})`);
    disposeItem(item);
  });
}

test('Dataset and CacheDataset give MONAI 1.4 outputs for the same seed, read after read', () => {
  const order = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
  for (const [name, make] of [
    ['Dataset', (d: unknown[]) => new Dataset(d, pipeline())],
    ['CacheDataset', (d: unknown[]) => new CacheDataset(d, pipeline(), { progress: false })],
    ['CacheDatasetRate', (d: unknown[]) => new CacheDataset(d, pipeline(), { cacheRate: 0.4, progress: false })],
  ] as const) {
    const data = items();
    const ds = make(data);
    readAll(ds, order, name);
    if (ds instanceof CacheDataset) {
      assert.equal(ds.cacheNum, name === 'CacheDatasetRate' ? 2 : 5);
      ds.disposeCache();
    }
    disposeItem(data);
  }
});

test('PersistentDataset: MONAI outputs, one atomic file per item, reused, corrupt or foreign files recomputed', () => {
  const dir = path.join(tmp, 'persistent');
  const data = items();
  const ds = new PersistentDataset(data, pipeline(), { cacheDir: dir });
  readAll(ds, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'PersistentDataset');
  const files = fs.readdirSync(dir).sort();
  assert.equal(files.length, 5, 'one cache file per item, no temporary files');
  assert.ok(files.every((f) => f.endsWith('.safetensors')));
  // a second dataset reads the files (same key) and gets the same values
  const again = new PersistentDataset(data, pipeline(), { cacheDir: dir });
  readAll(again, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'PersistentDataset');
  // corrupt one file (truncate), and copy another item's file over a third: both are recomputed, with a warning
  const f0 = ds.cacheFile(data[0])!;
  const f1 = ds.cacheFile(data[1])!;
  const f2 = ds.cacheFile(data[2])!;
  fs.truncateSync(f0, 40);
  fs.copyFileSync(f1, f2);
  const warned: string[] = [];
  const orig = process.emitWarning;
  process.emitWarning = ((w: string | Error) => void warned.push(String(w))) as typeof process.emitWarning;
  try {
    readAll(new PersistentDataset(data, pipeline(), { cacheDir: dir }), [0, 1, 2, 3, 4], 'PersistentDataset');
  } finally {
    process.emitWarning = orig;
  }
  assert.equal(warned.length, 2, `two files recomputed: ${warned.join(' | ')}`);
  assert.ok(warned.some((w) => /written for key/.test(w)), 'the foreign file is named as written for another key');
  assert.ok(fs.statSync(f0).size > 40, 'the truncated file was rewritten');
  // a different deterministic prefix changes the key: no stale file is used
  const other = new PersistentDataset(data, new Compose([new ScaleIntensityd({ keys: 'img', minv: -1 })]), { cacheDir: dir });
  const v = other.get(0) as { img: torch.Tensor };
  assert.equal(Math.min(...values(v.img)), -1);
  assert.equal(fs.readdirSync(dir).length, 6);
  disposeItem(v);
  disposeItem(data);
});

test('ArrayDataset reseeds image and segmentation transforms alike; ZipDataset concatenates', () => {
  const imgs = Array.from({ length: 4 }, (_, i) => torch.tidy(() => torch.arange(12, { dtype: 'float32' }).reshape([1, 3, 4]).add(10 * i)));
  const segs = Array.from({ length: 4 }, (_, i) => torch.tidy(() => torch.arange(12, { dtype: 'float32' }).reshape([1, 3, 4]).remainder(3).add(i)));
  const imgT = new Compose([new ScaleIntensity(), new RandFlip({ prob: 0.5, spatialAxis: 1 }), new RandShiftIntensity({ offsets: 1.0, prob: 0.9 })]);
  const segT = new Compose([new RandFlip({ prob: 0.5, spatialAxis: 1 })]);
  const ads = new ArrayDataset({ img: imgs, imgTransform: imgT, seg: segs, segTransform: segT, labels: [0, 1, 2, 3] });
  ads.setRandomState({ seed: 7 });
  const expected = G.ArrayDataset as [number[], number[], number][];
  [0, 1, 2, 3, 0, 1, 2, 3].forEach((i, k) => {
    const [img, seg, label] = ads.get(i) as [torch.Tensor, torch.Tensor, number];
    assertClose(values(img), expected[k][0], TOL, `ArrayDataset read ${k} image`);
    assertClose(values(seg), expected[k][1], TOL, `ArrayDataset read ${k} seg`);
    assert.equal(label, expected[k][2]);
    img.dispose();
    seg.dispose();
  });
  const zds = new ZipDataset([new Dataset(imgs), new Dataset(segs)]);
  (G.ZipDataset as number[][][]).forEach((exp, i) => {
    const [a, b] = zds.get(i) as torch.Tensor[];
    assert.deepEqual([values(a), values(b)], exp);
    a.dispose(); // aliases: the caller's to free, the dataset's arrays stay
    b.dispose();
  });
  disposeItem(imgs);
  disposeItem(segs);
});

test('the cache holds the deterministic prefix only; copies protect it; slices and negative indices', () => {
  let calls = 0;
  class Count extends Transform {
    call(d: { v: number }) {
      calls++;
      return { v: d.v * 10 };
    }
  }
  const ds = new CacheDataset([{ v: 1 }, { v: 2 }, { v: 3 }], new Compose([new Count(), (d: unknown) => ({ v: (d as { v: number }).v + 1 })]), { progress: false });
  assert.equal(calls, 3, 'the deterministic prefix ran once per item at construction');
  assert.deepEqual(ds.get(0), { v: 11 });
  assert.deepEqual(ds.get(-1), { v: 31 });
  assert.equal(calls, 3, 'the cached prefix is not run again; the function after it is');
  assert.deepEqual([0, 1].map((i) => ds.subset({ start: 1 }).get(i)), [{ v: 21 }, { v: 31 }]);
  assert.deepEqual(ds.subset({ step: -1 }).get(0), { v: 31 });
  assert.deepEqual(ds.subset([2, 0]).get(1), { v: 11 });
  assert.throws(() => ds.get(3), /CacheDataset: index 3 is out of range for 3 items/);
  // hashAsKey: duplicate items share one cache entry
  calls = 0;
  const dup = new CacheDataset([{ v: 1 }, { v: 1 }, { v: 2 }], new Compose([new Count()]), { hashAsKey: true, progress: false });
  assert.equal(dup.cacheNum, 2);
  assert.equal(calls, 2);
  assert.deepEqual(dup.get(0), { v: 10 });
  assert.equal(jsonHashing({ b: [1, 2.5], a: 'x' }), '3056a60569091ba6181a348bdaf765fc', 'md5 of Python json.dumps(sort_keys=True)');
});

test('bad input names the dataset and the option', () => {
  assert.throws(() => new Dataset('x' as never), /Dataset: data must be an array/);
  assert.throws(() => new CacheDataset([], null, { cacheRat: 1 } as never), /CacheDataset: unknown option 'cacheRat'/);
  assert.throws(() => new CacheDataset([], null, { cacheRate: 2 }), /cacheRate must be in \[0, 1\], got 2/);
  assert.throws(() => new PersistentDataset([], null, {} as never), /PersistentDataset: cacheDir is required/);
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, 'x');
  assert.throws(() => new PersistentDataset([], null, { cacheDir: file }), /exists and is not a folder/);
  assert.throws(() => new ArrayDataset({ img: [], sge: [] } as never), /ArrayDataset: unknown option 'sge'/);
});

test('what a dataset hands out is the caller\'s: disposing it leaves the data list and the cache intact', () => {
  const data = [{ img: torch.ones([1, 2, 2]) }, { img: torch.zeros([1, 2, 2]) }];
  const plain = new Dataset(data);
  const cached = new CacheDataset(data, null, { progress: false, copyCache: false });
  for (let round = 0; round < 2; round++) {
    for (const ds of [plain, cached]) {
      const before = torch.memory().liveTensors;
      const item = ds.get(0) as { img: torch.Tensor };
      assert.notEqual(item.img, data[0].img, 'a new handle');
      assert.deepEqual(values(item.img), [1, 1, 1, 1]);
      item.img.dispose();
      assert.equal(torch.memory().liveTensors, before, 'only the handed-out alias was made');
    }
  }
  assert.ok(!data[0].img.isDisposed);
  const zip = new ZipDataset([plain, plain], (x: unknown) => [(x as { img: torch.Tensor }[])[0].img.add(1)]);
  const before = torch.memory().liveTensors;
  const [z] = zip.get(1) as torch.Tensor[];
  assert.equal(torch.memory().liveTensors, before + 1, 'the zipped parts the transform dropped are freed');
  z.dispose();
  cached.disposeCache();
  disposeItem(data);
});

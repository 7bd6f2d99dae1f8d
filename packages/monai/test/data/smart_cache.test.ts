// SmartCacheDataset against MONAI 1.4 (goldens from tools/goldens/data/make_smartcache.py): the item ids
// cached after construction, after each updateCache round and after a shutdown and restart, for 5, 8 and
// 9 items, cacheNum 4, replace rates 0.25/0.3/0.5/1, shuffle off and on (seeds 0 and 7). Also: values of
// cached items, replacement work done on the event loop, replaced tensors freed, options and errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { SmartCacheDataset } from '../../src/data/smart_cache.js';
import { disposeItem } from '../../src/data/item_codec.js';
import { Transform } from '../../src/transforms/transform.js';
import { readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

interface Case { n: number; replaceRate: number; shuffle: boolean; seed: number; order: number[]; rounds: number[][]; afterRestart: number[][] }
const G = readGolden('data/smartcache.json') as Case[];

type Item = { id: number; img: torch.Tensor };
/** A deterministic library transform (so it is cached) that counts its calls. */
class AddOne extends Transform {
  calls = 0;
  call(d: unknown): unknown {
    this.calls++;
    const x = d as Item;
    return { id: x.id, img: x.img.add(1) };
  }
}
const makeData = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ id: i, img: torch.full([1, 2, 2], i) }));
const freeData = (data: Item[]) => data.forEach((d) => d.img.dispose());

function ids(ds: SmartCacheDataset): number[] {
  return Array.from({ length: ds.length }, (_, i) => {
    const item = ds.get(i) as Item;
    // the cached value went through the pipeline once: id + 1 everywhere
    assert.deepEqual(values(item.img), [item.id + 1, item.id + 1, item.id + 1, item.id + 1]);
    const id = item.id;
    disposeItem(item);
    return id;
  });
}

test('SmartCacheDataset: cached ids per round equal MONAI 1.4 (36 cases)', () => {
  assert.equal(G.length, 36);
  for (const c of G) {
    const what = `n=${c.n} replaceRate=${c.replaceRate} shuffle=${c.shuffle} seed=${c.seed}`;
    const data = makeData(c.n);
    const ds = new SmartCacheDataset(data, new AddOne(), { replaceRate: c.replaceRate, cacheNum: 4, progress: false, shuffle: c.shuffle, seed: c.seed });
    assert.deepEqual((ds.data as Item[]).map((d) => d.id), c.order, `${what}: data order`);
    const live = torch.memory().liveTensors;
    const rounds = [ids(ds)];
    ds.start();
    for (let r = 1; r < c.rounds.length; r++) {
      ds.updateCache();
      rounds.push(ids(ds));
    }
    assert.deepEqual(rounds, c.rounds, `${what}: rounds`);
    ds.shutdown();
    assert.equal(torch.memory().liveTensors, live, `${what}: replaced items and discarded replacements freed`);
    const restart: number[][] = [];
    for (let r = 0; r < c.afterRestart.length; r++) {
      ds.updateCache();
      restart.push(ids(ds));
    }
    assert.deepEqual(restart, c.afterRestart, `${what}: after restart`);
    ds.shutdown();
    ds.disposeCache();
    freeData(data);
  }
});

test('SmartCacheDataset: replacements are computed on the event loop between steps', async () => {
  const data = makeData(9);
  const t = new AddOne();
  const ds = new SmartCacheDataset(data, t, { replaceRate: 0.5, cacheNum: 4, shuffle: false, progress: false });
  assert.equal(t.calls, 4, 'first cache: 4 items');
  assert.equal(ds.isStarted(), false);
  ds.start();
  assert.equal(ds.isStarted(), true);
  assert.equal(t.calls, 4, 'start() itself computes nothing');
  for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
  assert.equal(t.calls, 6, 'both replacements ready in the background');
  ds.updateCache();
  assert.equal(t.calls, 6, 'updateCache used the prepared replacements');
  assert.deepEqual(ids(ds), [2, 3, 4, 5]);
  ds.updateCache(); // not prepared yet: computed synchronously
  assert.equal(t.calls, 8);
  assert.deepEqual(ids(ds), [4, 5, 6, 7]);
  ds.shutdown();
  assert.equal(ds.isStarted(), false);
  for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
  assert.equal(t.calls, 8, 'nothing runs after shutdown');
  ds.disposeCache();
  freeData(data);
});

test('SmartCacheDataset: a failing replacement surfaces in updateCache', async () => {
  const data = makeData(6);
  class FailOn5 extends Transform {
    call(d: unknown): unknown {
      if ((d as Item).id === 5) throw new Error('bad item 5');
      return { id: (d as Item).id, img: (d as Item).img.add(1) };
    }
  }
  const ds = new SmartCacheDataset(data, new FailOn5(), { replaceRate: 0.5, cacheNum: 4, shuffle: false, progress: false });
  ds.start();
  for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
  assert.throws(() => ds.updateCache(), /bad item 5/);
  ds.shutdown();
  ds.disposeCache();
  freeData(data);
});

test('SmartCacheDataset: setData reshuffles and rebuilds; options are checked', () => {
  const data = makeData(8);
  const ds = new SmartCacheDataset(data, new AddOne(), { replaceRate: 0.25, cacheNum: 4, progress: false, seed: 3 });
  ds.start();
  ds.updateCache();
  ds.setData(data);
  assert.equal(ds.isStarted(), false, 'setData shut replacement down');
  assert.equal(ds.length, 4);
  ds.updateCache();
  assert.equal(ds.length, 4);
  ds.shutdown();
  ds.disposeCache();
  assert.throws(() => new SmartCacheDataset(data, null, { replaceRate: 0 }), /replaceRate must be > 0.*got 0/);
  assert.throws(() => new SmartCacheDataset(data, null, { replaceRat: 0.2 } as never), /unknown option 'replaceRat'.*replaceRate/);
  assert.throws(() => new SmartCacheDataset(data, null, { seed: -1 }), /seed must be a non-negative integer/);
  freeData(data);
});

test('with no transform the caches hold aliases: replacing or freeing them never frees the caller\'s tensors', async () => {
  const { CacheDataset } = await import('../../src/data/dataset.js');
  const data = Array.from({ length: 5 }, (_, i) => ({ img: torch.full([2], i) }));
  const smart = new SmartCacheDataset(data, null, { cacheNum: 2, replaceRate: 0.5, progress: false });
  smart.start();
  for (let r = 0; r < 4; r++) smart.updateCache();
  smart.shutdown();
  smart.disposeCache();
  const plain = new CacheDataset(data, null, { progress: false });
  const got = plain.get(3) as { img: torch.Tensor };
  got.img.dispose();
  plain.disposeCache();
  for (const [i, d] of data.entries()) assert.deepEqual(d.img.toArray(), [i, i], `item ${i} is still the caller's`);
  torch.dispose(data.map((d) => d.img));
});

// CacheNTransDataset: the first N top-level transforms are cached on disk (a plain function, which
// stops PersistentDataset's caching, included), the rest run on every get; the cache key changes with N.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { CacheNTransDataset } from '../../src/data/cache_n_trans.js';
import { disposeItem } from '../../src/data/item_codec.js';
import { Transform } from '../../src/transforms/transform.js';
import { values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-cachentrans-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

class Load extends Transform {
  calls = 0;
  call(d: unknown): unknown {
    this.calls++;
    return { img: torch.full([2], (d as { id: number }).id) };
  }
}
class AddOne extends Transform {
  calls = 0;
  call(d: unknown): unknown {
    this.calls++;
    return { img: (d as { img: torch.Tensor }).img.add(1) };
  }
}

test('CacheNTransDataset: caches the first N transforms, a plain function included', () => {
  const load = new Load();
  const stats = { fn: 0 };
  const double = (d: unknown) => {
    stats.fn++;
    return { img: (d as { img: torch.Tensor }).img.mul(2) };
  };
  const add = new AddOne();
  const data = [{ id: 1 }, { id: 2 }];
  const dir = path.join(tmp, 'n2');
  const ds = new CacheNTransDataset(data, [load, double, add], { cacheNTrans: 2, cacheDir: dir });
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 2; i++) {
      const item = ds.get(i) as { img: torch.Tensor };
      assert.deepEqual(values(item.img), [(i + 1) * 2 + 1, (i + 1) * 2 + 1]);
      disposeItem(item);
    }
  }
  assert.deepEqual([load.calls, stats.fn, add.calls], [2, 2, 4], 'first two transforms once per item, the third on every get');
  assert.equal(fs.readdirSync(dir).length, 2);
  // a dataset caching a different number of transforms does not read these files
  const ds1 = new CacheNTransDataset(data, [load, double, add], { cacheNTrans: 1, cacheDir: dir });
  const item = ds1.get(0) as { img: torch.Tensor };
  assert.deepEqual(values(item.img), [3, 3]);
  disposeItem(item);
  assert.equal(load.calls, 3, 'cacheNTrans 1 computed its own entry');
  // N past the end caches everything; 0 caches the untransformed item
  const all = new CacheNTransDataset(data, [load, double, add], { cacheNTrans: 5, cacheDir: null });
  const full = all.get(1) as { img: torch.Tensor };
  assert.deepEqual(values(full.img), [5, 5]);
  disposeItem(full);
});

test('CacheNTransDataset: bad cacheNTrans is refused', () => {
  assert.throws(() => new CacheNTransDataset([], [], { cacheNTrans: -1, cacheDir: null }), /cacheNTrans must be a non-negative integer, got -1/);
  assert.throws(() => new CacheNTransDataset([], [], { cacheNTrans: 1.5, cacheDir: null }), /cacheNTrans must be a non-negative integer, got 1.5/);
  assert.throws(() => new CacheNTransDataset([], [], { cacheNTrans: 1, cacheDir: null, cacheNtrans: 2 } as never), /unknown option 'cacheNtrans'/);
});

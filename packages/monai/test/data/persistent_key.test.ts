// PersistentDataset's transform hash is md5 of describeTransform's key-mode description (one walker for
// workers and keys): stable across instances and transform ids, changed by any setting, tensors by
// content; and tensorsOf (the one item walker Compose and the datasets share), shallow and deep, both in one walk.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { PersistentDataset, describeTransformsHash } from '../../src/data/dataset.js';
import { disposeItem, tensorsOf } from '../../src/data/item_codec.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';
import { MaskIntensity } from '../../src/transforms/intensity/array/normalize.js';
import { ScaleIntensityd } from '../../src/transforms/intensity/dictionary.js';
import { describeTransform } from '../../src/transforms/serialize.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-pkey-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

test('the transform hash is md5 of describeTransform(forKey) and ignores transform ids', () => {
  const ts = [new ScaleIntensityd({ keys: 'img', minv: -1 })];
  const { root } = describeTransform(ts, 'transforms', { forKey: true });
  assert.equal(describeTransformsHash(ts), createHash('md5').update(JSON.stringify(root)).digest('hex'));
  // a new instance has another transformId but computes the same: same key
  assert.equal(describeTransformsHash([new ScaleIntensityd({ keys: 'img', minv: -1 })]), describeTransformsHash(ts));
  assert.notEqual(describeTransformsHash([new ScaleIntensityd({ keys: 'img', minv: -2 })]), describeTransformsHash(ts));
  assert.ok(!JSON.stringify(root).includes('transformId'));
});

test('a tensor setting enters the key by content (the old hash left tensors out)', () => {
  const a = torch.tensor([[[1, 0, 1]]]);
  const b = torch.tensor([[[1, 1, 1]]]);
  const a2 = a.clone();
  const ha = describeTransformsHash([new MaskIntensity({ maskData: a })]);
  assert.equal(describeTransformsHash([new MaskIntensity({ maskData: a2 })]), ha, 'equal content, equal key');
  assert.notEqual(describeTransformsHash([new MaskIntensity({ maskData: b })]), ha, 'other mask, other key');
  // nothing is shared or parked in key mode
  assert.equal(torch.memory().liveTensors, start + 3);
  // the cache files of two datasets differing only in the mask do not collide
  const data = [{ x: 1 }];
  const pa = new PersistentDataset(data, [new MaskIntensity({ maskData: a })], { cacheDir: path.join(tmp, 'k') });
  const pb = new PersistentDataset(data, [new MaskIntensity({ maskData: b })], { cacheDir: path.join(tmp, 'k') });
  assert.notEqual(pa.cacheFile(data[0]), pb.cacheFile(data[0]));
  [a, b, a2].forEach((t) => t.dispose());
});

test('tensorsOf: shallow by default, metadata tensors with deep; shared parts and cycles once', () => {
  const m = MetaTensor.wrap(torch.zeros([1, 2]));
  const extra = torch.ones([2]);
  m.meta.extra = extra as never;
  const plain = torch.ones([1]);
  const item: Record<string, unknown> = { a: m, b: [plain, { c: plain }], n: new Float32Array(2) };
  item.self = item;
  const shallow = tensorsOf(item);
  assert.deepEqual(new Set(shallow), new Set([m, plain]));
  const deep = tensorsOf(item, true);
  assert.ok(deep.has(extra) && deep.has(m) && deep.has(plain));
  assert.ok(deep.size > shallow.size);
  // one deep walk can also give the shallow set (Compose's per-step walk); a tensor held by the item and
  // by some metadata counts as the item's
  const both = new Set<torch.Tensor>();
  m.meta.alsoPlain = plain as never;
  assert.deepEqual(tensorsOf(item, true, new Set(), both), deep);
  assert.deepEqual(both, shallow);
  delete m.meta.alsoPlain;
  delete item.self;
  disposeItem(item);
  for (const t of deep) if (!t.isDisposed) t.dispose();
});

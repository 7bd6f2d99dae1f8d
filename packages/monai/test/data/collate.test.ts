// listDataCollate / decollateBatch on MetaTensors against MONAI 1.4's own list_data_collate and
// decollate_batch (tools/goldens/data/collate.py): the batched tensor, isBatch, the batched affine
// ([B, 4, 4] values), every collated metadata key, and each decollated item's tensor, affine and
// metadata; also for dict items ({ image, label, id }).
// Where the representations differ the values are compared: MONAI collates numbers and arrays in
// metadata (and plain numbers in dict items) with torch's default_collate into tensors; we keep
// per-item JS arrays, so a golden tensor is compared as its nested list of values. MONAI keeps the
// per-item applied operations on the batch object, we keep them under meta.applied_operations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { MetaTensor, listDataCollate, decollateBatch, type MetaDict } from '../../src/data/index.js';
import { assertAllClose } from '../../../torch/test/helpers/all_close.js';

const start = torch.memory().liveTensors;
const here = path.dirname(fileURLToPath(import.meta.url));
const G = JSON.parse(fs.readFileSync(path.join(here, '..', 'fixtures', 'data', 'collate.json'), 'utf8'));

interface GTensor {
  tensor: unknown;
  dtype: string;
  shape: number[];
}
interface Described {
  shape: number[];
  dtype: string;
  data: (number | boolean)[];
  is_batch: boolean;
  affine: GTensor;
  meta: Record<string, unknown>;
}

/** Values of a metadata entry in a comparable form: golden tensors as nested lists, typed arrays as arrays. */
function norm(v: unknown): unknown {
  if (v && typeof v === 'object' && 'tensor' in (v as object) && 'dtype' in (v as object)) return (v as GTensor).tensor;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

function items(): MetaTensor[] {
  return G.items.map((it: { data: number[]; shape: number[]; affine: number[]; meta: Record<string, unknown> }) =>
    MetaTensor.wrap(torch.tidy(() => torch.tensor(it.data, { dtype: 'float32' }).reshape(it.shape)), {
      affine: Float64Array.from(it.affine),
      meta: norm(it.meta) as MetaDict,
    }),
  );
}

/** Compares our MetaTensor with MONAI's description of one (tensor, affine, meta keys and values). */
function compareMetaTensor(ours: unknown, want: Described, what: string, batch: number | null): void {
  assert.ok(ours instanceof MetaTensor, `${what}: a MetaTensor`);
  const t = ours as MetaTensor;
  assert.deepEqual(t.shape, want.shape, `${what}: shape`);
  assert.equal(t.dtype, want.dtype, `${what}: dtype`);
  assert.equal(t.isBatch, want.is_batch, `${what}: isBatch`);
  assertAllClose(t, want.data.map(Number), { what: `${what}: data` });
  // the affine: [B, 4, 4] for a batch (stored flat, B * 16 values), 4x4 for an item
  assert.deepEqual(want.affine.shape, batch === null ? [4, 4] : [batch, 4, 4]);
  assert.equal(t.affine.length, batch === null ? 16 : 16 * batch, `${what}: affine length`);
  assertAllClose(t.affine, flat(want.affine.tensor), { what: `${what}: affine` });
  const ourKeys = Object.keys(t.meta).filter((k) => k !== 'applied_operations').sort();
  assert.deepEqual(ourKeys, Object.keys(want.meta).sort(), `${what}: meta keys`);
  for (const [k, v] of Object.entries(want.meta)) {
    if (k === 'affine') continue;
    assert.deepEqual(norm(t.meta[k]), norm(v), `${what}: meta.${k}`);
  }
}

test('a list of MetaTensors collates as MONAI does: stacked data, isBatch, [B, 4, 4] affine, per-item meta', () => {
  const xs = items();
  const batch = listDataCollate(xs) as MetaTensor;
  try {
    compareMetaTensor(batch, G.batch, 'batch', xs.length);
    // MONAI keeps one applied-operations entry per item (none here)
    assert.deepEqual(batch.meta.applied_operations, [[], [], []]);
    assert.equal(G.batch.applied_operations.length, 3);
  } finally {
    torch.dispose([...xs, batch]);
  }
});

test('decollateBatch gives back each item as MONAI does: not a batch, its own affine and metadata', () => {
  const xs = items();
  xs[1].appliedOperations.push({ class: 'Flip', id: 7, extra_info: { axes: [0] } } as never);
  const batch = listDataCollate(xs) as MetaTensor;
  const back = decollateBatch(batch) as MetaTensor[];
  try {
    assert.equal(back.length, G.decollated.length);
    back.forEach((b, i) => compareMetaTensor(b, G.decollated[i], `item ${i}`, null));
    assert.deepEqual(back.map((b) => b.appliedOperations.length), [0, 1, 0], 'applied operations travel with their item');
    // items own their metadata: changing one does not change another or the batch
    back[0].meta.filename_or_obj = 'changed';
    back[0].affine[3] = 99;
    assert.equal(back[2].meta.filename_or_obj, G.decollated[2].meta.filename_or_obj);
    assert.equal(batch.affine[3], flat(G.batch.affine.tensor)[3]);
  } finally {
    torch.dispose([...xs, batch, ...back]);
  }
});

test('dict items { image, label, id } collate and decollate as MONAI does', () => {
  const xs = items();
  const labels = xs.map((x) => x.withTensor(x.gt(5)));
  const dictItems = xs.map((x, i) => ({ image: x, label: labels[i], id: i }));
  const batch = listDataCollate(dictItems) as Record<string, unknown>;
  const back = decollateBatch(batch) as Record<string, unknown>[];
  try {
    assert.deepEqual(Object.keys(batch), G.dict_batch.keys);
    compareMetaTensor(batch.image, G.dict_batch.image, 'image batch', 3);
    compareMetaTensor(batch.label, G.dict_batch.label, 'label batch', 3);
    assert.deepEqual(norm(batch.id), norm(G.dict_batch.id), 'id (a tensor in MONAI, a list here)');
    assert.equal(back.length, G.dict_decollated.length);
    back.forEach((d, i) => {
      const want = G.dict_decollated[i];
      assert.deepEqual(Object.keys(d), want.keys, `item ${i}: keys`);
      assert.equal(d.id, want.id, `item ${i}: id`);
      compareMetaTensor(d.image, want.image, `item ${i} image`, null);
      compareMetaTensor(d.label, want.label, `item ${i} label`, null);
    });
  } finally {
    torch.dispose([...xs, ...labels, batch.image as MetaTensor, batch.label as MetaTensor]);
    for (const d of back) torch.dispose([d.image as MetaTensor, d.label as MetaTensor]);
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'collate tests leaked tensors');
});

// Metadata follows ops: every op with a MetaTensor argument returns MetaTensors carrying a deep copy of
// the first MetaTensor argument's meta and applied operations, or for a batch the batch's own objects
// (MONAI 1.4's MetaTensor.__torch_function__),
// while the same op on plain tensors still returns plain tensors. Batches decollate on indexing/unbind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, identityAffine, listDataCollate, decollateBatch } from '../../src/data/index.js';

const F = torch.nn.functional;
const start = torch.memory().liveTensors;

function affineOf(v: number): Float64Array {
  const a = identityAffine();
  a[0] = v;
  a[5] = 2 * v;
  a[3] = -v;
  return a;
}

/** A [1, 4, 5] float32 MetaTensor with an affine, nested metadata and one applied operation. */
function make(v = 1.5, name = 'img.nii'): MetaTensor {
  return MetaTensor.wrap(torch.tidy(() => torch.arange(20, { dtype: 'float32' }).reshape([1, 4, 5]).add(v)), {
    affine: affineOf(v),
    meta: { filename_or_obj: name, spatial_shape: [4, 5], original_channel_dim: 'no_channel', nested: { pixdim: [1, v, 2 * v] } },
    appliedOperations: [{ class: 'Flip', id: 7, extra_info: { axes: [0] } }],
  });
}

type Op = (x: Tensor, plain: Tensor) => Tensor | Tensor[];
// Each op takes the image `x` (a MetaTensor, or its plain copy) and a plain helper tensor of the same shape.
const OPS: Record<string, Op> = {
  'add scalar': (x) => x.add(2),
  'add tensor': (x, p) => x.add(p),
  'torch.add(plain, x)': (x, p) => torch.add(p, x),
  sub: (x, p) => x.sub(p),
  mul: (x) => x.mul(3),
  div: (x) => x.div(2),
  neg: (x) => x.neg(),
  pow: (x) => x.pow(2),
  abs: (x) => x.abs(),
  exp: (x) => x.exp(),
  gt: (x) => x.gt(5),
  eq: (x, p) => x.eq(p),
  le: (x) => x.le(3),
  sum: (x) => x.sum(),
  'mean(dim)': (x) => x.mean([1]),
  amax: (x) => x.amax([1, 2]),
  'max(dim) tuple': (x) => x.max(2),
  argmax: (x) => x.argmax(),
  view: (x) => x.view([4, 5]),
  reshape: (x) => x.reshape([20]),
  permute: (x) => x.permute([0, 2, 1]),
  transpose: (x) => x.transpose(1, 2),
  movedim: (x) => x.movedim(0, 2),
  flip: (x) => x.flip([1]),
  unsqueeze: (x) => x.unsqueeze(0),
  squeeze: (x) => x.squeeze(0),
  'at(0)': (x) => x.at(0),
  'at slices': (x) => x.at(':', '1:3', '::2'),
  'at mask': (x) => x.at(x.gt(10)),
  'at ...': (x) => x.at('...', 0),
  'cat [x, x]': (x) => torch.cat([x, x], 1),
  'cat [plain, x]': (x, p) => torch.cat([p, x]),
  'stack [plain, x]': (x, p) => torch.stack([p, x]),
  'to float64': (x) => x.to('float64'),
  'to int16': (x) => x.to({ dtype: 'int16' }),
  clone: (x) => x.clone(),
  float: (x) => x.double().float(),
  contiguous: (x) => x.permute([0, 2, 1]).contiguous(),
  alias: (x) => x.alias(),
  detach: (x) => x.detach(),
  interpolate: (x) => F.interpolate(x.unsqueeze(0), { scaleFactor: 2, mode: 'bilinear' }),
  pad: (x) => F.pad(x, [1, 2, 0, 1], { mode: 'constant', value: 0 }),
  'pad reflect': (x) => F.pad(x.unsqueeze(0), [1, 1, 1, 1], { mode: 'reflect' }),
  gridSample: (x, p) => F.gridSample(x.unsqueeze(0), p.reshape([1, 2, 5, 2]).div(20), { alignCorners: true }),
  'where(cond, x, 0)': (x, p) => torch.where(p.gt(3), x, 0),
  'where(cond, plain, x)': (x, p) => torch.where(p.gt(3), p, x),
  clamp: (x) => x.clamp(2, 10),
  matmul: (x, p) => x.matmul(p.transpose(1, 2)),
  'conv2d (x as input)': (x) => torch.tidy(() => F.conv2d(x.unsqueeze(0), torch.ones([2, 1, 3, 3]))),
  unbind: (x) => x.unbind(1),
  split: (x) => x.split(2, 1),
  chunk: (x) => x.chunk(2, 2),
  sort: (x) => x.sort({ dim: 2, descending: true }),
};

function flat(r: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(r) ? r : [r];
}

for (const [name, op] of Object.entries(OPS)) {
  test(`op keeps meta and affine: ${name}`, () => {
    const m = make();
    const plain = torch.tidy(() => m.asTensor().clone());
    const helper = torch.tidy(() => torch.arange(20, { dtype: 'float32' }).reshape([1, 4, 5]));
    const before = torch.memory().liveTensors;
    const out = flat(torch.tidy(() => op(m, helper))); // intermediates freed, results kept
    try {
      assert.ok(out.length >= 1);
      for (const r of out) {
        assert.ok(r instanceof MetaTensor, `${name}: result is a MetaTensor`);
        assert.notEqual(r, m);
        assert.equal(r.isBatch, false);
        assert.equal(r.meta.filename_or_obj, 'img.nii');
        assert.deepEqual(Array.from(r.affine), Array.from(m.affine), `${name}: affine`);
        assert.notEqual(r.affine, m.affine, `${name}: affine is a copy`);
        assert.deepEqual(r.meta.nested, m.meta.nested);
        assert.notEqual(r.meta, m.meta);
        assert.notEqual(r.meta.nested, m.meta.nested, `${name}: nested meta is a deep copy`);
        assert.deepEqual(r.appliedOperations, m.appliedOperations);
        assert.notEqual(r.appliedOperations, m.appliedOperations);
        // changing the result's metadata leaves the source untouched
        r.affine[0] = 99;
        (r.meta.nested as { pixdim: number[] }).pixdim[0] = -1;
        r.appliedOperations.push({ class: 'Other' });
      }
      assert.equal(m.affine[0], 1.5);
      assert.deepEqual(m.meta.nested, { pixdim: [1, 1.5, 3] });
      assert.equal(m.appliedOperations.length, 1);
      // same values as on the plain tensor, where the result is a plain Tensor
      const ref = flat(torch.tidy(() => op(plain, helper)));
      try {
        assert.equal(ref.length, out.length);
        ref.forEach((t, i) => {
          assert.equal(t.constructor, Tensor, `${name}: plain input gives a plain Tensor`);
          assert.deepEqual(out[i].shape, t.shape);
          assert.equal(out[i].dtype, t.dtype);
          assert.ok(torch.equal(out[i], t), `${name}: values`);
        });
      } finally {
        torch.dispose(ref);
      }
    } finally {
      torch.dispose(out);
      assert.equal(torch.memory().liveTensors, before, `${name}: only the results were live`);
      torch.dispose([m, plain, helper]);
    }
  });
}

test('in-place ops return the same object and keep its metadata', () => {
  const m = make();
  const meta = m.meta;
  assert.equal(m.add_(1), m);
  assert.equal(m.clamp_(0, 5), m);
  assert.equal(m.meta, meta);
  const p = torch.zeros([1, 4, 5]);
  assert.equal(p.add_(m), p, 'a plain tensor stays plain when a MetaTensor is added in place');
  assert.equal(p.constructor, Tensor);
  torch.dispose([m, p]);
});

test('the first MetaTensor argument provides the metadata', () => {
  const a = make(1, 'a.nii');
  const b = make(2, 'b.nii');
  const r1 = a.add(b) as MetaTensor;
  const r2 = torch.add(b, a) as MetaTensor;
  const r3 = torch.tidy(() => torch.cat([torch.zeros([1, 4, 5]), b, a])) as MetaTensor;
  assert.equal(r1.meta.filename_or_obj, 'a.nii');
  assert.equal(r2.meta.filename_or_obj, 'b.nii');
  assert.equal(r3.meta.filename_or_obj, 'b.nii');
  torch.dispose([a, b, r1, r2, r3]);
});

test('results of ops in a tidy scope are freed like any tensor; kept ones keep their metadata', () => {
  const m = make();
  const before = torch.memory().liveTensors;
  const kept = torch.tidy(() => m.mul(2).add(1).flip([2]).at(0)) as MetaTensor;
  assert.equal(torch.memory().liveTensors, before + 1);
  assert.ok(kept instanceof MetaTensor);
  assert.equal(kept.meta.filename_or_obj, 'img.nii');
  torch.dispose([m, kept]);
});

test('MetaTensor.wrap takes the tensor over; fromTensor shares storage and leaves the caller its tensor', () => {
  const t = torch.zeros([2, 3]);
  const kept = torch.keep(torch.ones([2]));
  const before = torch.memory().liveTensors;
  const w = MetaTensor.wrap(t, { meta: { filename_or_obj: 'x' } });
  assert.notEqual(w as Tensor, t, 'a new object');
  assert.ok(t.isDisposed, 'the wrapped tensor is consumed');
  assert.throws(() => t.shape, /disposed/);
  assert.equal(torch.memory().liveTensors, before, 'the handle moved, no new tensor');
  assert.throws(() => MetaTensor.wrap(t), /disposed/);
  // torch.keep carries over: a scope closing around the wrap does not free the new object
  let wkept: MetaTensor | null = null;
  const wk = torch.tidy(() => {
    wkept = MetaTensor.wrap(kept);
    return MetaTensor.wrap(torch.zeros([1]));
  });
  assert.ok(kept.isDisposed && !wkept!.isDisposed);
  assert.equal(torch.memory().liveTensors, before + 1, 'the kept one survived the scope, the returned one too');
  const meta = { filename_or_obj: 'y', nested: { a: [1] } };
  const s = torch.zeros([3]);
  const f = MetaTensor.fromTensor(s, { meta });
  assert.ok(!s.isDisposed);
  assert.notEqual(f.meta.nested, meta.nested, 'fromTensor copies the metadata');
  f.fill_(4);
  assert.deepEqual(s.toArray(), [4, 4, 4], 'fromTensor shares storage');
  assert.equal(torch.memory().liveTensors, before + 3);
  torch.dispose([w, wk, wkept, s, f]);
  assert.equal(torch.memory().liveTensors, before - 2);
});

test('a MetaTensor never changes its prototype: op results are constructed as MetaTensor', () => {
  const m = make();
  const r = m.add(1);
  assert.equal(Object.getPrototypeOf(r), MetaTensor.prototype);
  assert.equal(r.constructor, MetaTensor);
  const plain = m.asTensor();
  assert.equal(Object.getPrototypeOf(plain), Tensor.prototype);
  torch.dispose([m, r, plain]);
});

test('nn.Parameter (no hook) still gives plain tensors', () => {
  const p = torch.nn.Parameter.wrap(torch.ones([2]));
  const r = torch.noGrad(() => p.mul(2));
  assert.equal(r.constructor, Tensor);
  torch.dispose([p, r]);
});

test('a throwing subclass hook disposes the results and propagates', () => {
  class Bad extends Tensor {
    static [torch.torchFunction](): void {
      throw new Error('hook failed');
    }
  }
  const b = torch.adoptAs(Bad, torch.zeros([2]));
  const before = torch.memory().liveTensors;
  assert.throws(() => b.add(1), /hook failed/);
  assert.throws(() => b.unbind(0), /hook failed/);
  assert.throws(() => b.at(0), /hook failed/);
  assert.equal(torch.memory().liveTensors, before);
  b.dispose();
});

// ---- batches

function batchOf3(): { items: MetaTensor[]; batch: MetaTensor } {
  const items = [make(1, 'a.nii'), make(2, 'b.nii'), make(3, 'c.nii')];
  items[1].appliedOperations.push({ class: 'Rotate90', id: 2 });
  return { items, batch: listDataCollate(items) as MetaTensor };
}

// MONAI 1.4's answers (tools/goldens/data/make_meta_sharing.py): a batch's op results share its meta dict and
// applied operations and are batches; an item's results get their own copies
const SHARING = JSON.parse(readFileSync(new URL('../../../../tools/goldens/data/meta_sharing.json', import.meta.url), 'utf8')) as Record<string, Record<'batch' | 'item', { is_batch: boolean; meta_shared: boolean; ops_shared: boolean }>>;
const SHARING_OPS: Record<string, (x: MetaTensor) => Tensor> = {
  add: (x) => x.add(1),
  relu: (x) => x.relu(),
  mul_tensor: (x) => x.mul(torch.onesLike(x.asTensor())),
  reshape: (x) => x.reshape(x.shape),
};

test('op results share a batch\'s metadata objects and copy an item\'s, as MONAI 1.4 (copy_attr=False for batches)', () => {
  assert.deepEqual(Object.keys(SHARING_OPS).sort(), Object.keys(SHARING).sort());
  for (const [name, op] of Object.entries(SHARING_OPS)) {
    const { items, batch } = batchOf3();
    const item = make();
    const r = torch.tidy(() => op(batch)) as MetaTensor;
    const ri = torch.tidy(() => op(item)) as MetaTensor;
    try {
      assert.ok(r instanceof MetaTensor && ri instanceof MetaTensor, name);
      const got = (src: MetaTensor, out: MetaTensor) => ({ is_batch: out.isBatch, meta_shared: out.meta === src.meta, ops_shared: out.appliedOperations === src.appliedOperations });
      assert.deepEqual({ batch: got(batch, r), item: got(item, ri) }, SHARING[name], name);
      assert.deepEqual(r.meta.filename_or_obj, ['a.nii', 'b.nii', 'c.nii']);
    } finally {
      torch.dispose([...items, batch, r, item, ri]);
    }
  }
});

test('batch.at(i) gives item i with its own metadata (MONAI: batch[i])', () => {
  const { items, batch } = batchOf3();
  const r = [batch.at(1), batch.at(-1), batch.at(0, 0, '1:3')] as MetaTensor[];
  try {
    assert.ok(batch.isBatch);
    assert.equal(r[0].isBatch, false);
    assert.equal(r[0].meta.filename_or_obj, 'b.nii');
    assert.deepEqual(Array.from(r[0].affine), Array.from(items[1].affine));
    assert.deepEqual(r[0].appliedOperations, items[1].appliedOperations);
    assert.equal(r[1].meta.filename_or_obj, 'c.nii');
    assert.deepEqual(r[1].meta.spatial_shape, [4, 5]);
    assert.equal(r[2].meta.filename_or_obj, 'a.nii');
    assert.deepEqual(r[2].shape, [2, 5]);
    assert.equal(batch.meta.filename_or_obj?.length, 3, 'the batch keeps its lists');
  } finally {
    torch.dispose([...items, batch, ...r]);
  }
});

test('batch slices re-collate the items they keep; full slices and ... keep the batch', () => {
  const { items, batch } = batchOf3();
  const s = batch.at('1:') as MetaTensor;
  const e = batch.at('::2') as MetaTensor;
  const full = batch.at(':', 0) as MetaTensor;
  const ell = batch.at('...', 0) as MetaTensor;
  const pick = batch.at([2, 0]) as MetaTensor;
  try {
    assert.ok(s.isBatch);
    assert.deepEqual(s.meta.filename_or_obj, ['b.nii', 'c.nii']);
    assert.equal(s.affine.length, 32);
    assert.deepEqual(Array.from(s.affine.subarray(0, 16)), Array.from(items[1].affine));
    assert.deepEqual((s.meta.applied_operations as unknown[]).length, 2);
    assert.deepEqual(e.meta.filename_or_obj, ['a.nii', 'c.nii']);
    assert.deepEqual(pick.meta.filename_or_obj, ['c.nii', 'a.nii']);
    for (const x of [full, ell]) {
      assert.ok(x.isBatch);
      assert.deepEqual(x.meta.filename_or_obj, ['a.nii', 'b.nii', 'c.nii']);
    }
  } finally {
    torch.dispose([...items, batch, s, e, full, ell, pick]);
  }
});

test('unbind, split and chunk of a batch along dim 0 give per-item metadata; other dims keep the batch', () => {
  const { items, batch } = batchOf3();
  const u = batch.unbind(0) as MetaTensor[];
  const sp = batch.split(2) as MetaTensor[];
  const ch = batch.chunk(3, 0) as MetaTensor[];
  const other = batch.unbind(2) as MetaTensor[];
  const dec = decollateBatch(batch) as MetaTensor[];
  try {
    u.forEach((x, i) => {
      assert.equal(x.isBatch, false);
      assert.equal(x.meta.filename_or_obj, items[i].meta.filename_or_obj);
      assert.deepEqual(x.appliedOperations, items[i].appliedOperations);
    });
    assert.deepEqual(sp.map((x) => x.meta.filename_or_obj), [['a.nii', 'b.nii'], ['c.nii']]);
    assert.ok(sp.every((x) => x.isBatch));
    assert.deepEqual(ch.map((x) => x.meta.filename_or_obj), [['a.nii'], ['b.nii'], ['c.nii']]);
    assert.equal(other.length, 4);
    assert.ok(other.every((x) => x.isBatch && (x.meta.filename_or_obj as unknown as string[]).length === 3));
    assert.deepEqual(dec.map((x) => x.meta.filename_or_obj), ['a.nii', 'b.nii', 'c.nii']);
    // ops on a batch keep it a batch
    const r = batch.mul(2) as MetaTensor;
    assert.ok(r.isBatch);
    assert.deepEqual(r.meta.filename_or_obj, ['a.nii', 'b.nii', 'c.nii']);
    r.dispose();
  } finally {
    torch.dispose([...items, batch, ...u, ...sp, ...ch, ...other, ...dec]);
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

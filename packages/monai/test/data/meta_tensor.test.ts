import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MetaTensor, listDataCollate, decollateBatch, identityAffine } from '../../src/data/index.js';

const start = torch.memory().liveTensors;

function make(v: number, name: string): MetaTensor {
  const a = identityAffine();
  a[0] = v;
  a[3] = -v;
  return MetaTensor.wrap(torch.full([1, 2, 3], v, { dtype: 'float32' }), {
    affine: a,
    meta: { filename_or_obj: name, spatial_shape: [2, 3], original_channel_dim: Number.NaN },
    appliedOperations: [{ class: 'Flip', id: v }],
  });
}

test('MetaTensor is a Tensor; affine lives in meta.affine; defaults to identity', () => {
  const t = MetaTensor.wrap(torch.zeros([2, 2]));
  assert.ok(t instanceof torch.Tensor);
  assert.deepEqual(Array.from(t.affine), Array.from(identityAffine()));
  assert.equal(t.meta.affine, t.affine);
  t.affine = [2, 0, 0, 1, 0, 2, 0, 1, 0, 0, 2, 1, 0, 0, 0, 1];
  assert.equal((t.meta.affine as Float64Array)[0], 2);
  assert.deepEqual(t.pixdim, [2]);
  assert.throws(() => (t.affine = [1, 2, 3]), /16 values/);
  const at = t.affineTensor();
  assert.deepEqual(at.shape, [4, 4]);
  assert.equal(at.dtype, 'float64');
  at.dispose();
  t.dispose();
});

test('to, clone, contiguous and float keep (copied) metadata', () => {
  const m = make(3, 'a.nii');
  const f = m.to({ dtype: 'float64' });
  assert.ok(f instanceof MetaTensor);
  assert.equal(f.dtype, 'float64');
  assert.equal(f.meta.filename_or_obj, 'a.nii');
  assert.notEqual(f.affine, m.affine);
  assert.deepEqual(Array.from(f.affine), Array.from(m.affine));
  assert.deepEqual(f.appliedOperations, m.appliedOperations);
  f.affine[0] = 99;
  assert.equal(m.affine[0], 3, 'copies do not share the affine');
  const c = m.clone();
  assert.ok(c instanceof MetaTensor && torch.equal(c, m));
  const same = m.to({ dtype: 'float32' });
  assert.equal(same, m, 'no-op conversion returns the same MetaTensor');
  const p = m.permute([0, 2, 1]);
  const pw = MetaTensor.wrap(p, { meta: m.meta }); // takes p over: p is left disposed
  assert.ok(p.isDisposed);
  const pc = pw.contiguous();
  assert.ok(pc instanceof MetaTensor);
  for (const x of [m, f, c, pw, pc]) x.dispose();
});

test('copyMetaFrom and asDict', () => {
  const a = make(5, 'a.nii');
  const b = MetaTensor.wrap(torch.zeros([1, 2, 3])).copyMetaFrom(a);
  assert.equal(b.meta.filename_or_obj, 'a.nii');
  assert.notEqual(b.affine, a.affine);
  assert.deepEqual(Array.from(b.affine), Array.from(a.affine));
  const d = a.asDict('image');
  assert.equal(d.image, a);
  assert.equal((d.image_meta_dict as Record<string, unknown>).filename_or_obj, 'a.nii');
  assert.deepEqual(d.image_transforms, [{ class: 'Flip', id: 5 }]);
  const plain = a.asDict('x', 'tensor').x as torch.Tensor;
  assert.ok(!(plain instanceof MetaTensor));
  torch.dispose([a, b, plain]);
});

test('collation stacks into a batch MetaTensor with per-item metadata; decollation restores it', () => {
  const items = [make(1, 'a.nii'), make(2, 'b.nii'), make(3, 'c.nii')];
  const batch = listDataCollate(items) as MetaTensor;
  assert.ok(batch instanceof MetaTensor && batch.isBatch);
  assert.deepEqual(batch.shape, [3, 1, 2, 3]);
  assert.deepEqual(batch.meta.filename_or_obj, ['a.nii', 'b.nii', 'c.nii']);
  assert.equal(batch.affine.length, 48);
  const at = batch.affineTensor();
  assert.deepEqual(at.shape, [3, 4, 4]);
  at.dispose();
  const back = decollateBatch(batch) as MetaTensor[];
  assert.equal(back.length, 3);
  back.forEach((b, i) => {
    assert.ok(b instanceof MetaTensor && !b.isBatch);
    assert.deepEqual(b.shape, [1, 2, 3]);
    assert.equal(b.meta.filename_or_obj, items[i].meta.filename_or_obj);
    assert.deepEqual(Array.from(b.affine), Array.from(items[i].affine));
    assert.deepEqual(b.appliedOperations, items[i].appliedOperations);
    assert.ok(torch.equal(b, items[i]));
  });
  for (const x of [...items, batch, ...back]) x.dispose();
});

test('dict collation: tensors stacked, meta dicts and strings listed, and back', () => {
  const d = (v: number) => ({ image: make(v, `${v}.nii`), label: torch.full([2], v), name: `case${v}`, image_meta_dict: { spatial_shape: [2, 3], id: v } });
  const items = [d(1), d(2)];
  const batch = listDataCollate(items) as Record<string, unknown>;
  assert.deepEqual((batch.label as torch.Tensor).shape, [2, 2]);
  assert.deepEqual(batch.name, ['case1', 'case2']);
  assert.deepEqual((batch.image_meta_dict as Record<string, unknown>).id, [1, 2]);
  const back = decollateBatch(batch) as Record<string, unknown>[];
  assert.equal(back.length, 2);
  assert.equal(back[1].name, 'case2');
  assert.equal((back[1].image_meta_dict as Record<string, unknown>).id, 2);
  assert.equal(((back[0].image as MetaTensor).meta.filename_or_obj as string), '1.nii');
  torch.dispose([items, batch, back]);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

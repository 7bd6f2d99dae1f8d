import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { NibabelReader, ioOrientation } from '../../src/data/index.js';
import { GOLDENS, ROOT, fixture, tensorSha, type Golden } from './helpers.js';

const start = torch.memory().liveTensors;

function check(name: string, file: string, g: Golden, reader = new NibabelReader()): void {
  const img = reader.read(file);
  const [t, meta] = reader.getData(img);
  try {
    assert.deepEqual(t.shape, g.shape, `${name}: shape`);
    assert.equal(t.dtype, g.dtype, `${name}: dtype`);
    assert.equal(tensorSha(t), g.sha256, `${name}: data differs from nibabel`);
    if (g.affine) {
      const a = meta.affine as Float64Array;
      for (let i = 0; i < 16; i++) assert.ok(Math.abs(a[i] - g.affine[i]) < 1e-9, `${name}: affine[${i}] ${a[i]} vs ${g.affine[i]}`);
    }
    if (g.spatial_shape) assert.deepEqual(meta.spatial_shape, g.spatial_shape, `${name}: spatial_shape`);
    assert.equal(meta.space, 'RAS');
  } finally {
    t.dispose();
  }
}

const names = Object.keys(GOLDENS).filter((k) => /^(nib_|pair_|dtype_|be_|scaled|qform_only|no_xform|with_extension|twod|fived|sevend|nifti2_be)/.test(k));

for (const name of names) {
  test(`NIfTI golden ${name}`, () => {
    const g = GOLDENS[name];
    check(name, path.join(ROOT, g.file!), g);
  });
}

test('RGB24 and RGBA32 load with a trailing channel axis', () => {
  for (const [n, f] of [
    ['rgb24', 'rgb24.nii'],
    ['rgba32', 'rgba32.nii'],
  ]) {
    const r = new NibabelReader();
    const [t, meta] = r.getData(r.read(fixture(f)));
    assert.deepEqual(t.shape, GOLDENS[n].shape);
    assert.equal(tensorSha(t), GOLDENS[n].sha256);
    assert.equal(meta.original_channel_dim, -1);
    assert.deepEqual(meta.spatial_shape, GOLDENS[n].spatial_shape);
    t.dispose();
  }
});

test('header fields, original_channel_dim and 4D spatial shape', () => {
  const r = new NibabelReader();
  const [t, meta] = r.getData(r.read(fixture('example4d.nii.gz')));
  assert.deepEqual(meta.spatial_shape, [128, 96, 24]);
  assert.equal(meta.original_channel_dim, -1);
  assert.equal(meta.sizeof_hdr, 348);
  assert.equal((meta.dim as number[])[0], 4);
  assert.equal(typeof meta.descrip, 'string');
  assert.ok(meta.original_affine instanceof Float64Array);
  t.dispose();
  const [t2, m2] = r.getData(r.read(fixture('anatomical.nii')));
  assert.ok(Number.isNaN(m2.original_channel_dim as number));
  t2.dispose();
});

test('.img name resolves to its header; list of files stacks on a new axis', () => {
  const r = new NibabelReader();
  const [t, meta] = r.getData(r.read([fixture('anat_pair.img'), fixture('anat_pair.hdr')]));
  assert.deepEqual(t.shape, [2, 33, 41, 25]);
  assert.equal(meta.original_channel_dim, 0);
  t.dispose();
});

test('asClosestCanonical flips to RAS+', () => {
  const r = new NibabelReader({ asClosestCanonical: true });
  const [t, meta] = r.getData(r.read(fixture('anatomical.nii')));
  const a = meta.affine as Float64Array;
  assert.ok(a[0] > 0 && a[5] > 0 && a[10] > 0);
  const r0 = new NibabelReader();
  const [t0] = r0.getData(r0.read(fixture('anatomical.nii')));
  const f = t0.flip([0]);
  assert.ok(torch.equal(f, t));
  // world position of voxel 0 of the flipped image = world position of the last x voxel of the original
  const o = meta.original_affine as Float64Array;
  assert.ok(Math.abs(a[3] - (o[0] * 32 + o[3])) < 1e-9);
  for (const x of [t, t0, f]) x.dispose();
});

for (const name of Object.keys(GOLDENS).filter((k) => k.startsWith('canonical_'))) {
  test(`as_closest_canonical golden ${name}`, () => {
    const g = GOLDENS[name];
    check(name, path.join(ROOT, g.file!), { ...g, spatial_shape: undefined }, new NibabelReader({ asClosestCanonical: true }));
  });
}

test('ioOrientation matches nibabel io_orientation on random affines', () => {
  const cases = (GOLDENS.io_orientation_cases as unknown as { cases: { affine: number[]; ornt: number[][] }[] }).cases;
  for (const c of cases) {
    const o = ioOrientation(Float64Array.from(c.affine), 3);
    assert.deepEqual(o, c.ornt, `affine ${c.affine.map((v) => v.toFixed(3)).join(',')}`);
  }
});

test('unknown reader option throws with a hint', () => {
  assert.throws(() => new NibabelReader({ asClosestCannonical: true } as never), /did you mean 'asClosestCanonical'/);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { NumpyReader, PILReader, NrrdReader } from '../../src/data/index.js';
import { GOLDENS, fixture, tensorSha } from './helpers.js';

const start = torch.memory().liveTensors;

for (const name of Object.keys(GOLDENS).filter((k) => k.startsWith('npy_'))) {
  test(`NPY golden ${name}`, () => {
    const g = GOLDENS[name];
    const r = new NumpyReader();
    const [t, meta] = r.getData(r.read(fixture(`${name}.npy`)));
    assert.deepEqual(t.shape, g.shape);
    assert.equal(t.dtype, g.dtype);
    assert.equal(tensorSha(t), g.sha256, `${name}: data differs from numpy`);
    assert.deepEqual(meta.spatial_shape, g.shape);
    assert.ok(Number.isNaN(meta.original_channel_dim as number));
    t.dispose();
  });
}

test('NPZ stored and deflated: all keys stacked, or selected keys', () => {
  for (const f of ['stored.npz', 'deflated.npz']) {
    const r = new NumpyReader();
    const [t, meta] = r.getData(r.read(fixture(f)));
    assert.equal(tensorSha(t), GOLDENS.npz_stacked.sha256, f);
    assert.equal(meta.original_channel_dim, 0);
    t.dispose();
    const r1 = new NumpyReader({ npzKeys: 'first' });
    const [t1] = r1.getData(r1.read(fixture(f)));
    assert.equal(tensorSha(t1), GOLDENS.npz_first.sha256);
    t1.dispose();
    assert.throws(() => new NumpyReader({ npzKeys: 'third' }).read(fixture(f)), /no array "third"/);
  }
});

for (const name of Object.keys(GOLDENS).filter((k) => k.startsWith('pil_'))) {
  test(`PIL golden ${name}`, () => {
    const g = GOLDENS[name];
    const r = new PILReader();
    const [t, meta] = r.getData(r.read(fixture(name.slice(4))));
    assert.deepEqual(t.shape, g.shape);
    assert.equal(t.dtype, g.dtype);
    assert.equal(meta.mode, g.mode);
    assert.deepEqual(meta.spatial_shape, g.spatial_shape);
    if (g.values) {
      // JPEG: libjpeg (Pillow) and jpeg-js may round the IDCT differently
      const v = Array.from(t.toTypedArray() as Uint8Array);
      let m = 0;
      for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i] - g.values[i]));
      assert.ok(m <= 3, `${name}: max difference ${m} from Pillow`);
    } else assert.equal(tensorSha(t), g.sha256, `${name}: data differs from Pillow`);
    t.dispose();
  });
}

test('PILReader reverseIndexing false keeps (H, W)', () => {
  const r = new PILReader({ reverseIndexing: false });
  const [t] = r.getData(r.read(fixture('rgb.png')));
  assert.deepEqual(t.shape, [9, 13, 3]);
  t.dispose();
});

test('NRRD oblique files: array in NRRD axis order, affine in RAS', () => {
  for (const [f, gname] of [
    ['oblique.nrrd', 'oblique'],
    ['oblique_raw_be.nrrd', 'oblique'],
    ['oblique_ras.nrrd', 'oblique_float'],
  ] as const) {
    const g = GOLDENS[gname];
    const r = new NrrdReader({ dtype: null });
    const [t, meta] = r.getData(r.read(fixture(f)));
    assert.deepEqual(t.shape, g.shape, f);
    assert.equal(tensorSha(t), g.sha256, `${f}: data`);
    const a = meta.affine as Float64Array;
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(a[i] - g.affine![i]) < 1e-9, `${f}: affine[${i}] ${a[i]} vs ${g.affine![i]}`);
    assert.equal(meta.space, 'RAS');
    if (f === 'oblique_ras.nrrd') assert.equal(meta.mykey, 'my value');
    t.dispose();
  }
  const r = new NrrdReader();
  const [t] = r.getData(r.read(fixture('oblique.nrrd')));
  assert.equal(t.dtype, 'float32', 'NrrdReader defaults to float32 as MONAI');
  t.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

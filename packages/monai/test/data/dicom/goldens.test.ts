// Arrays, affines and spacings of pydicom's sample files and our synthetic files against goldens made by
// tools/goldens/dicom/make_goldens.py (MONAI's PydicomReader, or the lossless reference image).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { DicomError, ITKReader, PydicomReader } from '../../../src/data/dicom/index.js';
import { assertClose, m4, fixture, goldens, summaryOf, tensorValues, type Golden } from './helpers.js';

const start = torch.memory().liveTensors;

function load(key: string, reader: PydicomReader | ITKReader = new PydicomReader()) {
  const [t, meta] = reader.getData(reader.read(fixture(key)));
  const values = tensorValues(t);
  const shape = t.shape;
  const dtype = t.dtype;
  t.dispose();
  return { values, shape, dtype, meta };
}

/** Torch dtype our reader gives for a numpy dtype (torch has no uint16/uint32). */
const TORCH_DTYPE: Record<string, string> = { uint16: 'int32', uint32: 'int64' };

function checkArray(key: string, got: ReturnType<typeof load>, g: Golden, exact: boolean): void {
  assert.deepEqual(got.shape, g.shape, `${key}: shape`);
  if (g.dtype) assert.equal(got.dtype, TORCH_DTYPE[g.dtype] ?? g.dtype, `${key}: dtype`);
  const s = summaryOf(got.values);
  if (exact) {
    assert.equal(s.sha256, g.sha256, `${key}: array hash (sum ${s.sum} vs ${g.sum}, min ${s.min}/${g.min}, max ${s.max}/${g.max})`);
  } else {
    for (const [i, v] of g.samples!) assert.ok(Math.abs(got.values[i] - v) <= 2, `${key}: value at ${i} is ${got.values[i]}, expected ${v} +-2`);
    assert.ok(Math.abs(s.sum - g.sum!) / got.values.length <= 0.5, `${key}: mean differs (${s.sum} vs ${g.sum})`);
  }
}

function checkGeometry(key: string, meta: Record<string, unknown>, g: Golden): void {
  if (g.affine) assertClose(m4(meta.affine), g.affine, 1e-6, `${key}: affine`);
  if (g.spacing) assertClose([meta.spacing as number[]], [g.spacing], 1e-6, `${key}: spacing`);
  if (g.spatial_shape) assert.deepEqual(meta.spatial_shape, g.spatial_shape, `${key}: spatial_shape`);
  for (const tag of ['00200037', '00200032', '00280030']) {
    if (g[tag]) assertClose([(meta[tag] as { Value: number[] }).Value], [g[tag] as number[]], 1e-9, `${key}: ${tag}`);
  }
  if (g.labels) {
    assert.deepEqual(meta.labels, g.labels, `${key}: labels`);
    assert.equal(meta.original_channel_dim, -1);
  }
  if (g.lastImagePositionPatient) assertClose([meta.lastImagePositionPatient as number[]], [g.lastImagePositionPatient], 1e-6, `${key}: lastImagePositionPatient`);
}

// Every array must match exactly (lossy JPEG included: same libjpeg-turbo IDCT and colour conversion as Pillow).
const LOSSY = new Set<string>();

for (const [key, g] of Object.entries(goldens)) {
  if (key.includes('#') || key.endsWith('.nii.gz')) continue;
  test(`PydicomReader ${key} (${g.source})`, () => {
    if (g.source === 'error') {
      assert.throws(() => load(key), (e: unknown) => e instanceof DicomError && (e as Error).message.includes(fixture(key)));
      return;
    }
    const got = load(key);
    if (g.source.startsWith('approx:')) {
      // 12-bit JPEG extended: no Python decoder on this machine; the same NM1 image as JPEG 2000 (both lossy).
      const ref = goldens[`pydicom/${g.source.slice(7)}`];
      assert.deepEqual(got.shape, ref.shape);
      const other = load(`pydicom/${g.source.slice(7)}`);
      let mad = 0;
      for (let i = 0; i < got.values.length; i++) mad += Math.abs(got.values[i] - other.values[i]);
      mad /= got.values.length;
      assert.ok(mad < 6, `mean |JPEG extended - JPEG 2000| = ${mad}`);
      return;
    }
    const ref = g.source.startsWith('ref:') ? goldens[`pydicom/${g.source.slice(4)}`] : g;
    checkArray(key, got, ref, !LOSSY.has(key));
    checkGeometry(key, got.meta, ref);
  });
}

test('two series in one folder: clear error listing both, and a choice by SeriesInstanceUID', () => {
  const dir = fixture('synthetic/two_series');
  assert.throws(
    () => new PydicomReader().read(dir),
    (e: unknown) => e instanceof DicomError && /2 series/.test((e as Error).message) && (e as Error).message.includes('1.2.826.0.1.3680043.8.498.1001') && (e as Error).message.includes('1.2.826.0.1.3680043.8.498.1002'),
  );
  for (const uid of ['1.2.826.0.1.3680043.8.498.1001', '1.2.826.0.1.3680043.8.498.1002']) {
    const r = new PydicomReader({ seriesName: uid });
    const got = load(`synthetic/two_series#${uid}`, r);
    checkArray(uid, got, goldens[`synthetic/two_series#${uid}`], true);
    const img = r.read(dir) as { volume: { skipped: string[]; files: string[] } };
    assert.ok(img.volume.skipped.some((f) => f.endsWith('README.txt')));
    assert.equal(img.volume.files.length, 2);
  }
});

test('oblique series: ITKReader gives the same array and affine as PydicomReader (MONAI consistency test)', () => {
  const key = 'synthetic/oblique_series';
  const p = load(key);
  const i = load(key, new ITKReader());
  assert.deepEqual(i.shape, p.shape);
  assert.deepEqual(i.values, p.values);
  // 1e-7: ITK re-orthonormalises the direction cosines, which the files hold to about 9 digits
  assertClose(m4(i.meta.affine), m4(p.meta.affine), 1e-7, 'ITK affine');
  // itk.imread of a series leaves the DICOM tags out of the meta; seriesMeta copies the first slice's
  assert.equal(i.meta['0020|000e'], undefined);
  const withTags = load(key, new ITKReader({ seriesMeta: true }));
  assert.match(String(withTags.meta['0020|000e']), /^[0-9.]+$/, 'ITK-style meta key for SeriesInstanceUID');
  assert.equal(withTags.meta['0008|0060'], 'MR');
  assert.deepEqual(i.meta.spatial_shape, p.meta.spatial_shape);
  // spacing from positions (1.3), not SliceThickness (5.0)
  assertClose([(p.meta.spacing as number[])], [[0.7, 0.9, 1.3]], 1e-6, 'spacing');
  assertClose([(i.meta.spacing as number[])], [[0.7, 0.9, 1.3]], 1e-6, 'ITK spacing');
});

test('oblique enhanced multi-frame equals the series; the NIfTI fixture holds the same volume', () => {
  const s = goldens['synthetic/oblique_series'];
  const n = goldens['synthetic/oblique_volume.nii.gz'];
  assert.equal(n.sha256, s.sha256);
  assertClose(n.affine!, s.affine!, 1e-5, 'NIfTI affine');
  const e = load('synthetic/oblique_enhanced.dcm');
  const sr = load('synthetic/oblique_series');
  assert.deepEqual(e.values, sr.values);
  assertClose(m4(e.meta.affine), m4(sr.meta.affine), 1e-6, 'enhanced affine');
});

test('ITKReader inverts MONOCHROME1 and reads a single file as (cols, rows, 1); PydicomReader does not invert', () => {
  const g = goldens['synthetic/mono1_u12.dcm#itk'];
  const got = load('synthetic/mono1_u12.dcm', new ITKReader());
  assert.deepEqual(got.shape, g.shape);
  assert.equal(summaryOf(got.values).sha256, g.sha256);
  assertClose(m4(got.meta.affine), [[-1, 0, 0, -0], [0, -1, 0, -0], [0, 0, 1, 0], [0, 0, 0, 1]], 1e-12, 'ITK default affine');
});

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

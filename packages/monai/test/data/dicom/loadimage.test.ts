// The DICOM readers inside the IO framework: registry names, LoadImage's automatic choice (ITKReader as
// the fallback), ITKReader handing non-DICOM files to their reader, and the same oblique volume read from
// a DICOM series, an enhanced multi-frame file and NIfTI to the same RAS array and affine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { ITKReader, PydicomReader } from '../../../src/data/dicom/index.js';
import { createReader } from '../../../src/data/image_reader.js';
import '../../../src/data/readers/index.js';
import { LoadImage } from '../../../src/transforms/io/array.js';
import { assertClose, fixture, m4, tensorValues } from './helpers.js';

const start = torch.memory().liveTensors;

function loadWith(file: string, reader?: string) {
  const out = new LoadImage(reader ? { reader } : {}).call(file) as torch.Tensor & { meta: Record<string, unknown> };
  const values = tensorValues(out);
  const res = { values, shape: out.shape, dtype: out.dtype, affine: m4(out.meta.affine), meta: out.meta };
  out.dispose();
  return res;
}

test('registry names build our readers', () => {
  assert.ok(createReader('PydicomReader') instanceof PydicomReader);
  assert.ok(createReader('ITKReader') instanceof ITKReader);
  assert.throws(() => createReader('PydicomReader', { swap_ij: false }), /did you mean 'swapIj'/);
});

test('oblique volume: DICOM series, enhanced multi-frame and NIfTI load to the same array and RAS affine', () => {
  const nii = loadWith(fixture('synthetic/oblique_volume.nii.gz'));
  const series = loadWith(fixture('synthetic/oblique_series')); // automatic choice: ITKReader
  const pyd = loadWith(fixture('synthetic/oblique_series'), 'PydicomReader');
  const enh = loadWith(fixture('synthetic/oblique_enhanced.dcm'), 'PydicomReader');
  for (const [name, r] of Object.entries({ series, pyd, enh })) {
    assert.deepEqual(r.shape, nii.shape, `${name} shape`);
    assert.equal(r.dtype, 'float32');
    assert.deepEqual(r.values, nii.values, `${name} values`);
    assertClose(r.affine, nii.affine, 2e-5, `${name} affine`); // NIfTI stores the sform as float32
    assert.equal(r.meta.space, 'RAS');
  }
});

test('ITKReader is the fallback and hands non-DICOM files to their reader', () => {
  const viaItk = new ITKReader();
  const [t, meta] = viaItk.getData(viaItk.read(fixture('synthetic/oblique_volume.nii.gz')));
  const nii = loadWith(fixture('synthetic/oblique_volume.nii.gz'), 'NibabelReader');
  assert.deepEqual(tensorValues(t), nii.values);
  assertClose(m4(meta.affine), nii.affine, 1e-12, 'affine');
  t.dispose();
});

test('a list of files stacks on a new first axis; mismatched images are refused', () => {
  const r = new PydicomReader();
  const f = fixture('pydicom/MR_small.dcm');
  const [t, meta] = r.getData(r.read([f, fixture('pydicom/MR_small_RLE.dcm')]));
  assert.deepEqual(t.shape, [2, 64, 64]);
  assert.equal(meta.original_channel_dim, 0);
  t.dispose();
  assert.throws(() => r.getData(r.read([f, fixture('pydicom/CT_small.dcm')])), /should be the same/);
});

test('PydicomReader options: swapIj=false keeps (row, column); affineLpsToRas=false keeps LPS; full metadata', () => {
  const f = fixture('synthetic/oblique_series');
  const base = new PydicomReader();
  const [a, ma] = base.getData(base.read(f));
  const noswap = new PydicomReader({ swapIj: false, affineLpsToRas: false, pruneMetadata: false });
  const [b, mb] = noswap.getData(noswap.read(f));
  assert.deepEqual(b.shape, [16, 20, 8]);
  assert.ok(torch.tidy(() => torch.equal(a, b.permute([1, 0, 2]))));
  const A = m4(ma.affine), B = m4(mb.affine);
  for (let r = 0; r < 3; r++) {
    const sign = r < 2 ? -1 : 1;
    assertClose([[B[r][1], B[r][0], B[r][2], B[r][3]]], [[sign * A[r][0], sign * A[r][1], sign * A[r][2], sign * A[r][3]]], 1e-12, 'LPS, swapped');
  }
  assert.equal(mb.space, 'LPS');
  assert.deepEqual((mb['00080060'] as { Value: string[] }).Value, ['MR']);
  assert.deepEqual((mb['00281053'] as { Value: number[] }).Value, [2.5]);
  a.dispose();
  b.dispose();
  assert.throws(() => new PydicomReader({ swap_ij: true } as never), /did you mean 'swapIj'/);
});

test('unsigned 32-bit multi-frame loads as int64 (torch has no uint32), frames last', () => {
  const r = new PydicomReader();
  const [t, meta] = r.getData(r.read(fixture('pydicom/rtdose.dcm')));
  assert.equal(t.dtype, 'int64');
  assert.deepEqual(t.shape, [10, 10, 15]);
  assertClose([meta.spacing as number[]], [[10, 10, 5]], 1e-9, 'spacing from GridFrameOffsetVector');
  t.dispose();
});

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

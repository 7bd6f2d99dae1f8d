// Slab-wise decoding (the path NIfTI volumes over 1 GiB take, see nifti_large.test.ts) on small files
// with tiny slabs, so that every case spans several slabs and a partial last one: the result must be
// what the whole-volume path gives, for byte orders, gzip, widened uint16 and a dtype conversion.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { NibabelReader } from '../../src/data/index.js';
import { decodeReversedInSlabs } from '../../src/data/decode_slabs.js';
import { reverseLeadingAxes } from '../../src/data/image_reader.js';
import { niftiLayout, readNiftiData, readNiftiInfo } from '../../src/data/formats/nifti.js';
import { fixture, tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir('monai-slabs-');
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

const STORAGE: Record<string, torch.DType> = { uint16: 'int16', int16: 'int16', float64: 'float64', float32: 'float32', int32: 'int32', uint8: 'uint8' };

function check(file: string, target: torch.DType | null, slabBytes: number): void {
  const r = new NibabelReader({ dtype: target });
  const [whole] = r.getData(r.read(file));
  const info = readNiftiInfo(file);
  const lay = niftiLayout(info);
  const m = info.shape.length; // NIfTI: every image axis is reversed (a trailing RGB axis is kept)
  const storage = STORAGE[lay.element];
  const dtype = target ?? (lay.element === 'uint16' ? 'int32' : storage);
  const slabbed = decodeReversedInSlabs(lay.layoutShape, m, lay.element, storage, dtype, (d) => readNiftiData(info, d), reverseLeadingAxes, slabBytes);
  assert.ok(slabbed, `${file}: slab decode declined`);
  try {
    assert.deepEqual(slabbed.shape, whole.shape, `${file}: shape`);
    assert.equal(slabbed.dtype, whole.dtype, `${file}: dtype`);
    assert.ok(torch.equal(slabbed, whole), `${file}: values differ from the whole-volume decode`);
  } finally {
    slabbed.dispose();
    whole.dispose();
  }
}

test('slab decoding equals whole-volume decoding across several slabs', () => {
  for (const [name, target] of [
    ['dtype_int16.nii', null],
    ['dtype_uint16.nii', null], // widened to int32 per slab
    ['be_float64.nii.gz', null], // big endian, gzip: swapped before each slab is placed
    ['dtype_float32.nii', 'float64'],
    ['example4d.nii.gz', null], // 4D: the leading three axes reversed, time kept
    ['anatomical.nii', 'float32'],
  ] as const) {
    const file = fixture(name);
    const info = readNiftiInfo(file);
    const lay = niftiLayout(info);
    const slice = lay.layoutShape.slice(1).reduce((a, b) => a * b, 1) * ({ uint16: 2, int16: 2, float64: 8, float32: 4, int32: 4, uint8: 1 } as Record<string, number>)[lay.element];
    for (const slabs of [1, 2, 3]) check(file, target, slice * slabs); // 1, 2 or 3 slices per slab
  }
});

test('a truncated file fails cleanly in the middle of a slab decode', () => {
  const src = fixture('dtype_int16.nii');
  const cut = path.join(dir, 'cut.nii');
  const info0 = readNiftiInfo(src);
  const bytes = fs.readFileSync(src);
  fs.writeFileSync(cut, bytes.subarray(0, info0.voxOffset + Math.floor((bytes.length - info0.voxOffset) / 2)));
  const lay = niftiLayout(info0);
  const info = { ...info0, dataFile: cut, file: cut };
  assert.throws(
    () => decodeReversedInSlabs(lay.layoutShape, lay.layoutShape.length, lay.element, 'int16', 'int16', (d) => readNiftiData(info, d), reverseLeadingAxes, 64),
    /truncated/,
  );
});

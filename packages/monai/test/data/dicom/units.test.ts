// Unit checks: the RLE decoder, folder and series errors, transfer syntax refusals, geometry helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { DicomError, decodeRleFrame, dicomAffine, encapsulatedFrames, loadDicom, loadDicomFiles, orderSlices, parseDicomBytes, pixelInfo, PydicomReader } from '../../../src/data/dicom/index.js';
import { decodeJpegDct } from '../../../src/data/dicom/jpeg_dct.js';
import { decodeJpegBaseline } from '../../../src/data/dicom/codecs.js';
import { fixture } from './helpers.js';

const start = torch.memory().liveTensors;

function rleFrame(segments: number[][]): Uint8Array {
  const header = new Uint8Array(64);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, segments.length, true);
  let off = 64;
  segments.forEach((s, i) => {
    dv.setUint32(4 + 4 * i, off, true);
    off += s.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}

test('RLE: literal and replicate runs, 16-bit segments most significant byte first', () => {
  // 6 pixels of 16 bits: high bytes [1,1,1,2,3,4] (replicate 3 x 1, literal 2 3 4), low bytes all 0xAB
  const frame = rleFrame([[0xfe, 1, 2, 2, 3, 4], [0xfb, 0xab]]);
  const out = new Uint8Array(12);
  decodeRleFrame(frame, out, 6, 1, 2);
  assert.deepEqual(Array.from(new Uint16Array(out.buffer)), [0x01ab, 0x01ab, 0x01ab, 0x02ab, 0x03ab, 0x04ab]);
});

test('RLE: wrong segment count, bad offsets and short segments are errors', () => {
  const out = new Uint8Array(4);
  assert.throws(() => decodeRleFrame(rleFrame([[0x03, 1, 2, 3, 4]]), out, 4, 1, 2), /1 segments, expected 2/);
  assert.throws(() => decodeRleFrame(rleFrame([[0x01, 1, 2]]), out, 4, 1, 1), /decodes to 2 bytes, expected 4/);
  assert.throws(() => decodeRleFrame(rleFrame([[0x05, 1, 2]]), out, 4, 1, 1), /literal run overruns/);
  const bad = rleFrame([[0x03, 1, 2, 3, 4]]);
  new DataView(bad.buffer).setUint32(4, 9999, true);
  assert.throws(() => decodeRleFrame(bad, out, 4, 1, 1), /invalid offsets/);
  assert.throws(() => decodeRleFrame(new Uint8Array(10), out, 4, 1, 1), /shorter than its 64-byte header/);
});

test('errors name the file: not DICOM, no pixel data, unsupported 12-bit JPEG, empty folder, unknown series', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-units-'));
  try {
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'hello, not DICOM at all'.repeat(10));
    assert.throws(() => loadDicom(txt), (e: unknown) => e instanceof DicomError && (e as Error).message.includes(txt) && /not a DICOM file/.test((e as Error).message));
    assert.throws(() => loadDicom(fixture('pydicom/rtplan.dcm')), /has no Pixel Data/);
    assert.throws(() => loadDicom(dir), (e: unknown) => e instanceof DicomError && /no DICOM image files .*1 file/.test((e as Error).message));
    assert.throws(() => loadDicom(join(dir, 'missing.dcm')), /missing\.dcm: file or folder does not exist \(ENOENT\)/);
    assert.throws(() => loadDicom(fixture('synthetic/two_series'), { seriesName: '1.2.3' }), /series '1.2.3' not found; the folder holds:\n.*1001.*\n.*1002/s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated slice inside a series: the error names that slice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-units-'));
  try {
    const src = fixture('synthetic/oblique_series');
    for (const n of ['slice_00.dcm', 'slice_01.dcm', 'slice_02.dcm']) copyFileSync(join(src, n), join(dir, n));
    const bytes = readFileSync(join(dir, 'slice_01.dcm'));
    writeFileSync(join(dir, 'slice_01.dcm'), bytes.subarray(0, bytes.length - 100));
    assert.throws(() => loadDicom(dir), (e: unknown) => e instanceof DicomError && (e as Error).message.includes('slice_01.dcm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('slice order follows positions along the normal, not file names or InstanceNumber', () => {
  const dir = fixture('synthetic/oblique_series');
  const v = loadDicom(dir);
  const files = v.slices;
  const inst = files.map((f) => f.number('x00200013'));
  assert.deepEqual(inst, [1, 2, 3, 4, 5, 6, 7, 8]);
  // reversing the input order does not change the result
  assert.deepEqual(orderSlices([...files].reverse()).map((f) => f.filename), v.files);
  assert.deepEqual(loadDicomFiles([...v.files].reverse()).files, v.files);
  // the marker written in pixel (0, 0) of slice k is 100 k (stored value; rescaled 2.5 x - 100)
  const r = new PydicomReader();
  const [t] = r.getData(r.read(dir));
  const first = Array.from((t.toTypedArray() as Float32Array).subarray(0, 8)); // [0][0][k], k fastest
  assert.deepEqual(first, [0, 1, 2, 3, 4, 5, 6, 7].map((k) => 250 * k - 100));
  t.dispose();
});

test('our sequential JPEG decoder (used for 12-bit) agrees with libjpeg-turbo within 1 on 8-bit images', () => {
  for (const name of ['pydicom/SC_jpeg_no_color_transform.dcm', 'pydicom/SC_rgb_jpeg_dcmtk.dcm']) {
    const f = parseDicomBytes(readFileSync(fixture(name)), name);
    const info = pixelInfo(f);
    const frame = encapsulatedFrames(f, f.ds.elements.x7fe00010, 1)[0];
    const mine = decodeJpegDct(frame, 1e8);
    // 'RGB' makes the libjpeg path skip colour conversion, so both give the coded components
    const lib = decodeJpegBaseline(frame, { rows: info.rows, cols: info.cols, spp: info.spp }, 'RGB');
    let maxd = 0;
    for (let i = 0; i < mine.samples.length; i++) maxd = Math.max(maxd, Math.abs(mine.samples[i] - lib.bytes[i]));
    assert.ok(maxd <= 1, `${name}: max difference ${maxd}`);
  }
  const v = loadDicom(fixture('pydicom/JPGExtended.dcm'));
  assert.equal(v.info.bitsStored, 12);
  assert.deepEqual(v.layoutShape, [1024, 256]);
});

test('dicomAffine: oblique geometry, LPS to RAS, identity-swap without orientation', () => {
  const a = dicomAffine({ iop: [0, 1, 0, 0, 0, -1], ipp: [1, 2, 3], pixelSpacing: [2, 3], slices: 1 }, false);
  assert.deepEqual(a, [[0, 0, 0, 1], [3, 0, 0, 2], [0, -2, 1, 3], [0, 0, 0, 1]]);
  const r = dicomAffine({ iop: [0, 1, 0, 0, 0, -1], ipp: [1, 2, 3], pixelSpacing: [2, 3], slices: 1 }, true);
  assert.deepEqual(r, [[0, 0, 0, -1], [-3, 0, 0, -2], [0, -2, 1, 3], [0, 0, 0, 1]]);
  assert.deepEqual(dicomAffine({ slices: 1 }, true), [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
});

test('files without a preamble are read (implicit or explicit VR guessed)', () => {
  const bytes = readFileSync(fixture('pydicom/MR_small_implicit.dcm'));
  const f = parseDicomBytes(bytes, 'x');
  // drop the preamble and file meta: start at the first data set element after group 0002
  const metaEnd = (f.ds.elements.x00020010.dataOffset + f.ds.elements.x00020010.length);
  let pos = metaEnd;
  while (bytes[pos] === 0x02 && bytes[pos + 1] === 0x00) pos += 8 + bytes.readUInt16LE(pos + 6);
  const raw = bytes.subarray(pos);
  const g = parseDicomBytes(raw, 'raw.dcm');
  assert.equal(g.us('x00280010'), 64);
});

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

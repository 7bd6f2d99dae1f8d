// pydicom's sample files that exercise reading corners (issue 13, item 4), against goldens from MONAI's
// PydicomReader (tools/goldens/dicom/make_sample_goldens.py), and the error contract of the DICOM readers:
// missing paths, corrupt data sets in our words, one error class shared with the other image readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { DicomError, ITKReader, PydicomReader, parseDicomBytes, TRANSFER_SYNTAX } from '../../../src/data/dicom/index.js';
import { ImageFormatError } from '../../../src/data/formats/common.js';
import { FIXTURES, assertClose, fixture, m4, summaryOf, tensorValues, type Golden } from './helpers.js';

const start = torch.memory().liveTensors;
const goldens: Record<string, Golden> = JSON.parse(readFileSync(join(FIXTURES, 'goldens_samples.json'), 'utf8'));

function load(key: string) {
  const reader = new PydicomReader();
  const [t, meta] = reader.getData(reader.read(fixture(key)));
  try {
    return { values: tensorValues(t), shape: t.shape, dtype: t.dtype, meta };
  } finally {
    t.dispose();
  }
}

test('the sample goldens cover the files the issue names', () => {
  for (const name of ['J2K_pixelrep_mismatch.dcm', 'SC_rgb_jpeg.dcm', 'liver_1frame.dcm', 'liver_expb_1frame.dcm']) {
    assert.ok(goldens[`pydicom/${name}`], `golden for ${name}`);
  }
});

for (const [key, g] of Object.entries(goldens)) {
  test(`PydicomReader ${key} equals MONAI (${g.source})`, () => {
    const got = load(key);
    assert.deepEqual(got.shape, g.shape, 'shape');
    assert.equal(got.dtype, g.dtype, 'dtype');
    const s = summaryOf(got.values);
    // Exact: every sample, through the hash of the float64 values in index order.
    assert.equal(s.sha256, g.sha256, `array hash (sum ${s.sum} vs ${g.sum}, min ${s.min}/${g.min}, max ${s.max}/${g.max})`);
    assertClose(m4(got.meta.affine), g.affine!, 1e-9, `${key}: affine`);
    assertClose([got.meta.spacing as number[]], [g.spacing!], 1e-9, `${key}: spacing`);
    assert.deepEqual(got.meta.spatial_shape, g.spatial_shape, 'spatial_shape');
    if (g.labels) assert.deepEqual(got.meta.labels, g.labels, 'labels');
    if (g.lastImagePositionPatient) assertClose([got.meta.lastImagePositionPatient as number[]], [g.lastImagePositionPatient], 1e-9, 'lastImagePositionPatient');
  });
}

test('J2K_pixelrep_mismatch: unsigned 13-bit codestream with PixelRepresentation 1 gives signed values (-2000, not 6192)', () => {
  const got = load('pydicom/J2K_pixelrep_mismatch.dcm');
  const s = summaryOf(got.values);
  assert.equal(got.values[0], -2000);
  assert.equal(s.min, -2000);
  assert.equal(s.max, 1896);
});

test('SC_rgb_jpeg: an implicit VR data set under an explicit VR transfer syntax is read as implicit (pydicom rule)', () => {
  const f = parseDicomBytes(readFileSync(fixture('pydicom/SC_rgb_jpeg.dcm')), 'SC_rgb_jpeg.dcm');
  assert.equal(f.transferSyntax, TRANSFER_SYNTAX.jpegBaseline);
  assert.equal(f.us('x00280010'), 256);
  assert.equal(f.us('x00280002'), 3);
  const px = f.ds.elements.x7fe00010;
  assert.equal(px.encapsulatedPixelData, true, 'encapsulated fragments found in the implicit VR data set');
  assert.equal(px.fragments?.length, 1);
});

test('liver_1frame: a SEG with one frame keeps MONAI layout (column, row, 1 slice, 1 segment), float64', () => {
  const got = load('pydicom/liver_1frame.dcm');
  assert.deepEqual(got.shape, [512, 512, 1, 1]);
  assert.equal(got.dtype, 'float64');
  assert.deepEqual(got.meta.labels, { Liver: 0 });
  assert.equal(got.meta.original_channel_dim, -1);
});

test('a missing path says it does not exist and names it (PydicomReader, ITKReader); the error is an ImageFormatError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-samples-'));
  try {
    const missing = join(dir, 'nothing-here.dcm');
    assert.throws(
      () => new PydicomReader().read(missing),
      (e: unknown) => e instanceof DicomError && e instanceof ImageFormatError && (e as Error).message === `DICOM ${missing}: file or folder does not exist (ENOENT)`,
    );
    assert.throws(() => new ITKReader().read(missing), (e: unknown) => e instanceof ImageFormatError && (e as Error).message === `${missing}: file or folder does not exist (ENOENT)`);
    assert.throws(() => new ITKReader().read(join(dir, 'no-folder')), /no-folder: file or folder does not exist \(ENOENT\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The parser library's own words, which must not reach the user. */
const INTERNAL = /dicomParser|ByteArrayParser|readPart10Header|parseDicomDataSet|byteStream|findEndOf/i;

function assertOurError(file: string, bytes: Uint8Array, expected: RegExp): void {
  writeFileSync(file, bytes);
  assert.throws(
    () => new PydicomReader().read(file),
    (e: unknown) => {
      assert.ok(e instanceof DicomError && e instanceof ImageFormatError, `error class of ${String(e)}`);
      const msg = (e as Error).message;
      assert.ok(msg.includes(file), `names the file: ${msg}`);
      assert.doesNotMatch(msg, INTERNAL);
      assert.match(msg, expected);
      return true;
    },
  );
}

test('corrupt data sets are described in our words, naming the file, without the parser library internals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-samples-'));
  try {
    const good = readFileSync(fixture('pydicom/MR_small.dcm'));
    // An element whose length runs past the end: the declared length of the first data set element made huge.
    const metaLen = good.readUInt32LE(140);
    const first = 144 + metaLen;
    const overrun = Buffer.from(good);
    // (0008,0005) CS: explicit VR short length at first+6
    overrun.writeUInt16LE(0xfff0, first + 6);
    assertOurError(join(dir, 'overrun.dcm'), overrun.subarray(0, first + 200), /runs past the end of the file/);
    // File meta without a Transfer Syntax UID: the (0002,0010) tag renamed to (0002,0011).
    const noTs = Buffer.from(good);
    for (let i = 132; i < first; i += 2) {
      if (noTs.readUInt16LE(i) === 0x0002 && noTs.readUInt16LE(i + 2) === 0x0010 && noTs.toString('latin1', i + 4, i + 6) === 'UI') {
        noTs.writeUInt16LE(0x0011, i + 2);
        break;
      }
    }
    assertOurError(join(dir, 'no-ts.dcm'), noTs, /no Transfer Syntax UID \(0002,0010\)/);
    // Truncations anywhere in the data set.
    for (const cut of [140, first + 3, first + 9, Math.floor(good.length / 2)]) {
      const file = join(dir, `cut-${cut}.dcm`);
      writeFileSync(file, good.subarray(0, cut));
      try {
        new PydicomReader().read(file);
        assert.fail(`a file cut at ${cut} bytes was read`);
      } catch (e) {
        assert.ok(e instanceof DicomError, `cut at ${cut}: ${String(e)}`);
        assert.ok((e as Error).message.includes(file));
        assert.doesNotMatch((e as Error).message, INTERNAL, `cut at ${cut}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

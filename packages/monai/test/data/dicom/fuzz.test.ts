// Mutated sample files (byte flips, truncation, huge dimensions, lying lengths) must each end in a
// DicomError or a valid image: no other exception, no crash, no hang, no huge allocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { DicomError, loadDicomFile, parseDicomBytes } from '../../../src/data/dicom/index.js';
import { fixture } from './helpers.js';

const start = torch.memory().liveTensors;

const FILES = [
  'pydicom/MR_small.dcm',
  'pydicom/MR_small_bigendian.dcm',
  'pydicom/MR_small_implicit.dcm',
  'pydicom/MR_small_RLE.dcm',
  'pydicom/MR_small_jpeg_ls_lossless.dcm',
  'pydicom/MR_small_jp2klossless.dcm',
  'synthetic/MR_small_htj2k.dcm',
  'synthetic/MR_small_jpeg_lossless.dcm',
  'pydicom/image_dfl.dcm',
  'pydicom/SC_rgb_jpeg_dcmtk.dcm',
  'pydicom/JPGExtended.dcm',
  'pydicom/SC_rgb_jpeg_gdcm.dcm',
  'pydicom/SC_rgb_rle_16bit_2frame.dcm',
  'pydicom/rtdose.dcm',
  'synthetic/oblique_enhanced.dcm',
  'synthetic/seg_2x3.dcm',
  'pydicom/SC_rgb_jpeg.dcm',
  'pydicom/J2K_pixelrep_mismatch.dcm',
  'synthetic/jpeg12_restart.dcm',
  'pydicom/liver_1frame.dcm',
];
const CASES_PER_FILE = 80; // 20 files x 80 = 1600 mutations

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Offsets of header fields worth lying in: dimension values and element length fields. */
function targets(bytes: Uint8Array, name: string) {
  const f = parseDicomBytes(bytes, name);
  const els = f.ds.elements;
  const out: { kind: string; offset: number; length: number }[] = [];
  for (const tag of ['x00280010', 'x00280011', 'x00280002', 'x00280100', 'x00280101', 'x00280008', 'x00280103']) {
    const el = els[tag];
    if (el && el.length > 0) out.push({ kind: tag === 'x00280008' ? 'is' : 'us', offset: el.dataOffset, length: el.length });
  }
  const px = els.x7fe00010;
  if (px) {
    out.push({ kind: 'len32', offset: px.dataOffset - 4, length: 4 });
    for (const fr of (px.fragments ?? []).slice(0, 4)) out.push({ kind: 'len32', offset: fr.position - 4, length: 4 });
  }
  return out;
}

function mutate(src: Uint8Array, rnd: () => number, tg: ReturnType<typeof targets>, bigEndian: boolean): { bytes: Uint8Array; how: string } {
  const b = new Uint8Array(src);
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) {
    const n = 1 + Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    return { bytes: b, how: `flip ${n} bytes` };
  }
  if (kind === 1) {
    const len = Math.floor(rnd() * b.length);
    return { bytes: b.subarray(0, len), how: `truncate to ${len}` };
  }
  if (kind === 2 && tg.length) {
    const t = tg[Math.floor(rnd() * tg.length)];
    const dv = new DataView(b.buffer, b.byteOffset);
    if (t.kind === 'us') {
      const v = [0, 1, 0xffff, 0x8000, 3, 64][Math.floor(rnd() * 6)];
      dv.setUint16(t.offset, v, !bigEndian);
      return { bytes: b, how: `header value at ${t.offset} -> ${v}` };
    }
    if (t.kind === 'is') {
      const digits = rnd() < 0.5 ? '9'.repeat(t.length) : '0'.padStart(t.length, ' ');
      for (let i = 0; i < t.length; i++) b[t.offset + i] = digits.charCodeAt(i);
      return { bytes: b, how: `NumberOfFrames -> '${digits}'` };
    }
    const v = [0xfffffff0, 0x7fffffff, 0, 1, 3][Math.floor(rnd() * 5)];
    dv.setUint32(t.offset, v, !bigEndian);
    return { bytes: b, how: `length at ${t.offset} -> ${v}` };
  }
  // a run of random bytes somewhere in the last third (pixel data, fragments)
  const at = Math.floor(b.length * (2 / 3) + rnd() * (b.length / 3 - 16));
  const n = 1 + Math.floor(rnd() * 16);
  for (let i = 0; i < n && at + i < b.length; i++) b[at + i] = Math.floor(rnd() * 256);
  return { bytes: b, how: `garble ${n} bytes at ${at}` };
}

test(`fuzz: ${FILES.length * CASES_PER_FILE} mutations end in DicomError or a valid image`, () => {
  const rnd = mulberry32(20261127);
  let errors = 0, images = 0, slowest = 0;
  const kinds = new Map<string, number>();
  let peakRss = 0;
  for (const key of FILES) {
    const path = fixture(key);
    const src = readFileSync(path);
    const tg = targets(src, path);
    const be = key.includes('bigendian');
    for (let i = 0; i < CASES_PER_FILE; i++) {
      const { bytes, how } = mutate(src, rnd, tg, be);
      const t0 = performance.now();
      try {
        const v = loadDicomFile(parseDicomBytes(bytes, path), { maxBytes: 256 * 2 ** 20 });
        const n = v.layoutShape.reduce((a, b) => a * b, 1);
        assert.equal(v.data.length, n, `${key} (${how}): data length ${v.data.length} != shape ${v.layoutShape}`);
        images++;
      } catch (e) {
        if (!(e instanceof DicomError)) {
          assert.fail(`${key} (${how}): threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? e}`);
        }
        assert.ok(e.message.includes(path), `error names the file: ${e.message}`);
        // The parser library's function names are not the user's business (issue 13, item 4).
        assert.doesNotMatch(e.message, /dicomParser|ByteArrayParser|readPart10Header|parseDicomDataSet|readFixedString|byteStream/i, `${key} (${how})`);
        errors++;
        const k = e.message.replace(/^DICOM [^:]+: /, '').split(/[:(0-9]/)[0].trim().slice(0, 40);
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
  assert.equal(errors + images, FILES.length * CASES_PER_FILE);
  assert.ok(slowest < 5000, `slowest case took ${slowest} ms`);
  assert.ok(peakRss < 2 ** 30, `peak RSS ${peakRss} bytes`);
  console.log(JSON.stringify({ cases: errors + images, errors, images, slowestMs: Math.round(slowest), peakRssMiB: Math.round(peakRss / 2 ** 20) }));
  console.log([...kinds.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => `${n} x ${k}`).join('\n'));
});

test('lying headers with the default limits: clean errors, no allocation beyond the data', () => {
  const src = readFileSync(fixture('pydicom/MR_small.dcm'));
  const f = parseDicomBytes(src, 'x');
  for (const [dim, re] of [[1024, /need .* truncated or inconsistent header/], [0xffff, /over the .*-byte limit/]] as const) {
    const b = new Uint8Array(src);
    const dv = new DataView(b.buffer, b.byteOffset);
    dv.setUint16(f.ds.elements.x00280010.dataOffset, dim, true);
    dv.setUint16(f.ds.elements.x00280011.dataOffset, dim, true);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => loadDicomFile(parseDicomBytes(b, 'lying.dcm')), (e: unknown) => e instanceof DicomError && re.test((e as Error).message) && (e as Error).message.includes('lying.dcm'));
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20);
  }
});

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

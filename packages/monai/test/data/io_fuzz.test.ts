// Mutation fuzzing of every format this module reads: byte flips, truncation and lying sizes in
// headers. Every case must end in a valid image or a clean Error naming the file, quickly and without
// a large allocation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as torch from '@monai-ts/torch';
import { LoadImage } from '../../src/transforms/io/index.js';
import { MetaTensor } from '../../src/data/index.js';
import { fixture, tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir('monai-fuzz-');

// xorshift32, seeded: reproducible cases
let seed = 0x2545f491;
function rnd(): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
}
const ri = (n: number) => Math.floor(rnd() * n);

type Mutator = (b: Buffer) => Buffer;

function flips(b: Buffer): Buffer {
  const c = Buffer.from(b);
  const n = 1 + ri(4);
  for (let k = 0; k < n; k++) {
    const pos = rnd() < 0.7 ? ri(Math.min(c.length, 600)) : ri(c.length);
    c[pos] = rnd() < 0.5 ? c[pos] ^ (1 << ri(8)) : ri(256);
  }
  return c;
}
function truncate(b: Buffer): Buffer {
  return b.subarray(0, ri(b.length));
}
const HUGE = [0x7fff, 0xffff, 0x7fffffff, 0xffffffff, 1e6, 65535 * 65535];

// format-specific lying sizes
function niftiHuge(b: Buffer): Buffer {
  const c = Buffer.from(b);
  const le = c.readInt32LE(0) === 348 || c.readInt32LE(0) === 540;
  const v2 = (le ? c.readInt32LE(0) : c.readInt32BE(0)) === 540;
  const k = 1 + ri(7);
  const v = HUGE[ri(HUGE.length)];
  if (v2) {
    if (le) c.writeBigInt64LE(BigInt(v) * BigInt(1 + ri(1000)), 16 + 8 * k);
    else c.writeBigInt64BE(BigInt(v) * BigInt(1 + ri(1000)), 16 + 8 * k);
  } else {
    const x = v & 0x7fff;
    if (le) c.writeInt16LE(x, 40 + 2 * k);
    else c.writeInt16BE(x, 40 + 2 * k);
    if (rnd() < 0.3) (le ? c.writeInt16LE(7, 40) : c.writeInt16BE(7, 40));
    if (rnd() < 0.3) (le ? c.writeFloatLE(-1e9 * rnd(), 108) : c.writeFloatBE(1e12, 108));
  }
  return c;
}
function gzipWrap(m: Mutator): Mutator {
  return (b) => zlib.gzipSync(m(zlib.gunzipSync(b)));
}
function npyHuge(b: Buffer): Buffer {
  const s = b.toString('latin1');
  const v = HUGE[ri(HUGE.length)] * (1 + ri(100000));
  return Buffer.from(s.replace(/'shape': \(([^)]*)\)/, (_m, inner: string) => `'shape': (${inner.split(',').map((x: string, i: number) => (i === 0 && x.trim() ? String(v) : x)).join(',')})`), 'latin1');
}
function nrrdHuge(b: Buffer): Buffer {
  const s = b.toString('latin1');
  const v = HUGE[ri(HUGE.length)] * (1 + ri(1000));
  return Buffer.from(s.replace(/sizes: (\d+)/, `sizes: ${v}`), 'latin1');
}
function pngHuge(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c.writeUInt32BE(HUGE[ri(HUGE.length)] >>> 0, 16 + 4 * ri(2));
  return c;
}
function jpegHuge(b: Buffer): Buffer {
  const c = Buffer.from(b);
  for (let i = 2; i + 9 < c.length; i++) {
    if (c[i] === 0xff && c[i + 1] >= 0xc0 && c[i + 1] <= 0xc2) {
      c.writeUInt16BE(0xffff - ri(100), i + 5 + 2 * ri(2));
      break;
    }
  }
  return c;
}
function bmpHuge(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c.writeInt32LE(HUGE[ri(HUGE.length)] | 0, 18 + 4 * ri(2));
  return c;
}

const samples: [string, string, Mutator][] = [
  ['dtype_int16.nii', '.nii', niftiHuge],
  ['nifti2_be.nii', '.nii', niftiHuge],
  ['standard.nii.gz', '.nii.gz', gzipWrap(niftiHuge)],
  ['be_float64.nii.gz', '.nii.gz', gzipWrap(niftiHuge)],
  ['anat_pair.hdr', '.hdr', niftiHuge],
  ['analyze75.hdr', '.hdr', niftiHuge],
  ['npy_float32.npy', '.npy', npyHuge],
  ['npy_int16_be.npy', '.npy', npyHuge],
  ['stored.npz', '.npz', (b) => b],
  ['deflated.npz', '.npz', (b) => b],
  ['oblique.nrrd', '.nrrd', nrrdHuge],
  ['oblique_raw_be.nrrd', '.nrrd', nrrdHuge],
  ['gray8.png', '.png', pngHuge],
  ['rgb.jpg', '.jpg', jpegHuge],
  ['rgb24.bmp', '.bmp', bmpHuge],
  ['palette8.bmp', '.bmp', bmpHuge],
];
const PER_SAMPLE = 150;

test(`fuzz: ${samples.length * PER_SAMPLE} mutated files end in a clean error or a valid image`, (t) => {
  const load = new LoadImage({ dtype: null });
  let ok = 0;
  let failed = 0;
  let slowest = 0;
  let n = 0;
  for (const [name, ext, huge] of samples) {
    const orig = fs.readFileSync(fixture(name));
    for (let i = 0; i < PER_SAMPLE; i++) {
      const kind = i % 3;
      const mutated = kind === 0 ? flips(orig) : kind === 1 ? truncate(orig) : huge(orig);
      const file = path.join(dir, `case${n++}${ext}`);
      fs.writeFileSync(file, mutated);
      // a .hdr needs its .img: the image file is kept intact (only the header lies)
      if (ext === '.hdr') fs.copyFileSync(fixture(name.replace(/\.hdr$/, '.img')), file.replace(/\.hdr$/, '.img'));
      const t0 = performance.now();
      try {
        const img = load.call(file) as MetaTensor;
        assert.ok(img instanceof MetaTensor);
        assert.ok(img.numel() >= 0);
        img.dispose();
        ok++;
      } catch (e) {
        assert.ok(e instanceof Error, `${name} #${i}: threw a non-Error ${String(e)}`);
        assert.ok(e.message.includes(file), `${name} #${i} (${['flip', 'truncate', 'huge'][kind]}): error does not name the file: ${e.message}`);
        failed++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
      fs.unlinkSync(file);
      if (ext === '.hdr') fs.unlinkSync(file.replace(/\.hdr$/, '.img'));
      assert.ok(torch.memory().bytes < 256 * 1024 * 1024, `${name} #${i}: tensor memory grew to ${torch.memory().bytes}`);
    }
  }
  t.diagnostic(`${ok} valid images, ${failed} clean errors, slowest case ${slowest.toFixed(1)} ms`);
  assert.equal(ok + failed, samples.length * PER_SAMPLE);
  assert.ok(ok > 50 && failed > 500, `expected a mix of valid images and errors, got ${ok} valid, ${failed} errors`);
  assert.ok(process.memoryUsage().rss < 2 * 1024 ** 3, 'resident memory stayed below 2 GiB');
  // no case may hang: generous bound for a shared 2-core machine
  assert.ok(slowest < 5000, `slowest case took ${slowest.toFixed(0)} ms`);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

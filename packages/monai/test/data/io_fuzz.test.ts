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
import { readNrrdInfo } from '../../src/data/formats/nrrd.js';
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
        assert.equal(img.affine.length, 16, `${name} #${i}: affine`);
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

// Detached NRRD headers whose "data file" names random paths built from hostile pieces: every case
// is refused with an error naming the header, or loads data from a regular file inside the header's
// folder (issue 13, item 6).
test('fuzz: 600 detached NRRD headers naming hostile data files read nothing outside their folder', () => {
  const base = path.join(dir, 'nrrd_detached');
  const inner = path.join(base, 'h');
  fs.mkdirSync(path.join(inner, 'sub'), { recursive: true });
  const data = Buffer.alloc(48, 1);
  fs.writeFileSync(path.join(base, 'out.raw'), data);
  fs.writeFileSync(path.join(inner, 'in.raw'), data);
  fs.writeFileSync(path.join(inner, 'sub', 'in.raw'), data);
  for (let k = 0; k < 3; k++) fs.writeFileSync(path.join(inner, `p${k}.raw`), data.subarray(0, 16));
  fs.symlinkSync(path.join(base, 'out.raw'), path.join(inner, 'lnk.raw'));
  fs.symlinkSync('/dev', path.join(inner, 'devlink'));
  const pieces = ['..', '.', '', 'sub', 'in.raw', 'out.raw', 'lnk.raw', 'devlink', 'zero', 'dev', 'etc', 'passwd', '/', 'p%d.raw', '%d', 'LIST', ' ', '\t', 'proc', 'self', 'fd', '0', '\u00e9'];
  const forms = ['', ' 0 2 1', ' 0 2 1 1', ' 2 0 -1', ' 0 100000000 1', ' -5 5 0'];
  const load = new LoadImage({ dtype: null });
  const realInner = fs.realpathSync(inner);
  let loaded = 0;
  let refused = 0;
  for (let i = 0; i < 600; i++) {
    const n = 1 + ri(5);
    let name = (rnd() < 0.3 ? '/' : '') + Array.from({ length: n }, () => pieces[ri(pieces.length)]).join(rnd() < 0.9 ? '/' : '');
    if (rnd() < 0.2) name = ['/dev/zero', '/etc/passwd', '../out.raw', '../../x', 'lnk.raw', 'devlink/zero', '/proc/self/fd/0'][ri(7)];
    let df = name + forms[ri(forms.length)];
    let tail = '';
    if (rnd() < 0.15) {
      df = 'LIST';
      tail = Array.from({ length: 1 + ri(3) }, () => pieces[ri(pieces.length)] || 'in.raw').join('\n') + '\n';
    }
    const file = path.join(inner, `case${i}.nhdr`);
    fs.writeFileSync(file, `NRRD0004\ntype: uint8\ndimension: 1\nsizes: 48\nencoding: ${['raw', 'gzip', 'ascii'][ri(3)]}\ndata file: ${df}\n${tail}`);
    const t0 = performance.now();
    try {
      const img = load.call(file) as MetaTensor;
      img.dispose();
      for (const f of readNrrdInfo(file).dataFiles) assert.ok(f.startsWith(realInner + path.sep), `case ${i} (${JSON.stringify(df)}) read ${f}`);
      loaded++;
    } catch (e) {
      assert.ok(e instanceof Error, `case ${i}: threw a non-Error ${String(e)}`);
      assert.ok(e.message.includes(file), `case ${i} (${JSON.stringify(df)}): error does not name the header: ${e.message}`);
      refused++;
    }
    assert.ok(performance.now() - t0 < 2000, `case ${i} (${JSON.stringify(df)}) took ${(performance.now() - t0).toFixed(0)} ms`);
    assert.ok(torch.memory().bytes < 1 << 20, `case ${i}: tensor memory grew to ${torch.memory().bytes}`);
    fs.unlinkSync(file);
  }
  assert.ok(loaded > 0 && refused > 400, `expected a mix, got ${loaded} loaded and ${refused} refused`);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

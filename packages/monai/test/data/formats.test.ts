// Byte-level codec tests: streaming gunzip, gzip of parts, NIfTI header checks, NPY and NRRD headers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as torch from '@monai-ts/torch';
import { ByteStream, gzipParts, byteswapInPlace, ImageFormatError } from '../../src/data/formats/common.js';
import { parseNiftiHeader, readNiftiInfo } from '../../src/data/formats/nifti.js';
import { encodeNpy, parseNpy } from '../../src/data/formats/npy.js';
import { parseNrrdHeader, nrrdAffine } from '../../src/data/formats/nrrd.js';
import { LoadImage, SaveImage } from '../../src/transforms/io/index.js';
import { MetaTensor } from '../../src/data/index.js';
import { fixture, tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir();

function pseudoRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s >>> 16) & (i % 7 === 0 ? 0xff : 0x0f);
  }
  return out;
}

test('ByteStream inflates incrementally into caller buffers', () => {
  const raw = pseudoRandom(3_000_000);
  const gz = zlib.gzipSync(raw);
  const bs = new ByteStream('x.gz', gz, true);
  const got = new Uint8Array(raw.length);
  let off = 0;
  for (const n of [1, 7, 1000, 65536, 1 << 20]) {
    off += bs.readInto(got.subarray(off, off + n));
  }
  assert.ok(bs.skip(10));
  off += 10;
  off += bs.readInto(got.subarray(off));
  assert.equal(off, raw.length);
  assert.equal(bs.readInto(new Uint8Array(4)), 0, 'end of stream');
  got.fill(0, 1 + 7 + 1000 + 65536 + (1 << 20), 1 + 7 + 1000 + 65536 + (1 << 20) + 10);
  const ref = raw.slice();
  ref.fill(0, 1 + 7 + 1000 + 65536 + (1 << 20), 1 + 7 + 1000 + 65536 + (1 << 20) + 10);
  assert.ok(Buffer.from(got).equals(Buffer.from(ref)));
  bs.dispose();
  // truncated and corrupt streams
  const t = new ByteStream('t.gz', gz.subarray(0, gz.length >> 1), true);
  assert.ok(t.readInto(new Uint8Array(raw.length)) < raw.length);
  t.dispose();
  const bad = Buffer.from(gz);
  for (let i = 20; i < 60; i++) bad[i] ^= 0x5a;
  const c = new ByteStream('c.gz', bad, true);
  assert.throws(() => c.readInto(new Uint8Array(raw.length)), (e: Error) => e instanceof ImageFormatError && /c\.gz: gzip data is corrupt/.test(e.message));
  c.dispose();
});

test('gzipParts compresses several parts into one stream', () => {
  const a = pseudoRandom(100_000);
  const b = pseudoRandom(5_000_000);
  const out = Buffer.concat(gzipParts([a, new Uint8Array(0), b], 1));
  assert.ok(Buffer.from(zlib.gunzipSync(out)).equals(Buffer.concat([a, b])));
});

test('byteswapInPlace swaps 2, 4 and 8 byte units', () => {
  const u = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  byteswapInPlace(u, 2);
  assert.deepEqual(Array.from(u), [2, 1, 4, 3, 6, 5, 8, 7]);
  byteswapInPlace(u, 2);
  byteswapInPlace(u, 8);
  assert.deepEqual(Array.from(u), [8, 7, 6, 5, 4, 3, 2, 1]);
});

test('NIfTI header validation names the file and the problem', () => {
  const hdr = fs.readFileSync(fixture('dtype_int16.nii'));
  const f = (mut: (b: Buffer) => void, re: RegExp) => {
    const b = Buffer.from(hdr);
    mut(b);
    const p = path.join(dir, 'h.nii');
    fs.writeFileSync(p, b);
    assert.throws(() => readNiftiInfo(p), (e: Error) => e.message.startsWith(p) && re.test(e.message));
  };
  f((b) => b.writeInt16LE(9, 40), /dim\[0\]=9/);
  f((b) => b.writeInt16LE(-3, 42), /dim\[1\]=-3/);
  f((b) => b.writeInt16LE(3000, 70), /unknown NIfTI datatype code 3000/);
  f((b) => b.writeInt16LE(1536, 70), /unsupported NIfTI datatype float128/);
  f((b) => b.writeInt16LE(30000, 42), /truncated: header needs/);
  f((b) => b.writeInt32LE(1234, 0), /sizeof_hdr is 1234/);
  assert.throws(() => parseNiftiHeader('short.nii', new Uint8Array(100)), /short\.nii: truncated/);
});

// No tidy around these save/load round trips: it would also free tensors the library leaks.
test('a large volume decodes through streaming gzip into tensor storage', () => {
  const live = torch.memory().liveTensors;
  const data = torch.tidy(() => torch.arange(96 * 80 * 64, { dtype: 'int32' }).remainder(3001).sub(1500).to({ dtype: 'int16' }).reshape([1, 96, 80, 64]));
  const img = MetaTensor.wrap(data, { meta: { filename_or_obj: 'big.nii.gz', spatial_shape: [96, 80, 64] } });
  const p = path.join(dir, 'big.nii.gz');
  new SaveImage({ outputDir: dir, outputPostfix: '', separateFolder: false, outputDtype: null, printLog: false }).call(img);
  const back = new LoadImage({ dtype: null, ensureChannelFirst: true }).call(p) as MetaTensor;
  assert.ok(torch.equal(back, img));
  back.dispose();
  img.dispose();
  assert.equal(torch.memory().liveTensors, live, 'save and load left no tensor behind');
});

test('NIfTI-2 written for dimensions over 32767 reads back (data and double-precision affine)', () => {
  const live = torch.memory().liveTensors;
  const data = torch.tidy(() => torch.arange(40000, { dtype: 'float32' }).reshape([1, 40000, 1]));
  const affine = Float64Array.from([0.1234567891, 0, 0, -3.000000001, 0, 2, 0, 1, 0, 0, 3, 2, 0, 0, 0, 1]);
  const img = MetaTensor.wrap(data, { affine, meta: { filename_or_obj: 'long.nii', spatial_shape: [40000, 1] } });
  new SaveImage({ outputDir: dir, outputPostfix: '', separateFolder: false, outputDtype: null, printLog: false }).call(img);
  const p = path.join(dir, 'long.nii.gz');
  const [back, meta] = new LoadImage({ dtype: null, imageOnly: false }).call(p) as [MetaTensor, Record<string, unknown>];
  assert.equal(meta.sizeof_hdr, 540);
  assert.deepEqual(back.shape, [40000]);
  assert.ok(torch.tidy(() => torch.equal(back, img.reshape([40000])))); // wrap took data over
  assert.equal(back.affine[0], 0.1234567891, 'NIfTI-2 stores the affine in float64');
  assert.equal(back.affine[3], -3.000000001);
  back.dispose();
  img.dispose();
  assert.equal(torch.memory().liveTensors, live, 'save and load left no tensor behind');
});

test('NPY header: encode/parse, Fortran order, malformed headers', () => {
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
  const bytes = Buffer.concat(encodeNpy([2, 3], 'float32', data));
  assert.equal((bytes.length - data.length) % 64, 0, 'header padded to 64 bytes');
  const a = parseNpy('a.npy', bytes);
  assert.deepEqual(a.shape, [2, 3]);
  assert.equal(a.element, 'float32');
  const text = bytes.toString('latin1').replace("'descr': '<f4'", "'descr': '<U4'");
  assert.throws(() => parseNpy('b.npy', Buffer.from(text, 'latin1')), /b\.npy: unsupported npy dtype "<U4"/);
  const obj = bytes.toString('latin1').replace("'descr': '<f4'", "'descr': '|O8'");
  assert.throws(() => parseNpy('c.npy', Buffer.from(obj, 'latin1')), /unsupported npy dtype/);
});

test('NRRD header: none axes, spacings, LPS to RAS', () => {
  const h = Buffer.from(
    'NRRD0004\ntype: float\ndimension: 4\nspace: left-posterior-superior\nsizes: 3 4 5 6\n' +
      'space directions: none (0,2,0) (1,0,0) (0,0,3)\nkinds: vector domain domain domain\nendian: little\nencoding: raw\nspace origin: (10,20,30)\n\n',
    'latin1',
  );
  const info = parseNrrdHeader('x.nrrd', h);
  const { affine, spatialAxes } = nrrdAffine(info);
  assert.deepEqual(spatialAxes, [1, 2, 3]);
  assert.deepEqual(Array.from(affine), [0, -1, 0, -10, -2, 0, 0, -20, 0, 0, 3, 30, 0, 0, 0, 1]);
  assert.throws(() => parseNrrdHeader('y.nrrd', Buffer.from('NRRD0004\ntype: block\ndimension: 1\nsizes: 3\nencoding: raw\n\n')), /y\.nrrd: unsupported NRRD type "block"/);
  assert.throws(() => parseNrrdHeader('z.nrrd', Buffer.from('NRRD0004\ntype: float\ndimension: 2\nsizes: 3\nencoding: raw\n\n')), /invalid NRRD sizes/);
});

test('NRRD: detached .nhdr + raw file, ascii encoding, vector (none) axis as channel', () =>
  torch.tidy(() => {
    const raw = new Int16Array([1, 2, 3, 4, 5, 6, -7, 8, 9, 10, 11, 12]);
    fs.writeFileSync(path.join(dir, 'd.raw'), new Uint8Array(raw.buffer));
    fs.writeFileSync(
      path.join(dir, 'd.nhdr'),
      'NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 2 3 2\n' +
        'space directions: (1,0,0) (0,1,0) (0,0,2)\nendian: little\nencoding: raw\nspace origin: (0,0,0)\ndata file: d.raw\n',
    );
    const a = new LoadImage({ dtype: null }).call(path.join(dir, 'd.nhdr')) as MetaTensor;
    assert.deepEqual(a.shape, [2, 3, 2]);
    // first NRRD axis is fastest in the file: a[x][y][z] = raw[x + 2y + 6z]
    const expected = Array.from({ length: 2 }, (_, x) => Array.from({ length: 3 }, (_, y) => Array.from({ length: 2 }, (_, z) => raw[x + 2 * y + 6 * z])));
    assert.deepEqual(a.toArray(), expected);
    assert.deepEqual(Array.from(a.affine), [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
    fs.writeFileSync(path.join(dir, 'a.nrrd'), 'NRRD0004\ntype: float\ndimension: 2\nsizes: 3 2\nencoding: ascii\n\n1.5 2 3\n4 5 -6.25\n');
    const b = new LoadImage({ dtype: null }).call(path.join(dir, 'a.nrrd')) as MetaTensor;
    assert.deepEqual(b.toArray(), [
      [1.5, 4],
      [2, 5],
      [3, -6.25],
    ]);
    const v = new Float32Array(3 * 4 * 5).map((_, i) => i);
    fs.writeFileSync(
      path.join(dir, 'v.nrrd'),
      Buffer.concat([
        Buffer.from('NRRD0004\ntype: float\ndimension: 3\nspace: left-posterior-superior\nsizes: 3 4 5\nspace directions: none (1,0,0) (0,1,0)\nkinds: vector domain domain\nendian: little\nencoding: raw\nspace origin: (0,0,0)\n\n'),
        Buffer.from(v.buffer),
      ]),
    );
    const [c, meta] = new LoadImage({ dtype: null, imageOnly: false }).call(path.join(dir, 'v.nrrd')) as [MetaTensor, Record<string, unknown>];
    assert.equal(meta.original_channel_dim, 0);
    assert.deepEqual(meta.spatial_shape, [4, 5]);
    const cf = new LoadImage({ dtype: null, ensureChannelFirst: true }).call(path.join(dir, 'v.nrrd')) as MetaTensor;
    assert.deepEqual(cf.shape, [3, 4, 5]);
    assert.equal((cf.toArray() as number[][][])[2][1][0], 2 + 3 * 1);
    torch.dispose([a, b, c, cf]);
  }));

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

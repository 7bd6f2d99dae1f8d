// NIfTI volumes over 4 GiB (issue 13, item 5a): a 1024x1024x2050 int16 volume (4.30 GB, over the 4 GiB
// that one JS typed array can view on Node 20) loads and saves correctly, raw and gzipped. Before the
// fix, loading it aborted the process ("double free or corruption") inside the native view creation.
//
// Slow (about 3 minutes on 2 cores, mostly disk and fsync of 3 volumes; peak RSS about 5.1 GB: the
// volume, one 64 MiB slab and the JS heap) but it runs in CI with the rest. Its files live in one
// temporary folder removed at the end; each volume file is deleted once it has been read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { LoadImage, SaveImage, MetaTensor } from '../../src/index.js';
import { tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const X = 1024;
const Y = 1024;
const Z = 2050;
const SLICE = X * Y;
const NBYTES = SLICE * Z * 2;
const dir = tmpDir('monai-nifti-large-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// voxel (x, y, z) holds base(x, y) + z, base = (x + 7 y) mod 16384 (no int16 overflow)
const base = new Int16Array(SLICE); // C order over (y, x): x fastest, as in the file
for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) base[y * X + x] = (x + 7 * y) % 16384;

// sform-only affine (qform_code 0), as nibabel's Nifti1Header with set_sform(code=1) writes it
const AFFINE = [0.5, 0, 0, -100, 0, 0.75, 0, 20.5, 0, 0, 1.25, 3, 0, 0, 0, 1];

/** A NIfTI-1 header for the volume, written byte by byte (independent of our writer). */
function header(): Uint8Array {
  const h = new Uint8Array(352);
  const dv = new DataView(h.buffer);
  dv.setInt32(0, 348, true);
  dv.setInt16(40, 3, true);
  [X, Y, Z, 1, 1, 1, 1].forEach((d, k) => dv.setInt16(42 + 2 * k, d, true));
  dv.setInt16(70, 4, true); // int16
  dv.setInt16(72, 16, true);
  [1, 0.5, 0.75, 1.25, 1, 1, 1, 1].forEach((p, k) => dv.setFloat32(76 + 4 * k, p, true));
  dv.setFloat32(108, 352, true);
  dv.setFloat32(112, 1, true); // scl_slope 1, scl_inter 0: no scaling
  dv.setInt16(254, 1, true); // sform_code
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) dv.setFloat32(280 + 16 * i + 4 * j, AFFINE[i * 4 + j], true);
  h.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1"
  return h;
}

function writeVolume(file: string): void {
  const fd = fs.openSync(file, 'w');
  const baseYX = torch.fromTypedArray(base, [Y, X], 'int16'); // file order: x fastest, then y, then z
  try {
    fs.writeSync(fd, header());
    const slab = 64; // slices per write, made by torch (a JS loop over 2.2e9 voxels took ~10 s longer)
    for (let z0 = 0; z0 < Z; z0 += slab) {
      const n = Math.min(slab, Z - z0);
      torch.tidy(() => {
        const zs = torch.arange(z0, z0 + n, { dtype: 'int16' }).reshape([n, 1, 1]);
        baseYX.unsqueeze(0).add(zs).withData((v) => {
          const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
          for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
        });
      });
    }
  } finally {
    baseYX.dispose();
    fs.closeSync(fd);
  }
  assert.equal(fs.statSync(file).size, 352 + NBYTES);
}

let baseT: torch.Tensor | null = null; // base in (x, y) order, while the test runs

/**
 * Checks every voxel, slab by slab (small temporaries only: the volume is near the memory budget),
 * plus one voxel by index, the affine from the sform, and that the slabs cover the file's 1 GiB and
 * 4 GiB marks (slices 512, 1024, 1536 and 2048).
 */
function verify(img: MetaTensor, what: string): void {
  assert.deepEqual(img.shape, [X, Y, Z], `${what}: shape`);
  assert.equal(img.dtype, 'int16', `${what}: dtype`);
  const DZ = 64;
  for (let z0 = 0; z0 < Z; z0 += DZ) {
    const dz = Math.min(DZ, Z - z0);
    const same = torch.tidy(() => {
      const zs = torch.arange(z0, z0 + dz, { dtype: 'int16' });
      const expected = baseT!.unsqueeze(2).add(zs).to({ dtype: 'int16' });
      return torch.equal(img.narrow(2, z0, dz), expected);
    });
    assert.ok(same, `${what}: voxels of slices ${z0}..${z0 + dz - 1} differ`);
  }
  assert.equal(torch.tidy(() => img.select(0, 1000).select(0, 3).select(0, Z - 1).item()), ((1000 + 21) % 16384) + Z - 1);
  const a = img.meta.affine as Float64Array;
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(a[i] - AFFINE[i]) <= 1e-6, `${what}: affine[${i}] ${a[i]} vs ${AFFINE[i]}`);
}

function load(file: string): MetaTensor {
  return new LoadImage({ imageOnly: true, dtype: null }).call(file) as MetaTensor;
}

function save(img: MetaTensor, ext: string): string {
  new SaveImage({ outputDir: dir, outputExt: ext, outputPostfix: 'saved', outputDtype: null, separateFolder: false, channelDim: null, printLog: false }).call(img);
  const name = path.basename(String(img.meta.filename_or_obj)).replace(/\.nii(\.gz)?$/, '');
  return path.join(dir, `${name}_saved${ext}`);
}

test('a 4.3 GB int16 NIfTI loads and saves as .nii and .nii.gz with its content and sform', () => {
  baseT = torch.tidy(() => torch.fromTypedArray(base, [Y, X], 'int16').t().contiguous());
  const src = path.join(dir, 'big.nii');
  writeVolume(src);
  const img = load(src);
  let gz: string;
  try {
    fs.rmSync(src); // keep the disk footprint to one volume
    verify(img, 'raw .nii');
    gz = save(img, '.nii.gz');
  } finally {
    img.dispose();
  }
  const gzSize = fs.statSync(gz).size;
  assert.ok(gzSize < NBYTES, `gzip output of ${gzSize} bytes`);
  const img2 = load(gz);
  let raw: string;
  try {
    verify(img2, 'saved .nii.gz');
    fs.renameSync(gz, path.join(dir, 'big2.nii.gz'));
    img2.meta.filename_or_obj = path.join(dir, 'big2.nii.gz');
    raw = save(img2, '.nii');
  } finally {
    img2.dispose();
  }
  assert.equal(fs.statSync(raw).size, 352 + NBYTES);
  const img3 = load(raw);
  try {
    verify(img3, 'saved .nii');
  } finally {
    img3.dispose();
  }
  baseT.dispose();
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(`nifti_large: peak RSS ${(peak / 1e9).toFixed(2)} GB`);
  assert.ok(peak < 10e9, `peak RSS ${peak} bytes exceeds 10 GB`);
});

test('a tensor larger than one view is filled and read in parts (no live tensors left)', () => {
  assert.equal(torch.memory().liveTensors, start);
});

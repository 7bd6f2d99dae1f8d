/**
 * Image writers (MONAI's ImageWriter family) for NIfTI (.nii/.nii.gz), PNG, NPY/NPZ and NRRD, the
 * channel-last conversion they share, resampling back to an original affine and MONAI's output
 * file naming. All writes are atomic (temporary file + rename).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { ElementType } from './formats/common.js';
import { writeNifti } from './formats/nifti.js';
import { writeNpy } from './formats/npy.js';
import { writeNrrd } from './formats/nrrd.js';
import { writePng } from './formats/pil.js';
import { reverseLeadingAxes, withTensorBytes } from './image_reader.js';
import { suggestion } from './options.js';

/** Moves the channel axis last, pads/trims to `spatialNdim` spatial axes and squeezes trailing singletons. */
export function convertToChannelLast(data: Tensor, channelDim: number | null, squeezeEndDims: boolean, spatialNdim: number | null): Tensor {
  return torch.tidy(() => {
    let d: Tensor = data;
    if (channelDim !== null) d = d.movedim(channelDim, -1);
    else d = d.unsqueeze(-1);
    if (spatialNdim) {
      while (d.shape.length < spatialNdim + 1) d = d.unsqueeze(-2);
      while (d.shape.length > spatialNdim + 1) d = d.select(-2, 0);
    }
    while (squeezeEndDims && d.shape.length > 0 && d.shape[d.shape.length - 1] === 1) d = d.squeeze(-1);
    return d === data ? data.alias() : d;
  });
}

function inv4(m: Float64Array): Float64Array {
  // Gauss-Jordan on a 4x4
  const a = Array.from({ length: 4 }, (_, i) => [...Array.from(m.subarray(i * 4, i * 4 + 4)), ...[0, 1, 2, 3].map((j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-300) throw new Error('affine is singular');
    [a[c], a[p]] = [a[p], a[c]];
    const pv = a[c][c];
    for (let j = 0; j < 8; j++) a[c][j] /= pv;
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r][c];
      if (f !== 0) for (let j = 0; j < 8; j++) a[r][j] -= f * a[c][j];
    }
  }
  const out = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) out[i * 4 + j] = a[i][4 + j];
  return out;
}

function mul4(a: Float64Array, b: Float64Array): Float64Array {
  const o = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) o[i * 4 + j] += a[i * 4 + k] * b[k * 4 + j];
  return o;
}

/**
 * Resamples channel-first `img` (C, spatial...) from `affine` to `dstAffine` with output spatial size
 * `shape` (default: same). Exact (flip/transpose only) when the voxel-to-voxel map is a signed
 * permutation with integer shifts; otherwise bilinear/nearest grid sampling in float.
 */
export function resampleToAffine(
  img: Tensor,
  affine: Float64Array,
  dstAffine: Float64Array,
  shape: number[] | null,
  mode: 'nearest' | 'bilinear' | 'bicubic' = 'bilinear',
  paddingMode: 'zeros' | 'border' | 'reflection' = 'border',
  alignCorners = false,
  dtype: torch.DType = 'float64',
): Tensor {
  const sr = img.shape.length - 1;
  if (sr < 1 || sr > 3) throw new Error(`resample supports 1 to 3 spatial dims, got ${sr}`);
  const inShape = img.shape.slice(1);
  const outShape = shape ? shape.slice(0, sr) : inShape;
  // xform maps output voxel -> input voxel
  const src = affineNd(affine, sr);
  const dst = affineNd(dstAffine, sr);
  const xform = mul4(inv4(src), dst);
  // exact path: signed permutation with integer offsets
  const perm: number[] = [];
  const flip: boolean[] = [];
  let exact = true;
  for (let j = 0; j < sr && exact; j++) {
    let found = -1;
    for (let i = 0; i < sr; i++) {
      const v = xform[i * 4 + j];
      if (Math.abs(Math.abs(v) - 1) < 1e-6) {
        if (found >= 0) exact = false;
        found = i;
      } else if (Math.abs(v) > 1e-6) exact = false;
    }
    if (found < 0) exact = false;
    perm.push(found);
    flip.push(found >= 0 && xform[found * 4 + j] < 0);
  }
  if (exact) {
    // out[j] = in[perm[j]] with in index = s*out + t; need shape match and t = 0 (no flip) or n-1 (flip)
    for (let j = 0; j < sr && exact; j++) {
      const i = perm[j];
      const t = xform[i * 4 + 3];
      const n = inShape[i];
      if (outShape[j] !== n) exact = false;
      else if (!flip[j] && Math.abs(t) > 1e-4) exact = false;
      else if (flip[j] && Math.abs(t - (n - 1)) > 1e-4) exact = false;
    }
  }
  if (exact) {
    return torch.tidy(() => {
      let x: Tensor = img.to({ dtype });
      const p = [0, ...perm.map((i) => i + 1)];
      x = x.permute(p);
      const flips = flip.map((f, j) => (f ? j + 1 : -1)).filter((v) => v >= 0);
      if (flips.length) x = x.flip(flips);
      return x.contiguous();
    });
  }
  return torch.tidy(() => {
    // grid of input voxel coordinates for every output voxel, normalised to [-1, 1] (align_corners aware)
    const ranges = outShape.map((n) => torch.arange(n, { dtype: 'float64' }));
    const grids = torch.meshgrid(ranges, 'ij') as Tensor[];
    const ones = torch.onesLike(grids[0]);
    const coords = torch.stack([...grids, ones], { dim: -1 }); // (..., sr+1)
    const xf = torch.fromTypedArray(rowsCols(xform, sr), [sr + 1, sr + 1], 'float64');
    const inCoords = torch.matmul(coords, xf.t()).narrow(-1, 0, sr); // (..., sr) in index order
    const norm: Tensor[] = [];
    for (let k = 0; k < sr; k++) {
      const n = inShape[k];
      const c = inCoords.select(-1, k);
      norm.push(alignCorners ? c.mul(n > 1 ? 2 / (n - 1) : 0).sub(n > 1 ? 1 : 0) : c.add(0.5).mul(2 / n).sub(1));
    }
    // grid_sample wants the last dim in reversed (x = fastest) order
    let grid = torch.stack(norm.reverse(), { dim: -1 });
    let input = img.to({ dtype: dtype === 'float64' || dtype === 'float32' ? dtype : 'float32' });
    if (sr === 1) {
      input = input.unsqueeze(-1);
      grid = torch.stack([torch.zerosLike(grid.select(-1, 0)), grid.select(-1, 0)], { dim: -1 }).unsqueeze(-2);
    }
    grid = grid.unsqueeze(0).to({ dtype: input.dtype });
    const modeCode = mode === 'nearest' ? 1 : mode === 'bicubic' ? 2 : 0;
    const padCode = paddingMode === 'zeros' ? 0 : paddingMode === 'border' ? 1 : 2;
    let out = torch.gridSampler(input.unsqueeze(0), grid, modeCode, padCode, alignCorners).squeeze(0);
    if (sr === 1) out = out.squeeze(-1);
    return out;
  });
}

function affineNd(a: Float64Array, r: number): Float64Array {
  // embed the first r spatial axes of a 4x4 into a (r+1)x(r+1) stored in a 4x4 (rest identity)
  const o = new Float64Array(16);
  o[0] = o[5] = o[10] = o[15] = 1;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) o[i * 4 + j] = a[i * 4 + j];
    o[i * 4 + 3] = a[i * 4 + 3];
  }
  return o;
}

function rowsCols(x: Float64Array, r: number): Float64Array {
  const o = new Float64Array((r + 1) * (r + 1));
  const idx = [...Array.from({ length: r }, (_, k) => k), 3];
  for (let i = 0; i <= r; i++) for (let j = 0; j <= r; j++) o[i * (r + 1) + j] = x[idx[i] * 4 + idx[j]];
  return o;
}

/** MONAI's create_file_basename (extension not added). Creates folders. */
export function createFileBasename(postfix: string, inputFileName: string, folderPath: string, dataRootDir = '', separateFolder = true, patchIndex: number | string | null = null, makedirs = true): string {
  const filedir = path.dirname(inputFileName) === '.' && !inputFileName.includes('/') ? '' : path.dirname(inputFileName);
  let filename = path.basename(inputFileName);
  let ext = path.extname(filename);
  filename = filename.slice(0, filename.length - ext.length);
  if (ext === '.gz') {
    ext = path.extname(filename);
    filename = filename.slice(0, filename.length - ext.length);
  }
  const rel = dataRootDir && filedir ? path.relative(dataRootDir, filedir) : '';
  let output = path.join(folderPath, rel);
  if (separateFolder) output = path.join(output, filename);
  if (makedirs) fs.mkdirSync(output, { recursive: true });
  output = path.join(output, postfix !== '' ? `${filename}_${postfix}` : filename);
  if (patchIndex !== null && patchIndex !== undefined) output += `_${patchIndex}`;
  return path.normalize(output);
}

// ---------------------------------------------------------------------------------------------
// writers

export interface WriteRequest {
  /** channel-last data, spatial axes in index order */
  data: Tensor;
  affine: Float64Array;
  /** number of spatial axes in `data` (the rest are channel/time) */
  spatialNdim: number;
  scale?: number | null;
  /** requested file dtype ('uint16' only meaningful for PNG) */
  outputDtype?: torch.DType | 'uint16' | null;
}

export type WriterFn = (file: string, req: WriteRequest) => void;

interface WriterEntry {
  name: string;
  exts: string[];
  spatialNdim: number | null;
  write: WriterFn;
}

/** Bytes per slab handed to a file writer: large enough for few calls, small beside a volume. */
const SLAB_BYTES = 64 << 20;

/**
 * The reversed-axes C-order bytes of `t` (x fastest), as NIfTI and NRRD store them, produced slab by
 * slab along the slowest file axis (the tensor's last): a writer consuming them holds the tensor plus
 * one slab, never a reordered copy of the whole volume, and no JS view exceeds the 4 GiB limit.
 */
function* fortranSlabs(t: Tensor): Generator<Uint8Array> {
  const item = torch.elementSize(t.dtype);
  const n = t.shape.length;
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel === 0) return;
  if (n <= 1 || numel * item <= SLAB_BYTES) {
    if (numel * item <= SLAB_BYTES) {
      yield slabBytes(t, n);
      return;
    }
    for (let off = 0; off < numel; off += SLAB_BYTES / item) yield slabBytes(t.narrow(0, off, Math.min(SLAB_BYTES / item, numel - off)), 1, true);
    return;
  }
  const last = t.shape[n - 1];
  const sliceBytes = (numel / last) * item;
  const per = Math.max(1, Math.floor(SLAB_BYTES / sliceBytes));
  for (let i0 = 0; i0 < last; i0 += per) {
    const di = Math.min(per, last - i0);
    if (di === 1 && sliceBytes > SLAB_BYTES) {
      const slice = t.select(n - 1, i0);
      try {
        yield* fortranSlabs(slice);
      } finally {
        slice.dispose();
      }
    } else yield slabBytes(t.narrow(n - 1, i0, di), n, true);
  }
}

/** A copy of `s`'s bytes with its axes reversed (`s` disposed when `owned`). */
function slabBytes(s: Tensor, n: number, owned = false): Uint8Array {
  try {
    // blocked passes over a contiguous copy: a single strided permute of the slab measured ~1.7x slower
    const a = torch.tidy(() => (n < 2 ? s.contiguous() : reverseLeadingAxes(s.contiguous(), n, s.dtype, true)).toTypedArray());
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  } finally {
    if (owned) s.dispose();
  }
}

/** Calls fn with `t` on the CPU, in its file element type (bool as uint8). */
function withWritable(req: WriteRequest, fn: (t: Tensor) => void): void {
  let t = req.data;
  if (!t.device.startsWith('cpu')) t = t.to({ device: 'cpu' });
  if (t.dtype === 'bool') {
    const u = t.to({ dtype: 'uint8' });
    if (t !== req.data) t.dispose();
    t = u;
  }
  try {
    fn(t);
  } finally {
    if (t !== req.data) t.dispose();
  }
}

const WRITERS: WriterEntry[] = [
  {
    name: 'NibabelWriter',
    exts: ['.nii', '.nii.gz'],
    spatialNdim: 3,
    write: (file, req) =>
      withWritable(req, (t) => writeNifti(file, { shape: t.shape.length ? t.shape : [1], element: t.dtype as ElementType, data: fortranSlabs(t), affine: req.affine })),
  },
  {
    name: 'NrrdWriter',
    exts: ['.nrrd', '.seg.nrrd'],
    spatialNdim: null,
    write: (file, req) =>
      withWritable(req, (t) =>
        writeNrrd(file, {
          shape: t.shape,
          element: t.dtype as ElementType,
          data: fortranSlabs(t),
          affine: req.affine,
          channelAxis: t.shape.length > req.spatialNdim ? req.spatialNdim : null,
          gzip: true,
        }),
      ),
  },
  {
    name: 'NumpyWriter',
    exts: ['.npy'],
    spatialNdim: null,
    write: (file, req) => {
      withTensorBytes(req.data, (data) => writeNpy(file, req.data.shape, req.data.dtype as ElementType, data));
    },
  },
  {
    name: 'PILWriter',
    exts: ['.png'],
    spatialNdim: 2,
    write: (file, req) => {
      torch.tidy(() => {
        let t: Tensor = req.data;
        if (t.shape.length < 2 || t.shape.length > 3) throw new Error(`PNG needs (W, H) or (W, H, C) data, got shape [${t.shape.join(', ')}]`);
        // MONAI: clip to [0, 1], multiply by the scale, then cast (truncating) to uint8/uint16
        if (req.scale) t = t.to({ dtype: 'float64' }).clamp({ min: 0, max: 1 }).mul(req.scale).floor();
        const od = req.outputDtype;
        const wide = req.scale === 65535 || od === 'uint16' || (!req.scale && od === null && ['int16', 'int32', 'int64'].includes(t.dtype));
        const hw = t.shape.length === 3 ? t.permute([1, 0, 2]) : t.permute([1, 0]);
        const [h, w] = hw.shape;
        const c = hw.shape[2] ?? 1;
        if (wide) {
          const v = hw.to({ dtype: 'int64' }).clamp({ min: 0, max: 65535 }).to({ dtype: 'int32' }).contiguous().toTypedArray() as Int32Array;
          writePng(file, w, h, c, Uint16Array.from(v));
        } else {
          const v = hw.to({ dtype: 'uint8' }).contiguous().toTypedArray() as Uint8Array;
          writePng(file, w, h, c, v);
        }
      });
    },
  },
];

/** The writers registered for a file extension (".nii.gz", "png", ...). */
export function resolveWriter(ext: string): WriterEntry[] {
  const e = ext.startsWith('.') ? ext.toLowerCase() : `.${ext.toLowerCase()}`;
  const found = WRITERS.filter((w) => w.exts.includes(e));
  if (!found.length) {
    const all = WRITERS.flatMap((w) => w.exts);
    throw new TypeError(`no image writer for extension '${ext}'${suggestion(e, all)}; supported: ${all.join(', ')}`);
  }
  return found;
}

export function writerByName(name: string): WriterEntry {
  const w = WRITERS.find((x) => x.name === name);
  if (!w) {
    throw new TypeError(`unknown image writer '${name}'${suggestion(name, WRITERS.map((x) => x.name))}`);
  }
  return w;
}

/** Adds a writer for extensions (user formats). */
export function registerWriter(name: string, exts: string[], write: WriterFn, spatialNdim: number | null = 3): void {
  WRITERS.unshift({ name, exts: exts.map((e) => (e.startsWith('.') ? e.toLowerCase() : `.${e.toLowerCase()}`)), spatialNdim, write });
}

export type { WriterEntry };

/**
 * NIfTI-1 / NIfTI-2 (and Analyze 7.5 .hdr/.img) codec: header parsing with validation against the
 * file size, nibabel's affine choice (sform, then qform, then the Analyze base affine), MONAI's
 * header rectification, streaming data reads and a NIfTI-1 writer.
 *
 * Data layout: NIfTI stores voxels with x fastest (Fortran order). A file with shape (X, Y, Z, ...)
 * is therefore a C-order array of shape (..., Z, Y, X); the reader describes it with `layoutShape`
 * (reversed) and `permutation` (reversing back), so the array index order equals the affine's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ByteStream,
  ElementType,
  ITEM_SIZE,
  ImageFormatError,
  byteswapInPlace,
  eye4,
  isGzip,
  product,
  readFileHead,
  readFileInto,
  swapUnit,
  writeFileAtomic,
  gzipParts,
  gzipStream,
} from './common.js';
export { gzipParts };

/** What a NIfTI datatype code stores. `channels` > 1 means RGB24/RGBA32 (uint8 per channel). */
interface NiftiType {
  code: number;
  name: string;
  element: ElementType | null;
  channels: number;
  bitpix: number;
}

const TYPES: NiftiType[] = [
  { code: 1, name: 'binary', element: null, channels: 1, bitpix: 1 },
  { code: 2, name: 'uint8', element: 'uint8', channels: 1, bitpix: 8 },
  { code: 4, name: 'int16', element: 'int16', channels: 1, bitpix: 16 },
  { code: 8, name: 'int32', element: 'int32', channels: 1, bitpix: 32 },
  { code: 16, name: 'float32', element: 'float32', channels: 1, bitpix: 32 },
  { code: 32, name: 'complex64', element: 'complex64', channels: 1, bitpix: 64 },
  { code: 64, name: 'float64', element: 'float64', channels: 1, bitpix: 64 },
  { code: 128, name: 'RGB24', element: 'uint8', channels: 3, bitpix: 24 },
  { code: 256, name: 'int8', element: 'int8', channels: 1, bitpix: 8 },
  { code: 512, name: 'uint16', element: 'uint16', channels: 1, bitpix: 16 },
  { code: 768, name: 'uint32', element: 'uint32', channels: 1, bitpix: 32 },
  { code: 1024, name: 'int64', element: 'int64', channels: 1, bitpix: 64 },
  { code: 1280, name: 'uint64', element: 'uint64', channels: 1, bitpix: 64 },
  { code: 1536, name: 'float128', element: null, channels: 1, bitpix: 128 },
  { code: 1792, name: 'complex128', element: 'complex128', channels: 1, bitpix: 128 },
  { code: 2048, name: 'complex256', element: null, channels: 1, bitpix: 256 },
  { code: 2304, name: 'RGBA32', element: 'uint8', channels: 4, bitpix: 32 },
];
const TYPE_BY_CODE = new Map(TYPES.map((t) => [t.code, t]));

export function niftiCodeForElement(t: ElementType): number {
  const map: Partial<Record<ElementType, number>> = {
    bool: 2,
    uint8: 2,
    int8: 256,
    int16: 4,
    uint16: 512,
    int32: 8,
    uint32: 768,
    int64: 1024,
    uint64: 1280,
    float32: 16,
    float64: 64,
    complex64: 32,
    complex128: 1792,
  };
  const c = map[t];
  if (c === undefined) throw new Error(`NIfTI cannot store element type ${t}`);
  return c;
}

/** Header fields as plain JS values (MONAI's `dict(img.header)` keys). */
export type NiftiHeader = Record<string, number | string | number[]>;

export interface NiftiInfo {
  file: string;
  dataFile: string;
  version: 1 | 2 | 0; // 0 = Analyze 7.5
  littleEndian: boolean;
  header: NiftiHeader;
  shape: number[]; // nibabel img.shape (x, y, z, ...), without the RGB channel
  type: NiftiType;
  voxOffset: number;
  slope: number | null; // null: no scaling
  inter: number;
  affine: Float64Array; // row-major 4x4 (after MONAI's rectification)
  pixdim: number[];
}

function cstr(bytes: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && bytes[end] !== 0) end++;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Parses a NIfTI-1/2 or Analyze header from the first bytes of a file. */
export function parseNiftiHeader(file: string, bytes: Uint8Array): Omit<NiftiInfo, 'dataFile' | 'affine' | 'slope' | 'inter' | 'pixdim'> & {
  raw: DataView;
} {
  if (bytes.length < 348) throw new ImageFormatError(file, `truncated: NIfTI header needs 348 bytes, file has ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: 0 | 1 | 2;
  let le: boolean;
  const s = dv.getInt32(0, true);
  const sb = dv.getInt32(0, false);
  if (s === 348) [version, le] = [1, true];
  else if (sb === 348) [version, le] = [1, false];
  else if (s === 540) [version, le] = [2, true];
  else if (sb === 540) [version, le] = [2, false];
  else throw new ImageFormatError(file, `not a NIfTI/Analyze file: sizeof_hdr is ${s} (expected 348 or 540)`);
  const h: NiftiHeader = {};
  const f4 = (o: number) => dv.getFloat32(o, le);
  const f8 = (o: number) => dv.getFloat64(o, le);
  const i2 = (o: number) => dv.getInt16(o, le);
  const i4 = (o: number) => dv.getInt32(o, le);
  const i8 = (o: number) => Number(dv.getBigInt64(o, le));
  let dim: number[];
  let datatype: number;
  if (version === 1) {
    const magic = cstr(bytes, 344, 4);
    if (magic !== 'n+1' && magic !== 'ni1') version = 0;
    h.sizeof_hdr = 348;
    h.data_type = cstr(bytes, 4, 10);
    h.db_name = cstr(bytes, 14, 18);
    h.extents = i4(32);
    h.session_error = i2(36);
    h.regular = cstr(bytes, 38, 1);
    h.dim_info = bytes[39];
    dim = Array.from({ length: 8 }, (_, k) => i2(40 + 2 * k));
    h.dim = dim;
    h.intent_p1 = f4(56);
    h.intent_p2 = f4(60);
    h.intent_p3 = f4(64);
    h.intent_code = i2(68);
    datatype = i2(70);
    h.datatype = datatype;
    h.bitpix = i2(72);
    h.slice_start = i2(74);
    h.pixdim = Array.from({ length: 8 }, (_, k) => f4(76 + 4 * k));
    h.vox_offset = f4(108);
    h.scl_slope = f4(112);
    h.scl_inter = f4(116);
    h.slice_end = i2(120);
    h.slice_code = bytes[122];
    h.xyzt_units = bytes[123];
    h.cal_max = f4(124);
    h.cal_min = f4(128);
    h.slice_duration = f4(132);
    h.toffset = f4(136);
    h.glmax = i4(140);
    h.glmin = i4(144);
    h.descrip = cstr(bytes, 148, 80);
    h.aux_file = cstr(bytes, 228, 24);
    h.qform_code = i2(252);
    h.sform_code = i2(254);
    h.quatern_b = f4(256);
    h.quatern_c = f4(260);
    h.quatern_d = f4(264);
    h.qoffset_x = f4(268);
    h.qoffset_y = f4(272);
    h.qoffset_z = f4(276);
    h.srow_x = [0, 1, 2, 3].map((k) => f4(280 + 4 * k));
    h.srow_y = [0, 1, 2, 3].map((k) => f4(296 + 4 * k));
    h.srow_z = [0, 1, 2, 3].map((k) => f4(312 + 4 * k));
    h.intent_name = cstr(bytes, 328, 16);
    h.magic = cstr(bytes, 344, 4);
  } else {
    if (bytes.length < 540) throw new ImageFormatError(file, `truncated: NIfTI-2 header needs 540 bytes, file has ${bytes.length}`);
    h.sizeof_hdr = 540;
    h.magic = cstr(bytes, 4, 8);
    if (!h.magic.startsWith('n+2') && !h.magic.startsWith('ni2'))
      throw new ImageFormatError(file, `NIfTI-2 header has bad magic ${JSON.stringify(h.magic)}`);
    datatype = i2(12);
    h.datatype = datatype;
    h.bitpix = i2(14);
    dim = Array.from({ length: 8 }, (_, k) => i8(16 + 8 * k));
    h.dim = dim;
    h.intent_p1 = f8(80);
    h.intent_p2 = f8(88);
    h.intent_p3 = f8(96);
    h.pixdim = Array.from({ length: 8 }, (_, k) => f8(104 + 8 * k));
    h.vox_offset = i8(168);
    h.scl_slope = f8(176);
    h.scl_inter = f8(184);
    h.cal_max = f8(192);
    h.cal_min = f8(200);
    h.slice_duration = f8(208);
    h.toffset = f8(216);
    h.slice_start = i8(224);
    h.slice_end = i8(232);
    h.descrip = cstr(bytes, 240, 80);
    h.aux_file = cstr(bytes, 320, 24);
    h.qform_code = i4(344);
    h.sform_code = i4(348);
    h.quatern_b = f8(352);
    h.quatern_c = f8(360);
    h.quatern_d = f8(368);
    h.qoffset_x = f8(376);
    h.qoffset_y = f8(384);
    h.qoffset_z = f8(392);
    h.srow_x = [0, 1, 2, 3].map((k) => f8(400 + 8 * k));
    h.srow_y = [0, 1, 2, 3].map((k) => f8(432 + 8 * k));
    h.srow_z = [0, 1, 2, 3].map((k) => f8(464 + 8 * k));
    h.slice_code = i4(496);
    h.xyzt_units = i4(500);
    h.intent_code = i4(504);
    h.intent_name = cstr(bytes, 508, 16);
    h.dim_info = bytes[524];
  }
  const nd = dim[0];
  if (!(nd >= 1 && nd <= 7)) throw new ImageFormatError(file, `invalid dim[0]=${nd} (number of dimensions must be 1..7)`);
  const shape = dim.slice(1, 1 + nd);
  for (let k = 0; k < nd; k++) {
    if (!Number.isSafeInteger(shape[k]) || shape[k] < 0)
      throw new ImageFormatError(file, `invalid dim[${k + 1}]=${shape[k]} (must be a non-negative integer)`);
  }
  const type = TYPE_BY_CODE.get(datatype);
  if (!type) throw new ImageFormatError(file, `unknown NIfTI datatype code ${datatype}`);
  if (type.element === null) throw new ImageFormatError(file, `unsupported NIfTI datatype ${type.name} (code ${datatype})`);
  const vo = Number(h.vox_offset);
  if (!Number.isFinite(vo) || vo < 0) throw new ImageFormatError(file, `invalid vox_offset ${vo}`);
  let voxOffset = Math.floor(vo);
  const single = h.magic === 'n+1' || String(h.magic).startsWith('n+2');
  if (single && voxOffset < Number(h.sizeof_hdr)) voxOffset = Number(h.sizeof_hdr) + (version === 2 ? 4 : 4);
  if (single && version === 1 && vo === 0) voxOffset = 352;
  if (single && version === 2 && vo === 0) voxOffset = 544;
  return { file, version, littleEndian: le, header: h, shape, type, voxOffset, raw: dv };
}

function quatToMat(b: number, c: number, d: number, thresh: number): number[][] {
  // nibabel fillpositive: w = sqrt(1 - (b^2 + c^2 + d^2)), clamping tiny negatives to zero
  let w2 = 1 - (b * b + c * c + d * d);
  if (w2 < 0) {
    if (w2 < thresh) throw new Error(`quaternion (${b}, ${c}, ${d}) has norm > 1`);
    w2 = 0;
  }
  const w = Math.sqrt(w2);
  const x = b,
    y = c,
    z = d;
  const nq = w * w + x * x + y * y + z * z;
  if (nq < 2.220446049250313e-16) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const s = 2 / nq;
  const X = x * s,
    Y = y * s,
    Z = z * s;
  const wX = w * X,
    wY = w * Y,
    wZ = w * Z;
  const xX = x * X,
    xY = x * Y,
    xZ = x * Z;
  const yY = y * Y,
    yZ = y * Z,
    zZ = z * Z;
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

export function qformAffine(h: NiftiHeader, version: number): Float64Array {
  const f32 = version !== 2;
  const r = (v: number) => (f32 ? Math.fround(v) : v);
  const thresh = f32 ? -3 * 1.1920928955078125e-7 : -3 * 2.220446049250313e-16;
  const R = quatToMat(r(Number(h.quatern_b)), r(Number(h.quatern_c)), r(Number(h.quatern_d)), thresh);
  const pd = h.pixdim as number[];
  const vox = [pd[1], pd[2], pd[3]];
  if (vox.some((v) => v < 0)) throw new Error('pixdim[1..3] should be positive');
  const qfac = pd[0] === -1 ? -1 : 1;
  vox[2] *= qfac;
  const a = eye4();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) a[i * 4 + j] = R[i][j] * vox[j];
  a[3] = Number(h.qoffset_x);
  a[7] = Number(h.qoffset_y);
  a[11] = Number(h.qoffset_z);
  return a;
}

export function sformAffine(h: NiftiHeader): Float64Array {
  const a = eye4();
  const rows = [h.srow_x, h.srow_y, h.srow_z] as number[][];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) a[i * 4 + j] = rows[i][j];
  return a;
}

/** nibabel's Analyze base affine: voxel sizes with x flipped, origin at the volume centre. */
export function baseAffine(shape: number[], pixdim: number[]): Float64Array {
  const a = eye4();
  const n = Math.min(shape.length, 3);
  const zooms = [1, 1, 1];
  const dims = [1, 1, 1];
  for (let k = 0; k < n; k++) {
    zooms[k] = pixdim[k + 1];
    dims[k] = shape[k];
  }
  zooms[0] *= -1;
  for (let k = 0; k < 3; k++) {
    a[k * 4 + k] = zooms[k];
    a[k * 4 + 3] = -((dims[k] - 1) / 2) * zooms[k];
  }
  return a;
}

/** MONAI's affine_to_spacing on a 4x4 with r = d: norms of the first r columns over the first r rows (0 -> 1). */
function columnNorms(a: Float64Array, r: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += a[i * 4 + j] ** 2;
    out.push(s === 0 ? 1 : Math.sqrt(s));
  }
  return out;
}

function allclose(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((v, i) => Math.abs(v - b[i]) <= 1e-8 + 1e-5 * Math.abs(b[i]));
}

/** Reads and validates the header of a NIfTI/Analyze image; locates the data file for pairs. */
export function readNiftiInfo(file: string): NiftiInfo {
  const st = statFile(file);
  const src = readHeaderBytes(file);
  const info = parseNiftiHeader(file, src.bytes);
  const h = info.header;
  const single = info.voxOffset > 0 && (h.magic === 'n+1' || String(h.magic).startsWith('n+2'));
  let dataFile = file;
  if (!single) dataFile = findImgFile(file);
  // affine (nibabel precedence)
  const pixdim = (h.pixdim as number[]).slice();
  let affine: Float64Array;
  const sc = Number(h.sform_code);
  const qc = Number(h.qform_code);
  const bad = (what: string, e: unknown) => new ImageFormatError(file, `${what}: ${(e as Error).message}`);
  if (info.version === 0) affine = baseAffine(info.shape, pixdim);
  else if (sc !== 0) affine = sformAffine(h);
  else if (qc !== 0) {
    try {
      affine = qformAffine(h, info.version);
    } catch (e) {
      throw bad('invalid qform', e);
    }
  } else affine = baseAffine(info.shape, pixdim);
  if (Array.from(affine).some((v) => !Number.isFinite(v))) throw new ImageFormatError(file, 'affine contains non-finite values');
  // MONAI's correct_nifti_header_if_necessary (for 1D..4D), except that an uncoded xform is never
  // taken. MONAI 1.4 compares pixdim with the top-left d x d block of each matrix and, when the sform
  // disagrees, takes the qform even if qform_code is 0, i.e. usually an empty quaternion: a coded
  // sform became a pixdim-only affine (for 4D the block includes the translation column, so this
  // happened to most sform-only files: issue 13 item 3). Here a matrix replaces nibabel's best affine
  // only when its code says it is valid; otherwise the affine stays and pixdim takes its spacings.
  const d = Number((h.dim as number[])[0]);
  if (info.version !== 0 && d < 5) {
    const zooms = pixdim.slice(1, 1 + d);
    if (!allclose(zooms, columnNorms(affine, d))) {
      let done = false;
      if (sc !== 0 && qc !== 0) {
        let qform: Float64Array | null = null;
        try {
          qform = qformAffine(h, info.version);
        } catch {
          qform = null;
        }
        if (qform && allclose(columnNorms(qform, d), zooms)) {
          affine = qform; // MONAI's set_sform(get_qform()): both coded, only the qform agrees with pixdim
          done = true;
        }
      }
      if (!done) {
        const norm = columnNorms(affine, d);
        for (let k = 0; k < d; k++) pixdim[k + 1] = version1Round(info.version, norm[k]);
        h.pixdim = pixdim;
      }
    }
  }
  // scaling (nibabel get_slope_inter)
  let slope: number | null = Number(h.scl_slope);
  let inter = Number(h.scl_inter);
  if (slope === 0 || !Number.isFinite(slope)) {
    slope = null;
    inter = 0;
  } else if (!Number.isFinite(inter)) throw new ImageFormatError(file, `scl_inter is ${inter} while scl_slope is ${slope}`);
  if (slope !== null && slope === 1 && inter === 0) slope = null;
  if (slope !== null && (info.type.channels > 1 || info.type.element!.startsWith('complex'))) slope = null;
  // size check against the file before anything is allocated
  const nbytes = product(info.shape) * info.type.channels * ITEM_SIZE[info.type.element!];
  if (!Number.isSafeInteger(nbytes)) throw new ImageFormatError(file, `dimensions ${info.shape.join('x')} are too large`);
  const dataSt = dataFile === file ? st : statFile(dataFile);
  const dataOffset = single ? info.voxOffset : Math.max(0, info.voxOffset);
  checkSizeAgainstFile(dataFile, dataSt.size, src.compressed || isGzName(dataFile), dataOffset + nbytes, info.shape);
  const { raw: _raw, ...rest } = info;
  return { ...rest, dataFile, voxOffset: dataOffset, affine, slope, inter, pixdim };
}

function version1Round(version: number, v: number): number {
  return version === 2 ? v : Math.fround(v);
}

function isGzName(f: string): boolean {
  return f.toLowerCase().endsWith('.gz');
}

function statFile(file: string): fs.Stats {
  try {
    const s = fs.statSync(file);
    if (!s.isFile()) throw new ImageFormatError(file, 'not a regular file');
    return s;
  } catch (e) {
    if (e instanceof ImageFormatError) throw e;
    throw new ImageFormatError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Upper bound of deflate's expansion ratio; a header claiming more data than this is lying. */
export const MAX_DEFLATE_RATIO = 1032;

export function checkSizeAgainstFile(file: string, fileSize: number, compressed: boolean, needed: number, shape: number[]): void {
  if (compressed) {
    if (needed > fileSize * MAX_DEFLATE_RATIO + 65536)
      throw new ImageFormatError(
        file,
        `header claims ${needed} bytes of data (shape ${shape.join('x')}) but a ${fileSize}-byte gzip file cannot hold that much`,
      );
  } else if (needed > fileSize) {
    throw new ImageFormatError(file, `truncated: header needs ${needed} bytes (shape ${shape.join('x')}) but file has ${fileSize}`);
  }
}

function readHeaderBytes(file: string): { bytes: Uint8Array; compressed: boolean } {
  const head = readFileHead(file, 544);
  if (!isGzip(head)) return { bytes: head, compressed: false };
  const bs = ByteStream.fromFile(file, 0, true);
  try {
    const buf = new Uint8Array(544);
    const n = bs.readInto(buf);
    return { bytes: buf.subarray(0, n), compressed: true };
  } finally {
    bs.dispose();
  }
}

function findImgFile(hdr: string): string {
  const lower = hdr.toLowerCase();
  const bases: string[] = [];
  if (lower.endsWith('.hdr.gz')) bases.push(hdr.slice(0, -7));
  else if (lower.endsWith('.hdr')) bases.push(hdr.slice(0, -4));
  else if (lower.endsWith('.img') || lower.endsWith('.img.gz')) return hdr;
  else throw new ImageFormatError(hdr, 'header is for a .hdr/.img pair but the file is not named .hdr');
  const cands: string[] = [];
  for (const b of bases) for (const ext of ['.img', '.img.gz', '.IMG', '.IMG.GZ']) cands.push(b + ext);
  for (const c of cands) if (fs.existsSync(c)) return c;
  throw new ImageFormatError(hdr, `image data file not found (looked for ${cands.map((c) => path.basename(c)).join(', ')})`);
}

/** Resolves `x.img` given as the image name to its header `x.hdr`. */
export function headerFileFor(file: string): string {
  const lower = file.toLowerCase();
  for (const [suf, n] of [
    ['.img.gz', 7],
    ['.img', 4],
  ] as const) {
    if (lower.endsWith(suf)) {
      const base = file.slice(0, -n);
      for (const ext of ['.hdr', '.hdr.gz', '.HDR']) if (fs.existsSync(base + ext)) return base + ext;
      throw new ImageFormatError(file, 'no matching .hdr header for this .img file');
    }
  }
  return file;
}

/** C-order layout of the file's bytes and the permutation to the array's index order. */
export function niftiLayout(info: NiftiInfo): { layoutShape: number[]; permutation: number[]; shape: number[]; element: ElementType } {
  const nd = info.shape.length;
  const rev = info.shape.slice().reverse();
  const ch = info.type.channels;
  if (ch > 1) {
    return {
      layoutShape: [...rev, ch],
      permutation: [...Array.from({ length: nd }, (_, k) => nd - 1 - k), nd],
      shape: [...info.shape, ch],
      element: info.type.element!,
    };
  }
  return {
    layoutShape: rev,
    permutation: Array.from({ length: nd }, (_, k) => nd - 1 - k),
    shape: info.shape.slice(),
    element: info.type.element!,
  };
}

/** Streams the voxel bytes of `info` into `dest` (length = numel * itemsize), converted to host byte order. */
export function readNiftiData(info: NiftiInfo, dest: Uint8Array | Iterable<Uint8Array>): void {
  const chunks: Iterable<Uint8Array> = dest instanceof Uint8Array ? [dest] : dest; // consumed once, in order
  const total = product(info.shape) * info.type.channels * ITEM_SIZE[info.type.element!];
  if (!isGzip(readFileHead(info.dataFile, 2))) {
    // uncompressed: read the file straight into the destination
    const swapped = function* (): Generator<Uint8Array> {
      for (const c of chunks) {
        yield c;
        if (!info.littleEndian) byteswapInPlace(c, swapUnit(info.type.element!)); // after it is filled
      }
    };
    const got = readFileInto(info.dataFile, info.voxOffset, swapped());
    if (got < total) throw new ImageFormatError(info.dataFile, `truncated: expected ${total} bytes of voxel data, found ${got}`);
    return;
  }
  const bs = ByteStream.fromFile(info.dataFile, 0, true); // compressed input is read as it is inflated
  try {
    if (!bs.skip(info.voxOffset)) throw new ImageFormatError(info.dataFile, `truncated: data offset ${info.voxOffset} is past the end of the file`);
    let got = 0;
    for (const c of chunks) {
      const n = bs.readInto(c);
      got += n;
      if (n < c.length) throw new ImageFormatError(info.dataFile, `truncated: expected ${total} bytes of voxel data, found ${got}`);
      if (!info.littleEndian) byteswapInPlace(c, swapUnit(info.type.element!));
    }
  } finally {
    bs.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// writer

/** Quaternion parameters of the rotation part of an affine (NIfTI qform), nibabel-style. */
function affineToQuaternion(a: Float64Array): { b: number; c: number; d: number; qfac: number; zooms: number[] } | null {
  const M = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i * 4 + j]));
  const zooms = [0, 1, 2].map((j) => Math.hypot(M[0][j], M[1][j], M[2][j]));
  if (zooms.some((z) => z === 0 || !Number.isFinite(z))) return null;
  const R = M.map((row) => row.map((v, j) => v / zooms[j]));
  const det =
    R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) -
    R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) +
    R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) R[i][2] = -R[i][2];
  }
  polarRotation(R); // a sheared affine: the closest rotation, as nibabel's set_qform(strip_shears=True)
  // rotation matrix -> quaternion (w >= 0)
  const tr = R[0][0] + R[1][1] + R[2][2];
  let w: number, x: number, y: number, z: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = 0.25 * s;
    x = (R[2][1] - R[1][2]) / s;
    y = (R[0][2] - R[2][0]) / s;
    z = (R[1][0] - R[0][1]) / s;
  } else if (R[0][0] > R[1][1] && R[0][0] > R[2][2]) {
    const s = Math.sqrt(1 + R[0][0] - R[1][1] - R[2][2]) * 2;
    w = (R[2][1] - R[1][2]) / s;
    x = 0.25 * s;
    y = (R[0][1] + R[1][0]) / s;
    z = (R[0][2] + R[2][0]) / s;
  } else if (R[1][1] > R[2][2]) {
    const s = Math.sqrt(1 + R[1][1] - R[0][0] - R[2][2]) * 2;
    w = (R[0][2] - R[2][0]) / s;
    x = (R[0][1] + R[1][0]) / s;
    y = 0.25 * s;
    z = (R[1][2] + R[2][1]) / s;
  } else {
    const s = Math.sqrt(1 + R[2][2] - R[0][0] - R[1][1]) * 2;
    w = (R[1][0] - R[0][1]) / s;
    x = (R[0][2] + R[2][0]) / s;
    y = (R[1][2] + R[2][1]) / s;
    z = 0.25 * s;
  }
  if (w < 0) [w, x, y, z] = [-w, -x, -y, -z];
  return { b: x, c: y, d: z, qfac, zooms };
}

/**
 * Replaces R (3x3, det > 0) in place by the orthogonal factor of its polar decomposition, the closest
 * rotation (Newton's iteration R <- (R + R^-T) / 2, quadratic convergence; a rotation is a fixed point).
 */
function polarRotation(R: number[][]): void {
  for (let it = 0; it < 100; it++) {
    const [a, b, c] = R[0];
    const [d, e, f] = R[1];
    const [g, h, i] = R[2];
    const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    if (!(Math.abs(det) > 1e-12)) return;
    // R^-T = cofactor matrix / det
    const cof = [
      [e * i - f * h, -(d * i - f * g), d * h - e * g],
      [-(b * i - c * h), a * i - c * g, -(a * h - b * g)],
      [b * f - c * e, -(a * f - c * d), a * e - b * d],
    ];
    let change = 0;
    for (let r = 0; r < 3; r++)
      for (let k = 0; k < 3; k++) {
        const v = 0.5 * (R[r][k] + cof[r][k] / det);
        change = Math.max(change, Math.abs(v - R[r][k]));
        R[r][k] = v;
      }
    if (change < 1e-15) return;
  }
}

export interface NiftiWriteOptions {
  /** Array shape in index order (x, y, z, ...); 1..7 dims. */
  shape: number[];
  element: ElementType;
  /**
   * Voxel bytes in C order of the *reversed* shape (i.e. x fastest), host byte order: one array, or
   * parts in order (an array, or a generator producing them as they are written).
   */
  data: Uint8Array | Iterable<Uint8Array>;
  affine: Float64Array;
  descrip?: string;
  /** gzip level when the name ends with .gz (default 1, as nibabel). */
  level?: number;
}

/** Encodes a single-file NIfTI-1 image; sform and qform both carry the affine (code 1), as MONAI's writer. */
export function encodeNifti1(opts: NiftiWriteOptions): Iterable<Uint8Array> {
  const { shape, element } = opts;
  if (shape.length < 1 || shape.length > 7) throw new Error(`NIfTI supports 1 to 7 dimensions, got ${shape.length}`);
  if (shape.some((s) => s > 32767)) throw new Error(`NIfTI-1 dimensions must be <= 32767, got ${shape.join('x')}`);
  const code = niftiCodeForElement(element);
  const hdr = new Uint8Array(352);
  const dv = new DataView(hdr.buffer);
  dv.setInt32(0, 348, true);
  hdr[38] = 'r'.charCodeAt(0);
  dv.setInt16(40, shape.length, true);
  for (let k = 0; k < 7; k++) dv.setInt16(42 + 2 * k, k < shape.length ? shape[k] : 1, true);
  dv.setInt16(70, code, true);
  dv.setInt16(72, ITEM_SIZE[element] * 8, true);
  const a = opts.affine;
  const q = affineToQuaternion(a);
  const zooms = q ? q.zooms : [0, 1, 2].map((j) => Math.hypot(a[j], a[4 + j], a[8 + j]));
  dv.setFloat32(76, q ? q.qfac : 1, true);
  for (let k = 0; k < 7; k++) dv.setFloat32(80 + 4 * k, k < 3 ? zooms[k] || 1 : 1, true);
  dv.setFloat32(108, 352, true);
  dv.setFloat32(112, Number.NaN, true);
  dv.setFloat32(116, Number.NaN, true);
  hdr[123] = 2 | 8; // mm, sec
  const desc = (opts.descrip ?? 'monai-ts').slice(0, 79);
  for (let i = 0; i < desc.length; i++) hdr[148 + i] = desc.charCodeAt(i) & 0x7f;
  dv.setInt16(252, q ? 1 : 0, true);
  dv.setInt16(254, 1, true);
  if (q) {
    dv.setFloat32(256, q.b, true);
    dv.setFloat32(260, q.c, true);
    dv.setFloat32(264, q.d, true);
  }
  dv.setFloat32(268, a[3], true);
  dv.setFloat32(272, a[7], true);
  dv.setFloat32(276, a[11], true);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) dv.setFloat32(280 + 16 * i + 4 * j, a[i * 4 + j], true);
  hdr[344] = 'n'.charCodeAt(0);
  hdr[345] = '+'.charCodeAt(0);
  hdr[346] = '1'.charCodeAt(0);
  return (function* () {
    yield hdr;
    yield* dataParts(opts);
  })();
}

/** The voxel bytes as parts, little-endian; the total is checked against the shape as they pass. */
function* dataParts(opts: NiftiWriteOptions): Generator<Uint8Array> {
  const parts: Iterable<Uint8Array> = opts.data instanceof Uint8Array ? [opts.data] : opts.data;
  const expected = product(opts.shape) * ITEM_SIZE[opts.element];
  const wrong = (got: string) => new Error(`NIfTI data has ${got} bytes, expected ${expected} for shape ${opts.shape.join('x')} of ${opts.element}`);
  let got = 0;
  for (const p of parts) {
    got += p.byteLength;
    if (got > expected) throw wrong(`more than ${expected}`);
    if (isLittleHost()) yield p;
    else {
      const c = p.slice();
      byteswapInPlace(c, swapUnit(opts.element));
      yield c;
    }
  }
  if (got !== expected) throw wrong(String(got));
}

function isLittleHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Encodes a single-file NIfTI-2 image (used when a dimension exceeds NIfTI-1's 32767). */
export function encodeNifti2(opts: NiftiWriteOptions): Iterable<Uint8Array> {
  const { shape, element } = opts;
  if (shape.length < 1 || shape.length > 7) throw new Error(`NIfTI supports 1 to 7 dimensions, got ${shape.length}`);
  const code = niftiCodeForElement(element);
  const hdr = new Uint8Array(544);
  const dv = new DataView(hdr.buffer);
  dv.setInt32(0, 540, true);
  const magic = [0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a];
  hdr.set(magic, 4);
  dv.setInt16(12, code, true);
  dv.setInt16(14, ITEM_SIZE[element] * 8, true);
  dv.setBigInt64(16, BigInt(shape.length), true);
  for (let k = 0; k < 7; k++) dv.setBigInt64(24 + 8 * k, BigInt(k < shape.length ? shape[k] : 1), true);
  const a = opts.affine;
  const q = affineToQuaternion(a);
  const zooms = q ? q.zooms : [0, 1, 2].map((j) => Math.hypot(a[j], a[4 + j], a[8 + j]));
  dv.setFloat64(104, q ? q.qfac : 1, true);
  for (let k = 0; k < 7; k++) dv.setFloat64(112 + 8 * k, k < 3 ? zooms[k] || 1 : 1, true);
  dv.setBigInt64(168, 544n, true);
  dv.setFloat64(176, Number.NaN, true);
  dv.setFloat64(184, Number.NaN, true);
  const desc = (opts.descrip ?? 'monai-ts').slice(0, 79);
  for (let i = 0; i < desc.length; i++) hdr[240 + i] = desc.charCodeAt(i) & 0x7f;
  dv.setInt32(344, q ? 1 : 0, true);
  dv.setInt32(348, 1, true);
  if (q) {
    dv.setFloat64(352, q.b, true);
    dv.setFloat64(360, q.c, true);
    dv.setFloat64(368, q.d, true);
  }
  dv.setFloat64(376, a[3], true);
  dv.setFloat64(384, a[7], true);
  dv.setFloat64(392, a[11], true);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) dv.setFloat64(400 + 32 * i + 8 * j, a[i * 4 + j], true);
  dv.setInt32(500, 2 | 8, true);
  return (function* () {
    yield hdr;
    yield* dataParts(opts);
  })();
}

/** Writes a NIfTI file (NIfTI-1, or NIfTI-2 when a dimension exceeds 32767 or `version` is 2), gzip for .gz, atomically. */
export function writeNifti(file: string, opts: NiftiWriteOptions & { version?: 1 | 2 }): void {
  const v2 = opts.version === 2 || opts.shape.some((d) => d > 32767);
  const parts = v2 ? encodeNifti2(opts) : encodeNifti1(opts);
  // streamed: parts are compressed and written as they come (nibabel's default gzip level is 1)
  writeFileAtomic(file, file.toLowerCase().endsWith('.gz') ? gzipStream(parts, opts.level ?? 1) : parts);
}


/**
 * NPY (format versions 1.0, 2.0, 3.0) and NPZ codec. Arrays keep numpy's index order; Fortran-order
 * files are described by a reversed layout and a reversing permutation.
 */
import { unzipSync, zipSync } from 'fflate';
import {
  ElementType,
  ITEM_SIZE,
  ImageFormatError,
  byteswapInPlace,
  product,
  readFileBytes,
  swapUnit,
  writeFileAtomic,
} from './common.js';
import { MAX_DEFLATE_RATIO } from './nifti.js';

export interface NpyArray {
  name: string;
  shape: number[];
  element: ElementType;
  fortranOrder: boolean;
  littleEndian: boolean;
  /** the raw (file byte order) bytes of the data */
  bytes: Uint8Array;
}

const KIND: Record<string, Partial<Record<number, ElementType>>> = {
  b: { 1: 'bool' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  f: { 2: 'float16', 4: 'float32', 8: 'float64' },
  c: { 8: 'complex64', 16: 'complex128' },
};

function parseDescr(file: string, descr: string): { element: ElementType; little: boolean } {
  const m = /^([<>|=])([biufc])(\d+)$/.exec(descr);
  if (!m) throw new ImageFormatError(file, `unsupported npy dtype ${JSON.stringify(descr)} (only plain numeric dtypes)`);
  const element = KIND[m[2]][Number(m[3])];
  if (!element) throw new ImageFormatError(file, `unsupported npy dtype ${JSON.stringify(descr)}`);
  const little = m[1] !== '>' && !(m[1] === '=' && false);
  return { element, little };
}

/** Parses the Python-literal header dict of an NPY file. */
function parseHeaderDict(file: string, text: string): { descr: string; fortran: boolean; shape: number[] } {
  const d = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const f = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const s = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!d || !f || !s) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) throw new ImageFormatError(file, 'structured npy dtypes are not supported');
    throw new ImageFormatError(file, `malformed npy header ${JSON.stringify(text.slice(0, 120))}`);
  }
  const parts = s[1]
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  const shape = parts.map((p) => {
    const v = Number(p.replace(/L$/, ''));
    if (!Number.isSafeInteger(v) || v < 0) throw new ImageFormatError(file, `invalid npy shape entry ${JSON.stringify(p)}`);
    return v;
  });
  return { descr: d[1], fortran: f[1] === 'True', shape };
}

export function parseNpy(file: string, bytes: Uint8Array, name = ''): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new ImageFormatError(file, `${name ? name + ': ' : ''}not an NPY file (bad magic)`);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new ImageFormatError(file, 'truncated NPY header');
    hlen = dv.getUint32(8, true);
    start = 12;
  } else throw new ImageFormatError(file, `unsupported NPY format version ${major}.${bytes[7]}`);
  if (start + hlen > bytes.length) throw new ImageFormatError(file, `truncated: NPY header needs ${hlen} bytes`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  const hd = parseHeaderDict(file, text);
  const { element, little } = parseDescr(file, hd.descr);
  const off = start + hlen;
  const nbytes = product(hd.shape) * ITEM_SIZE[element];
  if (!Number.isSafeInteger(nbytes) || off + nbytes > bytes.length)
    throw new ImageFormatError(file, `truncated: NPY shape (${hd.shape.join(', ')}) ${hd.descr} needs ${nbytes} bytes of data, file has ${bytes.length - off}`);
  return { name, shape: hd.shape, element, fortranOrder: hd.fortran, littleEndian: little, bytes: bytes.subarray(off, off + nbytes) };
}

/** C-order layout of the bytes and the permutation to numpy's index order. */
export function npyLayout(a: NpyArray): { layoutShape: number[]; permutation: number[] | null } {
  if (!a.fortranOrder || a.shape.length < 2) return { layoutShape: a.shape.slice(), permutation: null };
  const n = a.shape.length;
  return { layoutShape: a.shape.slice().reverse(), permutation: Array.from({ length: n }, (_, k) => n - 1 - k) };
}

/** Copies the data of `a` into dest (host byte order). */
export function readNpyData(a: NpyArray, dest: Uint8Array | Uint8Array[]): void {
  let off = 0;
  for (const c of Array.isArray(dest) ? dest : [dest]) {
    c.set(a.bytes.subarray(off, off + c.length));
    off += c.length;
    if (!a.littleEndian) byteswapInPlace(c, swapUnit(a.element));
  }
}

export function readNpyFile(file: string): NpyArray[] {
  const bytes = readFileBytes(file);
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return readNpz(file, bytes);
  return [parseNpy(file, bytes)];
}

/** Reads every .npy member of an NPZ archive (stored or deflated), refusing members that lie about their size. */
export function readNpz(file: string, bytes: Uint8Array, keys?: readonly string[]): NpyArray[] {
  let files: Record<string, Uint8Array>;
  let bad: string | null = null;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const limit = f.compression === 0 ? f.size : f.size * MAX_DEFLATE_RATIO + 65536;
        if (f.originalSize > limit || f.originalSize > bytes.length * MAX_DEFLATE_RATIO + 65536) {
          bad = `member ${f.name} claims ${f.originalSize} bytes from ${f.size} compressed bytes`;
          return false;
        }
        if (f.compression !== 0 && f.compression !== 8) {
          bad = `member ${f.name} uses unsupported zip compression method ${f.compression}`;
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    throw new ImageFormatError(file, `corrupt NPZ archive (${(e as Error).message})`);
  }
  if (bad) throw new ImageFormatError(file, bad);
  const names = Object.keys(files).sort((a, b) => order(a) - order(b));
  const out: NpyArray[] = [];
  const wanted = keys ? keys.map((k) => (k.endsWith('.npy') ? k : `${k}.npy`)) : names.filter((n) => n.endsWith('.npy'));
  for (const n of wanted) {
    if (!(n in files)) throw new ImageFormatError(file, `NPZ has no array ${JSON.stringify(n.replace(/\.npy$/, ''))} (has ${names.join(', ')})`);
    out.push(parseNpy(file, files[n], n.replace(/\.npy$/, '')));
  }
  if (out.length === 0) throw new ImageFormatError(file, 'NPZ archive contains no .npy arrays');
  return out;
  function order(_n: string): number {
    return 0; // keep archive order (numpy's NpzFile.files order)
  }
}

const DESCR: Record<ElementType, string> = {
  bool: '|b1',
  uint8: '|u1',
  int8: '|i1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  complex64: '<c8',
  complex128: '<c16',
};

/** Encodes an NPY v1.0 file (C order, little endian). `data` is in host order (little-endian hosts only). */
export function encodeNpy(shape: number[], element: ElementType, data: Uint8Array): Uint8Array[] {
  const expected = product(shape) * ITEM_SIZE[element];
  if (data.byteLength !== expected) throw new Error(`NPY data has ${data.byteLength} bytes, expected ${expected}`);
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[element]}', 'fortran_order': False, 'shape': ${shp}, }`;
  const total = 10 + dict.length + 1;
  const pad = (64 - (total % 64)) % 64;
  dict = dict + ' '.repeat(pad) + '\n';
  const head = new Uint8Array(10 + dict.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) head[10 + i] = dict.charCodeAt(i);
  return [head, data];
}

export function writeNpy(file: string, shape: number[], element: ElementType, data: Uint8Array): void {
  writeFileAtomic(file, encodeNpy(shape, element, data));
}

/** Writes an NPZ archive; `compress` deflates members (numpy's savez_compressed). */
export function writeNpz(file: string, arrays: Record<string, { shape: number[]; element: ElementType; data: Uint8Array }>, compress = false): void {
  const members: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(arrays)) members[`${k}.npy`] = Buffer.concat(encodeNpy(v.shape, v.element, v.data));
  writeFileAtomic(file, zipSync(members, { level: compress ? 6 : 0 }));
}

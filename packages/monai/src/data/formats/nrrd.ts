/**
 * NRRD codec (attached or detached single data file; raw, gzip and ascii encodings). The array keeps
 * NRRD's axis order (first axis = fastest in the file), so `space directions` give the affine columns
 * directly; the affine is converted to RAS for LPS/LAS spaces (or when no space is given, as MONAI).
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
  readFileBytes,
  swapUnit,
  typedView,
  writeFileAtomic,
} from './common.js';
import { MAX_DEFLATE_RATIO, gzipParts } from './nifti.js';

const TYPE_NAMES: [ElementType, string[]][] = [
  ['int8', ['signed char', 'int8', 'int8_t']],
  ['uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']],
  ['int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']],
  ['uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']],
  ['int32', ['int', 'signed int', 'int32', 'int32_t']],
  ['uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']],
  ['int64', ['longlong', 'long long', 'long long int', 'signed long long', 'signed long long int', 'int64', 'int64_t']],
  ['uint64', ['ulonglong', 'unsigned long long', 'unsigned long long int', 'uint64', 'uint64_t']],
  ['float32', ['float']],
  ['float64', ['double']],
];
const TYPE_BY_NAME = new Map<string, ElementType>();
for (const [t, names] of TYPE_NAMES) for (const n of names) TYPE_BY_NAME.set(n, t);

const NRRD_TYPE_OUT: Partial<Record<ElementType, string>> = {
  int8: 'int8',
  uint8: 'uint8',
  bool: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  uint64: 'uint64',
  float32: 'float',
  float64: 'double',
};

export interface NrrdInfo {
  file: string;
  dataFile: string;
  fields: Record<string, string>;
  keyValues: Record<string, string>;
  sizes: number[];
  element: ElementType;
  encoding: 'raw' | 'gzip' | 'ascii';
  littleEndian: boolean;
  dataOffset: number; // byte offset of data in dataFile (raw/gzip container)
  byteSkip: number;
  lineSkip: number;
  space: string | null;
  /** per axis: direction vector or null ('none') */
  directions: (number[] | null)[] | null;
  origin: number[] | null;
  spacings: number[] | null;
  kinds: string[] | null;
}

function parseVector(file: string, s: string): number[] {
  const m = /^\(([^)]*)\)$/.exec(s.trim());
  if (!m) throw new ImageFormatError(file, `malformed NRRD vector ${JSON.stringify(s)}`);
  const v = m[1].split(',').map((x) => Number(x.trim()));
  if (v.some((x) => Number.isNaN(x))) throw new ImageFormatError(file, `malformed NRRD vector ${JSON.stringify(s)}`);
  return v;
}

function splitVectors(s: string): string[] {
  return s.trim().split(/\s+(?=\(|none)/).filter((x) => x.length > 0);
}

export function parseNrrdHeader(file: string, bytes: Uint8Array): NrrdInfo {
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'NRRD')
    throw new ImageFormatError(file, 'not a NRRD file (missing NRRD magic)');
  // find end of header: first empty line
  const limit = Math.min(bytes.length, 1 << 20);
  let end = -1;
  let dataOffset = -1;
  for (let i = 0; i < limit - 1; i++) {
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0a) {
      end = i;
      dataOffset = i + 2;
      break;
    }
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) {
      end = i;
      dataOffset = i + 3;
      break;
    }
  }
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, end < 0 ? limit : end));
  const lines = text.split(/\r?\n/);
  if (!/^NRRD000[1-5]$/.test(lines[0].trim())) throw new ImageFormatError(file, `unsupported NRRD magic ${JSON.stringify(lines[0].slice(0, 16))}`);
  const fields: Record<string, string> = {};
  const keyValues: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const kv = line.indexOf(':=');
    const fi = line.indexOf(': ');
    if (kv >= 0 && (fi < 0 || kv < fi)) {
      keyValues[line.slice(0, kv)] = line.slice(kv + 2);
      continue;
    }
    if (fi < 0) throw new ImageFormatError(file, `malformed NRRD header line ${JSON.stringify(line.slice(0, 80))}`);
    fields[line.slice(0, fi).trim().toLowerCase()] = line.slice(fi + 2).trim();
  }
  const req = (k: string) => {
    const v = fields[k];
    if (v === undefined) throw new ImageFormatError(file, `NRRD header has no "${k}" field`);
    return v;
  };
  const dim = Number(req('dimension'));
  if (!Number.isInteger(dim) || dim < 1 || dim > 16) throw new ImageFormatError(file, `invalid NRRD dimension ${fields.dimension}`);
  const sizes = req('sizes')
    .split(/\s+/)
    .map((x) => Number(x));
  if (sizes.length !== dim || sizes.some((s) => !Number.isSafeInteger(s) || s < 0))
    throw new ImageFormatError(file, `invalid NRRD sizes "${fields.sizes}" for dimension ${dim}`);
  const tname = req('type').toLowerCase();
  const element = TYPE_BY_NAME.get(tname);
  if (!element) throw new ImageFormatError(file, `unsupported NRRD type "${fields.type}"`);
  const encRaw = req('encoding').toLowerCase();
  let encoding: NrrdInfo['encoding'];
  if (encRaw === 'raw') encoding = 'raw';
  else if (encRaw === 'gzip' || encRaw === 'gz') encoding = 'gzip';
  else if (encRaw === 'ascii' || encRaw === 'text' || encRaw === 'txt') encoding = 'ascii';
  else throw new ImageFormatError(file, `unsupported NRRD encoding "${fields.encoding}"`);
  const endian = (fields.endian ?? 'little').toLowerCase();
  if (endian !== 'little' && endian !== 'big') throw new ImageFormatError(file, `invalid NRRD endian "${fields.endian}"`);
  const space = fields.space ?? null;
  let directions: (number[] | null)[] | null = null;
  if (fields['space directions'] !== undefined) {
    const parts = splitVectors(fields['space directions']);
    if (parts.length !== dim) throw new ImageFormatError(file, `NRRD "space directions" has ${parts.length} entries for dimension ${dim}`);
    directions = parts.map((p) => (p === 'none' ? null : parseVector(file, p)));
    const sd = directions.find((d) => d !== null);
    if (sd && directions.some((d) => d !== null && d.length !== sd.length))
      throw new ImageFormatError(file, 'NRRD "space directions" vectors differ in length');
  }
  const origin = fields['space origin'] !== undefined ? parseVector(file, fields['space origin']) : null;
  const spacings =
    fields.spacings !== undefined
      ? fields.spacings.split(/\s+/).map((x) => (x.toLowerCase() === 'nan' ? Number.NaN : Number(x)))
      : null;
  const kinds = fields.kinds !== undefined ? fields.kinds.split(/\s+/) : null;
  let dataFile = file;
  const df = fields['data file'] ?? fields.datafile;
  if (df !== undefined) {
    if (/^LIST\b/.test(df) || /%/.test(df) || df.split(/\s+/).length > 1)
      throw new ImageFormatError(file, 'NRRD detached data with several files is not supported');
    dataFile = path.resolve(path.dirname(file), df);
    dataOffset = 0;
  } else if (end < 0) throw new ImageFormatError(file, 'NRRD header has no terminating blank line');
  const byteSkip = Number(fields['byte skip'] ?? fields.byteskip ?? 0);
  const lineSkip = Number(fields['line skip'] ?? fields.lineskip ?? 0);
  if (!Number.isInteger(byteSkip) || byteSkip < -1 || !Number.isInteger(lineSkip) || lineSkip < 0)
    throw new ImageFormatError(file, 'invalid NRRD byte skip / line skip');
  return {
    file,
    dataFile,
    fields,
    keyValues,
    sizes,
    element,
    encoding,
    littleEndian: endian === 'little',
    dataOffset,
    byteSkip,
    lineSkip,
    space,
    directions,
    origin,
    spacings,
    kinds,
  };
}

export function readNrrdInfo(file: string): NrrdInfo {
  const bytes = readFileBytes(file);
  const info = parseNrrdHeader(file, bytes);
  const nbytes = product(info.sizes) * ITEM_SIZE[info.element];
  if (!Number.isSafeInteger(nbytes)) throw new ImageFormatError(file, `NRRD sizes ${info.sizes.join(' ')} are too large`);
  let avail: number;
  try {
    avail = info.dataFile === file ? bytes.length - info.dataOffset : fs.statSync(info.dataFile).size;
  } catch {
    throw new ImageFormatError(file, `NRRD data file ${info.dataFile} cannot be read`);
  }
  const numel = product(info.sizes);
  const tooBig =
    info.encoding === 'gzip'
      ? nbytes > avail * MAX_DEFLATE_RATIO + 65536
      : info.encoding === 'ascii'
        ? numel > avail / 2 + 1
        : nbytes > avail;
  if (tooBig && nbytes > 0)
    throw new ImageFormatError(
      file,
      `header needs ${nbytes} bytes of data (sizes ${info.sizes.join(' ')}) but only ${avail} ${info.encoding} bytes are present`,
    );
  return info;
}

/** The affine (row-major 4x4) for the spatial axes, plus which array axes are spatial. */
export function nrrdAffine(info: NrrdInfo): { affine: Float64Array; spatialAxes: number[]; originalSpace: string } {
  const a = eye4();
  let spatialAxes: number[] = [];
  if (info.directions) {
    info.directions.forEach((d, k) => {
      if (d !== null) spatialAxes.push(k);
    });
    const sdim = Math.min(3, spatialAxes.length);
    spatialAxes = spatialAxes.slice(0, 3);
    spatialAxes.forEach((ax, j) => {
      const d = info.directions![ax]!;
      for (let i = 0; i < Math.min(3, d.length); i++) a[i * 4 + j] = d[i];
    });
    if (info.origin) for (let i = 0; i < Math.min(3, info.origin.length); i++) a[i * 4 + 3] = info.origin[i];
    void sdim;
  } else {
    spatialAxes = info.sizes.map((_, k) => k).slice(0, 3);
    spatialAxes.forEach((ax, j) => {
      const s = info.spacings?.[ax];
      a[j * 4 + j] = s !== undefined && Number.isFinite(s) ? s : 1;
    });
    if (info.origin) for (let i = 0; i < Math.min(3, info.origin.length); i++) a[i * 4 + 3] = info.origin[i];
  }
  if (Array.from(a).some((v) => !Number.isFinite(v))) throw new ImageFormatError(info.file, 'NRRD space directions/origin are not finite');
  const sp = (info.space ?? 'left-posterior-superior').toLowerCase();
  const flips: Record<string, [number, number, number]> = {
    'left-posterior-superior': [-1, -1, 1],
    lps: [-1, -1, 1],
    'left-posterior-superior-time': [-1, -1, 1],
    lpst: [-1, -1, 1],
    'left-anterior-superior': [-1, 1, 1],
    las: [-1, 1, 1],
    'left-anterior-superior-time': [-1, 1, 1],
    last: [-1, 1, 1],
    'right-anterior-superior': [1, 1, 1],
    ras: [1, 1, 1],
    'right-anterior-superior-time': [1, 1, 1],
    rast: [1, 1, 1],
  };
  const f = flips[sp];
  if (f) {
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) a[i * 4 + j] = f[i] * a[i * 4 + j] + 0;
  }
  return { affine: a, spatialAxes, originalSpace: sp };
}

/** Streams the NRRD data (host byte order) into dest; layout is the reversed sizes (first axis fastest). */
export function readNrrdData(info: NrrdInfo, destChunks: Uint8Array | Uint8Array[]): void {
  const chunks = Array.isArray(destChunks) ? destChunks : [destChunks];
  if (info.encoding === 'ascii' && chunks.length > 1) throw new ImageFormatError(info.file, 'ascii NRRD data larger than 1 GiB is not supported');
  const dest = chunks[0];
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const all = info.dataFile === info.file ? readFileBytes(info.file) : readFileBytes(info.dataFile);
  let body = all.subarray(info.dataOffset);
  if (info.lineSkip > 0) {
    let pos = 0;
    for (let l = 0; l < info.lineSkip; l++) {
      const nl = body.indexOf(0x0a, pos);
      if (nl < 0) throw new ImageFormatError(info.file, 'truncated: line skip runs past the end of the data');
      pos = nl + 1;
    }
    body = body.subarray(pos);
  }
  if (info.encoding === 'ascii') {
    readAscii(info, body, dest);
    return;
  }
  if (info.encoding === 'raw' && info.byteSkip === -1) body = body.subarray(Math.max(0, body.length - total));
  if (info.encoding === 'gzip' && !isGzip(body)) throw new ImageFormatError(info.file, 'NRRD says gzip encoding but the data is not gzip');
  const bs = new ByteStream(info.dataFile, body, info.encoding === 'gzip');
  try {
    if (info.byteSkip > 0 && !bs.skip(info.byteSkip)) throw new ImageFormatError(info.file, 'truncated: byte skip runs past the end of the data');
    let got = 0;
    for (const c of chunks) {
      const n = bs.readInto(c);
      got += n;
      if (n < c.length) throw new ImageFormatError(info.file, `truncated: expected ${total} bytes of data, found ${got}`);
      if (!info.littleEndian) byteswapInPlace(c, swapUnit(info.element));
    }
  } finally {
    bs.dispose();
  }
}

function readAscii(info: NrrdInfo, body: Uint8Array, dest: Uint8Array): void {
  const text = new TextDecoder('latin1').decode(body);
  const toks = text.split(/[\s,]+/).filter((t) => t.length > 0);
  const view = typedView(info.element, dest);
  if (toks.length < view.length) throw new ImageFormatError(info.file, `truncated: expected ${view.length} ascii values, found ${toks.length}`);
  for (let i = 0; i < view.length; i++) {
    const v = Number(toks[i]);
    if (Number.isNaN(v) && !/^nan$/i.test(toks[i])) throw new ImageFormatError(info.file, `invalid ascii value ${JSON.stringify(toks[i].slice(0, 20))}`);
    if (view instanceof BigInt64Array || view instanceof BigUint64Array) view[i] = BigInt(Math.trunc(v));
    else (view as Float64Array)[i] = v;
  }
}

export interface NrrdWriteOptions {
  shape: number[]; // array (index) order, first axis fastest in the file
  element: ElementType;
  data: Uint8Array; // host order, C order of the reversed shape
  affine: Float64Array; // RAS, row-major 4x4 for the first min(3, ndim) axes
  /** index of a non-spatial (channel) axis, written with direction "none" */
  channelAxis?: number | null;
  gzip?: boolean;
  level?: number;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(v);
}

/** Encodes a NRRD file in LPS space (as ITK/Slicer write it). */
export function encodeNrrd(o: NrrdWriteOptions): Uint8Array[] {
  const t = NRRD_TYPE_OUT[o.element];
  if (!t) throw new Error(`NRRD cannot store element type ${o.element}`);
  const expected = product(o.shape) * ITEM_SIZE[o.element];
  if (o.data.byteLength !== expected) throw new Error(`NRRD data has ${o.data.byteLength} bytes, expected ${expected}`);
  const lps = [-1, -1, 1];
  const dirs: string[] = [];
  let j = 0;
  const nsp = o.shape.filter((_, k) => k !== o.channelAxis).length;
  const sdim = Math.min(3, nsp);
  for (let k = 0; k < o.shape.length; k++) {
    if (k === o.channelAxis || j >= 3) {
      dirs.push('none');
      continue;
    }
    const v = [0, 1, 2].slice(0, 3).map((i) => fmt(lps[i] * o.affine[i * 4 + j] + 0));
    dirs.push(`(${v.join(',')})`);
    j++;
  }
  const origin = [0, 1, 2].map((i) => fmt(lps[i] * o.affine[i * 4 + 3] + 0));
  const lines = [
    'NRRD0004',
    '# Complete NRRD file format specification at:',
    '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${t}`,
    `dimension: ${o.shape.length}`,
    'space: left-posterior-superior',
    `sizes: ${o.shape.join(' ')}`,
    `space directions: ${dirs.join(' ')}`,
    `kinds: ${o.shape.map((_, k) => (k === o.channelAxis || dirs[k] === 'none' ? 'list' : 'domain')).join(' ')}`,
    `endian: little`,
    `encoding: ${o.gzip ? 'gzip' : 'raw'}`,
    `space origin: (${origin.join(',')})`,
  ];
  void sdim;
  const head = Buffer.from(lines.join('\n') + '\n\n', 'latin1');
  const body = o.gzip ? gzipParts([o.data], o.level ?? 6) : [o.data];
  return [head, ...body];
}

export function writeNrrd(file: string, o: NrrdWriteOptions): void {
  writeFileAtomic(file, encodeNrrd(o));
}

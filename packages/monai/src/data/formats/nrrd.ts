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
  readFileHead,
  swapUnit,
  typedView,
  writeFileAtomic,
  gzipStream,
} from './common.js';
import { MAX_DEFLATE_RATIO } from './nifti.js';

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
  /** the first data file (the header file itself when the data is attached) */
  dataFile: string;
  /**
   * detached data as named in the header (single name, LIST lines or the expanded %d pattern), in
   * order; empty when the data is attached. readNrrdInfo resolves them into `dataFiles`.
   */
  dataFileNames: string[];
  /** resolved (real) paths of the detached data files, checked against the header's folder */
  dataFiles: string[];
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
  let listNames: string[] | null = null;
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^data ?file: *LIST\b/i.exec(line);
    if (m) {
      // "data file: LIST [subdim]": every later header line names one data file
      fields['data file'] = line.slice(line.indexOf(':') + 1).trim();
      listNames = lines.slice(li + 1).filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.trim());
      break;
    }
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
  let dataFileNames: string[] = [];
  const df = fields['data file'] ?? fields.datafile;
  if (df !== undefined) {
    dataFileNames = listNames ?? dataFileList(file, df);
    if (dataFileNames.length === 0) throw new ImageFormatError(file, 'NRRD "data file" names no file');
    dataOffset = 0;
  } else if (end < 0) throw new ImageFormatError(file, 'NRRD header has no terminating blank line');
  const byteSkip = Number(fields['byte skip'] ?? fields.byteskip ?? 0);
  const lineSkip = Number(fields['line skip'] ?? fields.lineskip ?? 0);
  if (!Number.isInteger(byteSkip) || byteSkip < -1 || !Number.isInteger(lineSkip) || lineSkip < 0)
    throw new ImageFormatError(file, 'invalid NRRD byte skip / line skip');
  return {
    file,
    dataFile: file,
    dataFileNames,
    dataFiles: [],
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

/** Most data files one header may name (LIST or %d pattern). */
const MAX_DATA_FILES = 1 << 16;

/** The file names of a "data file" field: one name, or the "<format> <min> <max> <step> [<subdim>]" pattern. */
function dataFileList(file: string, df: string): string[] {
  const parts = df.trim().split(/\s+/);
  if (!df.includes('%')) {
    if (parts.length > 1 && /^-?\d+$/.test(parts[1])) throw new ImageFormatError(file, `NRRD "data file" pattern ${JSON.stringify(df)} has no %d format`);
    return [df.trim()];
  }
  if (parts.length < 4 || parts.length > 5 || parts.slice(1).some((p) => !/^-?\d+$/.test(p)))
    throw new ImageFormatError(file, `malformed NRRD "data file" pattern ${JSON.stringify(df)} (expected "<format> <min> <max> <step> [<subdim>]")`);
  const fmt = parts[0];
  const spec = /%(0?)(\d*)d/.exec(fmt);
  if (!spec || (fmt.match(/%/g) ?? []).length !== 1) throw new ImageFormatError(file, `NRRD "data file" pattern ${JSON.stringify(fmt)} needs exactly one %d`);
  const [min, max, step] = parts.slice(1, 4).map(Number);
  if (step === 0 || (max - min) / step < 0) throw new ImageFormatError(file, `NRRD "data file" pattern ${JSON.stringify(df)} has an empty or endless range`);
  const count = Math.floor((max - min) / step) + 1;
  if (count > MAX_DATA_FILES) throw new ImageFormatError(file, `NRRD "data file" pattern names ${count} files (at most ${MAX_DATA_FILES})`);
  const width = spec[2] ? Number(spec[2]) : 0;
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const v = min + k * step;
    const digits = String(Math.abs(v));
    const padded = spec[1] === '0' ? digits.padStart(width - (v < 0 ? 1 : 0), '0') : digits;
    const num = (v < 0 ? '-' : '') + padded;
    out.push(fmt.replace(spec[0], spec[1] === '0' ? num : num.padStart(width, ' ')));
  }
  return out;
}

const DATA_FILE_RULE = "detached NRRD data files must be regular files in the header's folder or below it";

/**
 * Resolves a detached data file name against the header's folder. The real path (symbolic links
 * followed) must lie inside the header's real folder and be a regular file, so that a header cannot
 * make a reader open /dev/zero, /etc/passwd or ../../x.
 */
function resolveDataFile(header: string, name: string): { path: string; size: number } {
  const dir = path.dirname(path.resolve(header));
  let realDir: string;
  try {
    realDir = fs.realpathSync(dir);
  } catch (e) {
    throw new ImageFormatError(header, `cannot resolve the header's folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (name.includes('\0')) throw new ImageFormatError(header, `NRRD data file name ${JSON.stringify(name)} contains a NUL byte`);
  const target = path.resolve(dir, name);
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch (e) {
    throw new ImageFormatError(header, `NRRD data file ${JSON.stringify(name)} cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const inside = real.startsWith(realDir.endsWith(path.sep) ? realDir : realDir + path.sep);
  if (!inside)
    throw new ImageFormatError(header, `NRRD data file ${JSON.stringify(name)} resolves to ${real}, outside the header's folder ${realDir}: ${DATA_FILE_RULE}`);
  const st = fs.statSync(real);
  if (!st.isFile()) throw new ImageFormatError(header, `NRRD data file ${JSON.stringify(name)} (${real}) is not a regular file: ${DATA_FILE_RULE}`);
  return { path: real, size: st.size };
}

/** Whether `avail` bytes of a data file (after its offset) can hold `nbytes` of `info`'s data. */
function tooSmall(info: NrrdInfo, nbytes: number, avail: number): boolean {
  if (nbytes === 0) return false;
  if (info.encoding === 'gzip') return nbytes > avail * MAX_DEFLATE_RATIO + 65536;
  if (info.encoding === 'ascii') return nbytes / ITEM_SIZE[info.element] > avail / 2 + 1;
  return nbytes + Math.max(0, info.byteSkip) > avail;
}

/** Reads and validates a NRRD header, resolves its detached data files and checks their sizes (nothing else is read). */
export function readNrrdInfo(file: string): NrrdInfo {
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new ImageFormatError(file, 'not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof ImageFormatError) throw e;
    throw new ImageFormatError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const head = readFileHead(file, (1 << 20) + 3);
  const info = parseNrrdHeader(file, head);
  const nbytes = product(info.sizes) * ITEM_SIZE[info.element];
  if (!Number.isSafeInteger(nbytes)) throw new ImageFormatError(file, `NRRD sizes ${info.sizes.join(' ')} are too large`);
  if (info.dataFileNames.length === 0) {
    const avail = size - info.dataOffset;
    if (tooSmall(info, nbytes, avail))
      throw new ImageFormatError(file, `header needs ${nbytes} bytes of data (sizes ${info.sizes.join(' ')}) but only ${avail} ${info.encoding} bytes are present`);
    return info;
  }
  const n = info.dataFileNames.length;
  if (nbytes % n !== 0) throw new ImageFormatError(file, `NRRD data of ${nbytes} bytes cannot be split evenly over ${n} data files`);
  const per = nbytes / n;
  const files = info.dataFileNames.map((name) => {
    const r = resolveDataFile(file, name);
    if (tooSmall(info, per, r.size))
      throw new ImageFormatError(
        file,
        `NRRD data file ${JSON.stringify(name)} has ${r.size} bytes but must hold ${per} bytes of ${info.encoding} data (sizes ${info.sizes.join(' ')} over ${n} file${n > 1 ? 's' : ''})`,
      );
    return r.path;
  });
  return { ...info, dataFiles: files, dataFile: files[0] };
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

/** Views of bytes [off, off + len) of the concatenation of `chunks`. */
function sliceChunks(chunks: Uint8Array[], off: number, len: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let base = 0;
  for (const c of chunks) {
    const lo = Math.max(off, base);
    const hi = Math.min(off + len, base + c.length);
    if (hi > lo) out.push(c.subarray(lo - base, hi - base));
    base += c.length;
  }
  return out;
}

/** Offset just after `lines` newlines from `start` in a file (NRRD "line skip"). */
function skipLines(file: string, header: string, start: number, lines: number): number {
  if (lines === 0) return start;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = new Uint8Array(1 << 16);
    let pos = start;
    let left = lines;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) throw new ImageFormatError(header, 'truncated: line skip runs past the end of the data');
      for (let i = 0; i < n; i++) {
        if (buf[i] === 0x0a && --left === 0) return pos + i + 1;
      }
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Streams the NRRD data (host byte order) into dest; layout is the reversed sizes (first axis fastest). */
export function readNrrdData(info: NrrdInfo, destChunks: Uint8Array | Uint8Array[]): void {
  const chunks = Array.isArray(destChunks) ? destChunks : [destChunks];
  if (info.encoding === 'ascii' && chunks.length > 1) throw new ImageFormatError(info.file, 'ascii NRRD data larger than 1 GiB is not supported');
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const sources = info.dataFileNames.length ? info.dataFiles : [info.file];
  if (sources.length === 0 || (info.dataFileNames.length && info.dataFiles.length !== info.dataFileNames.length))
    throw new ImageFormatError(info.file, 'NRRD detached data files were not resolved (use readNrrdInfo)');
  const per = total / sources.length;
  sources.forEach((src, k) => {
    const dest = sliceChunks(chunks, k * per, per);
    const start = skipLines(src, info.file, src === info.file ? info.dataOffset : 0, info.lineSkip);
    if (info.encoding === 'ascii') {
      const body = readFileBytes(src).subarray(start);
      readAscii(info, body, dest[0] ?? new Uint8Array(0));
      return;
    }
    let from = start;
    if (info.encoding === 'raw' && info.byteSkip === -1) from = Math.max(start, fs.statSync(src).size - per); // data at the end of the file
    if (info.encoding === 'gzip' && !isGzip(readFileHeadAt(src, from))) throw new ImageFormatError(info.file, `NRRD says gzip encoding but the data in ${src} is not gzip`);
    const bs = ByteStream.fromFile(src, from, info.encoding === 'gzip');
    try {
      if (info.byteSkip > 0 && !bs.skip(info.byteSkip)) throw new ImageFormatError(info.file, 'truncated: byte skip runs past the end of the data');
      let got = 0;
      for (const c of dest) {
        const n = bs.readInto(c);
        got += n;
        if (n < c.length) throw new ImageFormatError(info.file, `truncated: expected ${per} bytes of data in ${src}, found ${got}`);
        if (!info.littleEndian) byteswapInPlace(c, swapUnit(info.element));
      }
    } finally {
      bs.dispose();
    }
  });
}

function readFileHeadAt(file: string, at: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const b = new Uint8Array(2);
    const n = fs.readSync(fd, b, 0, 2, at);
    return b.subarray(0, n);
  } finally {
    fs.closeSync(fd);
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
  data: Uint8Array | Iterable<Uint8Array>; // host order, C order of the reversed shape (parts in order, possibly produced lazily)
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
/** Passes parts through, failing when their total is not `expected` bytes. */
function* checkedParts(parts: Iterable<Uint8Array>, expected: number): Generator<Uint8Array> {
  let got = 0;
  for (const p of parts) {
    got += p.byteLength;
    if (got > expected) throw new Error(`NRRD data has more than ${expected} bytes, expected ${expected}`);
    yield p;
  }
  if (got !== expected) throw new Error(`NRRD data has ${got} bytes, expected ${expected}`);
}

export function encodeNrrd(o: NrrdWriteOptions): Iterable<Uint8Array> {
  const t = NRRD_TYPE_OUT[o.element];
  if (!t) throw new Error(`NRRD cannot store element type ${o.element}`);
  const expected = product(o.shape) * ITEM_SIZE[o.element];
  const parts = checkedParts(o.data instanceof Uint8Array ? [o.data] : o.data, expected);
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
  const body = o.gzip ? gzipStream(parts, o.level ?? 6) : parts;
  return (function* () {
    yield head;
    yield* body;
  })();
}

export function writeNrrd(file: string, o: NrrdWriteOptions): void {
  writeFileAtomic(file, encodeNrrd(o));
}

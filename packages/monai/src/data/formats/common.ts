/**
 * Byte-level helpers shared by the image format codecs: element types, byte order, bounded reads,
 * streaming gzip decompression into a caller-provided buffer, atomic writes and error construction.
 *
 * Nothing here depends on torch: codecs produce bytes laid out in C order plus a description
 * (`ElementType`, layout shape, permutation) and the torch adapter turns that into a tensor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as torch from '@monai-ts/torch';

/** Element types a codec can produce. Unsigned types wider than 8 bits are widened by the adapter. */
export type ElementType =
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128';

export const ITEM_SIZE: Record<ElementType, number> = {
  bool: 1,
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
  complex64: 8,
  complex128: 16,
};

/** Size of the scalar that must be byte-swapped (complex numbers swap each part). */
export function swapUnit(t: ElementType): number {
  if (t === 'complex64') return 4;
  if (t === 'complex128') return 8;
  return ITEM_SIZE[t];
}

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A typed-array view over `bytes` (which must be aligned to the element size) for element type `t`. */
export function typedView(t: ElementType, bytes: Uint8Array): TypedArray {
  const n = bytes.byteLength / ITEM_SIZE[t];
  const b = bytes.buffer;
  const o = bytes.byteOffset;
  switch (t) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(b, o, n);
    case 'int8':
      return new Int8Array(b, o, n);
    case 'int16':
      return new Int16Array(b, o, n);
    case 'uint16':
    case 'float16':
      return new Uint16Array(b, o, n);
    case 'int32':
      return new Int32Array(b, o, n);
    case 'uint32':
      return new Uint32Array(b, o, n);
    case 'int64':
      return new BigInt64Array(b, o, n);
    case 'uint64':
      return new BigUint64Array(b, o, n);
    case 'float32':
      return new Float32Array(b, o, n);
    case 'float64':
      return new Float64Array(b, o, n);
    case 'complex64':
      return new Float32Array(b, o, n * 2);
    case 'complex128':
      return new Float64Array(b, o, n * 2);
  }
}

/** Allocates an aligned byte buffer for `numel` elements of `t`. */
export function allocBytes(t: ElementType, numel: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(numel * ITEM_SIZE[t]));
}

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Swaps every `unit`-byte scalar of `bytes` in place (native code through Buffer.swapNN). */
export function byteswapInPlace(bytes: Uint8Array, unit: number): void {
  if (unit <= 1 || bytes.byteLength === 0) return;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (unit === 2) buf.swap16();
  else if (unit === 4) buf.swap32();
  else if (unit === 8) buf.swap64();
  else throw new Error(`cannot byte-swap ${unit}-byte scalars`);
}

/** An Error whose message starts with the file it concerns. */
export class ImageFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ImageFormatError';
  }
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Reads up to n bytes from the start of a file (header sniffing without reading the whole file). */
export function readFileHead(file: string, n: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ImageFormatError(file, `cannot read file (${err.code ?? err.message})`);
  }
  try {
    const buf = Buffer.alloc(n);
    const got = fs.readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads file bytes at `position` straight into the chunks (e.g. tensor storage); returns bytes read. */
export function readFileInto(file: string, position: number, chunks: Iterable<Uint8Array>): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ImageFormatError(file, `cannot read file (${err.code ?? err.message})`);
  }
  let total = 0;
  try {
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) {
        const n = fs.readSync(fd, c, off, Math.min(c.length - off, 1 << 30), position + total + off);
        if (n === 0) return total + off;
        off += n;
      }
      total += off;
    }
  } finally {
    fs.closeSync(fd);
  }
  return total;
}

/** Reads a whole file, turning OS errors into errors that name the file. */
export function readFileBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ImageFormatError(file, `cannot read file (${err.code ?? err.message})`);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Direct access to a node:zlib engine's native handle: `write` runs one synchronous inflate/deflate
 * step from `input[inOff, inOff+inLen)` straight into `out[outOff, outOff+outLen)` (for example a
 * tensor's storage) and returns [availOut, availIn] afterwards. Node's public sync API only offers
 * one-shot calls that allocate the whole result, so this uses the handle the sync API itself uses;
 * `ZlibStep.available()` says whether this Node exposes it (callers fall back to one-shot calls).
 */
export class ZlibStep {
  private readonly engine: zlib.Gzip | zlib.Gunzip;
  private readonly handle: { writeSync(flush: number, i: Uint8Array, io: number, il: number, o: Uint8Array, oo: number, ol: number): void };
  private readonly state: Uint32Array;

  static available(): boolean {
    const e = zlib.createGunzip() as unknown as { _handle?: { writeSync?: unknown }; _writeState?: unknown };
    const ok = !!e._handle && typeof e._handle.writeSync === 'function' && e._writeState instanceof Uint32Array;
    (e as unknown as zlib.Gunzip).close();
    return ok;
  }

  constructor(mode: 'gunzip' | 'gzip', level = 6) {
    this.engine = mode === 'gunzip' ? zlib.createGunzip() : zlib.createGzip({ level });
    this.engine.on('error', () => {
      /* reported synchronously through write() */
    });
    const e = this.engine as unknown as { _handle: ZlibStep['handle']; _writeState: Uint32Array };
    this.handle = e._handle;
    this.state = e._writeState;
  }

  write(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): [number, number] {
    this.handle.writeSync(flush, input, inOff, inLen, out, outOff, outLen);
    if ((this.engine as unknown as { destroyed: boolean }).destroyed) {
      const sym = Object.getOwnPropertySymbols(this.engine).find((s) => s.description === 'kError');
      const err = sym ? ((this.engine as unknown as Record<symbol, Error>)[sym] as Error | undefined) : undefined;
      throw new Error(err?.message ?? 'zlib error');
    }
    return [this.state[0], this.state[1]];
  }

  close(): void {
    this.engine.close();
  }
}

let STEP_OK: boolean | null = null;
function stepAvailable(): boolean {
  if (STEP_OK === null) STEP_OK = ZlibStep.available();
  return STEP_OK;
}

/** Input read from a file per call (compressed files are not held in memory whole). */
const FILE_READ_BYTES = 8 << 20;

/**
 * Sequential reader over a byte source that is either plain bytes or a gzip stream, held in memory
 * or read from a file as it goes. Decompression is incremental and writes straight into the
 * destination of `readInto` (for example a tensor's storage); nothing the size of the image is
 * allocated besides it.
 */
export class ByteStream {
  private position = 0;
  private inPos = 0;
  private ended = false;
  private step: ZlibStep | null = null;
  private whole: Uint8Array | null = null; // fallback: one-shot decompressed data
  private source: Uint8Array; // in-memory bytes, or the current piece of a file's input
  private fd: number | null = null;
  private filePos = 0; // next file offset to read input from (file sources)
  private fileEnd = 0;

  /** A stream over `source`: bytes in memory, or a range of an open file (which dispose() closes). */
  constructor(
    private readonly file: string,
    source: Uint8Array | { fd: number; start: number; end: number },
    readonly compressed: boolean,
  ) {
    if (source instanceof Uint8Array) this.source = source;
    else {
      this.source = new Uint8Array(0);
      this.fd = source.fd;
      this.filePos = source.start;
      this.fileEnd = source.end;
    }
    try {
      if (compressed) this.startInflate(() => (this.fd === null ? this.source : readFileRange(file, this.fd, this.filePos, this.fileEnd - this.filePos)));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** A stream over `file` from byte `start`, read from disk as it goes; gzip when `compressed`. */
  static fromFile(file: string, start: number, compressed: boolean): ByteStream {
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(file, 'r');
      size = fs.fstatSync(fd).size;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new ImageFormatError(file, `cannot read file (${err.code ?? err.message})`);
    }
    return new ByteStream(file, { fd, start, end: size }, compressed);
  }

  private startInflate(all: () => Uint8Array): void {
    if (stepAvailable()) this.step = new ZlibStep('gunzip');
    else {
      try {
        this.whole = zlib.gunzipSync(all());
      } catch (e) {
        throw new ImageFormatError(this.file, `gzip data is corrupt or truncated (${(e as Error).message})`);
      }
    }
  }

  /** Bytes consumed so far (position in the decompressed stream). */
  get offset(): number {
    return this.position;
  }

  /** Next piece of compressed input from the file; false at its end. */
  private refill(): boolean {
    if (this.fd === null || this.filePos >= this.fileEnd) return false;
    const n = Math.min(FILE_READ_BYTES, this.fileEnd - this.filePos);
    if (this.source.length !== n) this.source = new Uint8Array(n);
    const got = fs.readSync(this.fd, this.source, 0, n, this.filePos);
    this.source = this.source.subarray(0, got);
    this.filePos += got;
    this.inPos = 0;
    return got > 0;
  }

  /** Reads up to dest.length bytes into dest; returns how many were written. */
  readInto(dest: Uint8Array): number {
    if (!this.compressed && this.fd !== null) {
      // plain file: read straight into dest
      let written = 0;
      while (written < dest.length && this.filePos < this.fileEnd) {
        const n = fs.readSync(this.fd, dest, written, Math.min(dest.length - written, this.fileEnd - this.filePos, 2 ** 30), this.filePos);
        if (n === 0) break;
        written += n;
        this.filePos += n;
      }
      this.position += written;
      return written;
    }
    const plain = this.compressed ? this.whole : this.source;
    if (plain) {
      const n = Math.max(0, Math.min(dest.length, plain.length - this.position));
      if (n > 0) dest.set(plain.subarray(this.position, this.position + n));
      this.position += n;
      return n;
    }
    let written = 0;
    while (written < dest.length && !this.ended) {
      if (this.inPos >= this.source.length) this.refill();
      // the native handle takes 32-bit lengths: step through at most 1 GiB at a time
      const inLen = Math.min(this.source.length - this.inPos, 2 ** 30);
      const outLen = Math.min(dest.length - written, 2 ** 30);
      let availOut: number, availIn: number;
      try {
        [availOut, availIn] = this.step!.write(zlib.constants.Z_NO_FLUSH, this.source, this.inPos, inLen, dest, written, outLen);
      } catch (e) {
        throw new ImageFormatError(this.file, `gzip data is corrupt (${(e as Error).message})`);
      }
      const produced = outLen - availOut;
      const consumed = inLen - availIn;
      written += produced;
      this.inPos += consumed;
      const moreInput = this.inPos < this.source.length || (this.fd !== null && this.filePos < this.fileEnd);
      if (produced === 0 && consumed === 0 && (inLen > 0 || !moreInput)) this.ended = true; // end of stream or of input
    }
    this.position += written;
    return written;
  }

  /** Reads exactly n bytes or throws naming the file. */
  readExact(n: number, what: string): Uint8Array {
    const out = new Uint8Array(n);
    const got = this.readInto(out);
    if (got < n) throw new ImageFormatError(this.file, `truncated: ${what} needs ${n} bytes, only ${got} present`);
    return out;
  }

  /** Skips n bytes; returns false when the stream ends first. */
  skip(n: number): boolean {
    if (!this.compressed && this.fd !== null) {
      const left = this.fileEnd - this.filePos;
      const k = Math.min(n, left);
      this.filePos += k;
      this.position += k;
      return k === n;
    }
    if (!this.compressed || this.whole) {
      const len = (this.whole ?? this.source).length;
      if (this.position + n > len) {
        this.position = len;
        return false;
      }
      this.position += n;
      return true;
    }
    const scratch = new Uint8Array(Math.min(Math.max(n, 1), 1 << 16));
    let left = n;
    while (left > 0) {
      const got = this.readInto(scratch.subarray(0, Math.min(left, scratch.length)));
      if (got === 0) return false;
      left -= got;
    }
    return true;
  }

  dispose(): void {
    if (this.step) this.step.close();
    this.step = null;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads `length` bytes at `start` of an open file (the one-shot gunzip fallback only). */
function readFileRange(file: string, fd: number, start: number, length: number): Uint8Array {
  if (length > 2 ** 31 - 1) throw new ImageFormatError(file, 'gzip file too large for this Node (no incremental zlib access)');
  const buf = new Uint8Array(length);
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, buf, off, length - off, start + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/**
 * Gzips byte parts as one stream, yielding the compressed output in pieces of at most 4 MiB as it is
 * produced (each piece is a fresh buffer), so that neither input nor output need be held whole. The
 * output depends only on the input and level: the gzip header has mtime 0 and no name.
 */
export function* gzipStream(parts: Iterable<Uint8Array>, level: number): Generator<Uint8Array> {
  if (!stepAvailable()) {
    const all: Uint8Array[] = [];
    for (const p of parts) all.push(p);
    yield zlib.gzipSync(Buffer.concat(all), { level });
    return;
  }
  const z = new ZlibStep('gzip', level);
  const CH = 4 << 20;
  let buf = new Uint8Array(CH);
  let used = 0;
  try {
    // one part of lookahead, so that the last part is deflated with Z_FINISH
    const it = parts[Symbol.iterator]();
    let cur: IteratorResult<Uint8Array> = it.next();
    const empty = new Uint8Array(0);
    if (cur.done) cur = { done: false, value: empty };
    while (!cur.done) {
      const p: Uint8Array = cur.value;
      const nxt: IteratorResult<Uint8Array> = p === empty ? { done: true, value: undefined } : it.next();
      const last = !!nxt.done;
      let inPos = 0;
      for (;;) {
        const inLen = Math.min(p.byteLength - inPos, 2 ** 30);
        const flush = last && inPos + inLen >= p.byteLength ? zlib.constants.Z_FINISH : zlib.constants.Z_NO_FLUSH;
        const [availOut, availIn] = z.write(flush, p, inPos, inLen, buf, used, CH - used);
        used = CH - availOut;
        inPos += inLen - availIn;
        if (availOut === 0) {
          yield buf;
          buf = new Uint8Array(CH);
          used = 0;
          continue;
        }
        if (availIn === 0 && inPos >= p.byteLength) break; // input consumed and output space left: flushed
      }
      cur = nxt;
    }
  } finally {
    z.close();
  }
  if (used > 0) yield buf.subarray(0, used);
}

/** Gzips a list of byte parts without concatenating them (output in 4 MiB pieces). */
export function gzipParts(parts: Iterable<Uint8Array>, level: number): Uint8Array[] {
  return [...gzipStream(parts, level)];
}

/**
 * Writes `data` to `file` atomically (the torch package's atomicWrite: temporary file in the same folder,
 * fsync, rename), creating the folder. Parts may be produced lazily (a generator) and are not kept.
 */
export function writeFileAtomic(file: string, data: Uint8Array | Iterable<Uint8Array>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const parts: Iterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
  torch.serialization.atomicWrite(file, (write) => {
    for (const p of parts) write(p);
  });
}

/** Lower-cased file name suffix test for multi-part suffixes like "nii.gz". */
export function hasSuffix(file: string, suffixes: readonly string[]): boolean {
  const name = path.basename(String(file)).toLowerCase();
  return suffixes.some((s) => name.endsWith(`.${s.toLowerCase()}`));
}

/** Identity 4x4 as a row-major Float64Array. */
export function eye4(): Float64Array {
  const a = new Float64Array(16);
  a[0] = a[5] = a[10] = a[15] = 1;
  return a;
}

/** Multiplies two row-major 4x4 matrices. */
export function matmul4(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(16);
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[i * 4 + k] * b[k * 4 + j];
      out[i * 4 + j] = s;
    }
  return out;
}

/** Flips the x and y world axes (LPS <-> RAS) of a row-major 4x4 affine. */
export function lpsRasSwap(a: Float64Array): Float64Array {
  const out = Float64Array.from(a);
  for (let j = 0; j < 4; j++) {
    out[j] = -a[j] === 0 ? 0 : -a[j];
    out[4 + j] = -a[4 + j] === 0 ? 0 : -a[4 + j];
  }
  return out;
}

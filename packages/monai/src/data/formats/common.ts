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
import { Gunzip as FflateGunzip } from 'fflate';

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
 * Sequential reader over a byte source that is either plain bytes or a gzip stream. Decompression is
 * incremental: `readInto` writes decompressed bytes straight into the destination (for example a
 * tensor's storage), holding at most one decompressed chunk besides it.
 */
export class ByteStream {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingPos = 0;
  private inPos = 0;
  private finished = false;
  private position = 0;
  private readonly engine: zlib.Gunzip | null = null;
  private fflate: FflateGunzip | null = null;
  private fflateOut: Uint8Array[] = [];
  private static readonly IN_CHUNK = 1 << 20;

  constructor(
    private readonly file: string,
    private readonly source: Uint8Array,
    readonly compressed: boolean,
  ) {
    if (compressed) {
      const e = zlib.createGunzip({ chunkSize: 1 << 20 }) as zlib.Gunzip & { _processChunk?: unknown };
      if (typeof e._processChunk === 'function') this.engine = e;
      else this.fflate = new FflateGunzip((chunk) => this.fflateOut.push(chunk));
    }
  }

  /** Bytes consumed so far (position in the decompressed stream). */
  get offset(): number {
    return this.position;
  }

  /** Total size when uncompressed; null when compressed (unknown without decompressing). */
  get knownSize(): number | null {
    return this.compressed ? null : this.source.byteLength;
  }

  /** Reads up to dest.length bytes into dest; returns how many were written. */
  readInto(dest: Uint8Array): number {
    if (!this.compressed) {
      const n = Math.min(dest.length, this.source.length - this.position);
      if (n > 0) dest.set(this.source.subarray(this.position, this.position + n));
      this.position += Math.max(n, 0);
      return Math.max(n, 0);
    }
    let written = 0;
    while (written < dest.length) {
      if (this.pendingPos < this.pending.length) {
        const n = Math.min(dest.length - written, this.pending.length - this.pendingPos);
        dest.set(this.pending.subarray(this.pendingPos, this.pendingPos + n), written);
        this.pendingPos += n;
        written += n;
        continue;
      }
      if (!this.refill()) break;
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
    if (!this.compressed) {
      if (this.position + n > this.source.length) {
        this.position = this.source.length;
        return false;
      }
      this.position += n;
      return true;
    }
    const scratch = new Uint8Array(Math.min(n, 1 << 16));
    let left = n;
    while (left > 0) {
      const got = this.readInto(scratch.subarray(0, Math.min(left, scratch.length)));
      if (got === 0) return false;
      left -= got;
    }
    return true;
  }

  private refill(): boolean {
    if (this.finished) return false;
    this.pending = new Uint8Array(0);
    this.pendingPos = 0;
    while (this.pending.length === 0) {
      if (this.inPos >= this.source.length) {
        this.finished = true;
        if (this.fflate && this.fflateOut.length === 0) return false;
        if (this.engine) {
          const tail = this.process(new Uint8Array(0), true);
          if (tail.length === 0) return false;
          this.pending = tail;
          return true;
        }
        return this.takeFflate();
      }
      const end = Math.min(this.source.length, this.inPos + ByteStream.IN_CHUNK);
      const chunk = this.source.subarray(this.inPos, end);
      this.inPos = end;
      const last = end >= this.source.length;
      if (this.engine) {
        this.pending = this.process(chunk, last);
      } else {
        try {
          this.fflate!.push(chunk, last);
        } catch (e) {
          throw new ImageFormatError(this.file, `gzip data is corrupt (${(e as Error).message})`);
        }
        this.takeFflate();
      }
      if (last) {
        this.finished = true;
        return this.pending.length > 0;
      }
    }
    return true;
  }

  private takeFflate(): boolean {
    if (this.fflateOut.length === 0) return false;
    this.pending = this.fflateOut.length === 1 ? this.fflateOut[0] : Buffer.concat(this.fflateOut);
    this.fflateOut = [];
    this.pendingPos = 0;
    return this.pending.length > 0;
  }

  private process(chunk: Uint8Array, last: boolean): Uint8Array {
    const eng = this.engine as unknown as { _processChunk(c: Uint8Array, flag: number): Buffer };
    try {
      const flag = last ? zlib.constants.Z_FINISH : zlib.constants.Z_NO_FLUSH;
      const out = eng._processChunk(chunk, flag);
      return out ?? new Uint8Array(0);
    } catch (e) {
      const msg = (e as Error).message;
      // a truncated stream reports "unexpected end of file"
      throw new ImageFormatError(this.file, `gzip data is corrupt or truncated (${msg})`);
    }
  }

  dispose(): void {
    if (this.engine) this.engine.close();
  }
}

/** Writes `data` to `file` atomically: a temporary file in the same folder, fsync, then rename. */
export function writeFileAtomic(file: string, data: Uint8Array | Uint8Array[]): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.${Math.floor(Math.random() * 1e9)}.tmp`);
  const parts = Array.isArray(data) ? data : [data];
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    for (const p of parts) {
      let off = 0;
      while (off < p.byteLength) off += fs.writeSync(fd, p, off, p.byteLength - off);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* temp file may not exist */
    }
    throw e;
  }
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

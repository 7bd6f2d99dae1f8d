// Byte-level records of what a .pt file describes: storages (raw little-endian bytes) and tensors
// (strided views of them). `convert.ts` turns them into Tensors.

import { byteSwapInPlace, DType, ELEMENT_SIZE, SWAP_SIZE } from './dtypes.js';
import { PickleError } from './unpickler.js';

/**
 * Reads a storage's bytes in consecutive chunks: called with (dest, offset) for offsets increasing
 * from 0 until the whole storage is read; checks that need the whole record (CRC) run after the last.
 */
export type ChunkReader = (dest: Uint8Array, offset: number) => void;

/** A storage as found in the file. Bytes are little-endian. */
export class RawStorage {
  /** Set for legacy storage views: this storage is `viewOf[viewOffset : viewOffset + numel]` (elements). */
  viewOf: RawStorage | null = null;
  viewOffset = 0;
  private _bytes: Uint8Array | null = null;
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
    readonly location: string,
    /** Opens a reader of the storage's bytes from the file (file-backed storages). */
    private reader: (() => ChunkReader) | null = null,
  ) {}
  get nbytes(): number {
    return this.numel * ELEMENT_SIZE[this.dtype];
  }
  /** The storage's bytes (loaded on first use and kept; tensors are filled with fillChunks instead). */
  get bytes(): Uint8Array {
    if (this._bytes === null) {
      if (this.viewOf) {
        const es = ELEMENT_SIZE[this.dtype];
        this._bytes = this.viewOf.bytes.subarray(this.viewOffset * es, (this.viewOffset + this.numel) * es);
      } else if (this.reader) {
        const out = new Uint8Array(this.nbytes);
        this.reader()(out, 0);
        this._bytes = out;
      } else {
        throw new PickleError(`storage '${this.key}' has no data`);
      }
    }
    return this._bytes;
  }
  setBytes(b: Uint8Array): void {
    this._bytes = b;
  }
  /** Make this a file-backed storage (the legacy format learns where storages are after parsing). */
  setReader(reader: () => ChunkReader): void {
    this.reader = reader;
    this._bytes = null;
  }
  /**
   * A reader that fills caller memory chunk by chunk: straight from the file for file-backed
   * storages not read yet, from the bytes in memory otherwise.
   */
  chunkReader(): ChunkReader {
    if (this._bytes === null && this.reader && !this.viewOf) return this.reader();
    const b = this.bytes;
    return (dest, offset) => dest.set(b.subarray(offset, offset + dest.length));
  }
  /** Drop the cached bytes if they can be read again (file-backed storages). */
  release(): void {
    if (this.reader) this._bytes = null;
  }
  /** The storage that owns the memory, and this storage's element offset within it. */
  root(): { storage: RawStorage; offset: number } {
    let s: RawStorage = this;
    let offset = 0;
    while (s.viewOf) {
      offset += s.viewOffset;
      s = s.viewOf;
    }
    return { storage: s, offset };
  }
}

/** A tensor as described by the pickle: a strided view of a storage. */
export class RawTensor {
  constructor(
    readonly storage: RawStorage,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
    public requiresGrad: boolean,
    public isParameter = false,
  ) {}
  /** For tensor subclasses (e.g. MONAI's MetaTensor): the Python class and its pickled state. */
  pyClass: string | null = null;
  pyState: unknown = null;
  get dtype(): DType {
    return this.storage.dtype;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

export class DTypeRef {
  constructor(readonly dtype: DType) {}
}
export class StorageType {
  constructor(readonly dtype: DType, readonly name: string) {}
}

/** numpy dtype codes (kind + itemsize) we can turn into tensors. */
export const NUMPY_DTYPE: Record<string, DType> = {
  f8: 'float64', f4: 'float32', f2: 'float16',
  i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
  c8: 'complex64', c16: 'complex128',
};

/** `numpy.dtype(code, align, copy)` with its BUILD state (byte order). */
export class NumpyDType {
  byteorder = '=';
  constructor(readonly code: string) {}
  get dtype(): DType | null {
    return NUMPY_DTYPE[this.code] ?? null;
  }
  get bigEndian(): boolean {
    return this.byteorder === '>';
  }
}

/** `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')` plus its BUILD state. */
export class NumpyArray {
  shape: number[] = [];
  dtype: NumpyDType | null = null;
  fortran = false;
  data: Uint8Array | null = null;

  /** The array as a strided RawTensor over its own storage. */
  toRawTensor(): RawTensor {
    const dt = this.dtype?.dtype;
    if (!this.dtype || !dt || !this.data) {
      throw new PickleError(`numpy array of dtype '${this.dtype?.code ?? '?'}' cannot become a tensor`);
    }
    const numel = this.shape.reduce((a, b) => a * b, 1);
    const es = ELEMENT_SIZE[dt];
    if (this.data.length !== numel * es) {
      throw new PickleError(`numpy array of shape [${this.shape}] and dtype ${this.dtype.code} has ${this.data.length} bytes, expected ${numel * es}`);
    }
    let bytes = this.data;
    if (this.dtype.bigEndian) {
      bytes = bytes.slice();
      byteSwapInPlace(bytes, SWAP_SIZE[dt]);
    }
    const storage = new RawStorage('numpy', dt, numel, 'cpu');
    storage.setBytes(bytes);
    const n = this.shape.length;
    const stride = new Array<number>(n);
    let acc = 1;
    if (this.fortran) {
      for (let i = 0; i < n; i++) { stride[i] = acc; acc *= Math.max(1, this.shape[i]!); }
    } else {
      for (let i = n - 1; i >= 0; i--) { stride[i] = acc; acc *= Math.max(1, this.shape[i]!); }
    }
    return new RawTensor(storage, 0, this.shape.slice(), stride, false);
  }
}

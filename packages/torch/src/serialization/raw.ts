// Byte-level records of what a .pt file describes: storages (raw little-endian bytes) and tensors
// (strided views of them). `convert.ts` turns them into Tensors.

import { DType, ELEMENT_SIZE } from './dtypes.js';
import { PickleError } from './unpickler.js';

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
    private loader: (() => Uint8Array) | null = null,
  ) {}
  get nbytes(): number {
    return this.numel * ELEMENT_SIZE[this.dtype];
  }
  /** The storage's bytes (loaded on first use). */
  get bytes(): Uint8Array {
    if (this._bytes === null) {
      if (this.viewOf) {
        const es = ELEMENT_SIZE[this.dtype];
        this._bytes = this.viewOf.bytes.subarray(this.viewOffset * es, (this.viewOffset + this.numel) * es);
      } else if (this.loader) {
        this._bytes = this.loader();
      } else {
        throw new PickleError(`storage '${this.key}' has no data`);
      }
    }
    return this._bytes;
  }
  setBytes(b: Uint8Array): void {
    this._bytes = b;
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

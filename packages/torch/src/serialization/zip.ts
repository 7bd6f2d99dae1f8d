// Minimal zip reader/writer for PyTorch's archive format.
//
// Reader: central directory (zip64 aware), stored entries are returned as zero-copy views, deflated
// entries go through fflate. CRC-32 is verified.
// Writer: stored entries only, each entry's data aligned to 64 bytes with a padding extra field, as
// PyTorch's PyTorchStreamWriter (miniz) does; zip64 records are used when sizes or offsets need them.

import { inflateSync } from 'fflate';
import * as zlib from 'node:zlib';
import { ByteSource, memorySource } from './source.js';

export class ZipError extends Error {
  override name = 'ZipError';
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

const nativeCrc32 = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;

/** CRC-32 (zip polynomial); `prev` continues a running checksum. */
export function crc32(data: Uint8Array, prev = 0): number {
  if (nativeCrc32) return nativeCrc32(data, prev) >>> 0;
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const td = new TextDecoder();
const te = new TextEncoder();

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  readonly src: ByteSource;

  constructor(data: Uint8Array | ByteSource) {
    this.src = data instanceof Uint8Array ? memorySource(data) : data;
    this.parse();
  }

  private parse(): void {
    const size = this.src.size;
    if (size < 22) throw new ZipError(`too short for a zip archive (${size} bytes)`);
    // End of central directory: search backwards through the tail (comment up to 64 KiB).
    const tailLen = Math.min(size, 22 + 0xffff + 20);
    const tailStart = size - tailLen;
    const tail = this.src.read(tailStart, tailLen);
    const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) { eocd = i; break; }
    }
    if (eocd < 0) throw new ZipError('no zip end-of-central-directory record (the file is truncated or not a zip archive)');
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || tv.getUint32(loc, true) !== 0x07064b50) throw new ZipError('zip64 locator missing');
      const z64 = u64(tv, loc + 8);
      if (z64 + 56 > size) throw new ZipError('zip64 end-of-central-directory record missing');
      const rec = this.src.read(z64, 56);
      const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      if (rv.getUint32(0, true) !== 0x06064b50) throw new ZipError('zip64 end-of-central-directory record missing');
      count = u64(rv, 32);
      cdSize = u64(rv, 40);
      cdOffset = u64(rv, 48);
    }
    if (cdOffset + cdSize > size) throw new ZipError('central directory lies outside the file (truncated archive)');
    if (count * 46 > cdSize) throw new ZipError(`central directory claims ${count} entries but has room for at most ${Math.floor(cdSize / 46)}`);
    const cd = this.src.read(cdOffset, cdSize);
    const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || dv.getUint32(p, true) !== 0x02014b50) throw new ZipError(`corrupt central directory entry ${n}`);
      const method = dv.getUint16(p + 10, true);
      const crc = dv.getUint32(p + 16, true);
      let compressedSize = dv.getUint32(p + 20, true);
      let size = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true);
      const extraLen = dv.getUint16(p + 30, true);
      const commentLen = dv.getUint16(p + 32, true);
      let localHeaderOffset = dv.getUint32(p + 42, true);
      if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new ZipError(`corrupt central directory entry ${n}`);
      const name = td.decode(cd.subarray(p + 46, p + 46 + nameLen));
      // zip64 extended information
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = dv.getUint16(e, true);
        const sz = dv.getUint16(e + 2, true);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) { size = u64(dv, q); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = u64(dv, q); q += 8; }
          if (localHeaderOffset === 0xffffffff) { localHeaderOffset = u64(dv, q); q += 8; }
        }
        e += 4 + sz;
      }
      // Every size and offset is checked against the file before anything is allocated for it.
      if (localHeaderOffset + 30 + compressedSize > this.src.size) {
        throw new ZipError(`record '${name}' claims ${compressedSize} bytes at offset ${localHeaderOffset}, past the end of the ${this.src.size}-byte file`);
      }
      if (method === 0 && size !== compressedSize) throw new ZipError(`stored record '${name}' has size ${size} but compressed size ${compressedSize}`);
      // deflate cannot expand data more than about 1032:1
      if (method === 8 && size > compressedSize * 1032 + 1024) throw new ZipError(`deflated record '${name}' claims an impossible size ${size} for ${compressedSize} compressed bytes`);
      this.entries.set(name, { name, method, crc, compressedSize, size, localHeaderOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Byte offset of an entry's data in the archive. */
  dataOffset(name: string): number {
    const e = this.entries.get(name);
    if (!e) throw new ZipError(`archive has no record '${name}'`);
    const o = e.localHeaderOffset;
    if (o + 30 > this.src.size) throw new ZipError(`corrupt local header for record '${name}'`);
    const h = this.src.read(o, 30);
    const hv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    if (hv.getUint32(0, true) !== 0x04034b50) throw new ZipError(`corrupt local header for record '${name}'`);
    return o + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  }

  /**
   * A reader that copies a stored entry's bytes into caller memory chunk by chunk (positioned reads
   * for files), checking the CRC-32 after the last chunk when `verify` is set. `need` is how many
   * bytes the caller will read (at most the entry's size). Deflated entries are inflated whole.
   */
  chunkReader(name: string, need: number, verify = true): (dest: Uint8Array, offset: number) => void {
    const e = this.entries.get(name);
    if (!e) throw new ZipError(`archive has no record '${name}'`);
    if (need > e.size) throw new ZipError(`record '${name}' has ${e.size} bytes, expected ${need}`);
    if (e.method !== 0) {
      const all = this.read(name, verify);
      return (dest, offset) => dest.set(all.subarray(offset, offset + dest.length));
    }
    const start = this.dataOffset(name);
    if (start + e.size > this.src.size) {
      throw new ZipError(`record '${name}' is truncated: needs bytes ${start}..${start + e.size}, the file has ${this.src.size}`);
    }
    let crc = 0;
    let next = 0;
    const check = (): void => {
      if (verify && crc !== e.crc) throw new ZipError(`record '${name}' is corrupt (CRC-32 mismatch)`);
    };
    return (dest, offset) => {
      if (offset !== next) throw new ZipError(`record '${name}' read out of order (at ${offset}, expected ${next})`);
      if (offset + dest.length > need) throw new ZipError(`read past the ${need} bytes wanted from record '${name}'`);
      this.src.readInto(dest, start + offset);
      next = offset + dest.length;
      if (!verify) return;
      crc = crc32(dest, crc);
      if (next === need) {
        // The CRC covers the whole record: take in any bytes past what the caller wanted.
        if (need < e.size) crc = crc32(this.src.read(start + need, e.size - need), crc);
        check();
      }
    };
  }

  /** Bytes of an entry (a view into the archive for stored entries of in-memory archives). */
  read(name: string, verify = true): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new ZipError(`archive has no record '${name}'`);
    const start = this.dataOffset(name);
    const end = start + e.compressedSize;
    if (end > this.src.size) {
      throw new ZipError(`record '${name}' is truncated: needs bytes ${start}..${end}, the file has ${this.src.size}`);
    }
    const raw = this.src.read(start, e.compressedSize);
    let out: Uint8Array;
    if (e.method === 0) {
      out = raw;
    } else if (e.method === 8) {
      try {
        out = inflateSync(raw, { out: new Uint8Array(e.size) });
      } catch (err) {
        throw new ZipError(`record '${name}' cannot be inflated: ${(err as Error).message}`);
      }
    } else {
      throw new ZipError(`record '${name}' uses unsupported compression method ${e.method}`);
    }
    if (out.length !== e.size) throw new ZipError(`record '${name}' has ${out.length} bytes, expected ${e.size}`);
    if (verify && crc32(out) !== e.crc) throw new ZipError(`record '${name}' is corrupt (CRC-32 mismatch)`);
    return out;
  }
}

function u64(dv: DataView, o: number): number {
  const v = dv.getBigUint64(o, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip64 value too large');
  return Number(v);
}

export function isZip(data: Uint8Array | ByteSource): boolean {
  const head = data instanceof Uint8Array ? data : data.size >= 4 ? data.read(0, 4) : new Uint8Array(0);
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** Sink for the writer: receives the archive bytes in order. */
export type ByteSink = (chunk: Uint8Array) => void;

/** Streams a stored (uncompressed) zip with 64-byte aligned entry data. */
export class ZipWriter {
  private offset = 0;
  private central: { name: Uint8Array; crc: number; size: number; offset: number }[] = [];
  static readonly ALIGN = 64;
  /** Sizes/offsets from which zip64 records are used (tests lower it to exercise zip64). */
  static zip64Threshold = 0xffffffff;

  constructor(private sink: ByteSink) {}

  private emit(b: Uint8Array): void {
    this.sink(b);
    this.offset += b.length;
  }

  /** Add an entry; `parts` are concatenated as the entry's data. */
  add(name: string, parts: Uint8Array | Uint8Array[]): void {
    const chunks = Array.isArray(parts) ? parts : [parts];
    let size = 0;
    let crc = 0;
    for (const c of chunks) {
      size += c.length;
      crc = crc32(c, crc);
    }
    this.addStreamed(name, size, crc, (emit) => {
      for (const c of chunks) emit(c);
    });
  }

  /**
   * Add an entry whose `size` bytes (CRC-32 `crc`) `produce` emits in order, e.g. straight from
   * tensor memory; the count is checked.
   */
  addStreamed(name: string, size: number, crc: number, produce: (emit: (chunk: Uint8Array) => void) => void): void {
    const nameBytes = te.encode(name);
    const T = ZipWriter.zip64Threshold;
    const zip64 = size >= T || this.offset >= T;
    const z64Len = zip64 ? 20 : 0;
    const base = this.offset + 30 + nameBytes.length + z64Len;
    const pad = (ZipWriter.ALIGN - ((base + 4) % ZipWriter.ALIGN)) % ZipWriter.ALIGN;
    const extraLen = z64Len + 4 + pad;
    const h = new Uint8Array(30 + nameBytes.length + extraLen);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, zip64 ? 45 : 20, true); // version needed
    dv.setUint16(6, 0, true); // flags
    dv.setUint16(8, 0, true); // stored
    dv.setUint16(10, 0, true); // time
    dv.setUint16(12, 0x21, true); // date 1980-01-01
    dv.setUint32(14, crc, true);
    dv.setUint32(18, zip64 ? 0xffffffff : size, true);
    dv.setUint32(22, zip64 ? 0xffffffff : size, true);
    dv.setUint16(26, nameBytes.length, true);
    dv.setUint16(28, extraLen, true);
    h.set(nameBytes, 30);
    let e = 30 + nameBytes.length;
    if (zip64) {
      dv.setUint16(e, 0x0001, true);
      dv.setUint16(e + 2, 16, true);
      dv.setBigUint64(e + 4, BigInt(size), true);
      dv.setBigUint64(e + 12, BigInt(size), true);
      e += 20;
    }
    // padding extra field ("FB", as PyTorch's writer uses), contents 'Z'
    dv.setUint16(e, 0x4246, true);
    dv.setUint16(e + 2, pad, true);
    h.fill(0x5a, e + 4, e + 4 + pad);
    const offset = this.offset;
    this.emit(h);
    const dataStart = this.offset;
    produce((c) => this.emit(c));
    if (this.offset - dataStart !== size) {
      throw new ZipError(`record '${name}' produced ${this.offset - dataStart} bytes, expected ${size}`);
    }
    this.central.push({ name: nameBytes, crc, size, offset });
  }

  /** Write the central directory and end records. */
  finish(): void {
    const cdStart = this.offset;
    for (const c of this.central) {
      const zip64 = c.size >= ZipWriter.zip64Threshold || c.offset >= ZipWriter.zip64Threshold;
      const extraLen = zip64 ? 28 : 0;
      const h = new Uint8Array(46 + c.name.length + extraLen);
      const dv = new DataView(h.buffer);
      dv.setUint32(0, 0x02014b50, true);
      dv.setUint16(4, zip64 ? 45 : 20, true); // made by
      dv.setUint16(6, zip64 ? 45 : 20, true); // needed
      dv.setUint16(12, 0, true);
      dv.setUint16(14, 0x21, true);
      dv.setUint32(16, c.crc, true);
      dv.setUint32(20, zip64 ? 0xffffffff : c.size, true);
      dv.setUint32(24, zip64 ? 0xffffffff : c.size, true);
      dv.setUint16(28, c.name.length, true);
      dv.setUint16(30, extraLen, true);
      dv.setUint32(42, zip64 ? 0xffffffff : c.offset, true);
      h.set(c.name, 46);
      if (zip64) {
        const e = 46 + c.name.length;
        dv.setUint16(e, 0x0001, true);
        dv.setUint16(e + 2, 24, true);
        dv.setBigUint64(e + 4, BigInt(c.size), true);
        dv.setBigUint64(e + 12, BigInt(c.size), true);
        dv.setBigUint64(e + 20, BigInt(c.offset), true);
      }
      this.emit(h);
    }
    const cdSize = this.offset - cdStart;
    const n = this.central.length;
    const T = ZipWriter.zip64Threshold;
    const need64 = n >= 0xffff || cdStart >= T || cdSize >= T;
    if (need64) {
      const z = new Uint8Array(56 + 20);
      const dv = new DataView(z.buffer);
      const z64Offset = this.offset;
      dv.setUint32(0, 0x06064b50, true);
      dv.setBigUint64(4, 44n, true);
      dv.setUint16(12, 45, true);
      dv.setUint16(14, 45, true);
      dv.setBigUint64(24, BigInt(n), true);
      dv.setBigUint64(32, BigInt(n), true);
      dv.setBigUint64(40, BigInt(cdSize), true);
      dv.setBigUint64(48, BigInt(cdStart), true);
      dv.setUint32(56, 0x07064b50, true);
      dv.setBigUint64(64, BigInt(z64Offset), true);
      dv.setUint32(72, 1, true);
      this.emit(z);
    }
    const end = new Uint8Array(22);
    const dv = new DataView(end.buffer);
    dv.setUint32(0, 0x06054b50, true);
    dv.setUint16(8, need64 ? 0xffff : n, true);
    dv.setUint16(10, need64 ? 0xffff : n, true);
    dv.setUint32(12, need64 ? 0xffffffff : cdSize, true);
    dv.setUint32(16, need64 ? 0xffffffff : cdStart, true);
    this.emit(end);
  }
}

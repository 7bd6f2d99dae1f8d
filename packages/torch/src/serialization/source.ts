// Random-access byte sources: an in-memory buffer (views, no copies) or an open file (positioned
// reads on demand, straight into the caller's memory with readInto, so a checkpoint loads record by
// record into tensor storage and is never held whole in memory).

import * as fs from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** `length` bytes at `offset` (a view for memory sources, a fresh buffer for files). */
  read(offset: number, length: number): Uint8Array;
  /** Copy `dest.length` bytes at `offset` into `dest` (for files: read straight into it). */
  readInto(dest: Uint8Array, offset: number): void;
  close(): void;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new RangeError(`read of ${length} bytes at ${offset} is past the end (${bytes.length} bytes)`);
      }
      return bytes.subarray(offset, offset + length);
    },
    readInto(dest, offset) {
      dest.set(this.read(offset, dest.length));
    },
    close() {},
  };
}

const CHUNK = 1 << 30;

export function fileSource(path: string): ByteSource {
  const fd = fs.openSync(path, 'r');
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  let open = true;
  return {
    size,
    read(offset, length) {
      if (!open) throw new Error('file source is closed');
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new RangeError(`read of ${length} bytes at ${offset} is past the end (${size} bytes)`);
      }
      const out = Buffer.allocUnsafe(length);
      this.readInto(out, offset);
      return out;
    },
    readInto(dest, offset) {
      if (!open) throw new Error('file source is closed');
      const length = dest.length;
      if (offset < 0 || offset + length > size) {
        throw new RangeError(`read of ${length} bytes at ${offset} is past the end (${size} bytes)`);
      }
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, dest, done, Math.min(CHUNK, length - done), offset + done);
        if (n === 0) throw new Error(`unexpected end of file at byte ${offset + done} (the file shrank while being read?)`);
        done += n;
      }
    },
    close() {
      if (open) {
        open = false;
        fs.closeSync(fd);
      }
    },
  };
}

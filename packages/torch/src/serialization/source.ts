// Random-access byte sources: an in-memory buffer (views, no copies) or an open file (reads on
// demand, so a checkpoint larger than what one Buffer can hold loads record by record and only the
// records in use are in memory).

import * as fs from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** `length` bytes at `offset` (a view for memory sources, a fresh buffer for files). */
  read(offset: number, length: number): Uint8Array;
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
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, out, done, Math.min(CHUNK, length - done), offset + done);
        if (n === 0) throw new Error(`unexpected end of file at byte ${offset + done}`);
        done += n;
      }
      return out;
    },
    close() {
      if (open) {
        open = false;
        fs.closeSync(fd);
      }
    },
  };
}

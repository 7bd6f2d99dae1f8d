// Atomic file writes: data goes to a temporary file in the target's folder, is flushed to disk, and
// only then renamed over the target. A failure at any point removes the temporary file and leaves
// whatever was at the target untouched.

import * as fs from 'node:fs';
import * as path from 'node:path';

let faultAfterBytes: number | null = null;

/**
 * Test hook: make the next atomic write fail once it has written `n` bytes (null disables).
 * Used to check that an interrupted save never leaves a half-written file in place.
 */
export function _injectWriteFault(n: number | null): void {
  faultAfterBytes = n;
}

/** Write through `produce(write)` into `target` atomically. */
export function atomicWrite(target: string, produce: (write: (chunk: Uint8Array) => void) => void): void {
  const dir = path.dirname(path.resolve(target));
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fault = faultAfterBytes;
  faultAfterBytes = null;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let written = 0;
    const write = (chunk: Uint8Array): void => {
      let off = 0;
      while (off < chunk.length) {
        let n = Math.min(chunk.length - off, 1 << 30); // writeSync takes at most 2 GiB per call
        if (fault !== null && written + n > fault) {
          n = fault - written;
          if (n > 0) fs.writeSync(fd!, chunk, off, n);
          throw new Error(`simulated write failure after ${fault} bytes`);
        }
        const w = fs.writeSync(fd!, chunk, off, n);
        off += w;
        written += w;
      }
    };
    produce(write);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* may not exist */ }
    const e = err as Error;
    throw new Error(`could not write '${target}': ${e.message}`, { cause: err });
  }
  // Make the rename durable (best effort; not every platform can fsync a folder).
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch { /* ignore */ }
}

// Content digests of (possibly huge) tensors computed with torch ops, for the large-file tests:
// the bytes as rows of 64 KiB read as int64 words and summed per row (wrapping; an int64 input
// needs no widened copy), the trailing partial row and the bytes around 4 GiB kept as they are, all
// hashed with SHA-256. A misplaced, dropped or zeroed chunk changes a row sum.
import { createHash } from 'node:crypto';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const ROW = 1 << 16;

export function digest(t: Tensor): string {
  return torch.tidy(() => {
    const bytes = (t as any).contiguous().reshape(-1).view('uint8') as Tensor;
    const n = bytes.numel();
    const rows = Math.floor(n / ROW);
    const h = createHash('sha256');
    h.update(`${t.dtype}[${t.shape.join(',')}]`);
    if (rows > 0) {
      const sums = (bytes as any).narrow(0, 0, rows * ROW).view('int64').view([rows, ROW / 8]).sum(1) as Tensor;
      const a = sums.toTypedArray() as BigInt64Array;
      h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    if (n > rows * ROW) h.update((bytes as any).narrow(0, rows * ROW, n - rows * ROW).toTypedArray() as Uint8Array);
    if (n > 2 ** 32 + 64) h.update((bytes as any).narrow(0, 2 ** 32 - 64, 128).toTypedArray() as Uint8Array);
    return h.digest('hex');
  });
}

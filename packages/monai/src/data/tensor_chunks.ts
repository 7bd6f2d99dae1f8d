/**
 * Byte access to tensors larger than one JS typed array can view (4 GiB / 2^32 elements on Node 20):
 * the storage is viewed in place as consecutive narrow() slices, each at most `maxBytes`.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';

/** Default slice size: 1 GiB, a multiple of every element size, and within Node's 32-bit I/O lengths. */
export const CHUNK_BYTES = 2 ** 30;

/**
 * Calls fn with byte views that cover a contiguous CPU tensor's storage in order, without a copy
 * (writes through the views change the tensor). The views are valid only during fn.
 */
export function withByteChunks<T>(t: Tensor, fn: (chunks: Uint8Array[]) => T, maxBytes = CHUNK_BYTES): T {
  if (!t.device.startsWith('cpu')) throw new Error(`withByteChunks needs a CPU tensor, got one on ${t.device}`);
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel === 0) return fn([]);
  const item = torch.elementSize(t.dtype);
  const per = Math.max(1, Math.floor(maxBytes / item));
  const c = t.contiguous();
  const contiguous = c.is(t); // contiguous() hands back the same tensor when it already is
  if (c !== t) c.dispose();
  if (!contiguous) throw new Error('withByteChunks needs a contiguous tensor');
  const flat = t.reshape([-1]);
  const parts: Tensor[] = [];
  try {
    for (let off = 0; off < numel; off += per) parts.push(flat.narrow(0, off, Math.min(per, numel - off)));
    const views: Uint8Array[] = [];
    const step = (i: number): T =>
      i === parts.length
        ? fn(views)
        : parts[i].withData((v) => {
            views.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
            return step(i + 1);
          });
    return step(0);
  } finally {
    for (const p of parts) p.dispose();
    if (flat !== t) flat.dispose();
  }
}

// Byte-level access to a tensor's memory in chunks, without copying it: loaders read file records
// straight into a new tensor's storage, writers write storages straight from tensor memory.
//
// A JS typed array can have at most 2^32 elements (node 20), so a storage of more than 4 GiB of
// 1-byte elements cannot be viewed whole as its own dtype. Its memory is viewed through an int64
// reinterpretation instead (same storage, 8x fewer elements), and the chunks handed out are
// Uint8Array windows on that one buffer.

import * as torch from '../core.js';
import type { Tensor } from '../tensor.js';
import { DType, ELEMENT_SIZE } from './dtypes.js';

/** Bytes per chunk handed to callers: large enough for few system calls, a multiple of 16. */
export const CHUNK_BYTES = 64 << 20;

const MAX_VIEW_ELEMENTS = 2 ** 32 - 1;

type ChunkFn = (chunk: Uint8Array, offset: number) => void;

export function byteSize(t: Tensor): number {
  return t.numel() * ELEMENT_SIZE[t.dtype as DType];
}

function rowMajor(t: Tensor): boolean {
  const shape = t.shape;
  const stride = t.stride();
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== acc) return false;
    acc *= shape[i]!;
  }
  return true;
}

function windows(view: ArrayBufferView, base: number, length: number, fn: ChunkFn, chunkBytes: number): void {
  for (let off = 0; off < length; off += chunkBytes) {
    fn(new Uint8Array(view.buffer, view.byteOffset + off, Math.min(chunkBytes, length - off)), base + off);
  }
}

/**
 * Calls `fn(chunk, offset)` for consecutive windows (at most `chunkBytes` each, offsets multiples
 * of 16) covering the row-major little-endian bytes of `t`, for reading. Contiguous CPU tensors are
 * viewed in place; others through one contiguous CPU copy. The windows must not be used after `fn`
 * returns.
 */
export function readTensorBytes(t: Tensor, fn: ChunkFn, chunkBytes = CHUNK_BYTES): void {
  const nbytes = byteSize(t);
  if (nbytes === 0) return;
  if (t.numel() <= MAX_VIEW_ELEMENTS) {
    t.withData((view) => windows(view, 0, nbytes, fn, chunkBytes));
    return;
  }
  torch.tidy(() => {
    const bytes = (t as any).contiguous().cpu().reshape(-1).view('uint8') as Tensor;
    const head = Math.floor(nbytes / 8) * 8;
    ((bytes as any).narrow(0, 0, head).view('int64') as Tensor).withData((view) => windows(view, 0, head, fn, chunkBytes));
    if (head < nbytes) (bytes as any).narrow(0, head, nbytes - head).withData((view: ArrayBufferView) => windows(view, head, nbytes - head, fn, chunkBytes));
    return undefined;
  });
}

/**
 * Calls `fn(chunk, offset)` with windows of `t`'s own memory for the caller to fill, in order.
 * `t` must be a contiguous CPU tensor with storage offset 0 (a freshly allocated one).
 */
export function fillTensorBytes(t: Tensor, fn: ChunkFn, chunkBytes = CHUNK_BYTES): void {
  const nbytes = byteSize(t);
  if (nbytes === 0) return;
  if (t.device !== 'cpu' || t.storageOffset() !== 0 || !rowMajor(t)) {
    throw new Error('fillTensorBytes: expected a contiguous CPU tensor with storage offset 0');
  }
  if (t.numel() <= MAX_VIEW_ELEMENTS) {
    t.withData((view) => windows(view, 0, nbytes, fn, chunkBytes));
    return;
  }
  torch.tidy(() => {
    const bytes = (t as any).reshape(-1).view('uint8') as Tensor;
    const head = Math.floor(nbytes / 8) * 8;
    ((bytes as any).narrow(0, 0, head).view('int64') as Tensor).withData((view) => windows(view, 0, head, fn, chunkBytes));
    if (head < nbytes) {
      // The last 1-7 bytes: a narrowed view with a storage offset cannot be viewed in place, so
      // they go through a small buffer and a copy.
      const tail = new Uint8Array(nbytes - head);
      fn(tail, head);
      (bytes as any).narrow(0, head, tail.length).copy_(torch.fromTypedArray(tail, [tail.length], 'uint8'));
    }
    return undefined;
  });
}

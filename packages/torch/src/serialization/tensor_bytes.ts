// Byte-level access to a tensor's memory in chunks, without copying it: loaders read file records
// straight into a new tensor's storage, writers write storages straight from tensor memory.
//
// One JS typed array views at most 4 GiB, so a larger tensor is viewed in parts: narrow() views of
// its bytes, each shared in place.

import * as torch from '../core.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { DType, ELEMENT_SIZE } from './dtypes.js';

/** Bytes per chunk handed to callers: large enough for few system calls, a multiple of 16. */
export const CHUNK_BYTES = 64 << 20;

const MAX_VIEW_BYTES = 2 ** 32;

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

const PART_BYTES = 1 << 30;

/** Windows over the bytes of a contiguous CPU tensor at storage offset 0 or of a narrow() of one. */
function viewInPlace(t: Tensor, nbytes: number, fn: ChunkFn, chunkBytes: number): void {
  if (nbytes <= MAX_VIEW_BYTES) {
    t.withData((view) => windows(view, 0, nbytes, fn, chunkBytes));
    return;
  }
  torch.tidy(() => {
    const bytes = t.reshape(-1).view('uint8');
    for (let off = 0; off < nbytes; off += PART_BYTES) {
      const len = Math.min(PART_BYTES, nbytes - off);
      const part = bytes.narrow(0, off, len);
      part.withData((view) => windows(view, off, len, fn, chunkBytes));
      part.dispose();
    }
    return undefined;
  });
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
  if (nbytes <= MAX_VIEW_BYTES) {
    // withData views a contiguous CPU tensor in place, anything else through a contiguous copy.
    t.withData((view) => windows(view, 0, nbytes, fn, chunkBytes));
    return;
  }
  torch.tidy(() => {
    viewInPlace(t.contiguous().cpu(), nbytes, fn, chunkBytes);
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
  // Every byte is written at once: fault the pages in with one call, not one fault per page.
  native.populatePages(t.handle);
  viewInPlace(t, nbytes, fn, chunkBytes);
}

/**
 * Runs `fn` (a loader making many large tensors) with their bytes reported to V8 as external
 * memory once at its end rather than tensor by tensor, each report of which can start a GC.
 */
export function withDeferredExternalMemory<T>(fn: () => T): T {
  native.deferExternal(true);
  try {
    return fn();
  } finally {
    native.deferExternal(false);
  }
}

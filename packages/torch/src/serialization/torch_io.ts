// torch.load / torch.save for .pt/.pth files.

import * as torch from '../core.js';
import type { Tensor } from '../tensor.js';
import { atomicWrite } from './atomic.js';
import { ByteSource, fileSource, memorySource } from './source.js';
import { ConvertOptions, convertTree, materialize } from './convert.js';
import type { DType } from './dtypes.js';
import { parsePlainPickle, parsePt } from './pt_read.js';
import { TensorAdapter, writePt } from './pt_write.js';
import { RawTensor } from './raw.js';
import { readTensorBytes } from './tensor_bytes.js';

export interface LoadOptions extends ConvertOptions {
  /**
   * Also check the CRC-32 of tensor data records (default false, as PyTorch's reader, which checks
   * none). The pickle and the other small records are always checked. Checking tensor data costs
   * about 0.6 s per GiB, more than reading it from the page cache.
   */
  verifyChecksums?: boolean;
}

/** The error thrown for unreadable files: names the file and what is wrong. */
export class SerializationError extends Error {
  override name = 'SerializationError';
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
  }
}

export function sourceName(src: string | Uint8Array): string {
  return typeof src === 'string' ? `'${src}'` : '<buffer>';
}

export function readSource(src: string | Uint8Array, what: string): Uint8Array {
  const s = openSource(src, what);
  try {
    return s.read(0, s.size);
  } catch (err) {
    throw new SerializationError(sourceName(src), `cannot read: ${(err as Error).message}`, { cause: err });
  } finally {
    s.close();
  }
}

/** Files up to this size are read whole (tests lower it to read small fixtures record by record). */
export const wholeFile = { maxBytes: 16 << 20 };

/** A random-access source over a file (read on demand) or a buffer. Close it when done. */
export function openSource(src: string | Uint8Array, what: string): ByteSource {
  if (typeof src !== 'string') {
    if (!(src instanceof Uint8Array)) throw new TypeError(`${what}: expected a path or a Uint8Array`);
    return memorySource(src);
  }
  try {
    const f = fileSource(src);
    // Small files are read in one go (fewer system calls); larger ones record by record, straight
    // into tensor memory, so a checkpoint is never held in memory twice.
    if (f.size > wholeFile.maxBytes) return f;
    try {
      return memorySource(f.read(0, f.size));
    } finally {
      f.close();
    }
  } catch (err) {
    throw new SerializationError(`'${src}'`, `cannot read: ${(err as Error).message}`, { cause: err });
  }
}

/** Re-throw `err` with the file name in front (keeps the error's class, e.g. UnsafeGlobalError). */
export function withFile(err: unknown, file: string): never {
  if (err instanceof SerializationError) throw err;
  if (err instanceof Error && /^(PickleError|UnsafeGlobalError|ZipError)$/.test(err.name)) {
    err.message = `${file}: ${err.message}`;
    throw err;
  }
  throw new SerializationError(file, (err as Error)?.message ?? String(err), { cause: err });
}

/**
 * Read what PyTorch's `torch.save` wrote (zip or legacy format) with a restricted unpickler: only
 * tensors, storages, OrderedDict, torch.Size and plain Python values; anything else is refused
 * without being executed. Tensors come back as Tensors on the CPU (or `options.device`), dicts as
 * plain objects (string keys) or Maps, tuples and lists as arrays (tuples marked, see `isTuple`),
 * ints beyond 2^53 as bigint, bytes as Uint8Array, sets as Set.
 */
export function load(src: string | Uint8Array, options: LoadOptions = {}): any {
  const name = sourceName(src);
  const source = openSource(src, 'load');
  try {
    let parsed: unknown;
    try {
      parsed = parsePt(source, options);
    } catch (err) {
      withFile(err, name);
    }
    try {
      return materialize(parsed, options);
    } catch (err) {
      withFile(err, name);
    }
  } finally {
    source.close();
  }
}

/**
 * Like `load`, but tensors stay `RawTensor` records (dtype, shape, stride, offset, storage bytes).
 * Each storage's bytes are one Uint8Array, so a storage can be at most 4 GiB here (`load` has no
 * such limit).
 */
export function loadRaw(src: string | Uint8Array, options: LoadOptions = {}): any {
  const name = sourceName(src);
  const source = openSource(src, 'loadRaw');
  try {
    // Storage bytes are read before the source closes.
    return convertTree(parsePt(source, options), (t: RawTensor) => (void t.storage.bytes, t), options);
  } catch (err) {
    withFile(err, name);
  } finally {
    source.close();
  }
}

/**
 * Read a plain pickle file (Python's `pickle.dump`/`pickle.dumps`, e.g. a `.pkl` holding tensors)
 * with the same restrictions as `load`. Such a file carries its storages inside the pickle, so it is
 * read whole (at most 4 GiB, and in memory twice while its tensors are made).
 */
export function loadPickle(src: string | Uint8Array, options: LoadOptions = {}): any {
  const name = sourceName(src);
  const bytes = readSource(src, 'loadPickle');
  let parsed: unknown;
  try {
    parsed = parsePlainPickle(bytes);
  } catch (err) {
    withFile(err, name);
  }
  try {
    return materialize(parsed, options);
  } catch (err) {
    withFile(err, name);
  }
}

export const tensorAdapter: TensorAdapter = {
  isTensor: (v) => v instanceof torch.Tensor,
  info: (t) => {
    const x = t as Tensor;
    // requires_grad is kept for leaf tensors (PyTorch refuses to save non-leaf tensors that require
    // grad; we save their values). nn.Parameter is recognised by class name (no import of nn here).
    const requiresGrad = x.requiresGrad && x.isLeaf;
    return { dtype: x.dtype as DType, shape: x.shape, device: x.device, requiresGrad, isParameter: x.constructor.name === 'Parameter' };
  },
  chunks: (t, fn) => readTensorBytes(t as Tensor, (c) => fn(c)),
};

/** The bytes of a .pt file (zip format) holding `obj`. */
export function saveToBuffer(obj: unknown): Uint8Array {
  const chunks: Uint8Array[] = [];
  let n = 0;
  writePt(obj, tensorAdapter, (c) => {
    chunks.push(c.slice()); // chunks may view tensor memory only while they are being written
    n += c.length;
  });
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Write `obj` like `torch.save` (zip format, pickle protocol 2), atomically: a temporary file in
 * the same folder is renamed over `path` only once complete. Readable by PyTorch's
 * `torch.load(path, weights_only=True)` for tensors, dicts, lists, tuples, ints, strings, bools
 * and None (PyTorch 1.13's weights_only reader has no opcode for floats; PyTorch >= 2.0 reads them).
 */
export function save(obj: unknown, path: string): void {
  atomicWrite(path, (write) => writePt(obj, tensorAdapter, write));
}

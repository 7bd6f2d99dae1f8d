// Shared helpers for the serialization tests: the canonical form that
// tools/goldens/serialization/make_fixtures.py writes to expected.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/index.js';
import { isTuple, RawTensor } from '../../src/serialization/index.js';
import { ELEMENT_SIZE, type DType } from '../../src/serialization/dtypes.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'serialization');
export const fixture = (name: string): string => path.join(FIXTURES, name);
export const readJson = (name: string): any => JSON.parse(fs.readFileSync(fixture(name), 'utf8'));

function fval(x: number): unknown {
  if (Number.isNaN(x)) return { __float__: 'nan' };
  if (x === Infinity) return { __float__: 'inf' };
  if (x === -Infinity) return { __float__: '-inf' };
  return x;
}

function encodeValues(dtype: string, a: ArrayLike<number | bigint>): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (dtype === 'int64') out.push(String(x));
    else if (dtype === 'float32' || dtype === 'float64') out.push(fval(Number(x)));
    else out.push(Number(x));
  }
  return out;
}

/** Row-major values of a RawTensor, read straight from its storage bytes. */
export function rawValues(rt: RawTensor): unknown[] {
  const { storage, offset } = rt.storage.root();
  const b = storage.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const es = ELEMENT_SIZE[rt.dtype];
  const read = (i: number): number | bigint => {
    const o = i * es;
    switch (rt.dtype as DType) {
      case 'float32': return dv.getFloat32(o, true);
      case 'float64': return dv.getFloat64(o, true);
      case 'float16': case 'bfloat16': return dv.getUint16(o, true);
      case 'int64': return dv.getBigInt64(o, true);
      case 'int32': return dv.getInt32(o, true);
      case 'int16': return dv.getInt16(o, true);
      case 'int8': return dv.getInt8(o);
      default: return dv.getUint8(o);
    }
  };
  const vals: (number | bigint)[] = [];
  const n = rt.numel;
  const idx = new Array(rt.shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let e = offset + rt.storageOffset;
    for (let d = 0; d < idx.length; d++) e += idx[d] * rt.stride[d]!;
    vals.push(read(e));
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < rt.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return encodeValues(rt.dtype, vals);
}

/**
 * Canonical form of a loaded value. `mode` 'raw' (RawTensor leaves: offset and storage identity
 * are checked) or 'tensor' (Tensor leaves: dtype, shape, strides and values).
 */
export function canon(v: unknown, mode: 'raw' | 'tensor'): unknown {
  const storages = new Map<unknown, number>();
  const c = (x: unknown): unknown => {
    if (x instanceof RawTensor) {
      const root = x.storage.root();
      if (!storages.has(root.storage)) storages.set(root.storage, storages.size);
      return { __tensor__: { dtype: x.dtype, shape: x.shape, stride: x.stride, offset: x.storageOffset + root.offset, storage: storages.get(root.storage), values: rawValues(x) } };
    }
    if (x instanceof torch.Tensor) {
      return { __tensor__: { dtype: x.dtype, shape: x.shape, stride: x.stride(), values: encodeValues(x.dtype, x.toTypedArray() as ArrayLike<number | bigint>) } };
    }
    if (typeof x === 'bigint') return { __bigint__: x.toString() };
    if (typeof x === 'number') return fval(x);
    if (x === null || typeof x !== 'object') return x;
    if (x instanceof Uint8Array) return { __bytes__: Array.from(x) };
    if (Array.isArray(x)) return isTuple(x) ? { __tuple__: x.map(c) } : x.map(c);
    if (x instanceof Set) return { __set__: [...x].map(c).sort() };
    if (x instanceof Map) return { __map__: [...x].map(([k, y]) => [c(k), c(y)]) };
    return { __dict__: Object.entries(x).map(([k, y]) => [k, c(y)]) };
  };
  return c(v);
}

/** Drop the fields a Tensor-mode canon cannot see (storage offset and identity). */
export function stripStorage(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripStorage);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'offset' || k === 'storage') continue;
      o[k] = stripStorage(x);
    }
    return o;
  }
  return v;
}

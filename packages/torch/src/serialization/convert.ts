// Turns unpickled Python-shaped values into plain JS values, and RawTensor leaves into Tensors.

import * as torch from '../core.js';
import type { Tensor } from '../tensor.js';
import { fillTensorBytes, withDeferredExternalMemory } from './tensor_bytes.js';
import { DTypeRef, NumpyArray, NumpyDType, RawStorage, RawTensor } from './raw.js';
import { markTuple, PY_ATTRS, PY_CLASS, PyComplex, PyDict, PyGlobal, PySet, PyTuple } from './pyvalues.js';

export interface ConvertOptions {
  /**
   * How Python dicts come back. 'auto' (default): a dict whose keys are all strings becomes a plain
   * object (in insertion order, except that JS lists integer-like keys such as "10" first), any
   * other dict (int, tuple, ... keys) becomes a Map. 'map': every dict becomes a Map.
   */
  dicts?: 'auto' | 'map';
  /** Move loaded tensors to this device (default: 'cpu'). */
  device?: string;
}

function defineKey(obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

/**
 * Convert a value tree. `leaf` turns RawTensors into whatever the caller wants; the same RawTensor
 * object (shared in the pickle through its memo) maps to the same result.
 */
export function convertTree(value: unknown, leaf: (t: RawTensor) => unknown, opts: ConvertOptions = {}): unknown {
  const seen = new Map<object, unknown>();
  const dictsAsMap = opts.dicts === 'map';
  const conv = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const hit = seen.get(v);
    if (hit !== undefined || seen.has(v)) return hit;
    if (v instanceof RawTensor) {
      const r = leaf(v);
      seen.set(v, r);
      if (v.pyClass && r !== null && typeof r === 'object') {
        // A tensor subclass (MONAI's MetaTensor): its class name and Python state ride along.
        Object.defineProperty(r, PY_CLASS, { value: v.pyClass, enumerable: false, configurable: true });
        Object.defineProperty(r, PY_ATTRS, { value: conv(v.pyState), enumerable: false, configurable: true });
      }
      return r;
    }
    if (v instanceof NumpyArray) {
      const r = leaf(v.toRawTensor());
      seen.set(v, r);
      return r;
    }
    if (v instanceof NumpyDType) return v.dtype ?? v.code;
    if (v instanceof RawStorage) {
      // A bare storage: returned as a 1-D tensor of its elements.
      const r = leaf(new RawTensor(v, 0, [v.numel], [1], false));
      seen.set(v, r);
      return r;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const x of v) out.push(conv(x));
      return out;
    }
    if (v instanceof PyTuple) {
      const out = markTuple([] as unknown[]);
      seen.set(v, out);
      for (const x of v.items) out.push(conv(x));
      return out;
    }
    if (v instanceof PyDict) {
      let allStr = !dictsAsMap;
      if (allStr) for (const k of v.map.keys()) if (typeof k !== 'string') { allStr = false; break; }
      let out: Record<string, unknown> | Map<unknown, unknown>;
      if (allStr) {
        const o: Record<string, unknown> = {};
        seen.set(v, o);
        for (const [k, x] of v.map) defineKey(o, k as string, conv(x));
        out = o;
      } else {
        const m = new Map<unknown, unknown>();
        seen.set(v, m);
        for (const [k, x] of v.map) m.set(conv(k), conv(x));
        out = m;
      }
      if (v.attrs) {
        const attrs = conv(Object.assign(new PyDict(), { map: v.attrs })) as unknown;
        Object.defineProperty(out, PY_ATTRS, { value: attrs, enumerable: false });
      }
      return out;
    }
    if (v instanceof PySet) {
      const s = new Set<unknown>();
      seen.set(v, s);
      for (const x of v.items) s.add(conv(x));
      return s;
    }
    if (v instanceof PyGlobal) return v.fullName;
    if (v instanceof PyComplex || v instanceof Uint8Array) return v;
    if (v instanceof DTypeRef) return v.dtype;
    return v;
  };
  return conv(value);
}

/**
 * Convert with tensors materialized: one storage tensor per file storage, each tensor an
 * `asStrided` view of it (views that shared storage in Python share it here). On any error every
 * tensor made so far is disposed.
 */
export function materialize(value: unknown, opts: ConvertOptions = {}): unknown {
  const bases = new Map<RawStorage, Tensor>();
  const handedOut = new Set<Tensor>();
  const detached = new Map<RawStorage, Tensor>();
  const made: Tensor[] = [];
  const device = opts.device && opts.device !== 'cpu' ? opts.device : null;
  const toDevice = (t: Tensor): Tensor => {
    if (!device) return t;
    const moved = (t as any).to({ device }) as Tensor;
    t.dispose();
    return moved;
  };
  try {
    return withDeferredExternalMemory(() => convertTree(value, (rt) => {
      const { storage: root, offset: viewOffset } = rt.storage.root();
      const offset = rt.storageOffset + viewOffset;
      let base = bases.get(root);
      let t: Tensor;
      if (!base && offset === 0 && rt.numel === root.numel && isContiguous(rt.shape, rt.stride)) {
        // The common case: the first tensor of a storage covers all of it, row-major. It becomes
        // the storage's tensor itself (one native call instead of three).
        base = toDevice(storageTensor(root, rt.shape));
        bases.set(root, base);
        handedOut.add(base);
        root.release();
        t = base;
      } else {
        if (!base) {
          base = toDevice(storageTensor(root, [root.numel]));
          bases.set(root, base);
          root.release();
        }
        // Views must not inherit requires_grad from a handed-out base that is a parameter: in Python
        // every tensor is rebuilt from the storage on its own. Use a detached alias of such a base.
        let src = base;
        if (base.requiresGrad) {
          src = detached.get(root) ?? (base as any).detach();
          detached.set(root, src);
        }
        t = torch.asStrided(src, rt.shape, rt.stride, { storageOffset: offset }) as Tensor;
      }
      made.push(t);
      if (rt.requiresGrad) t.requiresGrad_(true);
      return t;
    }, opts));
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  } finally {
    for (const b of bases.values()) if (!handedOut.has(b)) b.dispose();
    for (const d of detached.values()) d.dispose();
  }
}

/**
 * A new tensor holding a file storage: allocated first, then filled chunk by chunk straight from
 * the file (or from bytes already in memory), so a storage is in memory once.
 */
function storageTensor(root: RawStorage, shape: number[]): Tensor {
  const read = root.chunkReader(); // fails for a storage without data before anything is allocated
  const t = torch.empty(shape, { dtype: root.dtype });
  try {
    fillTensorBytes(t, read);
  } catch (err) {
    t.dispose();
    throw err;
  }
  return t;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== acc) return false;
    acc *= shape[i]!;
  }
  return true;
}

/**
 * Encoding of dataset items (nested objects/arrays of tensors, MetaTensors, typed arrays and plain values)
 * as one safetensors file: tensors become entries, everything else a JSON structure in the metadata.
 * PersistentDataset stores cache entries this way (one self-checking file per item, written atomically).
 */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaDict } from './meta_tensor.js';

const TYPED: Record<string, { new (a: ArrayLike<number>): ArrayLike<number> } | undefined> = {
  Float64Array, Float32Array, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
};

/** The tensors of an encoded item and its JSON structure. */
export interface EncodedItem {
  tensors: Record<string, Tensor>;
  structure: string;
}

/** Encodes `item`; tensors are referenced, not copied (the caller keeps ownership). */
export function encodeItem(item: unknown, who = 'encodeItem'): EncodedItem {
  const tensors: Record<string, Tensor> = {};
  let n = 0;
  const enc = (v: unknown, where: string): unknown => {
    if (v instanceof Tensor) {
      const key = `t${n++}`;
      tensors[key] = v;
      if (v instanceof MetaTensor) return { __metatensor__: key, meta: enc(v.meta, `${where}.meta`), ops: enc(v.appliedOperations, `${where}.appliedOperations`), batch: v.isBatch };
      return { __tensor__: key };
    }
    if (v === undefined) return { __undefined__: true };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : { __number__: String(v) };
    if (typeof v === 'bigint') return { __bigint__: v.toString() };
    if (ArrayBuffer.isView(v)) {
      const name = v.constructor.name;
      if (name === 'BigInt64Array' || name === 'BigUint64Array') return { __typed__: name, data: Array.from(v as BigInt64Array, String) };
      if (!TYPED[name]) throw new TypeError(`${who}: cannot store ${name} at ${where}`);
      return { __typed__: name, data: Array.from(v as Float64Array, (x) => (Number.isFinite(x) ? x : String(x))) };
    }
    if (Array.isArray(v)) return v.map((x, i) => enc(x, `${where}[${i}]`));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = enc(x, `${where}.${k}`);
      return { __object__: out };
    }
    throw new TypeError(`${who}: cannot store a ${typeof v === 'object' ? (v as object).constructor?.name : typeof v} at ${where} (only tensors, plain objects, arrays, typed arrays and JSON values)`);
  };
  const structure = JSON.stringify(enc(item, 'item'));
  return { tensors, structure };
}

/** Rebuilds an item from its structure and tensors (takes the tensors over; unused ones are disposed). */
export function decodeItem(structure: string, tensors: Record<string, Tensor>): unknown {
  const used = new Set<string>();
  const take = (key: unknown): Tensor => {
    if (typeof key !== 'string' || !(key in tensors) || used.has(key)) throw new Error(`item structure refers to a missing tensor '${String(key)}'`);
    used.add(key);
    return tensors[key];
  };
  const dec = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    const o = v as Record<string, unknown>;
    if ('__tensor__' in o) return take(o.__tensor__);
    if ('__metatensor__' in o) return MetaTensor.wrap(take(o.__metatensor__), { meta: dec(o.meta) as MetaDict, appliedOperations: dec(o.ops) as AppliedOperation[], isBatch: Boolean(o.batch) });
    if ('__undefined__' in o) return undefined;
    if ('__number__' in o) return Number(o.__number__);
    if ('__bigint__' in o) return BigInt(o.__bigint__ as string);
    if ('__typed__' in o) {
      const name = o.__typed__ as string;
      const data = o.data as (number | string)[];
      if (name === 'BigInt64Array') return BigInt64Array.from(data, (x) => BigInt(x));
      if (name === 'BigUint64Array') return BigUint64Array.from(data, (x) => BigInt(x));
      const C = TYPED[name];
      if (!C) throw new Error(`item structure has an unknown typed array '${name}'`);
      return new C(data.map(Number));
    }
    if ('__object__' in o) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o.__object__ as Record<string, unknown>)) out[k] = dec(x);
      return out;
    }
    throw new Error(`item structure has an unknown node: ${JSON.stringify(Object.keys(o))}`);
  };
  try {
    const item = dec(JSON.parse(structure));
    for (const [k, t] of Object.entries(tensors)) if (!used.has(k)) t.dispose();
    return item;
  } catch (e) {
    for (const t of Object.values(tensors)) if (!t.isDisposed) t.dispose();
    throw e;
  }
}

/** Deep copy of an item: tensors cloned (MetaTensors with their metadata), plain values copied. */
export function deepCopyItem<T>(v: T): T {
  if (v instanceof Tensor) return v.clone() as unknown as T;
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): T }).slice();
  if (Array.isArray(v)) return v.map((x) => deepCopyItem(x)) as unknown as T;
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopyItem(x);
    return out as T;
  }
  return v;
}

/** Disposes every tensor inside an item (nested objects and arrays). */
export function disposeItem(v: unknown, seen = new Set<unknown>()): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (v instanceof Tensor) {
    if (!v.isDisposed) v.dispose();
    return;
  }
  if (Array.isArray(v)) v.forEach((x) => disposeItem(x, seen));
  else if (Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach((x) => disposeItem(x, seen));
}

/** Makes every tensor of an item contiguous (in a new item; the old tensors are disposed when replaced). */
export function contiguousItem<T>(v: T): T {
  if (v instanceof Tensor) {
    const c = v.contiguous();
    if (c === v) return v;
    if (c.is(v)) {
      c.dispose(); // already contiguous: a second handle on the same tensor
      return v;
    }
    v.dispose();
    return c as unknown as T;
  }
  if (Array.isArray(v)) return v.map((x) => contiguousItem(x)) as unknown as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = contiguousItem(x);
    return out as T;
  }
  return v;
}


/**
 * The item with every tensor that `owned` holds replaced by an alias (a new handle on the same storage,
 * no copy): what a dataset hands out is then the caller's to dispose without freeing the dataset's own
 * tensors (its data list or cache).
 */
export function aliasShared<T>(item: T, owned: ReadonlySet<Tensor>): T {
  if (owned.size === 0) return item;
  const walk = (v: unknown): unknown => {
    if (v instanceof Tensor) return owned.has(v) ? v.alias() : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(item) as T;
}

/**
 * The tensors an item holds (nested arrays and plain objects; shared parts and cycles visited once). With
 * `deep`, the tensors inside MetaTensor metadata too (what must stay alive while the item is alive); then
 * `shallow`, when given, also receives the tensors found outside metadata (both sets from one walk).
 */
export function tensorsOf(item: unknown, deep = false, found = new Set<Tensor>(), shallow: Set<Tensor> | null = null): Set<Tensor> {
  const seen = new Set<unknown>();
  const walk = (v: unknown, inMeta: boolean): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Tensor) {
      found.add(v);
      if (!inMeta) shallow?.add(v);
      if (deep && v instanceof MetaTensor) metas.push(v);
      return;
    }
    if (ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) for (const x of v) walk(x, inMeta);
    else {
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) for (const x of Object.values(v)) walk(x, inMeta);
    }
  };
  // metadata last, so a tensor both in the item and in some metadata counts as the item's
  const metas: MetaTensor[] = [];
  walk(item, false);
  for (let i = 0; i < metas.length; i++) walk(metas[i].meta, true);
  return found;
}

/**
 * Items crossing threads: tensors become `Tensor.share()` tokens (no copy; MetaTensor metadata travels
 * beside the token), everything else is structured-cloned. Also MONAI's `set_rnd`: reseeding every random
 * component of a dataset (used per item by the DataLoader and by its workers).
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaDict } from './meta_tensor.js';
import { MAX_SEED, isRandomizable, type RandomizableLike } from '../transforms/transform.js';

interface SharedNode {
  __shared__: bigint;
  meta?: MetaDict;
  ops?: AppliedOperation[];
  batch?: boolean;
}

function isShared(v: unknown): v is SharedNode {
  return v !== null && typeof v === 'object' && typeof (v as SharedNode).__shared__ === 'bigint';
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/** Replaces every tensor of `item` by a share token and disposes this thread's handles (the item is consumed). */
export function shareItem(item: unknown): unknown {
  const tokens: bigint[] = [];
  const seen = new Set<Tensor>();
  const s = (v: unknown): unknown => {
    if (v instanceof Tensor) {
      if (seen.has(v)) throw new Error('shareItem: the same tensor appears twice in an item');
      seen.add(v);
      const token = v.share();
      tokens.push(token);
      if (v instanceof MetaTensor) return { __shared__: token, meta: v.meta, ops: v.appliedOperations, batch: v.isBatch };
      return { __shared__: token };
    }
    if (Array.isArray(v)) return v.map(s);
    if (isPlain(v)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = s(x);
      return o;
    }
    return v;
  };
  try {
    const out = s(item);
    for (const t of seen) t.dispose();
    return out;
  } catch (e) {
    for (const t of tokens) torch.fromShared(t).dispose();
    throw e;
  }
}

/** Adopts the tensors of a shared item in this thread (each token once). */
export function adoptItem(item: unknown): unknown {
  const adopted: Tensor[] = [];
  const a = (v: unknown): unknown => {
    if (isShared(v)) {
      // kept: items arrive in message callbacks, possibly while a scope of unrelated code is open (an
      // engine awaiting an async handler); the receiver owns them, never that scope
      const t = torch.keep(torch.fromShared(v.__shared__));
      adopted.push(t);
      if (v.meta === undefined) return t;
      const mt = torch.keep(MetaTensor.wrap(t, { meta: v.meta, appliedOperations: v.ops ?? [], isBatch: Boolean(v.batch) }));
      adopted.push(mt);
      return mt;
    }
    if (Array.isArray(v)) return v.map(a);
    if (isPlain(v)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = a(x);
      return o;
    }
    return v;
  };
  try {
    return a(item);
  } catch (e) {
    for (const t of adopted) if (!t.isDisposed) t.dispose();
    releaseItem(item);
    throw e;
  }
}

/** Frees the tensors of a shared item nobody will adopt (tokens already adopted are skipped). */
export function releaseItem(item: unknown): void {
  if (isShared(item)) {
    try {
      torch.fromShared(item.__shared__).dispose();
    } catch {
      // adopted already
    }
  } else if (Array.isArray(item)) item.forEach(releaseItem);
  else if (isPlain(item)) Object.values(item).forEach(releaseItem);
}

const seedTargets = new WeakMap<object, [RandomizableLike, number][]>();

/**
 * MONAI's set_rnd: the random components of `obj` (found through its fields, arrays included), each with
 * its seed offset (MONAI hands successive components seed, seed + 1, ...). Found once per object.
 */
function randomTargets(obj: object): [RandomizableLike, number][] {
  let targets = seedTargets.get(obj);
  if (targets) return targets;
  targets = [];
  const found = targets;
  const seen = new Set<object>();
  const walk = (v: unknown, offset: number): number => {
    if (v === null || typeof v !== 'object' || v instanceof Tensor || ArrayBuffer.isView(v) || seen.has(v)) return offset;
    seen.add(v);
    if (Array.isArray(v)) {
      let last = offset;
      for (const x of v) last = walk(x, offset);
      return last === offset ? offset : offset + 1;
    }
    if (isRandomizable(v)) {
      found.push([v, offset]);
      return offset + 1;
    }
    for (const k of Object.keys(v)) offset = walk((v as Record<string, unknown>)[k], offset);
    return offset;
  };
  walk(obj, 0);
  seedTargets.set(obj, targets);
  return targets;
}

/** Seeds every random component of a dataset from `seed` (a bigint or integer), as MONAI's set_rnd. */
export function seedDataset(dataset: object, seed: bigint | number): void {
  const base = BigInt(seed);
  for (const [t, off] of randomTargets(dataset)) t.setRandomState({ seed: Number((((base + BigInt(off)) % BigInt(MAX_SEED)) + BigInt(MAX_SEED)) % BigInt(MAX_SEED)) });
}

function walkTensors(v: unknown, fn: (t: Tensor) => void, seen: Set<unknown>): void {
  if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return;
  seen.add(v);
  if (v instanceof Tensor) return fn(v);
  if (v instanceof Map) return v.forEach((x) => walkTensors(x, fn, seen));
  if (v instanceof Set) return v.forEach((x) => walkTensors(x, fn, seen));
  for (const x of Array.isArray(v) ? v : Object.values(v)) walkTensors(x, fn, seen);
}

/** Disposes every tensor reachable from `v` (through arrays, plain objects and class instances' fields). */
export function disposeDeep(v: unknown): void {
  walkTensors(v, (t) => {
    if (!t.isDisposed) t.dispose();
  }, new Set());
}

/** After collation the items' tensors are no longer needed; those the batch itself holds are left alone. */
export function disposeCollated(items: readonly unknown[], batch: unknown): void {
  const kept = new Set<Tensor>();
  walkTensors(batch, (t) => kept.add(t), new Set());
  walkTensors(items, (t) => {
    if (!kept.has(t) && !t.isDisposed) t.dispose();
  }, new Set());
}

/**
 * Collation of items into a batch and decollation back, keeping MetaTensor metadata: a batch of
 * MetaTensors is one stacked MetaTensor (`isBatch`), whose `meta` holds per-item lists (the affine
 * as a [B, 4, 4] Float64Array), as MONAI's `list_data_collate` / `decollate_batch`.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, collateMeta, copyMeta, itemMeta, type MetaDict } from './meta_tensor.js';

const BATCH_OPS = 'applied_operations';

/** Stacks a list of items (tensors, MetaTensors, dicts, arrays of them, numbers, strings) into a batch. */
export function listDataCollate(batch: unknown[]): unknown {
  // multi-sample transforms produce lists of dicts per item: flatten one level
  const flat = batch.some((b) => Array.isArray(b) && b.length > 0 && typeof b[0] === 'object' && !(b[0] instanceof Tensor) && !Array.isArray(b[0]))
    ? (batch as unknown[]).flatMap((b) => (Array.isArray(b) ? b : [b]))
    : batch;
  return collate(flat);
}

export function collate(items: unknown[]): unknown {
  if (items.length === 0) return [];
  const first = items[0];
  if (first instanceof Tensor) {
    const tensors = items as Tensor[];
    const stacked = torch.stack(tensors);
    if (tensors.every((t) => t instanceof MetaTensor)) {
      const mts = tensors as MetaTensor[];
      const meta = collateMeta(mts.map((m) => m.meta));
      meta[BATCH_OPS] = mts.map((m) => copyMeta(m.appliedOperations));
      return MetaTensor.wrap(stacked, { meta, isBatch: true });
    }
    return stacked;
  }
  if (typeof first === 'number' || typeof first === 'boolean' || typeof first === 'string' || first === null) return items.slice();
  if (Array.isArray(first)) {
    const n = first.length;
    if (!items.every((x) => Array.isArray(x) && x.length === n)) throw new Error('collate: items are lists of different lengths');
    return Array.from({ length: n }, (_, i) => collate(items.map((x) => (x as unknown[])[i])));
  }
  if (ArrayBuffer.isView(first)) return items.map((x) => copyMeta(x));
  if (typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first as object)) {
      const vals = items.map((x) => (x as Record<string, unknown>)[k]);
      if (k.endsWith('_meta_dict') && vals.every((v) => v && typeof v === 'object' && !(v instanceof Tensor))) out[k] = collateMeta(vals as MetaDict[]);
      else out[k] = collate(vals);
    }
    return out;
  }
  return items.slice();
}

function decollateMeta(meta: MetaDict, b: number): MetaDict[] {
  return Array.from({ length: b }, (_, i) => itemMeta(meta, b, i));
}

/** Splits a batch back into a list of items (MONAI's decollate_batch). */
export function decollateBatch(batch: unknown): unknown[] {
  if (batch instanceof Tensor) {
    // unbind along dim 0 gives each item of a MetaTensor batch its own metadata (MetaTensor's op hook)
    return torch.unbind(batch, { dim: 0 }) as Tensor[];
  }
  if (Array.isArray(batch)) {
    if (batch.every((x) => x === null || typeof x !== 'object')) return batch.slice();
    const cols = batch.map((x) => decollateBatch(x));
    const n = cols.length ? cols[0].length : 0;
    return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
  }
  if (batch && typeof batch === 'object' && !ArrayBuffer.isView(batch)) {
    const entries = Object.entries(batch as Record<string, unknown>);
    let n = -1;
    const split: Record<string, unknown[]> = {};
    for (const [k, v] of entries) {
      if (k.endsWith('_meta_dict') && v && typeof v === 'object' && !(v instanceof Tensor)) continue;
      split[k] = decollateBatch(v);
      n = Math.max(n, split[k].length);
    }
    for (const [k, v] of entries) {
      if (k in split) continue;
      const len = n < 0 ? 0 : n;
      split[k] = decollateMeta(v as MetaDict, len);
    }
    const len = Math.max(0, n);
    return Array.from({ length: len }, (_, i) => {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(split)) o[k] = split[k][i];
      return o;
    });
  }
  return [batch];
}

/**
 * MONAI's pad_list_data_collate: list_data_collate after padding, per key (dict items) or position
 * (list items), every item's tensor to the largest spatial shape in the batch (SpatialPad, symmetric and
 * constant by default). The padding is recorded by SpatialPad on each padded MetaTensor, so its inverse
 * crops it back (MONAI wraps that record in a PadListDataCollate one; ours keeps SpatialPad's).
 */
import { Tensor } from '@monai-ts/torch';
import { SpatialPad } from '../transforms/croppad/array.js';
import type { PadMode } from '../transforms/croppad/functional.js';
import { listDataCollate } from './collate.js';

export interface PadListDataCollateOptions {
  method?: 'symmetric' | 'end';
  mode?: PadMode;
  value?: number;
}

/** Pads the tensors of a batch's items to a common spatial shape, then collates them (the items are left to the caller). */
export function padListDataCollate(batch: unknown[], options: PadListDataCollateOptions = {}): unknown {
  if (!Array.isArray(batch)) throw new TypeError(`padListDataCollate: batch must be a list of items, got ${typeof batch}`);
  if (batch.length === 0) return listDataCollate(batch);
  const { method = 'symmetric', mode = 'constant', value = 0 } = options;
  const first = batch[0];
  const isDict = first !== null && typeof first === 'object' && !Array.isArray(first) && !(first instanceof Tensor);
  if (!isDict && !Array.isArray(first)) return listDataCollate(batch);
  const keys: (string | number)[] = isDict ? Object.keys(first as object) : (first as unknown[]).map((_, i) => i);
  const items = batch.map((b) => (Array.isArray(b) ? b.slice() : { ...(b as object) })) as Record<string | number, unknown>[];
  const padded: Tensor[] = [];
  for (const key of keys) {
    const vals = items.map((it) => it[key]);
    if (!vals.every((v) => v instanceof Tensor)) continue;
    const shapes = (vals as Tensor[]).map((t) => t.shape.slice(1));
    const nd = shapes[0].length;
    if (!shapes.every((s) => s.length === nd)) throw new RangeError(`padListDataCollate: '${String(key)}' has items of different ranks (${shapes.map((s) => `[${s}]`).join(', ')})`);
    const max = shapes[0].map((_, d) => Math.max(...shapes.map((s) => s[d])));
    if (shapes.every((s) => s.every((n, d) => n === max[d]))) continue;
    const padder = new SpatialPad({ spatialSize: max, method, mode, value });
    items.forEach((it, i) => {
      const t = vals[i] as Tensor;
      if (t.shape.slice(1).every((n, d) => n === max[d])) return;
      const p = padder.call(t);
      padded.push(p);
      it[key] = p;
    });
  }
  try {
    return listDataCollate(items);
  } finally {
    for (const p of padded) p.dispose(); // the batch holds stacked copies; the caller's items are left alone
  }
}

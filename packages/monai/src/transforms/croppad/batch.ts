/**
 * Batch padding (MONAI's monai/transforms/croppad/batch.py): `PadListDataCollate` pads every tensor of a
 * key (or tuple position) to the largest spatial shape in the batch, then collates. Items of a dictionary
 * batch record the pad as PadListDataCollate, and the static `inverse` centre-crops a decollated item
 * back to its size; run it before inverting the item's other transforms.
 */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaValue } from '../../data/meta_tensor.js';
import { listDataCollate } from '../../data/collate.js';
import { checkChoice, checkOptions } from '../../data/options.js';
import { Transform, TraceKeys, describeValue } from '../transform.js';
import { CenterSpatialCrop, SpatialPad } from './array.js';
import { checkPadMode, cropFunc, type PadMode } from './functional.js';

type Item = Record<string, unknown> | unknown[];

/** Pads tensors to the batch's largest shape, then collates (MONAI's PadListDataCollate). */
export class PadListDataCollate extends Transform {
  readonly method: 'symmetric' | 'end';
  readonly mode: PadMode;
  readonly value: number;

  constructor(options: { method?: 'symmetric' | 'end'; mode?: PadMode; value?: number } = {}) {
    super();
    checkOptions(this.name, options, ['method', 'mode', 'value']);
    this.method = checkChoice(this.name, 'method', options.method ?? 'symmetric', ['symmetric', 'end'] as const);
    this.mode = checkPadMode(this.name, options.mode ?? 'constant');
    this.value = options.value ?? 0;
  }

  override call(batch: unknown): unknown {
    if (!Array.isArray(batch) || batch.length === 0) throw new TypeError(`${this.name}: expected a non-empty list of items, got ${describeValue(batch)}`);
    const items = batch.map((b) => (Array.isArray(b) ? [...b] : { ...(b as Record<string, unknown>) })) as Item[];
    const isDict = !Array.isArray(items[0]);
    const slots: (string | number)[] = isDict ? Object.keys(items[0]) : [...Array((items[0] as unknown[]).length).keys()];
    for (const slot of slots) {
      const shapes: number[][] = [];
      for (const it of items) {
        const v = (it as Record<string | number, unknown>)[slot];
        if (!(v instanceof Tensor)) break;
        shapes.push(v.shape.slice(1));
      }
      if (shapes.length !== items.length || shapes.length === 0) continue;
      const maxShape = shapes[0].map((_, d) => Math.max(...shapes.map((s) => s[d] ?? 0)));
      if (shapes.every((s) => s.every((v, d) => v === maxShape[d]))) continue;
      const padder = new SpatialPad({ spatialSize: maxShape, method: this.method, mode: this.mode, value: this.value });
      items.forEach((it, idx) => {
        const v = (it as Record<string | number, unknown>)[slot] as Tensor;
        const padded = padder.call(v);
        if (isDict && padded instanceof MetaTensor) {
          const rec = padded.appliedOperations.pop()!;
          this.pushTransform(padded, { origSize: shapes[idx], extraInfo: rec as Record<string, MetaValue> });
        }
        (it as Record<string | number, unknown>)[slot] = padded;
      });
    }
    return listDataCollate(items);
  }

  /** Centre-crops each MetaTensor of a decollated dictionary item whose last record is PadListDataCollate back to its size. */
  static inverse(data: unknown): Record<string, unknown> {
    if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Tensor) throw new TypeError(`PadListDataCollate.inverse: expected a dictionary item, got ${describeValue(data)}`);
    const d = { ...(data as Record<string, unknown>) };
    for (const [key, v] of Object.entries(d)) {
      if (!(v instanceof MetaTensor)) continue;
      const ops = v.appliedOperations;
      const last = ops[ops.length - 1] as AppliedOperation | undefined;
      if (!last || last[TraceKeys.CLASS_NAME] !== 'PadListDataCollate') continue;
      ops.pop();
      const size = (last[TraceKeys.ORIG_SIZE] as number[] | undefined) ?? v.shape.slice(1).map(() => -1);
      d[key] = cropFunc(v, new CenterSpatialCrop({ roiSize: size }).computeSlicesFor(v.shape.slice(1)), null);
    }
    return d;
  }

  inverse(data: unknown): Record<string, unknown> {
    return PadListDataCollate.inverse(data);
  }
}

/** Helpers shared by the spatial dictionary transforms. */
import { Tensor } from '@monai-ts/torch';
import type { DataDict, MapTransform } from '../transform.js';
import { checkInterpolateMode, gridPaddingMode, gridSampleMode, torchPadMode } from './modes.js';

/** data[key] as a Tensor, or an error naming the transform and the key. */
export function tensorAt(d: DataDict, key: string, who: string): Tensor {
  const v = d[key];
  if (!(v instanceof Tensor)) throw new TypeError(`${who}: data['${key}'] must be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}

/**
 * The (key, ...per-key options) entries of `t` over `d`, all checked (present, or skipped with
 * allowMissingKeys; tensors) before any work, so a bad item fails without partial results.
 */
export function checkedKeys<E extends unknown[] = []>(t: MapTransform, d: DataDict, ...extras: { [K in keyof E]: readonly E[K][] }): [string, ...E][] {
  const items = [...t.keyIterator<E>(d, ...extras)];
  for (const [k] of items) tensorAt(d, k, t.name);
  return items;
}

/** Validates per-key grid_sample modes and padding modes at construction, naming the transform. */
export function checkGridModes(who: string, modes: readonly unknown[], paddings: readonly unknown[]): void {
  for (const m of modes) gridSampleMode(who, m);
  for (const p of paddings) gridPaddingMode(who, p);
}

/** Validates per-key interpolate modes (and pad modes) at construction, naming the transform. */
export function checkInterpModes(who: string, modes: readonly unknown[], paddings: readonly unknown[] = []): void {
  for (const m of modes) checkInterpolateMode(who, m);
  for (const p of paddings) torchPadMode(who, p);
}

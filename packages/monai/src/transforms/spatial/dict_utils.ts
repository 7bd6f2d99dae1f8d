/** Helpers shared by the spatial dictionary transforms. */
import { Tensor } from '@monai-ts/torch';
import { perKey, type DataDict, type MapTransform } from '../transform.js';
import type { FloatDType } from './array.js';
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

/** The per-key resampling settings of a spatial dictionary transform (one entry per key). */
export interface PerKeyResampling<AC extends boolean | null> {
  mode: string[];
  paddingMode: string[];
  alignCorners: AC[];
  dtype: (FloatDType | null)[];
}

type PerKeyValue<T> = T | readonly T[];

/**
 * Expands mode, paddingMode, alignCorners and dtype (one value, or one per key) with the transform's
 * defaults, and validates the modes at construction: grid_sample's for 'grid', interpolate/pad's for 'interp'.
 */
export function perKeyResampling<AC extends boolean | null>(
  t: MapTransform,
  options: { mode?: PerKeyValue<string>; paddingMode?: PerKeyValue<string>; alignCorners?: PerKeyValue<AC>; dtype?: PerKeyValue<FloatDType | null> },
  defaults: { mode: string; paddingMode: string; alignCorners: AC; dtype: FloatDType; kind: 'grid' | 'interp' },
): PerKeyResampling<AC> {
  const n = t.keys.length;
  const r: PerKeyResampling<AC> = {
    mode: perKey(options.mode ?? defaults.mode, n, t.name, 'mode'),
    paddingMode: perKey(options.paddingMode ?? defaults.paddingMode, n, t.name, 'paddingMode'),
    alignCorners: perKey<AC>(options.alignCorners ?? defaults.alignCorners, n, t.name, 'alignCorners'),
    dtype: perKey<FloatDType | null>(options.dtype === undefined ? defaults.dtype : options.dtype, n, t.name, 'dtype'),
  };
  if (defaults.kind === 'grid') checkGridModes(t.name, r.mode, r.paddingMode);
  else checkInterpModes(t.name, r.mode, r.paddingMode);
  return r;
}

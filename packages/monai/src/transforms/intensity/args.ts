/** Option checks shared by the intensity transforms; every error names the transform and the option. */
import { checkOptions } from '../../data/options.js';
import { checkProb } from '../transform.js';

export { checkOptions, checkProb };

export function num(who: string, option: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${who}: ${option} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function optNum(who: string, option: string, v: unknown): number | null {
  return v === null || v === undefined ? null : num(who, option, v);
}

export function int(who: string, option: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TypeError(`${who}: ${option} must be an integer${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(v)}`);
  return v;
}

export function bool(who: string, option: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${who}: ${option} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A pair [lo, hi] as given (sorted). */
export function pair(who: string, option: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number' || Number.isNaN(x))) throw new TypeError(`${who}: ${option} must be a number or a pair of numbers, got ${JSON.stringify(v)}`);
  return [Math.min(v[0], v[1]), Math.max(v[0], v[1])];
}

/** MONAI's factor/offset ranges: a number x means (-x, x) sorted; a pair is sorted. */
export function symmetricRange(who: string, option: string, v: unknown): [number, number] {
  if (typeof v === 'number' && !Number.isNaN(v)) return [Math.min(-v, v), Math.max(-v, v)];
  return pair(who, option, v);
}

/** A number for all spatial dimensions or a list of numbers (one per dimension). */
export function numOrList(who: string, option: string, v: unknown): number | number[] {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && !Number.isNaN(x))) return [...v];
  throw new TypeError(`${who}: ${option} must be a number or a non-empty list of numbers, got ${JSON.stringify(v)}`);
}

/** MONAI's ensure_tuple_size: truncated to `dim` entries or padded with `pad`. */
export function tupleSize(vals: readonly number[], dim: number, pad = 0): number[] {
  const out = vals.slice(0, dim);
  while (out.length < dim) out.push(pad);
  return out;
}

/** MONAI's fall_back_tuple: per dimension the user's value when positive, else the default. */
export function fallBackTuple(who: string, option: string, user: number | readonly number[], dflt: readonly number[]): number[] {
  const n = dflt.length;
  const u = typeof user === 'number' ? new Array<number>(n).fill(user) : user.length === 1 ? new Array<number>(n).fill(user[0]) : [...user];
  if (u.length !== n) throw new RangeError(`${who}: ${option} must have one value or ${n} (one per spatial dimension), got ${u.length}`);
  return u.map((v, i) => (v > 0 ? v : dflt[i]));
}

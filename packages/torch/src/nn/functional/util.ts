// Shared helpers of nn.functional: option checks, tuple expansion and reduction codes.
import { checkChoice, checkOptions as checkShared } from '../../options.js';
import { Tensor } from '../../tensor.js';

export type Reduction = 'none' | 'mean' | 'sum';
/** In ATen's at::Reduction order: none 0, mean 1, sum 2. */
const REDUCTIONS = ['none', 'mean', 'sum'] as const;

/** ATen's reduction enum (at::Reduction) for a reduction name. */
export function reductionEnum(reduction: string | undefined, fn: string): number {
  return REDUCTIONS.indexOf(checkChoice(fn, 'reduction', reduction ?? 'mean', REDUCTIONS));
}

/** Expands a number to an n-tuple (PyTorch's _ntuple), checking a given list's length. */
export function ntuple(v: number | number[], n: number, what: string): number[] {
  if (Array.isArray(v)) {
    if (v.length === 1 && n > 1) return Array(n).fill(v[0]);
    if (v.length !== n) throw new TypeError(`${what}: expected ${n} values, found ${v.length} (${JSON.stringify(v)})`);
    return v.slice();
  }
  return Array(n).fill(v);
}

/** Throws for option keys that fn does not know, with a "did you mean" suggestion. */
export function checkOptions(options: object | undefined, known: readonly string[], fn: string): void {
  checkShared(fn, options, known);
}


export function checkP(p: number, fn: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${fn}: dropout probability has to be between 0 and 1, but got ${p}`);
}

export function shapeStr(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

// Shared helpers of nn.functional: option checks, tuple expansion and reduction codes.
import { checkOptions as checkShared, suggestion as suggest } from '../../options.js';
import { Tensor } from '../../tensor.js';

export type Reduction = 'none' | 'mean' | 'sum';

/** ATen's reduction enum (at::Reduction): none 0, mean 1, sum 2. */
export function reductionEnum(reduction: string | undefined, fn: string): number {
  switch (reduction ?? 'mean') {
    case 'none': return 0;
    case 'mean': return 1;
    case 'sum': return 2;
    default: throw new TypeError(`${fn}: reduction must be 'none', 'mean' or 'sum', found '${reduction}'${suggest(String(reduction), ['none', 'mean', 'sum'])}`);
  }
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

/** Checks a string option against its allowed values. */
export function checkEnum<T extends string>(value: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value)) throw new TypeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, found '${value}'${suggest(String(value), allowed)}`);
  return value;
}

export { suggest };

export function checkP(p: number, fn: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${fn}: dropout probability has to be between 0 and 1, but got ${p}`);
}

export function shapeStr(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

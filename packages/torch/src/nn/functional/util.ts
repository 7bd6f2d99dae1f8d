// Shared helpers of nn.functional: option checks, tuple expansion and reduction codes.
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
  if (!options) return;
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new TypeError(`${fn}: unknown option '${k}'${suggest(k, known)}; known options: ${known.join(', ')}`);
  }
}

/** Checks a string option against its allowed values. */
export function checkEnum<T extends string>(value: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value)) throw new TypeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, found '${value}'${suggest(String(value), allowed)}`);
  return value;
}

export function suggest(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best && bestD <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function levenshtein(a: string, b: string): number {
  const m = a.length, n = b.length;
  const d = Array.from({ length: m + 1 }, (_, i) => [i, ...Array(n).fill(0)]);
  for (let j = 1; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[m][n];
}

export function checkP(p: number, fn: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${fn}: dropout probability has to be between 0 and 1, but got ${p}`);
}

export function shapeStr(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

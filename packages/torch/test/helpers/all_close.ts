// The one element-wise comparison for tests: |actual - expected| <= atol + rtol * |expected| per
// element, with tolerances chosen by dtype unless given. A NaN matches only a NaN and an infinity
// only the same infinity (a plain `Math.abs(a - b) > tol` test lets NaN through). The absolute
// tolerance is never scaled by the tensor's largest value, so small entries are checked as tightly
// as large ones. A failure names the first bad index, both values, and how many elements differ.
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Default tolerances per dtype; integer and bool dtypes compare exactly. */
export const TOLERANCE: Record<string, Tolerance> = {
  float64: { rtol: 1e-10, atol: 1e-12 },
  complex128: { rtol: 1e-10, atol: 1e-12 },
  float32: { rtol: 1e-5, atol: 1e-6 },
  complex64: { rtol: 1e-5, atol: 1e-6 },
  float16: { rtol: 1e-3, atol: 1e-3 },
  bfloat16: { rtol: 1e-2, atol: 1e-2 },
};
const EXACT: Tolerance = { rtol: 0, atol: 0 };

export function toleranceFor(dtype: string): Tolerance {
  return TOLERANCE[dtype] ?? EXACT;
}

/** True when a and b agree: NaN only with NaN, infinities exactly, else within atol + rtol * |b|. */
export function isClose(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

type Values = ArrayLike<number> | ArrayLike<bigint> | readonly (number | bigint)[];

export interface AllCloseOptions {
  rtol?: number;
  atol?: number;
  /** Names the compared quantity in the failure message. */
  what?: string;
  /** Shape of the values, to report a failing position as a multi-index. */
  shape?: readonly number[];
}

/**
 * Plain values of a tensor as doubles (float16/bfloat16 widened, int64 through Number, complex as
 * interleaved real/imaginary pairs). Creates no tensor that outlives the call.
 */
export function valuesOf(t: torch.Tensor): Float64Array {
  return torch.tidy(() => {
    const src = t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.detach().to('float32') : t.detach();
    const d = src.contiguous().data() as ArrayLike<number> | BigInt64Array;
    return d instanceof BigInt64Array ? Float64Array.from(d, Number) : Float64Array.from(d as ArrayLike<number>);
  });
}

function toNumbers(v: Values | torch.Tensor): Float64Array {
  if (v instanceof torch.Tensor) return valuesOf(v);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number((v as ArrayLike<number | bigint>)[i]);
  return out;
}

function position(i: number, shape: readonly number[] | undefined): string {
  if (!shape || shape.length < 2) return `[${i}]`;
  const idx: number[] = [];
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]);
    r = Math.floor(r / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Asserts actual and expected hold the same values within tolerance. Tensors are also checked for
 * equal shape (and equal dtype when both are tensors); the tolerance comes from the expected
 * dtype (else the actual tensor's dtype, else float64) unless rtol/atol are given.
 */
export function assertAllClose(actual: torch.Tensor | Values, expected: torch.Tensor | Values, opts: AllCloseOptions = {}): void {
  const what = opts.what ?? 'values';
  let shape = opts.shape;
  let dtype = 'float64';
  if (actual instanceof torch.Tensor) {
    dtype = actual.dtype;
    shape ??= actual.shape;
  }
  if (expected instanceof torch.Tensor) {
    if (actual instanceof torch.Tensor) assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
    assert.ok(!(actual instanceof torch.Tensor) || sameShape(actual.shape, expected.shape),
      `${what}: shape [${(actual as torch.Tensor).shape}] where [${expected.shape}] was expected`);
    dtype = expected.dtype;
    shape ??= expected.shape;
  }
  if (dtype.startsWith('complex') && shape) shape = [...shape, 2];
  const tol = toleranceFor(dtype);
  const rtol = opts.rtol ?? tol.rtol;
  const atol = opts.atol ?? tol.atol;
  const a = toNumbers(actual);
  const e = toNumbers(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} values where ${e.length} were expected`);
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (isClose(a[i], e[i], rtol, atol)) continue;
    bad++;
    if (first < 0) first = i;
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= worst)) worst = err;
  }
  if (bad > 0) {
    assert.fail(`${what}${position(first, shape)}: got ${a[first]}, expected ${e[first]} ` +
      `(${bad} of ${a.length} differ beyond atol ${atol} + rtol ${rtol} * |expected|; largest error ${worst})`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// Bulk draws of numpy's legacy RandomState (MT19937), run natively (native/random_state.cc) for
// monai-ts's RandomState. Private ops, reached as torch.ops._legacyRandomFill / _legacyRandomTensor.
import { native } from './native.js';
import { Tensor } from './tensor.js';

/**
 * An MT19937 state in numpy's layout. `key` (624 words) is updated in place; `st` holds
 * [pos, hasGauss (0 or 1), cached gauss] and is updated in place too.
 */
export interface LegacyRandomState {
  key: Uint32Array;
  st: Float64Array;
}

/**
 * 'random': [0, 1); 'uniform': a + b * random (a = low, b = high - low); 'normal': a + b * gauss
 * (numpy's cached polar method with the C library's log, as numpy); 'randint': a + [0, b] by masked rejection
 * (a = low, b = high - 1 - low, b < 2**53).
 */
export type LegacyDistribution = 'random' | 'uniform' | 'normal' | 'randint';

const KIND: Record<LegacyDistribution, number> = { random: 0, uniform: 1, normal: 2, randint: 3 };

interface RandomNative {
  libmLog(x: number): number;
  legacyRandom(kind: number, key: Uint32Array, st: Float64Array, a: number, b: number, out: Float64Array | Float32Array | null, shape: number[] | null, dtype: string | null): number | undefined;
}
const rnative = native as unknown as RandomNative;

function checkState(own: string, s: LegacyRandomState): void {
  if (!(s.key instanceof Uint32Array) || s.key.length !== 624) throw new TypeError(`${own}: state.key must be a Uint32Array of 624 words`);
  if (!(s.st instanceof Float64Array) || s.st.length !== 3) throw new TypeError(`${own}: state.st must be a Float64Array [pos, hasGauss, gauss]`);
}

function kindOf(own: string, d: string): number {
  const k = KIND[d as LegacyDistribution];
  if (k === undefined) throw new RangeError(`${own}: distribution must be 'random', 'uniform', 'normal' or 'randint', found '${d}'`);
  return k;
}

/** Fills `out` with draws in order, advancing `state`. */
export function _legacyRandomFill(state: LegacyRandomState, distribution: LegacyDistribution, a: number, b: number, out: Float64Array | Float32Array): void {
  const own = '_legacyRandomFill';
  checkState(own, state);
  if (!(out instanceof Float64Array || out instanceof Float32Array)) throw new TypeError(`${own}: out must be a Float64Array or a Float32Array`);
  rnative.legacyRandom(kindOf(own, distribution), state.key, state.st, a, b, out, null, null);
}

/** A new CPU tensor of `shape` filled with draws in C order (computed in float64, then rounded to `dtype`). */
export function _legacyRandomTensor(state: LegacyRandomState, distribution: LegacyDistribution, a: number, b: number, shape: readonly number[], dtype: 'float64' | 'float32' = 'float64'): Tensor {
  const own = '_legacyRandomTensor';
  checkState(own, state);
  if (dtype !== 'float64' && dtype !== 'float32') throw new RangeError(`${own}: dtype must be 'float64' or 'float32', found '${String(dtype)}'`);
  for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`${own}: shape must hold non-negative integers, found [${shape.join(', ')}]`);
  return new Tensor(rnative.legacyRandom(kindOf(own, distribution), state.key, state.st, a, b, null, [...shape], dtype) as number);
}

/** The C library's natural log (what numpy's Gaussian draws use; V8's Math.log can differ in the last bit). */
export function _libmLog(x: number): number {
  return rnative.libmLog(x);
}

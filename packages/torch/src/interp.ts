// np.interp and np.histogram counting in one native pass each (native/interp.cc), reached as
// torch.ops.interp and torch.ops.histogramCounts.
import { native } from './native.js';
import { Tensor } from './tensor.js';

interface InterpNative {
  interp(x: number, xp: number, fp: number): number;
  histogramCounts(values: number, edges: number): number;
}

/**
 * np.interp(x, xp, fp): for increasing 1-D `xp`, the piecewise-linear interpolant through (xp, fp) at
 * each value of `x` (any real dtype), with numpy's rules: fp[0] below xp[0], fp[-1] at and above
 * xp[-1], fp[j] on a knot, NaN for NaN. float64, x's shape and device; computed on the CPU.
 */
export function interp(x: Tensor, xp: Tensor, fp: Tensor): Tensor {
  return new Tensor((native as unknown as InterpNative).interp(x.handle, xp.handle, fp.handle));
}

/**
 * Counts of `values` in the bins between consecutive `edges` (1-D, increasing) by np.histogram's rule:
 * edges[k] <= v < edges[k + 1], the last bin closed; values outside [edges[0], edges[-1]] and NaN are
 * not counted. float64 counts on the values' device; computed on the CPU in one pass.
 */
export function histogramCounts(values: Tensor, edges: Tensor): Tensor {
  return new Tensor((native as unknown as InterpNative).histogramCounts(values.handle, edges.handle));
}

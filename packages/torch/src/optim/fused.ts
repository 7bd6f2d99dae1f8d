// Optimizer updates run natively over a whole parameter list (native/optim.cc): the same ATen calls in
// the same order as a per-parameter update from JavaScript, so the results are identical, without a
// dozen JS-to-native crossings per parameter.
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';

export interface NovogradStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradAveraging: boolean;
}

/**
 * MONAI's Novograd update of each parameter that has a gradient (the gradient is normalised in place):
 * expAvgSq (0-dim) averages the squared gradient norm (taken as is while it is 0), the gradient is
 * divided by sqrt(expAvgSq, or its running maximum maxExpAvgSq with AMSGrad) + eps, weight decay and
 * grad averaging apply to it, expAvg averages it and the parameter steps by -lr * expAvg.
 * Returns, per parameter, whether it had a gradient (and was updated).
 */
export function novogradStep(params: readonly Tensor[], expAvg: readonly Tensor[], expAvgSq: readonly Tensor[], maxExpAvgSq: readonly Tensor[] | null, o: NovogradStepOptions): boolean[] {
  const h = (ts: readonly Tensor[]): number[] => ts.map((t) => t.handle);
  return native.novogradStep(h(params), h(expAvg), h(expAvgSq), maxExpAvgSq && h(maxExpAvgSq), o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.gradAveraging);
}

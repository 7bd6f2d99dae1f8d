// Convolution arithmetic (MONAI's monai/networks/layers/convutils.py).
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';

const list = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : [...v]);
/** Elementwise over broadcast lists; a single value stays a number as in MONAI. */
function combine(a: number | readonly number[], b: number | readonly number[], f: (x: number, y: number) => number): number | number[] {
  const x = list(a), y = list(b);
  const n = Math.max(x.length, y.length);
  if (x.length !== n && x.length !== 1) throw new RangeError(`sequences of lengths ${x.length} and ${y.length} do not broadcast`);
  if (y.length !== n && y.length !== 1) throw new RangeError(`sequences of lengths ${x.length} and ${y.length} do not broadcast`);
  const out = Array.from({ length: n }, (_, i) => f(x[x.length === 1 ? 0 : i], y[y.length === 1 ? 0 : i]));
  return out.length === 1 ? out[0] : out;
}

/** Padding that keeps the spatial size for stride 1: (kernel - 1) / 2 * dilation. Even effective kernels throw. */
export function samePadding(kernelSize: number | readonly number[], dilation: number | readonly number[] = 1): number | number[] {
  return combine(kernelSize, dilation, (k, d) => {
    if (((k - 1) * d) % 2 === 1) throw new RangeError(`same padding is not available for kernelSize=${JSON.stringify(kernelSize)} and dilation=${JSON.stringify(dilation)}`);
    return ((k - 1) / 2) * d;
  });
}

/** stride - kernel, the output padding of MONAI's transposed convolutions. */
export function strideMinusKernelPadding(kernelSize: number | readonly number[], stride: number | readonly number[]): number | number[] {
  return combine(stride, kernelSize, (s, k) => s - k);
}

/** Output spatial shape of a convolution: floor((in - kernel + 2 * padding) / stride) + 1 per dimension. */
export function calculateOutShape(inShape: number | readonly number[], kernelSize: number | readonly number[], stride: number | readonly number[], padding: number | readonly number[]): number[] {
  const n = Math.max(list(inShape).length, list(kernelSize).length, list(stride).length, list(padding).length);
  const at = (v: number | readonly number[], i: number) => { const l = list(v); return l.length === 1 ? l[0] : l[i]; };
  return Array.from({ length: n }, (_, i) => Math.floor((at(inShape, i) - at(kernelSize, i) + 2 * at(padding, i)) / at(stride, i)) + 1);
}

/**
 * A 1-D Gaussian kernel of half-width max(sigma * truncated, 0.5) rounded (MONAI's gaussian_1d):
 * 'erf' integrates the density over each unit cell, 'sampled' samples it, 'scalespace' uses the
 * discrete analogue with modified Bessel functions (not implemented here yet).
 */
export function gaussian1d(sigma: Tensor | number, options: { truncated?: number; approx?: 'erf' | 'sampled' | 'scalespace'; normalize?: boolean } = {}): Tensor {
  const truncated = options.truncated ?? 4.0;
  const approx = (options.approx ?? 'erf').toLowerCase();
  if (truncated <= 0) throw new RangeError(`gaussian1d: truncated must be positive, found ${truncated}`);
  return torch.tidy(() => {
    const s = typeof sigma === 'number' ? torch.tensor(sigma, { dtype: 'float32' }) : sigma.to({ dtype: 'float32' });
    const tail = Math.floor(Math.max(s.item() * truncated, 0.5) + 0.5);
    const x = torch.arange(-tail, tail + 1, { dtype: 'float32', device: s.device });
    let out: Tensor;
    if (approx === 'erf') {
      const t = s.abs().reciprocal().mul(0.70710678);
      out = t.mul(x.add(0.5)).erf().sub(t.mul(x.sub(0.5)).erf()).mul(0.5).clamp({ min: 0 });
    } else if (approx === 'sampled') {
      out = torch.exp(x.pow(2).mul(s.mul(s).reciprocal().mul(-0.5)));
      if (!options.normalize) out = out.div(s.mul(2.5066282));
    } else if (approx === 'scalespace') {
      throw new TypeError("gaussian1d: approx 'scalespace' is not implemented yet; use 'erf' or 'sampled'");
    } else {
      throw new TypeError(`gaussian1d: approx must be one of 'erf', 'sampled', 'scalespace', found '${options.approx}'`);
    }
    return options.normalize ? out.div(out.sum()) : out;
  });
}

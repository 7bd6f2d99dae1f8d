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
 * discrete analogue exp(-sigma^2) I_n(sigma^2) with modified Bessel functions of the first kind.
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
      const s2 = s.mul(s);
      const pos = [besselI0(s2), besselI1(s2)];
      for (let k = 2; k <= tail; k++) pos.push(besselIn(k, s2));
      const right = pos.slice(0, tail + 1);
      out = torch.stack([...right.slice(1).reverse(), ...right]).mul(s2.neg().exp());
    } else {
      throw new TypeError(`gaussian1d: approx must be one of 'erf', 'sampled', 'scalespace', found '${options.approx}'`);
    }
    return options.normalize ? out.div(out.sum()) : out;
  });
}

// Modified Bessel functions of the first kind on a scalar tensor (so a learnt sigma keeps its gradient),
// by the polynomial approximations and downward recurrence of Numerical Recipes, as MONAI computes them.
function polyval(coef: number[], x: Tensor): Tensor {
  let ans = torch.fullLike(x, coef[0]);
  for (const c of coef.slice(1)) ans = ans.mul(x).add(c);
  return ans;
}

function besselI0(x: Tensor): Tensor {
  const ax = x.abs();
  if (ax.item() < 3.75) return polyval([0.45813e-2, 0.360768e-1, 0.2659732, 1.2067492, 3.0899424, 3.5156229, 1.0], x.mul(x).div(14.0625));
  const y = ax.reciprocal().mul(3.75);
  return polyval([0.392377e-2, -0.1647633e-1, 0.2635537e-1, -0.2057706e-1, 0.916281e-2, -0.157565e-2, 0.225319e-2, 0.1328592e-1, 0.39894228], y).mul(ax.exp()).div(ax.sqrt());
}

function besselI1(x: Tensor): Tensor {
  const ax = x.abs();
  if (ax.item() < 3.75) return ax.mul(polyval([0.32411e-3, 0.301532e-2, 0.2658733e-1, 0.15084934, 0.51498869, 0.87890594, 0.5], x.mul(x).div(14.0625)));
  const y = ax.reciprocal().mul(3.75);
  const ans = polyval([-0.420059e-2, 0.1787654e-1, -0.2895312e-1, 0.2282967e-1, -0.1031555e-1, 0.163801e-2, -0.362018e-2, -0.3988024e-1, 0.39894228], y).mul(ax.exp()).div(ax.sqrt());
  return x.item() < 0 ? ans.neg() : ans;
}

function besselIn(n: number, x: Tensor): Tensor {
  if (x.item() === 0) return x.clone();
  const tox = x.abs().reciprocal().mul(2);
  const z = (v: number) => torch.tensor(v, { dtype: x.dtype, device: x.device });
  let ans = z(0);
  let bip = z(0);
  let bi = z(1);
  const m = 2 * (n + Math.floor(Math.sqrt(40 * n)));
  for (let j = m; j > 0; j--) {
    const bim = bip.add(tox.mul(j).mul(bi));
    bip = bi;
    bi = bim;
    if (Math.abs(bi.item()) > 1e10) {
      ans = ans.mul(1e-10);
      bi = bi.mul(1e-10);
      bip = bip.mul(1e-10);
    }
    if (j === n) ans = bip;
  }
  ans = ans.mul(besselI0(x)).div(bi);
  return x.item() < 0 && n % 2 === 1 ? ans.neg() : ans;
}

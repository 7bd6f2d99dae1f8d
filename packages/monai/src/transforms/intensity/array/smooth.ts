/** Gaussian smoothing and sharpening (MONAI's intensity/array.py) by separable truncated Gaussian kernels. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkChoice } from '../../../data/options.js';
import { gaussian1d } from '../../../networks/layers/convutils.js';
import { separableFiltering } from '../../../networks/layers/simplelayers.js';
import { RandomizableTransform, Transform } from '../../transform.js';
import { checkOptions, checkProb, int, num, numOrList, tupleSize } from '../args.js';
import { checkImage, withMeta } from '../functional.js';

export type GaussianApprox = 'erf' | 'sampled' | 'scalespace';
const APPROX = ['erf', 'sampled', 'scalespace'] as const;

/** MONAI's GaussianFilter on a channel-first image (float32, truncated at 4 sigma). */
function gaussianFilter(x: Tensor, sigma: number | number[], approx: GaussianApprox, who: string): Tensor {
  const nd = x.dim() - 1;
  const sig = Array.isArray(sigma) ? sigma : new Array<number>(nd).fill(sigma);
  if (sig.length !== nd) throw new RangeError(`${who}: sigma has ${sig.length} values but the image has ${nd} spatial dimensions`);
  return torch.tidy(() => {
    const kernels = sig.map((s) => gaussian1d(s, { truncated: 4.0, approx }));
    return separableFiltering(x.unsqueeze(0), kernels).squeeze(0);
  });
}

function checkApprox(who: string, v: unknown): GaussianApprox {
  return checkChoice(who, 'approx', v ?? 'erf', APPROX);
}

export interface GaussianSmoothOptions {
  /** one sigma for all spatial dimensions or one per dimension (default 1) */
  sigma?: number | number[];
  approx?: GaussianApprox;
}

/** Gaussian smoothing in float32. */
export class GaussianSmooth extends Transform {
  static readonly OPTIONS = ['sigma', 'approx'] as const;
  readonly sigma: number | number[];
  readonly approx: GaussianApprox;
  constructor(options: GaussianSmoothOptions = {}) {
    super();
    checkOptions('GaussianSmooth', options, GaussianSmooth.OPTIONS);
    this.sigma = numOrList('GaussianSmooth', 'sigma', options.sigma ?? 1.0);
    this.approx = checkApprox('GaussianSmooth', options.approx);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => gaussianFilter(x.to({ dtype: 'float32' }), this.sigma, this.approx, this.name));
  }
}

export interface RandGaussianSmoothOptions {
  sigmaX?: [number, number];
  sigmaY?: [number, number];
  sigmaZ?: [number, number];
  prob?: number;
  approx?: GaussianApprox;
}

/** GaussianSmooth with per-dimension sigmas drawn from sigmaX, sigmaY, sigmaZ (all three drawn, as MONAI). */
export class RandGaussianSmooth extends RandomizableTransform {
  static readonly OPTIONS = ['sigmaX', 'sigmaY', 'sigmaZ', 'prob', 'approx'] as const;
  readonly sigmaX: [number, number];
  readonly sigmaY: [number, number];
  readonly sigmaZ: [number, number];
  readonly approx: GaussianApprox;
  x: number;
  y: number;
  z: number;
  constructor(options: RandGaussianSmoothOptions = {}) {
    super();
    const who = 'RandGaussianSmooth';
    checkOptions(who, options, RandGaussianSmooth.OPTIONS);
    this.sigmaX = asRange(who, 'sigmaX', options.sigmaX ?? [0.25, 1.5]);
    this.sigmaY = asRange(who, 'sigmaY', options.sigmaY ?? [0.25, 1.5]);
    this.sigmaZ = asRange(who, 'sigmaZ', options.sigmaZ ?? [0.25, 1.5]);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.approx = checkApprox(who, options.approx);
    [this.x, this.y, this.z] = [this.sigmaX[0], this.sigmaY[0], this.sigmaZ[0]];
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    this.x = this.R.uniform(this.sigmaX[0], this.sigmaX[1]);
    this.y = this.R.uniform(this.sigmaY[0], this.sigmaY[1]);
    this.z = this.R.uniform(this.sigmaZ[0], this.sigmaZ[1]);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return img;
    const sigma = tupleSize([this.x, this.y, this.z], img.dim() - 1);
    return new GaussianSmooth({ sigma, approx: this.approx }).call(img);
  }
}

/** MONAI keeps a range as given (low, high), without sorting. */
function asRange(who: string, option: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number')) throw new TypeError(`${who}: ${option} must be a pair [low, high], got ${JSON.stringify(v)}`);
  return [v[0], v[1]];
}

export interface GaussianSharpenOptions {
  sigma1?: number | number[];
  sigma2?: number | number[];
  alpha?: number;
  approx?: GaussianApprox;
}

/** blurred + alpha * (blurred - blur(blurred)): two Gaussian filters, sigma1 then sigma2, in float32. */
export class GaussianSharpen extends Transform {
  static readonly OPTIONS = ['sigma1', 'sigma2', 'alpha', 'approx'] as const;
  readonly sigma1: number | number[];
  readonly sigma2: number | number[];
  readonly alpha: number;
  readonly approx: GaussianApprox;
  constructor(options: GaussianSharpenOptions = {}) {
    super();
    const who = 'GaussianSharpen';
    checkOptions(who, options, GaussianSharpen.OPTIONS);
    this.sigma1 = numOrList(who, 'sigma1', options.sigma1 ?? 3.0);
    this.sigma2 = numOrList(who, 'sigma2', options.sigma2 ?? 1.0);
    this.alpha = num(who, 'alpha', options.alpha ?? 30.0);
    this.approx = checkApprox(who, options.approx);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => {
      const blurred = gaussianFilter(x.to({ dtype: 'float32' }), this.sigma1, this.approx, this.name);
      const twice = gaussianFilter(blurred, this.sigma2, this.approx, this.name);
      return blurred.add(blurred.sub(twice).mul(this.alpha));
    });
  }
}

export interface RandGaussianSharpenOptions {
  sigma1X?: [number, number];
  sigma1Y?: [number, number];
  sigma1Z?: [number, number];
  /** a range, or a number s meaning [s, the drawn sigma1X] */
  sigma2X?: [number, number] | number;
  sigma2Y?: [number, number] | number;
  sigma2Z?: [number, number] | number;
  alpha?: [number, number];
  approx?: GaussianApprox;
  prob?: number;
}

/** GaussianSharpen with sigma1 (x, y, z), sigma2 (x, y, z) and alpha drawn in that order. */
export class RandGaussianSharpen extends RandomizableTransform {
  static readonly OPTIONS = ['sigma1X', 'sigma1Y', 'sigma1Z', 'sigma2X', 'sigma2Y', 'sigma2Z', 'alpha', 'approx', 'prob'] as const;
  readonly sigma1: [number, number][];
  readonly sigma2: ([number, number] | number)[];
  readonly alpha: [number, number];
  readonly approx: GaussianApprox;
  sigma1Value: number[] | null = null;
  sigma2Value: number[] | null = null;
  alphaValue: number | null = null;
  constructor(options: RandGaussianSharpenOptions = {}) {
    super();
    const who = 'RandGaussianSharpen';
    checkOptions(who, options, RandGaussianSharpen.OPTIONS);
    this.sigma1 = (['sigma1X', 'sigma1Y', 'sigma1Z'] as const).map((k) => asRange(who, k, options[k] ?? [0.5, 1.0]));
    this.sigma2 = (['sigma2X', 'sigma2Y', 'sigma2Z'] as const).map((k) => {
      const v = options[k] ?? 0.5;
      return typeof v === 'number' ? v : asRange(who, k, v);
    });
    this.alpha = asRange(who, 'alpha', options.alpha ?? [10.0, 30.0]);
    this.approx = checkApprox(who, options.approx);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    const s1 = this.sigma1.map(([lo, hi]) => this.R.uniform(lo, hi));
    const s2 = this.sigma2.map((r, i) => (typeof r === 'number' ? this.R.uniform(r, s1[i]) : this.R.uniform(r[0], r[1])));
    this.sigma1Value = s1;
    this.sigma2Value = s2;
    this.alphaValue = this.R.uniform(this.alpha[0], this.alpha[1]);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return img;
    if (this.sigma1Value === null || this.sigma2Value === null || this.alphaValue === null) throw new Error(`${this.name}: no parameters drawn yet; call randomize() first or call with randomize: true`);
    const nd = img.dim() - 1;
    return new GaussianSharpen({ sigma1: tupleSize(this.sigma1Value, nd), sigma2: tupleSize(this.sigma2Value, nd), alpha: this.alphaValue, approx: this.approx }).call(img);
  }
}


export interface SavitzkyGolaySmoothOptions {
  /** odd window length */
  windowLength: number;
  /** polynomial order, less than windowLength */
  order: number;
  /** axis of the image to filter along (default 1, the first spatial axis; the channel axis is 0) */
  axis?: number;
  /** padding: 'zeros' (default), 'reflect', 'replicate' or 'circular' */
  mode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

/** Savitzky-Golay smoothing along one axis: least-squares polynomial fit coefficients as a 1-D convolution. */
export class SavitzkyGolaySmooth extends Transform {
  static readonly OPTIONS = ['windowLength', 'order', 'axis', 'mode'] as const;
  readonly windowLength: number;
  readonly order: number;
  readonly axis: number;
  readonly mode: 'zeros' | 'reflect' | 'replicate' | 'circular';
  constructor(options: SavitzkyGolaySmoothOptions) {
    super();
    const who = 'SavitzkyGolaySmooth';
    checkOptions(who, options, SavitzkyGolaySmooth.OPTIONS, ['windowLength', 'order']);
    this.windowLength = int(who, 'windowLength', options.windowLength, 1);
    if (this.windowLength % 2 === 0) throw new RangeError(`${who}: windowLength must be odd, got ${this.windowLength}`);
    this.order = int(who, 'order', options.order, 0);
    if (this.order >= this.windowLength) throw new RangeError(`${who}: order must be less than windowLength, got order ${this.order} and windowLength ${this.windowLength}`);
    this.axis = int(who, 'axis', options.axis ?? 1, 0);
    this.mode = checkChoice(who, 'mode', options.mode ?? 'zeros', ['zeros', 'reflect', 'replicate', 'circular'] as const);
  }
  /** The filter taps: the first row of the pseudo-inverse of the Vandermonde matrix over [half, ..., -half] (float32 lstsq, as MONAI). */
  coefficients(): Tensor {
    return torch.tidy(() => {
      const half = (this.windowLength - 1) / 2;
      const idx = torch.arange(half, -half - 1, -1, { dtype: 'float32' });
      const a = idx.pow(torch.arange(this.order + 1, { dtype: 'float32' }).reshape([-1, 1]));
      const y = torch.zeros([this.order + 1], { dtype: 'float32' });
      y.assign(1.0, 0);
      return torch.linalgLstsq(a, y)[0].squeeze();
    });
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    if (this.axis > img.dim() - 1 || this.axis === 0) throw new RangeError(`${this.name}: axis must be a spatial axis (1 to ${img.dim() - 1}), got ${this.axis}`);
    return withMeta(img, (x0) => {
      const x = x0.to({ dtype: 'float32' });
      const nd = x.dim() - 1;
      const coeffs = this.coefficients().to({ device: x.device });
      const kernels = Array.from({ length: nd }, (_, d) => (d === this.axis - 1 ? coeffs : torch.ones([1], { dtype: 'float32', device: x.device })));
      return separableFiltering(x.unsqueeze(0), kernels, this.mode).squeeze(0);
    });
  }
}

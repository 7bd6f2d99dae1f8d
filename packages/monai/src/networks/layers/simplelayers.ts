// Small layers (MONAI's monai/networks/layers/simplelayers.py): SkipConnection, Flatten, Reshape,
// GaussianFilter and separable filtering.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { gaussian1d } from './convutils.js';
import type { TensorModule } from './factories.js';

export type SkipMode = 'cat' | 'add' | 'mul';

/** Combines the input with submodule(input): concatenated along `dim` (default 1), added or multiplied. */
export class SkipConnection extends nn.Module {
  declare submodule: TensorModule;
  readonly dim: number;
  readonly mode: SkipMode;
  constructor(submodule: nn.Module, options: { dim?: number; mode?: SkipMode } = {}) {
    super();
    checkOptions('SkipConnection', options, ['dim', 'mode']);
    this.registerModule('submodule', submodule);
    this.dim = options.dim ?? 1;
    this.mode = checkChoice('SkipConnection', 'mode', options.mode ?? 'cat', ['cat', 'add', 'mul'] as const);
  }
  forward(x: Tensor): Tensor {
    const y = this.submodule.forward(x);
    try {
      if (this.mode === 'cat') return torch.cat([x, y], this.dim);
      return this.mode === 'add' ? x.add(y) : x.mul(y);
    } finally {
      if (y !== x) y.dispose();
    }
  }
}

/** Flattens everything after the batch dimension: (B, ...) -> (B, -1). */
export class Flatten extends nn.Module {
  forward(x: Tensor): Tensor {
    return x.reshape([x.size(0), -1]);
  }
}

/** Reshapes every batch item to `shape`: (B, ...) -> (B, ...shape). */
export class Reshape extends nn.Module {
  readonly shape: number[];
  constructor(...shape: number[]) {
    super();
    this.shape = shape;
  }
  forward(x: Tensor): Tensor {
    return x.reshape([x.size(0), ...this.shape]);
  }
}

/**
 * Filters each spatial dimension of x (B, C, spatial...) in turn with its 1-D kernel (one kernel for
 * all, or one per dimension), channel by channel, padding by half the kernel ('zeros' or an F.pad mode).
 */
export function separableFiltering(x: Tensor, kernels: Tensor | Tensor[], mode: 'zeros' | 'reflect' | 'replicate' | 'circular' = 'zeros'): Tensor {
  const nd = x.dim() - 2;
  if (nd < 1 || nd > 3) throw new RangeError(`separableFiltering: expected a (B, C, spatial...) input with 1 to 3 spatial dimensions, found shape [${x.shape.join(', ')}]`);
  const ks = Array.isArray(kernels) ? kernels : Array.from({ length: nd }, () => kernels);
  if (ks.length !== nd) throw new RangeError(`separableFiltering: expected ${nd} kernels, found ${ks.length}`);
  const channels = x.size(1);
  const conv = [nn.functional.conv1d, nn.functional.conv2d, nn.functional.conv3d][nd - 1];
  return torch.tidy(() => {
    const kernels1 = ks.map((k) => k.to({ dtype: x.dtype, device: x.device }));
    // Pad every filtered dimension first, then convolve along dimension 0, 1, ... (MONAI's order).
    const active = kernels1.map((k) => !(k.numel() === 1 && k.item() === 1));
    let y = x;
    for (let d = nd - 1; d >= 0; d--) {
      if (!active[d]) continue;
      const p = (kernels1[d].size(0) - 1) >> 1;
      const pads = Array(2 * nd).fill(0);
      const r = nd - 1 - d;
      pads[2 * r] = p;
      pads[2 * r + 1] = p;
      y = nn.functional.pad(y, pads, { mode: mode === 'zeros' ? 'constant' : mode });
    }
    for (let d = 0; d < nd; d++) {
      if (!active[d]) continue;
      const shape = Array(nd + 2).fill(1);
      shape[d + 2] = -1;
      const w = kernels1[d].reshape(shape).repeat([channels, 1, ...Array(nd).fill(1)]);
      y = conv(y, w, { groups: channels });
    }
    return y === x ? x.clone() : y;
  });
}

export interface GaussianFilterOptions {
  spatialDims: number;
  /** Standard deviation: one for all dimensions or one per dimension. */
  sigma: number | number[] | Tensor | Tensor[];
  truncated?: number;
  approx?: 'erf' | 'sampled' | 'scalespace';
  requiresGrad?: boolean;
}

/** Gaussian smoothing of (B, C, spatial...) by separable 1-D kernels; parameters 'kernel_sigma_0', ... as MONAI. */
export class GaussianFilter extends nn.Module {
  readonly sigma: nn.Parameter[];
  readonly truncated: number;
  readonly approx: 'erf' | 'sampled' | 'scalespace';
  constructor(options: GaussianFilterOptions) {
    super();
    checkOptions('GaussianFilter', options, ['spatialDims', 'sigma', 'truncated', 'approx', 'requiresGrad'], ['spatialDims', 'sigma']);
    const { spatialDims, sigma } = options;
    const list = Array.isArray(sigma) ? sigma : Array.from({ length: spatialDims }, () => sigma);
    if (list.length !== spatialDims) throw new RangeError(`GaussianFilter: sigma has ${list.length} values, expected spatialDims=${spatialDims}`);
    this.truncated = options.truncated ?? 4.0;
    this.approx = checkChoice('GaussianFilter', 'approx', options.approx ?? 'erf', ['erf', 'sampled', 'scalespace'] as const);
    this.sigma = list.map((s, i) => {
      const t = torch.tidy(() => (typeof s === 'number' ? torch.tensor(s, { dtype: 'float32' }) : s.detach().to({ dtype: 'float32' }).clone()));
      this.registerParameter(`kernel_sigma_${i}`, t);
      const p = (this as unknown as Record<string, nn.Parameter>)[`kernel_sigma_${i}`];
      p.requiresGrad_(options.requiresGrad ?? false);
      return p;
    });
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => separableFiltering(x, this.sigma.map((s) => gaussian1d(s, { truncated: this.truncated, approx: this.approx }))));
  }
}

/**
 * Savitzky-Golay smoothing along one axis of (B, C, spatial...): a least-squares polynomial of
 * `order` fitted in a moving window of odd `windowLength`, as a separable convolution with padding
 * `mode` ('zeros', 'reflect', 'replicate', 'circular'). `axis` counts the batch and channel axes (2 is
 * the first spatial one).
 */
export class SavitzkyGolayFilter extends nn.Module {
  readonly axis: number;
  readonly mode: 'zeros' | 'reflect' | 'replicate' | 'circular';
  /** The filter's coefficients (float32, windowLength values). */
  readonly coeffs: number[];
  constructor(options: { windowLength: number; order: number; axis?: number; mode?: 'zeros' | 'reflect' | 'replicate' | 'circular' }) {
    super();
    const o = 'SavitzkyGolayFilter';
    checkOptions(o, options, ['windowLength', 'order', 'axis', 'mode'], ['windowLength', 'order']);
    const { windowLength, order } = options;
    if (order >= windowLength) throw new RangeError(`${o}: order (${order}) must be less than windowLength (${windowLength})`);
    if (windowLength % 2 === 0) throw new RangeError(`${o}: windowLength must be odd, found ${windowLength}`);
    this.axis = options.axis ?? 2;
    this.mode = checkChoice(o, 'mode', options.mode ?? 'zeros', ['zeros', 'reflect', 'replicate', 'circular'] as const);
    this.coeffs = torch.tidy(() => {
      const half = (windowLength - 1) / 2;
      // Positions half ... -half, raised to the powers 0..order; the minimum-norm solution of A c = e0.
      const idx = torch.arange(half, -half - 1, -1, { dtype: 'float32' });
      const a = idx.unsqueeze(0).pow(torch.arange(order + 1, { dtype: 'float32' }).reshape([-1, 1]));
      const y = torch.zeros([order + 1, 1]);
      y.select(0, 0).fill_(1);
      return Array.from(a.linalgLstsq(y)[0].squeeze().data() as Float32Array);
    });
  }
  forward(x: Tensor): Tensor {
    if (x.isComplex()) throw new TypeError('SavitzkyGolayFilter: x must be real');
    const nd = x.dim() - 2;
    if (this.axis < 2 || this.axis > x.dim() - 1) throw new RangeError(`SavitzkyGolayFilter: axis ${this.axis} is not a spatial axis of an input of shape [${x.shape.join(', ')}]`);
    return torch.tidy(() => {
      const xf = x.to({ dtype: 'float32' });
      const k = torch.tensor(this.coeffs, { dtype: 'float32', device: x.device });
      const one = torch.ones([1], { dtype: 'float32', device: x.device });
      const kernels = Array.from({ length: nd }, (_, d) => (d === this.axis - 2 ? k : one));
      return separableFiltering(xf, kernels, this.mode);
    });
  }
}

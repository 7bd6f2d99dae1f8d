// Regression metrics (MONAI monai/metrics/regression.py): mean squared / absolute error, their root
// and PSNR, one value per batch item ([B, 1]), reduced like the other cumulative metrics.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { aggregateReduced } from './meaniou.js';
import { type MetricReduction, checkReduction } from './utils.js';

export interface RegressionMetricOptions {
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
}

/** The mean of `fn(y - yPred)` over everything but the batch dimension: [B, 1]. */
export function computeMeanErrorMetrics(yPred: Tensor, y: Tensor, fn: (d: Tensor) => Tensor): Tensor {
  return torch.tidy(() => fn(y.sub(yPred)).flatten(1).mean(-1, true));
}

/** Base of the regression metrics: shape checks, then `computeMetric` per batch; aggregate reduces the buffer. */
export abstract class RegressionMetric extends CumulativeIterationMetric {
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;

  constructor(options: RegressionMetricOptions = {}, extraKeys: readonly string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, ['reduction', 'getNotNans', ...extraKeys]);
    this.reduction = checkReduction(name, options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
  }

  protected abstract computeMetric(yPred: Tensor, y: Tensor): Tensor;

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor {
    const name = this.constructor.name;
    if (y === null) throw new TypeError(`${name}: y (the targets) is required`);
    if (yPred.shape.join() !== y.shape.join()) throw new RangeError(`${name}: yPred and y shapes don't match, found [${yPred.shape}] and [${y.shape}]`);
    if (yPred.dim() < 2) throw new RangeError(`${name}: either channel or spatial dimensions required, found only the batch dimension`);
    return this.computeMetric(yPred, y);
  }

  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] {
    return aggregateReduced(this.bufferTensor(), checkReduction(`${this.constructor.name}.aggregate`, reduction ?? this.reduction), this.getNotNans);
  }
}

/** Mean squared error per batch item (MONAI's MSEMetric). */
export class MSEMetric extends RegressionMetric {
  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return computeMeanErrorMetrics(yPred, y, (d) => d.pow(2.0));
  }
}

/** Mean absolute error per batch item (MONAI's MAEMetric). */
export class MAEMetric extends RegressionMetric {
  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return computeMeanErrorMetrics(yPred, y, (d) => d.abs());
  }
}

/** Root mean squared error per batch item (MONAI's RMSEMetric). */
export class RMSEMetric extends RegressionMetric {
  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return torch.tidy(() => computeMeanErrorMetrics(yPred, y, (d) => d.pow(2.0)).sqrt());
  }
}

export interface PSNRMetricOptions extends RegressionMetricOptions {
  /** The largest possible value of the data (255 for 8-bit images). Required. */
  maxVal: number;
}

/** Peak signal-to-noise ratio per batch item, 20 log10(maxVal) - 10 log10(MSE) (MONAI's PSNRMetric). */
export class PSNRMetric extends RegressionMetric {
  readonly maxVal: number;

  constructor(options: PSNRMetricOptions) {
    super(options, ['maxVal']);
    if (typeof options?.maxVal !== 'number' || !(options.maxVal > 0))
      throw new TypeError(`PSNRMetric: maxVal must be a positive number, found ${JSON.stringify(options?.maxVal)}`);
    this.maxVal = options.maxVal;
  }

  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return torch.tidy(() => torch.rsub(computeMeanErrorMetrics(yPred, y, (d) => d.pow(2.0)).log10().mul(10), 20 * Math.log10(this.maxVal)));
  }
}

export const KERNEL_TYPES = ['gaussian', 'uniform'] as const;
export type KernelType = (typeof KERNEL_TYPES)[number];

export interface SsimOptions {
  /** 2 or 3. Required. */
  spatialDims: number;
  /** Value range of the data. Default 1. */
  dataRange?: number;
  kernelType?: KernelType;
  /** Window size per spatial dimension (one number for all). Default 11. */
  kernelSize?: number | number[];
  /** Gaussian sigma per spatial dimension (one number for all). Default 1.5. */
  kernelSigma?: number | number[];
  k1?: number;
  k2?: number;
}

function perDim(owner: string, what: string, v: number | number[], n: number): number[] {
  const out = typeof v === 'number' ? Array(n).fill(v) : [...v];
  if (out.length !== n || out.some((x) => typeof x !== 'number')) throw new RangeError(`${owner}: ${what} must be a number or ${n} numbers, found ${JSON.stringify(v)}`);
  return out;
}

/** The separable gaussian window (normalised per axis), [channels, 1, ...kernelSize]. */
function gaussianKernel(spatialDims: number, channels: number, size: number[], sigma: number[]): Tensor {
  return torch.tidy(() => {
    const g1 = (k: number, s: number) => {
      const dist = torch.arange((1 - k) / 2, (1 + k) / 2, 1);
      const g = dist.div(s).pow(2).neg().div(2).exp();
      return g.div(g.sum());
    };
    let kernel = g1(size[0], sigma[0]).unsqueeze(1).matmul(g1(size[1], sigma[1]).unsqueeze(0));
    if (spatialDims === 3) kernel = kernel.unsqueeze(-1).mul(g1(size[2], sigma[2]).view([1, 1, size[2]]));
    return kernel.expand([channels, 1, ...size]).contiguous();
  });
}

/**
 * SSIM and contrast sensitivity maps of yPred and y [B, C, ...] (MONAI's compute_ssim_and_cs), with a
 * gaussian or uniform window applied per channel.
 */
export function computeSsimAndCs(yPred: Tensor, y: Tensor, options: SsimOptions): [Tensor, Tensor] {
  const owner = 'computeSsimAndCs';
  checkOptions(owner, options, ['spatialDims', 'dataRange', 'kernelType', 'kernelSize', 'kernelSigma', 'k1', 'k2'], ['spatialDims']);
  if (yPred.shape.join() !== y.shape.join()) throw new RangeError(`${owner}: yPred and y should have the same shape, found [${yPred.shape}] and [${y.shape}]`);
  const sd = options.spatialDims;
  if (sd !== 2 && sd !== 3) throw new RangeError(`${owner}: spatialDims must be 2 or 3, found ${sd}`);
  const kernelType = checkChoice(owner, 'kernelType', options.kernelType ?? 'gaussian', KERNEL_TYPES);
  const size = perDim(owner, 'kernelSize', options.kernelSize ?? 11, sd);
  const sigma = perDim(owner, 'kernelSigma', options.kernelSigma ?? 1.5, sd);
  const dataRange = options.dataRange ?? 1.0;
  const c1 = ((options.k1 ?? 0.01) * dataRange) ** 2;
  const c2 = ((options.k2 ?? 0.03) * dataRange) ** 2;
  return torch.tidy(() => {
    const x = yPred.float();
    const t = y.float();
    const ch = x.shape[1];
    const kernel = (kernelType === 'gaussian'
      ? gaussianKernel(sd, ch, size, sigma)
      : torch.ones([ch, 1, ...size]).div(size.reduce((a, b) => a * b, 1))).to(x.device);
    const conv = (v: Tensor) => (sd === 2 ? torch.conv2d(v, kernel, { groups: ch }) : torch.conv3d(v, kernel, { groups: ch }));
    const muX = conv(x);
    const muY = conv(t);
    const sigmaX = conv(x.mul(x)).sub(muX.mul(muX));
    const sigmaY = conv(t.mul(t)).sub(muY.mul(muY));
    const sigmaXY = conv(x.mul(t)).sub(muX.mul(muY));
    const cs = sigmaXY.mul(2).add(c2).div(sigmaX.add(sigmaY).add(c2));
    const ssim = muX.mul(2).mul(muY).add(c1).div(muX.pow(2).add(muY.pow(2)).add(c1)).mul(cs);
    return [ssim, cs] as [Tensor, Tensor];
  });
}

export interface SSIMMetricOptions extends Omit<SsimOptions, 'kernelSize'>, RegressionMetricOptions {
  /** Window size per spatial dimension (one number for all); MONAI's win_size. Default 11. */
  winSize?: number | number[];
}
const SSIM_KEYS = ['spatialDims', 'dataRange', 'kernelType', 'kernelSigma', 'k1', 'k2'] as const;

function ssimSettings(owner: string, o: SsimOptions): SsimOptions {
  if (o?.spatialDims !== 2 && o?.spatialDims !== 3) throw new RangeError(`${owner}: spatialDims must be 2 or 3, found ${JSON.stringify(o?.spatialDims)}`);
  checkChoice(owner, 'kernelType', o.kernelType ?? 'gaussian', KERNEL_TYPES);
  return {
    spatialDims: o.spatialDims, dataRange: o.dataRange ?? 1.0, kernelType: o.kernelType ?? 'gaussian',
    kernelSize: perDim(owner, 'kernelSize', o.kernelSize ?? 11, o.spatialDims), kernelSigma: perDim(owner, 'kernelSigma', o.kernelSigma ?? 1.5, o.spatialDims),
    k1: o.k1 ?? 0.01, k2: o.k2 ?? 0.03,
  };
}

function checkRank(owner: string, yPred: Tensor, sd: number): void {
  if (yPred.dim() !== sd + 2) throw new RangeError(`${owner}: yPred should have ${sd + 2} dimensions (batch, channel and ${sd} spatial) when spatialDims is ${sd}, found ${yPred.dim()}`);
}

/** Structural similarity per batch item (MONAI's SSIMMetric): the mean of the SSIM map. */
export class SSIMMetric extends RegressionMetric {
  readonly settings: SsimOptions;

  constructor(options: SSIMMetricOptions) {
    super(options, [...SSIM_KEYS, 'winSize']);
    const { winSize, reduction: _r, getNotNans: _g, ...rest } = options;
    this.settings = ssimSettings('SSIMMetric', { ...rest, kernelSize: winSize });
  }

  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    checkRank('SSIMMetric', yPred, this.settings.spatialDims);
    return torch.tidy(() => {
      const [ssim] = computeSsimAndCs(yPred, y, this.settings);
      return ssim.view([ssim.shape[0], -1]).mean(1, true);
    });
  }
}

export interface MultiScaleSSIMOptions extends SsimOptions {
  /** Weight of each scale (the image is halved between scales). Default MONAI's five weights. */
  weights?: number[];
}

/** Multi-scale SSIM per batch item [B, 1] (MONAI's compute_ms_ssim). */
export function computeMsSsim(yPred: Tensor, y: Tensor, options: MultiScaleSSIMOptions): Tensor {
  const owner = 'computeMsSsim';
  const { weights = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], ...rest } = options;
  const s = ssimSettings(owner, rest);
  checkRank(owner, yPred, s.spatialDims);
  const size = s.kernelSize as number[];
  const div = Math.max(1, weights.length - 1) ** 2;
  yPred.shape.slice(2).forEach((n, i) => {
    if (Math.floor(n / div) <= size[i] - 1)
      throw new RangeError(`${owner}: for ${weights.length} weights and kernel size ${size[i]}, the image size must be larger than ${(size[i] - 1) * div}, found ${n}`);
  });
  return torch.tidy(() => {
    const w = torch.tensor(weights, { dtype: 'float32', device: yPred.device });
    const pool = (v: Tensor) => (s.spatialDims === 2 ? torch.avgPool2d(v, 2) : torch.avgPool3d(v, 2));
    let p = yPred;
    let t = y;
    const scales: Tensor[] = [];
    let ssim: Tensor | null = null;
    for (let i = 0; i < weights.length; i++) {
      const [sm, cs] = computeSsimAndCs(p, t, s);
      ssim = sm;
      scales.push(cs.view([cs.shape[0], -1]).mean(1).relu());
      p = pool(p);
      t = pool(t);
    }
    scales[scales.length - 1] = ssim!.view([ssim!.shape[0], -1]).mean(1).relu();
    const value = torch.stack(scales).pow(w.view([-1, 1])).prod(0);
    return value.view([value.shape[0], -1]).mean(1, true);
  });
}

export type MultiScaleSSIMMetricOptions = MultiScaleSSIMOptions & RegressionMetricOptions;

/** Multi-scale structural similarity per batch item (MONAI's MultiScaleSSIMMetric). */
export class MultiScaleSSIMMetric extends RegressionMetric {
  readonly settings: MultiScaleSSIMOptions;

  constructor(options: MultiScaleSSIMMetricOptions) {
    super(options, [...SSIM_KEYS, 'kernelSize', 'weights']);
    this.settings = { ...ssimSettings('MultiScaleSSIMMetric', options), weights: options.weights ?? [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] };
  }

  protected computeMetric(yPred: Tensor, y: Tensor): Tensor {
    return computeMsSsim(yPred, y, this.settings);
  }
}

// BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, GroupNorm, LayerNorm, LocalResponseNorm.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { Module, py, pyFloat } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import * as F from '../functional/index.js';
import { checkOpts, emptyParam, FACTORY_KEYS, ones, zeros, type FactoryOptions } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

export interface NormOptions extends FactoryOptions {
  numFeatures: number;
  eps?: number;
  /** Running-average factor; null for a cumulative moving average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}
const NORM_KEYS = ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats', ...FACTORY_KEYS];
type Dev = FactoryOptions['device'];
type DT = FactoryOptions['dtype'];
const NORM_ARGS = ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats', 'device', 'dtype'] as const;
/** PyTorch's order: num_features, eps, momentum, affine, track_running_stats, device, dtype. */
export type NormArgs = PositionalArgs<
  [numFeatures: number, eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean, device: Dev, dtype: DT],
  typeof NORM_ARGS,
  NormOptions
>;

/** Common base of BatchNorm and InstanceNorm (PyTorch's _NormBase). */
export abstract class NormBase extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly numFeatures: number;
  eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  protected constructor(options: NormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    checkOpts(this.constructor.name, options, NORM_KEYS, ['numFeatures']);
    this.numFeatures = options.numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? defaults.affine;
    this.trackRunningStats = options.trackRunningStats ?? defaults.trackRunningStats;
    const n = this.numFeatures;
    if (this.affine) {
      this.weight = emptyParam([n], options);
      this.bias = emptyParam([n], options);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([n], options));
      this.registerBuffer('running_var', ones([n], options));
      this.registerBuffer('num_batches_tracked', torch.tensor(0, { dtype: 'int64', device: options.device ?? 'cpu' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  get runningMean(): Tensor | null { return this.running_mean; }
  get runningVar(): Tensor | null { return this.running_var; }
  get numBatchesTracked(): Tensor | null { return this.num_batches_tracked; }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    torch.noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  protected abstract checkInputDim(input: Tensor): void;

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

/** Batch normalization (PyTorch's _BatchNorm): batch statistics in training, running statistics in eval. */
export abstract class BatchNormBase extends NormBase {
  /** `new BatchNorm3d(16)`, `new BatchNorm3d(16, { momentum: 0.01 })` or `new BatchNorm3d({ numFeatures: 16 })`. */
  constructor(options: NormOptions);
  constructor(...args: NormArgs);
  constructor(...args: unknown[]) {
    super(layerArgs(new.target.name, args, NORM_ARGS), { affine: true, trackRunningStats: true });
  }

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum === null ? 0.0 : this.momentum;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const nbt = this.num_batches_tracked;
      torch.noGrad(() => nbt.add_(1));
      factor = this.momentum === null ? 1.0 / nbt.item() : this.momentum;
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useStats = !this.training || this.trackRunningStats;
    return F.batchNorm(input, useStats ? this.running_mean : null, useStats ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps,
    });
  }
}

function dimError(expected: string, input: Tensor): never {
  throw new RangeError(`expected ${expected} input (got ${input.dim()}D input)`);
}

export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) dimError('2D or 3D', input);
  }
}
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) dimError('4D', input);
  }
}
export class BatchNorm3d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 5) dimError('5D', input);
  }
}

/** Instance normalization (PyTorch's _InstanceNorm): affine and running statistics off by default. */
export abstract class InstanceNormBase extends NormBase {
  protected abstract readonly noBatchDim: number;
  constructor(options: NormOptions);
  constructor(...args: NormArgs);
  constructor(...args: unknown[]) {
    super(layerArgs(new.target.name, args, NORM_ARGS), { affine: false, trackRunningStats: false });
  }

  protected checkInputDim(input: Tensor): void {
    const d = input.dim();
    if (d !== this.noBatchDim && d !== this.noBatchDim + 1) dimError(`${this.noBatchDim}D or ${this.noBatchDim + 1}D`, input);
  }

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const featureDim = input.dim() - this.noBatchDim;
    if (input.size(featureDim) !== this.numFeatures && this.affine)
      throw new RangeError(`expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${input.size(featureDim)}.`);
    if (input.dim() === this.noBatchDim) return torch.tidy(() => this.apply_(input.unsqueeze(0)).squeeze(0));
    return this.apply_(input);
  }

  private apply_(input: Tensor): Tensor {
    return F.instanceNorm(input, {
      runningMean: this.running_mean, runningVar: this.running_var, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum ?? 0.1, eps: this.eps,
    });
  }
}
export class InstanceNorm1d extends InstanceNormBase {
  protected readonly noBatchDim = 2;
}
export class InstanceNorm2d extends InstanceNormBase {
  protected readonly noBatchDim = 3;
}
export class InstanceNorm3d extends InstanceNormBase {
  protected readonly noBatchDim = 4;
}

export interface GroupNormOptions extends FactoryOptions {
  numGroups: number;
  numChannels: number;
  eps?: number;
  affine?: boolean;
}
const GROUPNORM_ARGS = ['numGroups', 'numChannels', 'eps', 'affine', 'device', 'dtype'] as const;
export type GroupNormArgs = PositionalArgs<[numGroups: number, numChannels: number, eps: number, affine: boolean, device: Dev, dtype: DT], typeof GROUPNORM_ARGS, GroupNormOptions>;
export class GroupNorm extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;

  constructor(options: GroupNormOptions);
  constructor(...args: GroupNormArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<GroupNormOptions>('GroupNorm', args, GROUPNORM_ARGS);
    checkOpts('GroupNorm', options, ['numGroups', 'numChannels', 'eps', 'affine', ...FACTORY_KEYS], ['numGroups', 'numChannels']);
    if (options.numChannels % options.numGroups !== 0) throw new RangeError('num_channels must be divisible by num_groups');
    this.numGroups = options.numGroups;
    this.numChannels = options.numChannels;
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    if (this.affine) {
      this.weight = emptyParam([this.numChannels], options);
      this.bias = emptyParam([this.numChannels], options);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }
  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${py(this.affine)}`;
  }
}

export interface LayerNormOptions extends FactoryOptions {
  normalizedShape: number | number[];
  eps?: number;
  elementwiseAffine?: boolean;
  /** Learn an additive bias (with elementwiseAffine; default true). */
  bias?: boolean;
}
const LAYERNORM_ARGS = ['normalizedShape', 'eps', 'elementwiseAffine', 'bias', 'device', 'dtype'] as const;
/** PyTorch's order: normalized_shape, eps, elementwise_affine, bias, device, dtype. */
export type LayerNormArgs = PositionalArgs<
  [normalizedShape: number | number[], eps: number, elementwiseAffine: boolean, bias: boolean, device: Dev, dtype: DT],
  typeof LAYERNORM_ARGS,
  LayerNormOptions
>;
export class LayerNorm extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(options: LayerNormOptions);
  constructor(...args: LayerNormArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<LayerNormOptions>('LayerNorm', args, LAYERNORM_ARGS);
    checkOpts('LayerNorm', options, ['normalizedShape', 'eps', 'elementwiseAffine', 'bias', ...FACTORY_KEYS], ['normalizedShape']);
    this.normalizedShape = Array.isArray(options.normalizedShape) ? options.normalizedShape.slice() : [options.normalizedShape];
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      this.weight = emptyParam(this.normalizedShape, options);
      if (options.bias ?? true) this.bias = emptyParam(this.normalizedShape, options);
      else this.registerParameter('bias', null);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${py(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${py(this.elementwiseAffine)}`;
  }
}

export interface LocalResponseNormOptions {
  size: number;
  alpha?: number;
  beta?: number;
  k?: number;
}
const LRN_ARGS = ['size', 'alpha', 'beta', 'k'] as const;
export type LocalResponseNormArgs = PositionalArgs<[size: number, alpha: number, beta: number, k: number], typeof LRN_ARGS, LocalResponseNormOptions>;
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(options: LocalResponseNormOptions);
  constructor(...args: LocalResponseNormArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<LocalResponseNormOptions>('LocalResponseNorm', args, LRN_ARGS);
    checkOpts('LocalResponseNorm', options, ['size', 'alpha', 'beta', 'k'], ['size']);
    this.size = options.size;
    this.alpha = options.alpha ?? 1e-4;
    this.beta = options.beta ?? 0.75;
    this.k = options.k ?? 1.0;
  }
  forward(input: Tensor): Tensor {
    return F.localResponseNorm(input, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}

// Activation modules, after torch/nn/modules/activation.py.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { Module, pyFloat } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional/index.js';
import { checkOpts, FACTORY_KEYS, type FactoryOptions } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

type InplaceOpts = { inplace?: boolean };
const INPLACE_ARGS = ['inplace'] as const;
export type InplaceArgs = PositionalArgs<[inplace: boolean], typeof INPLACE_ARGS, InplaceOpts>;
const inplaceRepr = (m: { inplace: boolean }) => (m.inplace ? 'inplace=True' : '');

export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(options?: InplaceOpts);
  constructor(...args: InplaceArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<InplaceOpts>('ReLU', args, INPLACE_ARGS);
    checkOpts('ReLU', options, ['inplace']);
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor { return F.relu(input, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this); }
}

export interface HardtanhOptions extends InplaceOpts {
  minVal?: number;
  maxVal?: number;
}
const HARDTANH_ARGS = ['minVal', 'maxVal', 'inplace'] as const;
export type HardtanhArgs = PositionalArgs<[minVal: number, maxVal: number, inplace: boolean], typeof HARDTANH_ARGS, HardtanhOptions>;
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  constructor(options?: HardtanhOptions);
  constructor(...args: HardtanhArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<HardtanhOptions>(new.target.name, args, HARDTANH_ARGS);
    checkOpts(this.constructor.name, options, ['minVal', 'maxVal', 'inplace']);
    this.minVal = options.minVal ?? -1.0;
    this.maxVal = options.maxVal ?? 1.0;
    this.inplace = options.inplace ?? false;
    if (!(this.maxVal > this.minVal)) throw new RangeError(`Hardtanh: maxVal (${this.maxVal}) must be greater than minVal (${this.minVal})`);
  }
  forward(input: Tensor): Tensor { return F.hardtanh(input, { minVal: this.minVal, maxVal: this.maxVal, inplace: this.inplace }); }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class ReLU6 extends Hardtanh {
  constructor(options?: InplaceOpts);
  constructor(...args: InplaceArgs);
  constructor(...args: unknown[]) {
    const options = layerArgs<InplaceOpts>('ReLU6', args, INPLACE_ARGS);
    checkOpts('ReLU6', options, ['inplace']);
    super({ minVal: 0, maxVal: 6, inplace: options.inplace ?? false });
  }
  override forward(input: Tensor): Tensor { return F.relu6(input, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this); }
}

type LeakyReLUOptions = { negativeSlope?: number } & InplaceOpts;
const LEAKY_ARGS = ['negativeSlope', 'inplace'] as const;
export type LeakyReLUArgs = PositionalArgs<[negativeSlope: number, inplace: boolean], typeof LEAKY_ARGS, LeakyReLUOptions>;
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(options?: LeakyReLUOptions);
  constructor(...args: LeakyReLUArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<LeakyReLUOptions>('LeakyReLU', args, LEAKY_ARGS);
    checkOpts('LeakyReLU', options, ['negativeSlope', 'inplace']);
    this.negativeSlope = options.negativeSlope ?? 0.01;
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor { return F.leakyRelu(input, { negativeSlope: this.negativeSlope, inplace: this.inplace }); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`; }
}

export interface PReLUOptions extends FactoryOptions {
  numParameters?: number;
  init?: number;
}
const PRELU_ARGS = ['numParameters', 'init', 'device', 'dtype'] as const;
export type PReLUArgs = PositionalArgs<[numParameters: number, init: number, device: FactoryOptions['device'], dtype: FactoryOptions['dtype']], typeof PRELU_ARGS, PReLUOptions>;
/** max(0, x) + weight * min(0, x) with a learned weight (one, or one per channel). */
export class PReLU extends Module {
  declare weight: Parameter;
  readonly numParameters: number;
  readonly init: number;
  constructor(options?: PReLUOptions);
  constructor(...args: PReLUArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<PReLUOptions>('PReLU', args, PRELU_ARGS);
    checkOpts('PReLU', options, ['numParameters', 'init', ...FACTORY_KEYS]);
    this.numParameters = options.numParameters ?? 1;
    this.init = options.init ?? 0.25;
    this.weight = torch.tidy(() => new Parameter(torch.full([this.numParameters], this.init, { dtype: options.dtype ?? 'float32', device: options.device ?? 'cpu' })));
  }
  resetParameters(): void {
    torch.noGrad(() => this.weight.fill_(this.init));
  }
  forward(input: Tensor): Tensor { return F.prelu(input, this.weight); }
  override extraRepr(): string { return `num_parameters=${this.numParameters}`; }
}

type AlphaOptions = { alpha?: number } & InplaceOpts;
const ALPHA_ARGS = ['alpha', 'inplace'] as const;
export type AlphaArgs = PositionalArgs<[alpha: number, inplace: boolean], typeof ALPHA_ARGS, AlphaOptions>;

export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(options?: AlphaOptions);
  constructor(...args: AlphaArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<AlphaOptions>('ELU', args, ALPHA_ARGS);
    checkOpts('ELU', options, ['alpha', 'inplace']);
    this.alpha = options.alpha ?? 1.0;
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor { return F.elu(input, { alpha: this.alpha, inplace: this.inplace }); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}

export class CELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(options?: AlphaOptions);
  constructor(...args: AlphaArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<AlphaOptions>('CELU', args, ALPHA_ARGS);
    checkOpts('CELU', options, ['alpha', 'inplace']);
    this.alpha = options.alpha ?? 1.0;
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor { return F.celu(input, { alpha: this.alpha, inplace: this.inplace }); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}

/** Base of activations whose only option is inplace. */
abstract class InplaceActivation extends Module {
  readonly inplace: boolean;
  protected abstract readonly fn: (x: Tensor, o: InplaceOpts) => Tensor;
  constructor(options?: InplaceOpts);
  constructor(...args: InplaceArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<InplaceOpts>(new.target.name, args, INPLACE_ARGS);
    checkOpts(this.constructor.name, options, ['inplace']);
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor { return this.fn(input, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceRepr(this); }
}
export class SELU extends InplaceActivation { protected readonly fn = F.selu; }
export class SiLU extends InplaceActivation { protected readonly fn = F.silu; }
export class Mish extends InplaceActivation { protected readonly fn = F.mish; }
export class Hardswish extends InplaceActivation { protected readonly fn = F.hardswish; }
export class Hardsigmoid extends InplaceActivation { protected readonly fn = F.hardsigmoid; }

type GELUOptions = { approximate?: 'none' | 'tanh' };
const GELU_ARGS = ['approximate'] as const;
export type GELUArgs = PositionalArgs<[approximate: 'none' | 'tanh'], typeof GELU_ARGS, GELUOptions>;
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options?: GELUOptions);
  constructor(...args: GELUArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<GELUOptions>('GELU', args, GELU_ARGS);
    checkOpts('GELU', options, ['approximate']);
    this.approximate = options.approximate ?? 'none';
  }
  forward(input: Tensor): Tensor { return F.gelu(input, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor { return torch.sigmoid(input); }
}
export class Tanh extends Module {
  forward(input: Tensor): Tensor { return torch.tanh(input); }
}
export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor { return F.logsigmoid(input); }
}

type SoftplusOptions = { beta?: number; threshold?: number };
const SOFTPLUS_ARGS = ['beta', 'threshold'] as const;
export type SoftplusArgs = PositionalArgs<[beta: number, threshold: number], typeof SOFTPLUS_ARGS, SoftplusOptions>;
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(options?: SoftplusOptions);
  constructor(...args: SoftplusArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<SoftplusOptions>('Softplus', args, SOFTPLUS_ARGS);
    checkOpts('Softplus', options, ['beta', 'threshold']);
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }
  forward(input: Tensor): Tensor { return F.softplus(input, { beta: this.beta, threshold: this.threshold }); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

type DimOptions = { dim?: number | null };
const DIM_ARGS = ['dim'] as const;
export type SoftmaxArgs = PositionalArgs<[dim: number | null], typeof DIM_ARGS, DimOptions>;
class SoftmaxBase extends Module {
  readonly dim: number | null;
  constructor(name: string, args: unknown[]) {
    super();
    const options = layerArgs<DimOptions>(name, args, DIM_ARGS);
    checkOpts(name, options, ['dim']);
    this.dim = options.dim ?? null;
  }
  forward(input: Tensor): Tensor { return F.softmax(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim === null ? 'None' : this.dim}`; }
}
/** Softmax over dim (PyTorch's legacy implicit choice when dim is null). */
export class Softmax extends SoftmaxBase {
  constructor(options?: DimOptions);
  constructor(...args: SoftmaxArgs);
  constructor(...args: unknown[]) { super('Softmax', args); }
}
export class Softmin extends SoftmaxBase {
  constructor(options?: DimOptions);
  constructor(...args: SoftmaxArgs);
  constructor(...args: unknown[]) { super('Softmin', args); }
  override forward(input: Tensor): Tensor { return F.softmin(input, this.dim); }
}
export class LogSoftmax extends SoftmaxBase {
  constructor(options?: DimOptions);
  constructor(...args: SoftmaxArgs);
  constructor(...args: unknown[]) { super('LogSoftmax', args); }
  override forward(input: Tensor): Tensor { return F.logSoftmax(input, this.dim); }
}

export class Softsign extends Module {
  forward(input: Tensor): Tensor { return F.softsign(input); }
}
export class Tanhshrink extends Module {
  forward(input: Tensor): Tensor { return F.tanhshrink(input); }
}
type ThresholdOptions = { threshold: number; value: number; inplace?: boolean };
const THRESHOLD_ARGS = ['threshold', 'value', 'inplace'] as const;
export type ThresholdArgs = PositionalArgs<[threshold: number, value: number, inplace: boolean], typeof THRESHOLD_ARGS, ThresholdOptions>;
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;
  constructor(options: ThresholdOptions);
  constructor(...args: ThresholdArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<ThresholdOptions>('Threshold', args, THRESHOLD_ARGS);
    checkOpts('Threshold', options, ['threshold', 'value', 'inplace'], ['threshold', 'value']);
    this.threshold = options.threshold;
    this.value = options.value;
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor { return F.threshold(input, this.threshold, this.value, { inplace: this.inplace }); }
  override extraRepr(): string { return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${this.inplace ? ', inplace=True' : ''}`; }
}
export class GLU extends Module {
  readonly dim: number;
  constructor(options?: { dim?: number });
  constructor(...args: PositionalArgs<[dim: number], typeof DIM_ARGS, { dim?: number }>);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<{ dim?: number }>('GLU', args, DIM_ARGS);
    checkOpts('GLU', options, ['dim']);
    this.dim = options.dim ?? -1;
  }
  forward(input: Tensor): Tensor { return F.glu(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
/** Softmax over the channels of (N, C, H, W) or (C, H, W) input. */
export class Softmax2d extends Module {
  forward(input: Tensor): Tensor {
    const d = input.dim();
    if (d !== 3 && d !== 4) throw new RangeError(`Softmax2d: expected input of 3 or 4 dimensions, found ${d}`);
    return F.softmax(input, -3);
  }
}

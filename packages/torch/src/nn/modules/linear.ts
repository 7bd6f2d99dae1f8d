// Linear, Bilinear, Identity.
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import * as F from '../functional/index.js';
import { checkOpts, emptyParam, FACTORY_KEYS, type FactoryOptions } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

/** A placeholder that returns its input (arguments are accepted and ignored, as in PyTorch). */
export class Identity extends Module {
  constructor(_options?: unknown) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

export interface LinearOptions extends FactoryOptions {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
}
const LINEAR_ARGS = ['inFeatures', 'outFeatures', 'bias', 'device', 'dtype'] as const;
export type LinearArgs = PositionalArgs<[inFeatures: number, outFeatures: number, bias: boolean, device: FactoryOptions['device'], dtype: FactoryOptions['dtype']], typeof LINEAR_ARGS, LinearOptions>;

/** y = x W^T + b. Weight (out, in) and bias (out) start uniform in +-1/sqrt(in), as PyTorch. */
export class Linear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  /** `new Linear(3, 4)`, `new Linear(3, 4, { bias: false })` or `new Linear({ inFeatures: 3, outFeatures: 4 })`. */
  constructor(options: LinearOptions);
  constructor(...args: LinearArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<LinearOptions>(new.target.name, args, LINEAR_ARGS);
    checkOpts(this.constructor.name, options, ['inFeatures', 'outFeatures', 'bias', ...FACTORY_KEYS], ['inFeatures', 'outFeatures']);
    this.inFeatures = options.inFeatures;
    this.outFeatures = options.outFeatures;
    this.weight = emptyParam([options.outFeatures, options.inFeatures], options);
    if (options.bias ?? true) this.bias = emptyParam([options.outFeatures], options);
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}

/** The out_proj of MultiheadAttention (a Linear under PyTorch's name). */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface BilinearOptions extends FactoryOptions {
  in1Features: number;
  in2Features: number;
  outFeatures: number;
  bias?: boolean;
}
const BILINEAR_ARGS = ['in1Features', 'in2Features', 'outFeatures', 'bias', 'device', 'dtype'] as const;
export type BilinearArgs = PositionalArgs<
  [in1Features: number, in2Features: number, outFeatures: number, bias: boolean, device: FactoryOptions['device'], dtype: FactoryOptions['dtype']],
  typeof BILINEAR_ARGS,
  BilinearOptions
>;

/** y = x1^T A x2 + b. */
export class Bilinear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;

  constructor(options: BilinearOptions);
  constructor(...args: BilinearArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<BilinearOptions>('Bilinear', args, BILINEAR_ARGS);
    checkOpts('Bilinear', options, ['in1Features', 'in2Features', 'outFeatures', 'bias', ...FACTORY_KEYS], ['in1Features', 'in2Features', 'outFeatures']);
    this.in1Features = options.in1Features;
    this.in2Features = options.in2Features;
    this.outFeatures = options.outFeatures;
    this.weight = emptyParam([options.outFeatures, options.in1Features, options.in2Features], options);
    if (options.bias ?? true) this.bias = emptyParam([options.outFeatures], options);
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.size(1));
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}


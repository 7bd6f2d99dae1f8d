// Linear, Bilinear, Identity.
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import * as F from '../functional/index.js';
import { checkOpts, emptyParam, FACTORY_KEYS, type FactoryOptions } from './common.js';

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

/** y = x W^T + b. Weight (out, in) and bias (out) start uniform in +-1/sqrt(in), as PyTorch. */
export class Linear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(options: LinearOptions) {
    super();
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

/** y = x1^T A x2 + b. */
export class Bilinear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;

  constructor(options: BilinearOptions) {
    super();
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


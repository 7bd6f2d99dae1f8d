// Conv1d/2d/3d and ConvTranspose1d/2d/3d, after torch/nn/modules/conv.py.
import { Tensor } from '../../tensor.js';
import { Module, py } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import * as F from '../functional/index.js';
import { ntuple } from '../functional/util.js';
import { checkOpts, emptyParam, FACTORY_KEYS, type FactoryOptions } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvOptions extends FactoryOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number | number[];
  stride?: number | number[];
  /** Zero padding per side, or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: number | number[] | 'valid' | 'same';
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}
export interface ConvTransposeOptions extends FactoryOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number | number[];
  stride?: number | number[];
  padding?: number | number[];
  outputPadding?: number | number[];
  groups?: number;
  bias?: boolean;
  dilation?: number | number[];
  paddingMode?: 'zeros';
}

const CONV_KEYS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', ...FACTORY_KEYS];
const CONVT_KEYS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode', ...FACTORY_KEYS];
const REQUIRED = ['inChannels', 'outChannels', 'kernelSize'];

type IntOrList = number | number[];
type Dev = FactoryOptions['device'];
type DT = FactoryOptions['dtype'];
const CONV_ARGS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'device', 'dtype'] as const;
/** PyTorch's order: in, out, kernel, stride, padding, dilation, groups, bias, padding_mode, device, dtype. */
export type ConvArgs = PositionalArgs<
  [inChannels: number, outChannels: number, kernelSize: IntOrList, stride: IntOrList, padding: ConvOptions['padding'], dilation: IntOrList, groups: number, bias: boolean, paddingMode: PaddingMode, device: Dev, dtype: DT],
  typeof CONV_ARGS,
  ConvOptions
>;
const CONVT_ARGS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode', 'device', 'dtype'] as const;
/** PyTorch's order: in, out, kernel, stride, padding, output_padding, groups, bias, dilation, padding_mode, device, dtype. */
export type ConvTransposeArgs = PositionalArgs<
  [inChannels: number, outChannels: number, kernelSize: IntOrList, stride: IntOrList, padding: IntOrList, outputPadding: IntOrList, groups: number, bias: boolean, dilation: IntOrList, paddingMode: 'zeros', device: Dev, dtype: DT],
  typeof CONVT_ARGS,
  ConvTransposeOptions
>;

/** Common base of convolutions (PyTorch's _ConvNd). */
export abstract class ConvNd extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'valid' | 'same';
  readonly dilation: number[];
  readonly transposed: boolean;
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** Padding for F.pad in non-'zeros' padding modes (last dimension first). */
  protected readonly reversedPaddingRepeatedTwice: number[];

  protected constructor(n: number, transposed: boolean, options: ConvOptions & { outputPadding?: number | number[] }) {
    super();
    const name = this.constructor.name;
    checkOpts(name, options, transposed ? CONVT_KEYS : CONV_KEYS, REQUIRED);
    const { inChannels, outChannels } = options;
    const groups = options.groups ?? 1;
    if (!(Number.isInteger(groups) && groups > 0)) throw new RangeError(`${name}: groups must be a positive integer, found ${groups}`);
    if (inChannels % groups !== 0) throw new RangeError(`${name}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new RangeError(`${name}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const kernelSize = ntuple(options.kernelSize, n, `${name} kernelSize`);
    const stride = ntuple(options.stride ?? 1, n, `${name} stride`);
    const dilation = ntuple(options.dilation ?? 1, n, `${name} dilation`);
    const p = options.padding ?? 0;
    let padding: number[] | 'valid' | 'same';
    if (typeof p === 'string') {
      if (transposed) throw new TypeError(`${name}: padding must be a number or an array of numbers, found '${p}'`);
      if (p !== 'same' && p !== 'valid') throw new TypeError(`${name}: invalid padding string '${p}', should be one of 'same', 'valid'`);
      if (p === 'same' && stride.some((s) => s !== 1)) throw new RangeError(`${name}: padding='same' is not supported for strided convolutions`);
      padding = p;
    } else {
      padding = ntuple(p, n, `${name} padding`);
    }
    const paddingMode = options.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode))
      throw new TypeError(`${name}: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', found '${paddingMode}'`);
    if (transposed && paddingMode !== 'zeros') throw new TypeError(`Only "zeros" padding mode is supported for ${name}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
    this.transposed = transposed;
    this.outputPadding = ntuple(options.outputPadding ?? 0, n, `${name} outputPadding`);
    this.groups = groups;
    this.paddingMode = paddingMode;
    if (typeof padding === 'string') {
      const r = Array(2 * n).fill(0);
      if (padding === 'same') {
        for (let j = 0; j < n; j++) {
          const i = n - 1 - j;
          const total = dilation[j] * (kernelSize[j] - 1);
          const left = Math.floor(total / 2);
          r[2 * i] = left;
          r[2 * i + 1] = total - left;
        }
      }
      this.reversedPaddingRepeatedTwice = r;
    } else {
      this.reversedPaddingRepeatedTwice = padding.slice().reverse().flatMap((v) => [v, v]);
    }
    const wshape = transposed ? [inChannels, outChannels / groups, ...kernelSize] : [outChannels, inChannels / groups, ...kernelSize];
    this.weight = emptyParam(wshape, options);
    if (options.bias ?? true) this.bias = emptyParam([outChannels], options);
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}`;
    const pad = this.padding;
    if (typeof pad === 'string') s += `, padding=${pad}`;
    else if (pad.some((v) => v !== 0)) s += `, padding=${py(pad)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${py(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

abstract class Conv extends ConvNd {
  protected abstract readonly op: (input: Tensor, weight: Tensor, o: F.ConvOptions) => Tensor;

  forward(input: Tensor): Tensor {
    return this.convForward(input, this.weight, this.bias);
  }

  protected convForward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    if (this.paddingMode !== 'zeros') {
      const padded = F.pad(input, this.reversedPaddingRepeatedTwice, { mode: this.paddingMode });
      try {
        return this.op(padded, weight, { bias, stride: this.stride, padding: 0, dilation: this.dilation, groups: this.groups });
      } finally {
        padded.dispose();
      }
    }
    return this.op(input, weight, { bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

// Each layer takes one options object, or PyTorch's positional arguments (ConvArgs) with an optional
// trailing options object: new Conv3d(1, 16, 3, { padding: 1 }) or new Conv3d(1, 16, 3, 1, 1).

/** 1-D convolution over (N, C, L) or (C, L) input. */
export class Conv1d extends Conv {
  protected readonly op = F.conv1d;
  constructor(options: ConvOptions);
  constructor(...args: ConvArgs);
  constructor(...args: unknown[]) {
    super(1, false, layerArgs(new.target.name, args, CONV_ARGS));
  }
}
/** 2-D convolution over (N, C, H, W) or (C, H, W) input. */
export class Conv2d extends Conv {
  protected readonly op = F.conv2d;
  constructor(options: ConvOptions);
  constructor(...args: ConvArgs);
  constructor(...args: unknown[]) {
    super(2, false, layerArgs(new.target.name, args, CONV_ARGS));
  }
}
/** 3-D convolution over (N, C, D, H, W) or (C, D, H, W) input. */
export class Conv3d extends Conv {
  protected readonly op = F.conv3d;
  constructor(options: ConvOptions);
  constructor(...args: ConvArgs);
  constructor(...args: unknown[]) {
    super(3, false, layerArgs(new.target.name, args, CONV_ARGS));
  }
}

abstract class ConvTranspose extends ConvNd {
  protected abstract readonly op: (input: Tensor, weight: Tensor, o: F.ConvTransposeOptions) => Tensor;
  protected abstract readonly nd: number;

  /** outputSize (optional) picks the output padding that gives that size, as PyTorch's output_size. */
  forward(input: Tensor, outputSize?: number[] | null): Tensor {
    const outputPadding = this.computeOutputPadding(input, outputSize ?? null);
    return this.op(input, this.weight, { bias: this.bias, stride: this.stride, padding: this.padding as number[], outputPadding, groups: this.groups, dilation: this.dilation });
  }

  protected computeOutputPadding(input: Tensor, outputSize: number[] | null): number[] {
    if (outputSize === null) return this.outputPadding;
    const n = this.nd;
    const hasBatch = input.dim() === n + 2;
    const nonSpatial = hasBatch ? 2 : 1;
    let size = outputSize;
    if (size.length === nonSpatial + n) size = size.slice(nonSpatial);
    if (size.length !== n)
      throw new RangeError(`ConvTranspose${n}D: for ${input.dim()}D input, output_size must have ${n} or ${nonSpatial + n} elements (got ${outputSize.length})`);
    const pad = this.padding as number[];
    const res: number[] = [];
    for (let d = 0; d < n; d++) {
      const min = (input.size(d + nonSpatial) - 1) * this.stride[d] - 2 * pad[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1;
      const max = min + this.stride[d] - 1;
      if (size[d] < min || size[d] > max)
        throw new RangeError(`requested an output size of [${size.join(', ')}], but valid sizes range from [${min}] to [${max}] (for an input of [${input.shape.slice(nonSpatial).join(', ')}])`);
      res.push(size[d] - min);
    }
    return res;
  }
}

export class ConvTranspose1d extends ConvTranspose {
  protected readonly op = F.convTranspose1d;
  protected readonly nd = 1;
  constructor(options: ConvTransposeOptions);
  constructor(...args: ConvTransposeArgs);
  constructor(...args: unknown[]) {
    super(1, true, layerArgs(new.target.name, args, CONVT_ARGS));
  }
}
export class ConvTranspose2d extends ConvTranspose {
  protected readonly op = F.convTranspose2d;
  protected readonly nd = 2;
  constructor(options: ConvTransposeOptions);
  constructor(...args: ConvTransposeArgs);
  constructor(...args: unknown[]) {
    super(2, true, layerArgs(new.target.name, args, CONVT_ARGS));
  }
}
export class ConvTranspose3d extends ConvTranspose {
  protected readonly op = F.convTranspose3d;
  protected readonly nd = 3;
  constructor(options: ConvTransposeOptions);
  constructor(...args: ConvTransposeArgs);
  constructor(...args: unknown[]) {
    super(3, true, layerArgs(new.target.name, args, CONVT_ARGS));
  }
}

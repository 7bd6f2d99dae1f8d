// Max, average and adaptive pooling modules, after torch/nn/modules/pooling.py.
import { Tensor } from '../../tensor.js';
import { Module, py } from '../module.js';
import * as F from '../functional/index.js';
import { ntuple } from '../functional/util.js';
import { checkOpts } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

type IntOrList = number | number[];

export interface MaxPoolOptions<R extends boolean = boolean> {
  kernelSize: IntOrList;
  stride?: IntOrList | null;
  padding?: IntOrList;
  dilation?: IntOrList;
  /** Also return the argmax indices: forward then gives [output, indices]. */
  returnIndices?: R;
  ceilMode?: boolean;
}
/** What a max pooling layer's forward returns: the output, or [output, indices] with returnIndices. */
export type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;
/** The functional form behind a max pooling layer (its return type narrowed by the layer). */
type MaxPoolFn = (x: Tensor, k: IntOrList, o: F.MaxPoolOptions & { returnIndices?: boolean }) => Tensor | [Tensor, Tensor];
const MAXPOOL_ARGS = ['kernelSize', 'stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'] as const;
/** PyTorch's order: kernel_size, stride, padding, dilation, return_indices, ceil_mode. */
export type MaxPoolArgs<R extends boolean = boolean> = PositionalArgs<
  [kernelSize: IntOrList, stride: IntOrList | null, padding: IntOrList, dilation: IntOrList, returnIndices: R, ceilMode: boolean],
  typeof MAXPOOL_ARGS,
  MaxPoolOptions<R>
>;

/** Max pooling; with returnIndices (R) the forward gives [output, indices]. */
export abstract class MaxPoolNd<R extends boolean = false> extends Module {
  readonly kernelSize: IntOrList;
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly dilation: IntOrList;
  readonly returnIndices: R;
  readonly ceilMode: boolean;
  protected abstract readonly fn: MaxPoolFn;
  /** `new MaxPool3d(2)`, `new MaxPool3d(3, 2, 1)` or `new MaxPool3d({ kernelSize: 2 })`. */
  constructor(options: MaxPoolOptions<R>);
  constructor(...args: MaxPoolArgs<R>);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<MaxPoolOptions<R>>(new.target.name, args, MAXPOOL_ARGS);
    checkOpts(this.constructor.name, options, ['kernelSize', 'stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], ['kernelSize']);
    this.kernelSize = options.kernelSize;
    this.stride = options.stride ?? options.kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = options.returnIndices ?? (false as R);
    this.ceilMode = options.ceilMode ?? false;
  }
  forward(input: Tensor): PoolOutput<R> {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
    return this.fn(input, this.kernelSize, o) as PoolOutput<R>;
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> { protected readonly fn = F.maxPool1d as MaxPoolFn; }
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> { protected readonly fn = F.maxPool2d as MaxPoolFn; }
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> { protected readonly fn = F.maxPool3d as MaxPoolFn; }

export interface AvgPoolOptions {
  kernelSize: IntOrList;
  stride?: IntOrList | null;
  padding?: IntOrList;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
type AvgPool1dOptions = Omit<AvgPoolOptions, 'divisorOverride'>;
const AVGPOOL1_ARGS = ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'] as const;
const AVGPOOL_ARGS = [...AVGPOOL1_ARGS, 'divisorOverride'] as const;
/** PyTorch's order: kernel_size, stride, padding, ceil_mode, count_include_pad. */
export type AvgPool1dArgs = PositionalArgs<
  [kernelSize: IntOrList, stride: IntOrList | null, padding: IntOrList, ceilMode: boolean, countIncludePad: boolean],
  typeof AVGPOOL1_ARGS,
  AvgPool1dOptions
>;
/** PyTorch's order: kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override. */
export type AvgPoolArgs = PositionalArgs<
  [kernelSize: IntOrList, stride: IntOrList | null, padding: IntOrList, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null],
  typeof AVGPOOL_ARGS,
  AvgPoolOptions
>;
export class AvgPool1d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(options: AvgPool1dOptions);
  constructor(...args: AvgPool1dArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<AvgPool1dOptions>('AvgPool1d', args, AVGPOOL1_ARGS);
    checkOpts('AvgPool1d', options, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'], ['kernelSize']);
    this.kernelSize = ntuple(options.kernelSize, 1, 'AvgPool1d kernelSize');
    this.stride = ntuple(options.stride ?? options.kernelSize, 1, 'AvgPool1d stride');
    this.padding = ntuple(options.padding ?? 0, 1, 'AvgPool1d padding');
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }
  forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}
abstract class AvgPoolN extends Module {
  readonly kernelSize: IntOrList;
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  protected abstract readonly fn: (x: Tensor, k: IntOrList, o: F.AvgPoolOptions) => Tensor;
  constructor(options: AvgPoolOptions);
  constructor(...args: AvgPoolArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<AvgPoolOptions>(new.target.name, args, AVGPOOL_ARGS);
    checkOpts(this.constructor.name, options, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], ['kernelSize']);
    this.kernelSize = options.kernelSize;
    this.stride = options.stride ?? options.kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }
  forward(input: Tensor): Tensor {
    return this.fn(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride });
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}
export class AvgPool2d extends AvgPoolN { protected readonly fn = F.avgPool2d; }
export class AvgPool3d extends AvgPoolN { protected readonly fn = F.avgPool3d; }

type OutSize = number | (number | null)[];
type AdaptiveAvgOptions = { outputSize: OutSize };
type AdaptiveMaxOptions<R extends boolean = boolean> = { outputSize: OutSize; returnIndices?: R };
type AdaptiveMaxFn = (x: Tensor, s: OutSize, o: { returnIndices?: boolean }) => Tensor | [Tensor, Tensor];
const ADAPTIVE_ARGS = ['outputSize', 'returnIndices'] as const;
export type AdaptiveAvgPoolArgs = PositionalArgs<[outputSize: OutSize], readonly ['outputSize'], AdaptiveAvgOptions>;
export type AdaptiveMaxPoolArgs<R extends boolean = boolean> = PositionalArgs<[outputSize: OutSize, returnIndices: R], typeof ADAPTIVE_ARGS, AdaptiveMaxOptions<R>>;
abstract class AdaptiveAvg extends Module {
  readonly outputSize: OutSize;
  protected abstract readonly fn: (x: Tensor, s: OutSize) => Tensor;
  constructor(options: AdaptiveAvgOptions);
  constructor(...args: AdaptiveAvgPoolArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<AdaptiveAvgOptions>(new.target.name, args, ADAPTIVE_ARGS.slice(0, 1));
    checkOpts(this.constructor.name, options, ['outputSize'], ['outputSize']);
    this.outputSize = options.outputSize;
  }
  forward(input: Tensor): Tensor { return this.fn(input, this.outputSize); }
  override extraRepr(): string { return `output_size=${py(this.outputSize)}`; }
}
export class AdaptiveAvgPool1d extends AdaptiveAvg { protected readonly fn = F.adaptiveAvgPool1d; }
export class AdaptiveAvgPool2d extends AdaptiveAvg { protected readonly fn = F.adaptiveAvgPool2d; }
export class AdaptiveAvgPool3d extends AdaptiveAvg { protected readonly fn = F.adaptiveAvgPool3d; }

abstract class AdaptiveMax<R extends boolean = false> extends Module {
  readonly outputSize: OutSize;
  readonly returnIndices: R;
  protected abstract readonly fn: AdaptiveMaxFn;
  constructor(options: AdaptiveMaxOptions<R>);
  constructor(...args: AdaptiveMaxPoolArgs<R>);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<AdaptiveMaxOptions<R>>(new.target.name, args, ADAPTIVE_ARGS);
    checkOpts(this.constructor.name, options, ['outputSize', 'returnIndices'], ['outputSize']);
    this.outputSize = options.outputSize;
    this.returnIndices = options.returnIndices ?? (false as R);
  }
  forward(input: Tensor): PoolOutput<R> { return this.fn(input, this.outputSize, { returnIndices: this.returnIndices }) as PoolOutput<R>; }
  override extraRepr(): string { return `output_size=${py(this.outputSize)}`; }
}
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMax<R> { protected readonly fn = F.adaptiveMaxPool1d as AdaptiveMaxFn; }
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMax<R> { protected readonly fn = F.adaptiveMaxPool2d as AdaptiveMaxFn; }
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMax<R> { protected readonly fn = F.adaptiveMaxPool3d as AdaptiveMaxFn; }

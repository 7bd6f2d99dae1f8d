// Upsample, PixelShuffle/Unshuffle, Flatten, Unflatten, Embedding.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { Module, py, pyFloat } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import * as F from '../functional/index.js';
import { checkOpts, emptyParam, FACTORY_KEYS, type FactoryOptions } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

export interface UpsampleOptions {
  size?: number | number[] | null;
  scaleFactor?: number | number[] | null;
  mode?: F.InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}
type SizeArg = number | number[] | null;
const UPSAMPLE_ARGS = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'] as const;
/** PyTorch's order: size, scale_factor, mode, align_corners, recompute_scale_factor. */
export type UpsampleArgs = PositionalArgs<
  [size: SizeArg, scaleFactor: SizeArg, mode: F.InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null],
  typeof UPSAMPLE_ARGS,
  UpsampleOptions
>;
type UpsamplingOptions = { size?: SizeArg; scaleFactor?: SizeArg };
export type UpsamplingArgs = PositionalArgs<[size: SizeArg, scaleFactor: SizeArg], readonly ['size', 'scaleFactor'], UpsamplingOptions>;
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: F.InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(options?: UpsampleOptions);
  constructor(...args: UpsampleArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<UpsampleOptions>(new.target.name, args, UPSAMPLE_ARGS);
    checkOpts(this.constructor.name, options, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
    this.size = options.size ?? null;
    this.scaleFactor = options.scaleFactor ? options.scaleFactor : null;
    this.mode = options.mode ?? 'nearest';
    this.alignCorners = options.alignCorners ?? null;
    this.recomputeScaleFactor = options.recomputeScaleFactor ?? null;
  }
  forward(input: Tensor): Tensor {
    return F.interpolate(input, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info = sf !== null ? `scale_factor=${Array.isArray(sf) ? `(${sf.map(pyFloat).join(', ')})` : pyFloat(sf)}` : `size=${py(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}
export class UpsamplingNearest2d extends Upsample {
  constructor(options?: UpsamplingOptions);
  constructor(...args: UpsamplingArgs);
  constructor(...args: unknown[]) {
    const options = layerArgs<UpsamplingOptions>('UpsamplingNearest2d', args, UPSAMPLE_ARGS.slice(0, 2));
    checkOpts('UpsamplingNearest2d', options, ['size', 'scaleFactor']);
    super({ ...options, mode: 'nearest' });
  }
}
export class UpsamplingBilinear2d extends Upsample {
  constructor(options?: UpsamplingOptions);
  constructor(...args: UpsamplingArgs);
  constructor(...args: unknown[]) {
    const options = layerArgs<UpsamplingOptions>('UpsamplingBilinear2d', args, UPSAMPLE_ARGS.slice(0, 2));
    checkOpts('UpsamplingBilinear2d', options, ['size', 'scaleFactor']);
    super({ ...options, mode: 'bilinear', alignCorners: true });
  }
}

export class PixelShuffle extends Module {
  readonly upscaleFactor: number;
  constructor(options: { upscaleFactor: number });
  constructor(upscaleFactor: number);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<{ upscaleFactor: number }>('PixelShuffle', args, ['upscaleFactor']);
    checkOpts('PixelShuffle', options, ['upscaleFactor'], ['upscaleFactor']);
    this.upscaleFactor = options.upscaleFactor;
  }
  forward(input: Tensor): Tensor { return F.pixelShuffle(input, this.upscaleFactor); }
  override extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}
export class PixelUnshuffle extends Module {
  readonly downscaleFactor: number;
  constructor(options: { downscaleFactor: number });
  constructor(downscaleFactor: number);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<{ downscaleFactor: number }>('PixelUnshuffle', args, ['downscaleFactor']);
    checkOpts('PixelUnshuffle', options, ['downscaleFactor'], ['downscaleFactor']);
    this.downscaleFactor = options.downscaleFactor;
  }
  forward(input: Tensor): Tensor { return F.pixelUnshuffle(input, this.downscaleFactor); }
  override extraRepr(): string { return `downscale_factor=${this.downscaleFactor}`; }
}

type FlattenOptions = { startDim?: number; endDim?: number };
const FLATTEN_ARGS = ['startDim', 'endDim'] as const;
export type FlattenArgs = PositionalArgs<[startDim: number, endDim: number], typeof FLATTEN_ARGS, FlattenOptions>;
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(options?: FlattenOptions);
  constructor(...args: FlattenArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<FlattenOptions>('Flatten', args, FLATTEN_ARGS);
    checkOpts('Flatten', options, ['startDim', 'endDim']);
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }
  forward(input: Tensor): Tensor { return input.flatten({ startDim: this.startDim, endDim: this.endDim }); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}
type UnflattenOptions = { dim: number; unflattenedSize: number[] };
const UNFLATTEN_ARGS = ['dim', 'unflattenedSize'] as const;
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];
  constructor(options: UnflattenOptions);
  constructor(...args: PositionalArgs<[dim: number, unflattenedSize: number[]], typeof UNFLATTEN_ARGS, UnflattenOptions>);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<UnflattenOptions>('Unflatten', args, UNFLATTEN_ARGS);
    checkOpts('Unflatten', options, ['dim', 'unflattenedSize'], ['dim', 'unflattenedSize']);
    if (!Array.isArray(options.unflattenedSize)) throw new TypeError('Unflatten: unflattenedSize must be an array of numbers');
    this.dim = options.dim;
    this.unflattenedSize = options.unflattenedSize.slice();
  }
  forward(input: Tensor): Tensor { return input.unflatten(this.dim, this.unflattenedSize); }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=${py(this.unflattenedSize)}`; }
}

export interface EmbeddingOptions extends FactoryOptions {
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  /** Initial weights (numEmbeddings, embeddingDim), shared rather than copied. */
  weight?: Tensor | null;
}
const EMBEDDING_ARGS = ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', 'weight'] as const;
/** PyTorch's order: num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight. */
export type EmbeddingArgs = PositionalArgs<
  [numEmbeddings: number, embeddingDim: number, paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean, weight: Tensor | null],
  typeof EMBEDDING_ARGS,
  EmbeddingOptions
>;
/** A lookup table of embeddings, initialised N(0, 1) with the padding row zeroed. */
export class Embedding extends Module {
  declare weight: Parameter;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  /** `new Embedding(10, 3)`, `new Embedding(10, 3, { paddingIdx: 0 })` or `new Embedding({ numEmbeddings: 10, embeddingDim: 3 })`. */
  constructor(options: EmbeddingOptions);
  constructor(...args: EmbeddingArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<EmbeddingOptions>('Embedding', args, EMBEDDING_ARGS);
    checkOpts('Embedding', options, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', 'weight', ...FACTORY_KEYS], ['numEmbeddings', 'embeddingDim']);
    const n = options.numEmbeddings;
    this.numEmbeddings = n;
    this.embeddingDim = options.embeddingDim;
    let pi = options.paddingIdx ?? null;
    if (pi !== null) {
      if (pi > 0 && pi >= n) throw new RangeError('Padding_idx must be within num_embeddings');
      if (pi < 0) {
        if (pi < -n) throw new RangeError('Padding_idx must be within num_embeddings');
        pi = n + pi;
      }
    }
    this.paddingIdx = pi;
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2.0;
    this.scaleGradByFreq = options.scaleGradByFreq ?? false;
    this.sparse = options.sparse ?? false;
    if (options.weight) {
      const s = options.weight.shape;
      if (s.length !== 2 || s[0] !== n || s[1] !== options.embeddingDim) throw new RangeError('Shape of weight does not match numEmbeddings and embeddingDim');
      this.weight = new Parameter(options.weight);
    } else {
      this.weight = emptyParam([n, options.embeddingDim], options);
      this.resetParameters();
    }
  }
  /** An Embedding holding the given (n, dim) weights; frozen (no grad) by default. */
  static fromPretrained(embeddings: Tensor, options: Omit<EmbeddingOptions, 'numEmbeddings' | 'embeddingDim' | 'weight'> & { freeze?: boolean } = {}): Embedding {
    if (embeddings.dim() !== 2) throw new RangeError('Embeddings parameter is expected to be 2-dimensional');
    const { freeze, ...rest } = options;
    const [n, d] = embeddings.shape;
    const e = new Embedding({ ...rest, numEmbeddings: n, embeddingDim: d, weight: embeddings });
    e.weight.requiresGrad_(!(freeze ?? true));
    return e;
  }
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const pi = this.paddingIdx;
      torch.noGrad(() => torch.tidy(() => { this.weight.at(pi).fill_(0); }));
    }
  }
  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq, sparse: this.sparse });
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}

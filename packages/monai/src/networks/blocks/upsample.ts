// UpSample and SubpixelUpsample (MONAI's monai/networks/blocks/upsample.py).
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { Chain } from '../layers/chain.js';
import { Conv, Pad, Pool, type TensorModule } from '../layers/factories.js';
import { icnrInit, pixelshuffle } from '../utils.js';

export type UpsampleMode = 'deconv' | 'deconvgroup' | 'nontrainable' | 'pixelshuffle';
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
const MODES: readonly UpsampleMode[] = ['deconv', 'deconvgroup', 'nontrainable', 'pixelshuffle'];
const INTERP: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'];

const rep = (v: number | number[], n: number, owner: string, what: string): number[] => {
  if (typeof v === 'number') return Array(n).fill(v);
  if (v.length !== n) throw new RangeError(`${owner}: ${what} must have ${n} values, found ${JSON.stringify(v)}`);
  return v.slice();
};

export interface UpSampleOptions {
  spatialDims: number;
  inChannels?: number | null;
  outChannels?: number | null;
  scaleFactor?: number | number[];
  /** Transposed-convolution kernel; default: the scale factor (then no padding). */
  kernelSize?: number | number[] | null;
  /** Output size for 'nontrainable' (instead of the scale factor). */
  size?: number | number[] | null;
  mode?: UpsampleMode;
  /** 'default' (a 1x1 conv when channels change, or SubpixelUpsample's 3x3 conv), a module, or null. */
  preConv?: nn.Module | 'default' | null;
  postConv?: nn.Module | null;
  /** Interpolation for 'nontrainable'; 'linear' picks linear/bilinear/trilinear by dimensions. */
  interpMode?: InterpolateMode;
  alignCorners?: boolean | null;
  bias?: boolean;
  applyPadPool?: boolean;
}
const UP_KEYS = ['spatialDims', 'inChannels', 'outChannels', 'scaleFactor', 'kernelSize', 'size', 'mode', 'preConv', 'postConv', 'interpMode', 'alignCorners', 'bias', 'applyPadPool'];

/**
 * Upsampling by a transposed convolution ('deconv', child 'deconv'; 'deconvgroup', child 'deconvgroup'),
 * interpolation ('nontrainable': optional 'preconv', 'upsample_non_trainable', optional 'postconv') or
 * sub-pixel convolution ('pixelshuffle', child 'pixelshuffle'). Default mode 'deconv', scale 2.
 */
export class UpSample extends Chain {
  constructor(options: UpSampleOptions) {
    super();
    const o = 'UpSample';
    checkOptions(o, options, UP_KEYS, ['spatialDims']);
    const dims = options.spatialDims;
    const scale = rep(options.scaleFactor ?? 2, dims, o, 'scaleFactor');
    const mode = checkChoice(o, 'mode', options.mode ?? 'deconv', MODES);
    const inCh = options.inChannels ?? null;
    let outCh = options.outChannels ?? null;
    const bias = options.bias ?? true;
    let kernel: number[], padding: number | number[], outputPadding: number | number[];
    if (!options.kernelSize) {
      kernel = scale;
      padding = outputPadding = 0;
    } else {
      kernel = rep(options.kernelSize, dims, o, 'kernelSize');
      padding = kernel.map((k) => (k - 1) >> 1);
      outputPadding = kernel.map((k, i) => scale[i] - 1 - ((k - 1) % 2));
    }
    const preConv = options.preConv === undefined ? 'default' : options.preConv;
    if (mode === 'deconv' || mode === 'deconvgroup') {
      if (!inCh) throw new TypeError(`${o}: inChannels is required in '${mode}' mode`);
      if (outCh === null) outCh = inCh;
      const groups = mode === 'deconvgroup' && inCh % outCh === 0 ? outCh : 1;
      this.registerModule(mode, new (Conv.get('convtrans', dims))({ inChannels: inCh, outChannels: outCh, kernelSize: kernel, stride: scale, padding, outputPadding, groups, bias }));
    } else if (mode === 'nontrainable') {
      if (preConv === 'default' && outCh !== inCh) {
        if (!inCh) throw new TypeError(`${o}: inChannels is required in 'nontrainable' mode when outChannels differs`);
        this.registerModule('preconv', new (Conv.get('conv', dims))({ inChannels: inCh, outChannels: outCh ?? inCh, kernelSize: 1, bias }));
      } else if (preConv !== null && preConv !== 'default') {
        this.registerModule('preconv', preConv);
      } else if (preConv === null && outCh !== inCh) {
        throw new TypeError(`${o}: without preConv, outChannels (${outCh}) must equal inChannels (${inCh}) in 'nontrainable' mode`);
      }
      let interp = checkChoice(o, 'interpMode', options.interpMode ?? 'linear', INTERP);
      if (interp === 'linear' || interp === 'bilinear' || interp === 'trilinear') interp = (['linear', 'bilinear', 'trilinear'] as const)[dims - 1];
      const size = options.size ?? null;
      this.registerModule('upsample_non_trainable', new nn.Upsample({
        size, scaleFactor: size ? null : scale, mode: interp as never, alignCorners: options.alignCorners === undefined ? true : options.alignCorners,
      }));
      if (options.postConv) this.registerModule('postconv', options.postConv);
    } else {
      this.registerModule('pixelshuffle', new SubpixelUpsample({
        spatialDims: dims, inChannels: inCh, outChannels: outCh, scaleFactor: scale[0], convBlock: preConv, applyPadPool: options.applyPadPool ?? true, bias,
      }));
    }
  }
}

export interface SubpixelUpsampleOptions {
  spatialDims: number;
  inChannels: number | null;
  outChannels?: number | null;
  scaleFactor?: number;
  /** 'default' (3x3 conv to outChannels * scale^dims, ICNR-initialised), a module, or null (identity). */
  convBlock?: nn.Module | 'default' | null;
  /** Pad and average-pool after shuffling, against checkerboard artefacts. Default true. */
  applyPadPool?: boolean;
  bias?: boolean;
}

/** Sub-pixel convolution (children 'conv_block' and 'pad_pool' as MONAI). */
export class SubpixelUpsample extends nn.Module {
  readonly dimensions: number;
  readonly scaleFactor: number;
  declare conv_block: TensorModule;
  declare pad_pool: TensorModule;
  constructor(options: SubpixelUpsampleOptions) {
    super();
    const o = 'SubpixelUpsample';
    checkOptions(o, options, ['spatialDims', 'inChannels', 'outChannels', 'scaleFactor', 'convBlock', 'applyPadPool', 'bias'], ['spatialDims']);
    const dims = options.spatialDims;
    const scale = options.scaleFactor ?? 2;
    if (!(scale > 0 && Number.isInteger(scale))) throw new RangeError(`${o}: scaleFactor must be a positive integer, found ${scale}`);
    this.dimensions = dims;
    this.scaleFactor = scale;
    const block = options.convBlock === undefined ? 'default' : options.convBlock;
    if (block === 'default') {
      const out = options.outChannels || options.inChannels;
      if (!out || !options.inChannels) throw new TypeError(`${o}: inChannels is required with the default convBlock`);
      const conv = new (Conv.get('conv', dims))({ inChannels: options.inChannels, outChannels: out * scale ** dims, kernelSize: 3, stride: 1, padding: 1, bias: options.bias ?? true });
      icnrInit(conv as unknown as nn.ConvNd, scale);
      this.registerModule('conv_block', conv);
    } else {
      this.registerModule('conv_block', block === null ? new nn.Identity() : block);
    }
    if (options.applyPadPool ?? true) {
      this.registerModule('pad_pool', new Chain(
        new (Pad.get('constantpad', dims))({ padding: Array.from({ length: dims }, () => [scale - 1, 0]).flat(), value: 0 }),
        new (Pool.get('avg', dims))({ kernelSize: scale, stride: 1 }),
      ));
    } else {
      this.registerModule('pad_pool', new nn.Identity());
    }
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const y = this.conv_block.forward(x);
      const div = this.scaleFactor ** this.dimensions;
      if (y.size(1) % div !== 0)
        throw new RangeError(`SubpixelUpsample: channels after convBlock (${y.size(1)}) must be divisible by scaleFactor ** spatialDims (${this.scaleFactor}^${this.dimensions}=${div})`);
      return this.pad_pool.forward(pixelshuffle(y, this.dimensions, this.scaleFactor));
    });
  }
}

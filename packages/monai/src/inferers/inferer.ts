// Inferers (MONAI monai/inferers/inferer.py): objects that run a network over inputs in a given way,
// called as inferer.call(inputs, network, ...args) by evaluators and users alike.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { type BlendMode, BLEND_MODES, computeImportanceMap } from './patch_utils.js';
import {
  type NetworkOutput, type PaddingMode, type Predictor, PADDING_MODES, slidingWindowInference,
} from './utils.js';

/** The base of inferers: call(inputs, network, ...args) runs `network` on `inputs` in the inferer's way. */
export abstract class Inferer {
  abstract call(inputs: Tensor, network: Predictor, ...args: unknown[]): unknown;
}

/** Runs the network on the whole input: network(inputs, ...args). */
export class SimpleInferer extends Inferer {
  call(inputs: Tensor, network: Predictor, ...args: unknown[]): NetworkOutput {
    type Callable = (x: Tensor, ...a: unknown[]) => NetworkOutput;
    if (typeof network === 'function') return (network as Callable)(inputs, ...args);
    if (network && typeof network.forward === 'function') return (network.forward as Callable).call(network, inputs, ...args);
    throw new TypeError('SimpleInferer: network must be a module (with forward) or a function');
  }
}

export interface SlidingWindowInfererOptions {
  /** Window size; a number for all spatial dims, or one per dim (null or non-positive: the input's size). */
  roiSize: number | (number | null)[];
  /** Windows per network call. Default 1. */
  swBatchSize?: number;
  overlap?: number | number[];
  mode?: BlendMode;
  sigmaScale?: number | number[];
  paddingMode?: PaddingMode;
  cval?: number;
  swDevice?: string | null;
  device?: string | null;
  progress?: boolean;
  /** Compute the importance map once, at construction (roiSize must be fully given). */
  cacheRoiWeightMap?: boolean;
  /** Stitch on the CPU when the input has more spatial elements than this (and no device is set). */
  cpuThresh?: number | null;
  withCoord?: boolean;
}

const SWI_KEYS = [
  'roiSize', 'swBatchSize', 'overlap', 'mode', 'sigmaScale', 'paddingMode', 'cval', 'swDevice', 'device', 'progress', 'cacheRoiWeightMap', 'cpuThresh', 'withCoord',
] as const;

/** Sliding-window inference with fixed options (see slidingWindowInference). */
export class SlidingWindowInferer extends Inferer {
  readonly roiSize: number | (number | null)[];
  readonly swBatchSize: number;
  readonly overlap: number | number[];
  readonly mode: BlendMode;
  readonly sigmaScale: number | number[];
  readonly paddingMode: PaddingMode;
  readonly cval: number;
  readonly swDevice: string | null;
  readonly device: string | null;
  readonly progress: boolean;
  readonly cpuThresh: number | null;
  readonly withCoord: boolean;
  /** The cached importance map (cacheRoiWeightMap), or null. */
  readonly roiWeightMap: Tensor | null = null;

  constructor(options: SlidingWindowInfererOptions) {
    super();
    checkOptions('SlidingWindowInferer', options, SWI_KEYS, ['roiSize']);
    const o = options;
    this.roiSize = Array.isArray(o.roiSize) ? [...o.roiSize] : o.roiSize;
    this.swBatchSize = o.swBatchSize ?? 1;
    if (!Number.isInteger(this.swBatchSize) || this.swBatchSize < 1) throw new RangeError(`SlidingWindowInferer: swBatchSize must be a positive integer, found ${o.swBatchSize}`);
    this.overlap = o.overlap ?? 0.25;
    this.mode = checkChoice('SlidingWindowInferer', 'mode', o.mode ?? 'constant', BLEND_MODES);
    this.sigmaScale = o.sigmaScale ?? 0.125;
    this.paddingMode = checkChoice('SlidingWindowInferer', 'paddingMode', o.paddingMode ?? 'constant', PADDING_MODES);
    this.cval = o.cval ?? 0;
    this.swDevice = o.swDevice ?? null;
    this.device = o.device ?? null;
    this.progress = o.progress ?? false;
    this.cpuThresh = o.cpuThresh ?? null;
    this.withCoord = o.withCoord ?? false;
    if (o.cacheRoiWeightMap) {
      const r = this.roiSize;
      if (Array.isArray(r) && r.every((v) => v !== null && v > 0)) {
        this.roiWeightMap = torch.keep(computeImportanceMap(r as number[], { mode: this.mode, sigmaScale: this.sigmaScale, device: this.device ?? 'cpu' }));
      } else process.emitWarning('SlidingWindowInferer: cacheRoiWeightMap=true, but the cache is not created (roiSize is not a fully given array).', { type: 'UserWarning' });
    }
  }

  /** Runs slidingWindowInference on inputs [B, C, *spatial]; extra args go to the network after the window data. */
  call(inputs: Tensor, network: Predictor, ...args: unknown[]): NetworkOutput {
    let device = this.device;
    if (device === null && this.cpuThresh !== null && inputs.shape.slice(2).reduce((a, b) => a * b, 1) > this.cpuThresh) device = 'cpu';
    return slidingWindowInference(inputs, this.roiSize, this.swBatchSize, network, {
      overlap: this.overlap, mode: this.mode, sigmaScale: this.sigmaScale, paddingMode: this.paddingMode, cval: this.cval, swDevice: this.swDevice, device,
      progress: this.progress, roiWeightMap: this.roiWeightMap, withCoord: this.withCoord, predictorArgs: args,
    });
  }

  /** Frees the cached importance map. */
  dispose(): void {
    this.roiWeightMap?.dispose();
  }
}

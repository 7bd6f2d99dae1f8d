// Image-processing kernels with no ATen operator, run natively (native/imgproc.cc): the exact
// Euclidean and chamfer distance transforms and connected-component labelling. Reached as torch.ops.*.
import { native } from './native.js';
import { Tensor } from './tensor.js';
import { checkOptions, checkChoice } from './options.js';

export interface DistanceTransformEdtOptions {
  /** Voxel spacing along each spatial dimension (one number for all). Default 1. */
  sampling?: number | number[];
  /** Trailing dimensions that are spatial; leading ones are independent slices. Default: all. */
  spatialDims?: number;
  /** Return the distances (default true). */
  returnDistances?: boolean;
  /** Return the coordinates of the nearest zero voxel (default false). */
  returnIndices?: boolean;
}

export interface DistanceTransformEdtResult {
  /** float64, the input's shape: distance from each voxel to the nearest zero voxel (0 on zeros). */
  distances: Tensor | null;
  /** int64, shape [...leading, spatialDims, ...spatial]: coordinates of that nearest zero voxel. */
  indices: Tensor | null;
}

const EDT_KEYS = ['sampling', 'spatialDims', 'returnDistances', 'returnIndices'] as const;

/** `v` when it is a number (or undefined/null); a TypeError naming the option otherwise. */
function numberOption(owner: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new TypeError(`${owner}: ${name} must be a number, found ${typeof v} ${JSON.stringify(v)}`);
  return v;
}

function samplingOption(v: unknown): number | number[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new TypeError(`distanceTransformEdt: sampling must be a number or an array of numbers, found ${JSON.stringify(v)}`);
}

/**
 * Exact Euclidean distance transform, as scipy.ndimage.distance_transform_edt: for each nonzero voxel
 * the distance (in `sampling` units) to the nearest zero voxel, computed in float64 by separable
 * lower envelopes of parabolas. A slice without any zero voxel gets scipy's result for that case
 * (distances to the point (-1, 0, ..., 0)). Inputs on another device are computed on the CPU and the
 * results returned on the input's device.
 */
export function distanceTransformEdt(input: Tensor, options: DistanceTransformEdtOptions = {}): DistanceTransformEdtResult {
  checkOptions('distanceTransformEdt', options, EDT_KEYS);
  const [d, i] = native.distanceTransformEdt(
    input.handle,
    numberOption('distanceTransformEdt', 'spatialDims', options.spatialDims),
    samplingOption(options.sampling),
    options.returnDistances ?? true,
    options.returnIndices ?? false,
  );
  return { distances: d === null ? null : new Tensor(d), indices: i === null ? null : new Tensor(i) };
}

export interface ConnectedComponentsOptions {
  /** Neighbours counted as connected: at most this many coordinates differ by one (1 .. spatialDims). Default: spatialDims (full). */
  connectivity?: number;
  /** Trailing dimensions that are spatial (1 to 3); leading ones are labelled independently. Default: all. */
  spatialDims?: number;
  /** Value treated as background (default 0). */
  background?: number;
}

export interface ConnectedComponentsResult {
  /** int64, the input's shape: 0 for background, components numbered from 1 per slice. */
  labels: Tensor;
  /** Number of components in each slice (one entry when there are no leading dimensions). */
  counts: number[];
}

const CC_KEYS = ['connectivity', 'spatialDims', 'background'] as const;

/**
 * Connected-component labelling as skimage.measure.label: neighbouring voxels with the same
 * non-background value form one component; components are numbered 1, 2, ... in raster order of
 * their first voxel.
 */
export function connectedComponents(input: Tensor, options: ConnectedComponentsOptions = {}): ConnectedComponentsResult {
  checkOptions('connectedComponents', options, CC_KEYS);
  const own = 'connectedComponents';
  const [h, counts] = native.connectedComponents(input.handle, numberOption(own, 'connectivity', options.connectivity), numberOption(own, 'spatialDims', options.spatialDims), numberOption(own, 'background', options.background) ?? 0);
  return { labels: new Tensor(h), counts };
}

export interface DistanceTransformCdtOptions {
  /** 'chessboard' (default: every neighbour one step away) or 'taxicab' (face neighbours only). */
  metric?: 'chessboard' | 'taxicab';
  /** Trailing dimensions that are spatial (1 to 3); leading ones are independent slices. Default: all. */
  spatialDims?: number;
}

const CDT_KEYS = ['metric', 'spatialDims'] as const;

/**
 * Chamfer distance transform as scipy.ndimage.distance_transform_cdt with the 'chessboard' or
 * 'taxicab' metric: for each nonzero voxel the number of steps to the nearest zero voxel (int32);
 * -1 everywhere in a slice without any zero voxel, as scipy gives.
 */
export function distanceTransformCdt(input: Tensor, options: DistanceTransformCdtOptions = {}): Tensor {
  checkOptions('distanceTransformCdt', options, CDT_KEYS);
  const metric = checkChoice('distanceTransformCdt', 'metric', options.metric ?? 'chessboard', ['chessboard', 'taxicab']);
  return new Tensor(native.distanceTransformCdt(input.handle, metric === 'taxicab' ? 1 : null, numberOption('distanceTransformCdt', 'spatialDims', options.spatialDims)));
}

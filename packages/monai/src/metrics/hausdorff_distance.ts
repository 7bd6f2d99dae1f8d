// Hausdorff distance (MONAI monai/metrics/hausdorff_distance.py): the largest (or a percentile of)
// the distances between the edges of prediction and label, per sample and class.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { CumulativeIterationMetric, type MetricCallOptions } from './metric.js';
import { aggregateReduced } from './meaniou.js';
import {
  DISTANCE_METRICS, type DistanceMetric, type MetricReduction, MetricWarner, type Spacing, checkReduction, getEdgeSurfaceDistance, getSurfaceDistance,
  ignoreBackground, prepareSpacing,
} from './utils.js';

/**
 * Runs `fn` for each (batch item, class) of one-hot yPred and y [B, C, ...] as float masks (after
 * dropping the background unless includeBackground) and collects the numbers into a float32 [B, C'].
 */
export function perSampleClass(
  owner: string,
  yPred: Tensor,
  y: Tensor,
  includeBackground: boolean,
  spacing: Spacing | undefined,
  fn: (p: Tensor, t: Tensor, spacing: number | number[] | null, classIndex: number) => number,
): Tensor {
  return torch.tidy(() => {
    let [p, t] = [yPred, y];
    if (!includeBackground) [p, t] = ignoreBackground(p, t);
    if (t.shape.join() !== p.shape.join()) throw new RangeError(`${owner}: yPred and y should have the same shape, found [${p.shape}] and [${t.shape}]`);
    const [b, c] = p.shape;
    const spacings = prepareSpacing(spacing, b, p.dim() - 2);
    const out = new Float32Array(b * c);
    for (let i = 0; i < b; i++)
      for (let k = 0; k < c; k++) out[i * c + k] = torch.tidy(() => fn(p.select(0, i).select(0, k), t.select(0, i).select(0, k), spacings[i], k));
    return torch.fromTypedArray(out, [b, c]).to(yPred.device);
  });
}

/** The distances' maximum, or their `percentile` (linear interpolation as torch.quantile); NaN when there are none. */
function percentileDistance(d: Tensor, percentile: number | null): number {
  if (d.numel() === 0) return Number.NaN;
  if (!percentile) return d.max().item() as number;
  return torch.quantile(d, percentile / 100).item() as number;
}

function checkPercentile(owner: string, percentile: number | null): void {
  if (percentile !== null && !(percentile >= 0 && percentile <= 100)) throw new RangeError(`${owner}: percentile should be a value between 0 and 100, found ${percentile}`);
}

export interface ComputeHausdorffDistanceOptions {
  /** Keep channel 0. Default false. */
  includeBackground?: boolean;
  distanceMetric?: DistanceMetric;
  /** Report this percentile of the distances instead of their maximum (0-100). Default null. */
  percentile?: number | null;
  /** Only the distances from the prediction's edges to the label's. Default false. */
  directed?: boolean;
  /** Voxel spacing (euclidean metric): a number, one per spatial dimension, or one such entry per batch item. */
  spacing?: Spacing;
  /** Where empty-mask warnings go (default: process.emitWarning). */
  warn?: (msg: string) => void;
}

const HD_FN_KEYS = ['includeBackground', 'distanceMetric', 'percentile', 'directed', 'spacing', 'warn'] as const;

/** Hausdorff distance per sample and class [B, C'] (float32) of one-hot yPred and y [B, C, ...] (MONAI's compute_hausdorff_distance). */
export function computeHausdorffDistance(yPred: Tensor, y: Tensor, options: ComputeHausdorffDistanceOptions = {}, owner = 'computeHausdorffDistance'): Tensor {
  checkOptions(owner, options, HD_FN_KEYS);
  const distanceMetric = checkChoice(owner, 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
  const percentile = options.percentile ?? null;
  checkPercentile(owner, percentile);
  const symmetric = !(options.directed ?? false);
  return perSampleClass(owner, yPred, y, options.includeBackground ?? false, options.spacing, (p, t, spacing, k) => {
    const { distances } = getEdgeSurfaceDistance(p, t, { distanceMetric, spacing, symmetric, classIndex: k, warn: options.warn });
    const values = distances.map((d) => percentileDistance(d, percentile));
    return values.some(Number.isNaN) ? Number.NaN : Math.max(...values);
  });
}

export interface HausdorffDistanceMetricOptions {
  /** Keep channel 0. Default false. */
  includeBackground?: boolean;
  distanceMetric?: DistanceMetric;
  /** Report this percentile of the distances instead of their maximum (0-100). Default null. */
  percentile?: number | null;
  /** Only the distances from the prediction's edges to the label's. Default false. */
  directed?: boolean;
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
}

const HD_KEYS = ['includeBackground', 'distanceMetric', 'percentile', 'directed', 'reduction', 'getNotNans'] as const;

/**
 * Hausdorff distance between one-hot predictions and labels [B, C, ...] (MONAI's HausdorffDistanceMetric).
 * `call(yPred, y, { spacing })` returns and buffers [B, C'].
 */
export class HausdorffDistanceMetric extends CumulativeIterationMetric {
  readonly includeBackground: boolean;
  readonly distanceMetric: DistanceMetric;
  readonly percentile: number | null;
  readonly directed: boolean;
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;
  private readonly warner = new MetricWarner();

  constructor(options: HausdorffDistanceMetricOptions = {}) {
    super();
    checkOptions('HausdorffDistanceMetric', options, HD_KEYS);
    this.includeBackground = options.includeBackground ?? false;
    this.distanceMetric = checkChoice('HausdorffDistanceMetric', 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
    this.percentile = options.percentile ?? null;
    checkPercentile('HausdorffDistanceMetric', this.percentile);
    this.directed = options.directed ?? false;
    this.reduction = checkReduction('HausdorffDistanceMetric', options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null, options: MetricCallOptions): Tensor {
    if (y === null) throw new TypeError('HausdorffDistanceMetric: y (the labels) is required');
    if (yPred.dim() < 3) throw new RangeError(`HausdorffDistanceMetric: yPred should have at least 3 dimensions, found ${yPred.dim()}`);
    return computeHausdorffDistance(yPred, y, {
      includeBackground: this.includeBackground, distanceMetric: this.distanceMetric, percentile: this.percentile, directed: this.directed,
      spacing: options.spacing, warn: (m) => this.warner.warn(m),
    }, 'HausdorffDistanceMetric');
  }

  /** Reduces the buffered values (by `reduction`, default the constructor's); with getNotNans, [values, notNans]. */
  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] {
    return aggregateReduced(this.bufferTensor(), checkReduction('HausdorffDistanceMetric.aggregate', reduction ?? this.reduction), this.getNotNans);
  }
}

export interface ComputePercentHausdorffDistanceOptions {
  distanceMetric?: DistanceMetric;
  /** Report this percentile of the distances instead of their maximum (0-100). Default null. */
  percentile?: number | null;
  /** Voxel spacing for the euclidean metric: one number, or one per axis. Default 1. */
  spacing?: number | number[] | null;
}

/**
 * MONAI's compute_percent_hausdorff_distance: the directed distance from the edge mask `edgesPred` to
 * `edgesGt` (largest, or the `percentile` of the distances), NaN when `edgesPred` has no true voxel.
 */
export function computePercentHausdorffDistance(edgesPred: Tensor, edgesGt: Tensor, options: ComputePercentHausdorffDistanceOptions = {}): number {
  const owner = 'computePercentHausdorffDistance';
  checkOptions(owner, options, ['distanceMetric', 'percentile', 'spacing']);
  const distanceMetric = checkChoice(owner, 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
  const percentile = options.percentile ?? null;
  checkPercentile(owner, percentile);
  if (edgesPred.shape.join() !== edgesGt.shape.join()) throw new RangeError(`${owner}: edgesPred and edgesGt should have the same shape, found [${edgesPred.shape}] and [${edgesGt.shape}]`);
  return torch.tidy(() => percentileDistance(getSurfaceDistance(edgesPred, edgesGt, { distanceMetric, spacing: options.spacing ?? null }), percentile));
}

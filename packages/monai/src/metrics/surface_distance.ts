// Average surface distance (MONAI monai/metrics/surface_distance.py): the mean distance from the
// prediction's edges to the label's (and back, when symmetric), per sample and class.
import type { Tensor } from '@monai-ts/torch';
import * as torch from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { CumulativeIterationMetric, type MetricCallOptions } from './metric.js';
import { aggregateReduced } from './meaniou.js';
import { perSampleClass } from './hausdorff_distance.js';
import { DISTANCE_METRICS, type DistanceMetric, type MetricReduction, MetricWarner, type Spacing, checkReduction, getEdgeSurfaceDistance } from './utils.js';

export interface ComputeAverageSurfaceDistanceOptions {
  /** Keep channel 0. Default false. */
  includeBackground?: boolean;
  /** Average the distances of both directions together. Default false. */
  symmetric?: boolean;
  distanceMetric?: DistanceMetric;
  /** Voxel spacing (euclidean metric): a number, one per spatial dimension, or one such entry per batch item. */
  spacing?: Spacing;
  /** Where empty-mask warnings go (default: process.emitWarning). */
  warn?: (msg: string) => void;
}

const ASD_FN_KEYS = ['includeBackground', 'symmetric', 'distanceMetric', 'spacing', 'warn'] as const;

/** Average surface distance per sample and class [B, C'] (float32) (MONAI's compute_average_surface_distance). */
export function computeAverageSurfaceDistance(yPred: Tensor, y: Tensor, options: ComputeAverageSurfaceDistanceOptions = {}, owner = 'computeAverageSurfaceDistance'): Tensor {
  checkOptions(owner, options, ASD_FN_KEYS);
  const distanceMetric = checkChoice(owner, 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
  const symmetric = options.symmetric ?? false;
  return perSampleClass(owner, yPred, y, options.includeBackground ?? false, options.spacing, (p, t, spacing, k) => {
    const { distances } = getEdgeSurfaceDistance(p, t, { distanceMetric, spacing, symmetric, classIndex: k, warn: options.warn });
    const all = torch.cat(distances);
    return all.numel() === 0 ? Number.NaN : (all.mean().item() as number);
  });
}

export interface SurfaceDistanceMetricOptions {
  /** Keep channel 0. Default false. */
  includeBackground?: boolean;
  /** Average the distances of both directions together. Default false. */
  symmetric?: boolean;
  distanceMetric?: DistanceMetric;
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
}

const SD_KEYS = ['includeBackground', 'symmetric', 'distanceMetric', 'reduction', 'getNotNans'] as const;

/** Average surface distance of one-hot predictions and labels (MONAI's SurfaceDistanceMetric); `call(yPred, y, { spacing })`. */
export class SurfaceDistanceMetric extends CumulativeIterationMetric {
  readonly includeBackground: boolean;
  readonly symmetric: boolean;
  readonly distanceMetric: DistanceMetric;
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;
  private readonly warner = new MetricWarner();

  constructor(options: SurfaceDistanceMetricOptions = {}) {
    super();
    checkOptions('SurfaceDistanceMetric', options, SD_KEYS);
    this.includeBackground = options.includeBackground ?? false;
    this.symmetric = options.symmetric ?? false;
    this.distanceMetric = checkChoice('SurfaceDistanceMetric', 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
    this.reduction = checkReduction('SurfaceDistanceMetric', options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null, options: MetricCallOptions): Tensor {
    if (y === null) throw new TypeError('SurfaceDistanceMetric: y (the labels) is required');
    if (yPred.dim() < 3) throw new RangeError(`SurfaceDistanceMetric: yPred should have at least 3 dimensions, found ${yPred.dim()}`);
    return computeAverageSurfaceDistance(yPred, y, {
      includeBackground: this.includeBackground, symmetric: this.symmetric, distanceMetric: this.distanceMetric, spacing: options.spacing,
      warn: (m) => this.warner.warn(m),
    }, 'SurfaceDistanceMetric');
  }

  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] {
    return aggregateReduced(this.bufferTensor(), checkReduction('SurfaceDistanceMetric.aggregate', reduction ?? this.reduction), this.getNotNans);
  }
}

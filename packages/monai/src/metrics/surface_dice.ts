// Normalised surface Dice (MONAI monai/metrics/surface_dice.py): the share of both boundaries that
// lies within a class's tolerance of the other boundary, optionally weighted by sub-voxel areas.
import type { Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { CumulativeIterationMetric, type MetricCallOptions } from './metric.js';
import { aggregateReduced } from './meaniou.js';
import { perSampleClass } from './hausdorff_distance.js';
import { DISTANCE_METRICS, type DistanceMetric, type MetricReduction, MetricWarner, type Spacing, checkReduction, getEdgeSurfaceDistance } from './utils.js';

export interface ComputeSurfaceDiceOptions {
  /** Keep channel 0. Default false. */
  includeBackground?: boolean;
  distanceMetric?: DistanceMetric;
  /** Voxel spacing (euclidean metric): a number, one per spatial dimension, or one such entry per batch item. */
  spacing?: Spacing;
  /** Weight boundary elements by their sub-voxel area (3D) or length (2D). Default false. */
  useSubvoxels?: boolean;
  /** Where empty-mask warnings go (default: process.emitWarning). */
  warn?: (msg: string) => void;
}

const NSD_FN_KEYS = ['includeBackground', 'distanceMetric', 'spacing', 'useSubvoxels', 'warn'] as const;

function checkThresholds(owner: string, t: number[]): void {
  if (!Array.isArray(t)) throw new TypeError(`${owner}: classThresholds must be a list of numbers, one per class`);
  if (t.some((v) => !Number.isFinite(v))) throw new RangeError(`${owner}: all classThresholds need to be finite, found [${t}]`);
  if (t.some((v) => v < 0)) throw new RangeError(`${owner}: all classThresholds need to be >= 0, found [${t}]`);
}

/** Normalised surface Dice per sample and class [B, C'] (float32) of one-hot yPred and y [B, C, H, W(, D)] (MONAI's compute_surface_dice). */
export function computeSurfaceDice(yPred: Tensor, y: Tensor, classThresholds: number[], options: ComputeSurfaceDiceOptions = {}, owner = 'computeSurfaceDice'): Tensor {
  checkOptions(owner, options, NSD_FN_KEYS);
  const distanceMetric = checkChoice(owner, 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
  if (![4, 5].includes(yPred.dim()) || ![4, 5].includes(y.dim())) throw new RangeError(`${owner}: yPred and y should be one-hot encoded: [B, C, H, W] or [B, C, H, W, D], found [${yPred.shape}] and [${y.shape}]`);
  if (yPred.shape.join() !== y.shape.join()) throw new RangeError(`${owner}: yPred and y should have the same shape, found [${yPred.shape}] and [${y.shape}]`);
  checkThresholds(owner, classThresholds);
  const includeBackground = options.includeBackground ?? false;
  const nClass = includeBackground || yPred.shape[1] === 1 ? yPred.shape[1] : yPred.shape[1] - 1;
  if (nClass !== classThresholds.length) throw new RangeError(`${owner}: the number of classes (${nClass}) does not match the number of classThresholds (${classThresholds.length})`);
  const useSubvoxels = options.useSubvoxels ?? false;
  return perSampleClass(owner, yPred, y, includeBackground, options.spacing, (p, t, spacing, k) => {
    const { edges, distances, areas } = getEdgeSurfaceDistance(p, t, { distanceMetric, spacing, useSubvoxels, symmetric: true, classIndex: k, warn: options.warn });
    const [dPredGt, dGtPred] = distances;
    const th = classThresholds[k];
    let complete: number;
    let correct: number;
    if (!useSubvoxels) {
      complete = dPredGt.numel() + dGtPred.numel();
      correct = Number(dPredGt.le(th).sum().item()) + Number(dGtPred.le(th).sum().item());
    } else {
      const aPred = areas[0].maskedSelect(edges[0]);
      const aGt = areas[1].maskedSelect(edges[1]);
      complete = Number(aGt.sum().item()) + Number(aPred.sum().item());
      const gtTrue = aGt.numel() > 0 ? Number(aGt.maskedSelect(dGtPred.le(th)).sum().item()) : 0;
      const predTrue = aPred.numel() > 0 ? Number(aPred.maskedSelect(dPredGt.le(th)).sum().item()) : 0;
      correct = gtTrue + predTrue;
    }
    return complete === 0 ? Number.NaN : correct / complete;
  });
}

export interface SurfaceDiceMetricOptions {
  /** Tolerance per class (after dropping the background unless includeBackground), in spacing units. Required. */
  classThresholds: number[];
  /** Keep channel 0. Default false. */
  includeBackground?: boolean;
  distanceMetric?: DistanceMetric;
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
  /** Weight boundary elements by their sub-voxel area (3D) or length (2D). Default false. */
  useSubvoxels?: boolean;
}

const NSD_KEYS = ['classThresholds', 'includeBackground', 'distanceMetric', 'reduction', 'getNotNans', 'useSubvoxels'] as const;

/** Normalised surface Dice (MONAI's SurfaceDiceMetric); `call(yPred, y, { spacing })` returns and buffers [B, C']. */
export class SurfaceDiceMetric extends CumulativeIterationMetric {
  readonly classThresholds: number[];
  readonly includeBackground: boolean;
  readonly distanceMetric: DistanceMetric;
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;
  readonly useSubvoxels: boolean;
  private readonly warner = new MetricWarner();

  constructor(options: SurfaceDiceMetricOptions) {
    super();
    checkOptions('SurfaceDiceMetric', options, NSD_KEYS, ['classThresholds']);
    checkThresholds('SurfaceDiceMetric', options.classThresholds);
    this.classThresholds = [...options.classThresholds];
    this.includeBackground = options.includeBackground ?? false;
    this.distanceMetric = checkChoice('SurfaceDiceMetric', 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
    this.reduction = checkReduction('SurfaceDiceMetric', options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
    this.useSubvoxels = options.useSubvoxels ?? false;
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null, options: MetricCallOptions): Tensor {
    if (y === null) throw new TypeError('SurfaceDiceMetric: y (the labels) is required');
    return computeSurfaceDice(yPred, y, this.classThresholds, {
      includeBackground: this.includeBackground, distanceMetric: this.distanceMetric, spacing: options.spacing, useSubvoxels: this.useSubvoxels,
      warn: (m) => this.warner.warn(m),
    }, 'SurfaceDiceMetric');
  }

  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] {
    return aggregateReduced(this.bufferTensor(), checkReduction('SurfaceDiceMetric.aggregate', reduction ?? this.reduction), this.getNotNans);
  }
}

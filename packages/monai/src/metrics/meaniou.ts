// Intersection over union per sample and class (MONAI monai/metrics/meaniou.py).
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { type MetricReduction, checkReduction, doMetricReduction, ignoreBackground } from './utils.js';

export interface MeanIoUOptions {
  /** Keep channel 0. Default true. */
  includeBackground?: boolean;
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
  /** A class with an empty label gives NaN (true) or 1 when the prediction is empty too, else 0 (false). Default true. */
  ignoreEmpty?: boolean;
}

const IOU_KEYS = ['includeBackground', 'reduction', 'getNotNans', 'ignoreEmpty'] as const;

/** Mean IoU of one-hot predictions and labels [B, C, ...] (MONAI's MeanIoU); `call` returns and buffers [B, C']. */
export class MeanIoU extends CumulativeIterationMetric {
  readonly includeBackground: boolean;
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;
  readonly ignoreEmpty: boolean;

  constructor(options: MeanIoUOptions = {}) {
    super();
    checkOptions('MeanIoU', options, IOU_KEYS);
    this.includeBackground = options.includeBackground ?? true;
    this.reduction = checkReduction('MeanIoU', options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
    this.ignoreEmpty = options.ignoreEmpty ?? true;
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor {
    if (y === null) throw new TypeError('MeanIoU: y (the labels) is required');
    if (yPred.dim() < 3) throw new RangeError(`MeanIoU: yPred should have at least 3 dimensions (batch, channel, spatial), found ${yPred.dim()}`);
    return computeIou(yPred, y, { includeBackground: this.includeBackground, ignoreEmpty: this.ignoreEmpty }, 'MeanIoU');
  }

  /** Reduces the buffered values (by `reduction`, default the constructor's); with getNotNans, [values, notNans]. */
  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] {
    return aggregateReduced(this.bufferTensor(), checkReduction('MeanIoU.aggregate', reduction ?? this.reduction), this.getNotNans);
  }
}

/** Reduces `data` (consumed) and returns the values, or [values, notNans]. */
export function aggregateReduced(data: Tensor, reduction: MetricReduction, getNotNans: boolean): Tensor | [Tensor, Tensor] {
  try {
    const [f, notNans] = doMetricReduction(data, reduction);
    if (getNotNans) return [f, notNans];
    notNans.dispose();
    return f;
  } finally {
    data.dispose();
  }
}

export interface ComputeIouOptions {
  includeBackground?: boolean;
  ignoreEmpty?: boolean;
}

/** IoU per sample and class [B, C'] of one-hot yPred and y (MONAI's compute_iou). */
export function computeIou(yPred: Tensor, y: Tensor, options: ComputeIouOptions = {}, owner = 'computeIou'): Tensor {
  checkOptions(owner, options, ['includeBackground', 'ignoreEmpty']);
  return torch.tidy(() => {
    let [p, t] = [yPred, y];
    if (!(options.includeBackground ?? true)) [p, t] = ignoreBackground(p, t);
    if (t.shape.join() !== p.shape.join()) throw new RangeError(`${owner}: yPred and y should have the same shape, found [${p.shape}] and [${t.shape}]`);
    const axes = p.shape.slice(2).map((_, i) => i + 2);
    const inter = t.mul(p).sum(axes);
    const yO = t.sum(axes);
    const union = yO.add(p.sum(axes)).sub(inter);
    const iou = inter.div(union);
    if (options.ignoreEmpty ?? true) return torch.where(yO.gt(0), iou, torch.tensor(Number.NaN, { device: yO.device }));
    return torch.where(union.gt(0), iou, torch.tensor(1.0, { device: yO.device }));
  });
}

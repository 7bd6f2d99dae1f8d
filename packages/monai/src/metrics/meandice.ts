// Dice score per sample and class (MONAI monai/metrics/meandice.py): DiceMetric accumulates it,
// computeDice and DiceHelper compute it once.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { type MetricReduction, checkReduction, doMetricReduction, tensorValues } from './utils.js';

export interface DiceHelperOptions {
  /** Keep class 0. Default: the value of `sigmoid`. */
  includeBackground?: boolean | null;
  /** Threshold the prediction at 0.5 (after a sigmoid when `activate`). Default false. */
  sigmoid?: boolean;
  /** Take the argmax over channels of the prediction. Default: not `sigmoid`. */
  softmax?: boolean | null;
  /** Apply the sigmoid before thresholding. Default false. */
  activate?: boolean;
  /** Return [values, notNans]. Default true. */
  getNotNans?: boolean;
  reduction?: MetricReduction;
  /** A class with an empty label gives NaN (true) or 1/0 by whether the prediction is empty too (false). Default true. */
  ignoreEmpty?: boolean;
  /** Number of classes; needed when the prediction is a label map [B, 1, ...]. Default: yPred's channels. */
  numClasses?: number | null;
}

const HELPER_KEYS = ['includeBackground', 'sigmoid', 'softmax', 'activate', 'getNotNans', 'reduction', 'ignoreEmpty', 'numClasses'] as const;

/**
 * Dice from predictions that may be logits, probabilities, one-hot or label maps (MONAI's DiceHelper).
 * `call(yPred, y)` with yPred [B, C, ...] or [B, 1, ...] and y [B, C, ...] or [B, 1, ...] (label map).
 */
export class DiceHelper {
  readonly sigmoid: boolean;
  readonly softmax: boolean;
  readonly includeBackground: boolean;
  readonly activate: boolean;
  readonly getNotNans: boolean;
  readonly reduction: MetricReduction;
  readonly ignoreEmpty: boolean;
  readonly numClasses: number | null;

  constructor(options: DiceHelperOptions = {}) {
    checkOptions('DiceHelper', options, HELPER_KEYS);
    this.sigmoid = options.sigmoid ?? false;
    this.reduction = checkReduction('DiceHelper', options.reduction ?? 'mean_batch');
    this.getNotNans = options.getNotNans ?? true;
    this.includeBackground = options.includeBackground ?? this.sigmoid;
    this.softmax = options.softmax ?? !this.sigmoid;
    this.activate = options.activate ?? false;
    this.ignoreEmpty = options.ignoreEmpty ?? true;
    this.numClasses = options.numClasses ?? null;
  }

  /** Per-sample, per-class Dice [B, C'] before any reduction. */
  scores(yPred: Tensor, y: Tensor, owner = 'DiceHelper'): Tensor {
    if (yPred.dim() < 3) throw new RangeError(`${owner}: yPred should have at least 3 dimensions (batch, channel, spatial), found ${yPred.dim()}`);
    if (y.dim() !== yPred.dim() || y.shape[0] !== yPred.shape[0] || y.shape.slice(2).join() !== yPred.shape.slice(2).join())
      throw new RangeError(`${owner}: y [${y.shape}] should match yPred [${yPred.shape}] in batch and spatial sizes`);
    return torch.tidy(() => {
      let softmax = this.softmax;
      let sigmoid = this.sigmoid;
      let nCh = yPred.shape[1];
      if (this.numClasses !== null) {
        nCh = this.numClasses;
        if (yPred.shape[1] === 1 && this.numClasses > 1) softmax = sigmoid = false;
      }
      let p = yPred;
      if (softmax) {
        if (nCh > 1) p = p.argmax(1, true);
      } else if (sigmoid) {
        if (this.activate) p = p.sigmoid();
        p = p.gt(0.5);
      }
      const first = this.includeBackground ? 0 : 1;
      const classes = nCh > 1 ? Array.from({ length: nCh - first }, (_, i) => first + i) : [1];
      const spatial = yPred.shape.slice(2).map(() => 1);
      const ids = torch.tensor(classes, { dtype: 'int64', device: yPred.device });
      const asLabels = ids.view([1, classes.length, ...spatial]);
      const predMask = p.shape[1] === 1 ? p.eq(asLabels) : p.indexSelect(1, ids).to('bool');
      const truth = y.shape[1] === 1 ? y.eq(asLabels) : y.indexSelect(1, ids);
      const axes = spatial.map((_, i) => i + 2);
      const t = truth.to('float64');
      const yO = t.sum(axes);
      const inter = torch.where(predMask, t, 0).sum(axes);
      const denom = yO.add(predMask.sum(axes));
      const empty = this.ignoreEmpty ? torch.full(yO.shape, Number.NaN, { dtype: 'float64' }) : torch.where(denom.le(0), 1, 0).to('float64');
      const dice = torch.where(yO.gt(0), inter.mul(2).div(denom), empty);
      // MONAI's result type: float64 only for one-hot float64 labels (label maps compare to bool)
      return dice.to(y.shape[1] !== 1 && y.dtype === 'float64' ? 'float64' : 'float32');
    });
  }

  /** The reduced Dice, with notNans when `getNotNans`. */
  call(yPred: Tensor, y: Tensor): Tensor | [Tensor, Tensor] {
    return torch.tidy(() => {
      const [f, notNans] = doMetricReduction(this.scores(yPred, y), this.reduction);
      return this.getNotNans ? ([f, notNans] as [Tensor, Tensor]) : f;
    });
  }
}

export interface DiceMetricOptions {
  /** Keep class 0. Default true. */
  includeBackground?: boolean;
  reduction?: MetricReduction;
  /** aggregate() returns [values, notNans]. Default false. */
  getNotNans?: boolean;
  /** A class with an empty label gives NaN (true) or 1/0 by whether the prediction is empty too (false). Default true. */
  ignoreEmpty?: boolean;
  /** Number of classes when yPred is a label map [B, 1, ...]. Default: yPred's channels. */
  numClasses?: number | null;
  /** With reduction 'mean_batch', aggregate() returns { label_i: value } (true) or the given names. Default false. */
  returnWithLabel?: boolean | string[];
}

const DICE_KEYS = ['includeBackground', 'reduction', 'getNotNans', 'ignoreEmpty', 'numClasses', 'returnWithLabel'] as const;

/**
 * Mean Dice between binarised predictions and labels (MONAI's DiceMetric). yPred and y are one-hot
 * [B, C, ...] or label maps [B, 1, ...] (with numClasses for yPred); `call` returns and buffers [B, C'].
 */
export class DiceMetric extends CumulativeIterationMetric {
  readonly includeBackground: boolean;
  readonly reduction: MetricReduction;
  readonly getNotNans: boolean;
  readonly ignoreEmpty: boolean;
  readonly numClasses: number | null;
  readonly returnWithLabel: boolean | string[];
  private readonly helper: DiceHelper;

  constructor(options: DiceMetricOptions = {}) {
    super();
    checkOptions('DiceMetric', options, DICE_KEYS);
    this.includeBackground = options.includeBackground ?? true;
    this.reduction = checkReduction('DiceMetric', options.reduction ?? 'mean');
    this.getNotNans = options.getNotNans ?? false;
    this.ignoreEmpty = options.ignoreEmpty ?? true;
    this.numClasses = options.numClasses ?? null;
    this.returnWithLabel = options.returnWithLabel ?? false;
    this.helper = new DiceHelper({
      includeBackground: this.includeBackground, reduction: 'none', getNotNans: false, softmax: false, ignoreEmpty: this.ignoreEmpty, numClasses: this.numClasses,
    });
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor {
    if (y === null) throw new TypeError('DiceMetric: y (the labels) is required');
    return this.helper.scores(yPred, y, 'DiceMetric');
  }

  /**
   * Reduces the buffered scores (by `reduction`, default the constructor's). With getNotNans, [values, notNans];
   * with returnWithLabel and reduction 'mean_batch', { label: value rounded to 4 decimals }.
   */
  aggregate(reduction?: MetricReduction | null): Tensor | [Tensor, Tensor] | Record<string, number> {
    const data = this.bufferTensor();
    try {
      const [f, notNans] = doMetricReduction(data, checkReduction('DiceMetric.aggregate', reduction ?? this.reduction));
      if (this.reduction === 'mean_batch' && this.returnWithLabel) {
        const values = tensorValues(f);
        torch.dispose([f, notNans]);
        const out: Record<string, number> = {};
        if (this.returnWithLabel === true) values.forEach((v, i) => (out[`label_${this.includeBackground ? i : i + 1}`] = round4(v)));
        else this.returnWithLabel.forEach((k, i) => i < values.length && (out[k] = round4(values[i])));
        return out;
      }
      if (this.getNotNans) return [f, notNans];
      notNans.dispose();
      return f;
    } finally {
      data.dispose();
    }
  }
}

function round4(v: number): number {
  return Number.isFinite(v) ? Number(v.toFixed(4)) : v;
}

export interface ComputeDiceOptions {
  includeBackground?: boolean;
  ignoreEmpty?: boolean;
  numClasses?: number | null;
}

/** Dice per sample and class [B, C'] (MONAI's compute_dice): yPred and y one-hot, or label maps [B, 1, ...]. */
export function computeDice(yPred: Tensor, y: Tensor, options: ComputeDiceOptions = {}): Tensor {
  checkOptions('computeDice', options, ['includeBackground', 'ignoreEmpty', 'numClasses']);
  return new DiceHelper({
    includeBackground: options.includeBackground ?? true, reduction: 'none', getNotNans: false, softmax: false,
    ignoreEmpty: options.ignoreEmpty ?? true, numClasses: options.numClasses ?? null,
  }).scores(yPred, y, 'computeDice');
}

// Generalized Dice score (MONAI monai/metrics/generalized_dice.py): Dice with classes weighted by
// the inverse (squared) label volume, summed over classes for the reductions that average them.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { CumulativeIterationMetric } from './metric.js';
import { type MetricReduction, checkReduction, doMetricReduction, ignoreBackground } from './utils.js';

export const WEIGHT_TYPES = ['square', 'simple', 'uniform'] as const;
/** MONAI's Weight values. */
export type WeightType = (typeof WEIGHT_TYPES)[number];

export interface ComputeGeneralizedDiceOptions {
  /** Keep channel 0. Default true. */
  includeBackground?: boolean;
  weightType?: WeightType;
  /** One score over all classes per sample ([B, 1]) instead of one per class. Default false. */
  sumOverClasses?: boolean;
}

/** Generalized Dice per sample [B, 1] or per sample and class [B, C'] of one-hot yPred and y (MONAI's compute_generalized_dice). */
export function computeGeneralizedDice(yPred: Tensor, y: Tensor, options: ComputeGeneralizedDiceOptions = {}, owner = 'computeGeneralizedDice'): Tensor {
  checkOptions(owner, options, ['includeBackground', 'weightType', 'sumOverClasses']);
  const weightType = checkChoice(owner, 'weightType', options.weightType ?? 'square', WEIGHT_TYPES);
  if (yPred.dim() < 3) throw new RangeError(`${owner}: yPred should have at least 3 dimensions (batch, channel, spatial), found ${yPred.dim()}`);
  if (y.shape.join() !== yPred.shape.join()) throw new RangeError(`${owner}: yPred [${yPred.shape}] and y [${y.shape}] should have the same shape`);
  return torch.tidy(() => {
    let [p, t] = [yPred, y];
    if (!(options.includeBackground ?? true)) [p, t] = ignoreBackground(p, t);
    const axes = p.shape.slice(2).map((_, i) => i + 2);
    const inter = t.mul(p).sum(axes);
    const yO = t.sum(axes);
    let pO = p.sum(axes);
    const denominator = yO.add(pO);
    const yf = yO.float();
    let w = weightType === 'simple' ? yf.reciprocal() : weightType === 'square' ? yf.mul(yf).reciprocal() : torch.onesLike(yf);
    // classes absent from the label get the largest finite weight of their sample
    const inf = w.isinf();
    const rowMax = w.maskedFill(inf, 0).amax(1, true);
    w = torch.where(inf, rowMax.expandAs(w), w);
    let numer: Tensor;
    let denom: Tensor;
    if (options.sumOverClasses ?? false) {
      numer = inter.mul(w).sum(1, true).mul(2.0);
      denom = denominator.mul(w).sum(1, true);
      pO = pO.sum(-1, true);
    } else {
      numer = inter.mul(w).mul(2.0);
      denom = denominator.mul(w);
    }
    const score = numer.div(denom);
    const zeros = denom.eq(0);
    return torch.where(zeros, torch.where(pO.eq(0), 1.0, 0.0).to(score.dtype), score);
  });
}

export interface GeneralizedDiceScoreOptions {
  /** Keep channel 0. Default true. */
  includeBackground?: boolean;
  /** Default 'mean_batch' (MONAI 1.4's default). 'mean', 'sum', 'mean_channel' and 'sum_channel' score all classes together. */
  reduction?: MetricReduction;
  weightType?: WeightType;
}

/** Generalized Dice score (MONAI's GeneralizedDiceScore); `call` returns and buffers [B, 1] or [B, C']. */
export class GeneralizedDiceScore extends CumulativeIterationMetric {
  readonly includeBackground: boolean;
  readonly reduction: MetricReduction;
  readonly weightType: WeightType;
  readonly sumOverClasses: boolean;

  constructor(options: GeneralizedDiceScoreOptions = {}) {
    super();
    checkOptions('GeneralizedDiceScore', options, ['includeBackground', 'reduction', 'weightType']);
    this.includeBackground = options.includeBackground ?? true;
    this.reduction = checkReduction('GeneralizedDiceScore', options.reduction ?? 'mean_batch');
    this.weightType = checkChoice('GeneralizedDiceScore', 'weightType', options.weightType ?? 'square', WEIGHT_TYPES);
    this.sumOverClasses = ['sum', 'mean', 'mean_channel', 'sum_channel'].includes(this.reduction);
  }

  protected computeTensor(yPred: Tensor, y: Tensor | null): Tensor {
    if (y === null) throw new TypeError('GeneralizedDiceScore: y (the labels) is required');
    return computeGeneralizedDice(yPred, y, { includeBackground: this.includeBackground, weightType: this.weightType, sumOverClasses: this.sumOverClasses }, 'GeneralizedDiceScore');
  }

  /** The buffered scores reduced by the constructor's reduction. */
  aggregate(): Tensor {
    const data = this.bufferTensor();
    try {
      const [f, notNans] = doMetricReduction(data, this.reduction);
      notNans.dispose();
      return f;
    } finally {
      data.dispose();
    }
  }
}

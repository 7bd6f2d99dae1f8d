// TverskyLoss (MONAI monai/losses/tversky.py; Salehi et al. 2017): 1 - TP / (TP + alpha FP + beta FN),
// a Dice generalisation that weighs false positives and false negatives separately.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { type LossReduction, Warner, checkActivation, checkReduction, prepareInputTarget, reduceAxes } from './loss_utils.js';

export interface TverskyLossOptions {
  includeBackground?: boolean;
  toOnehotY?: boolean;
  sigmoid?: boolean;
  softmax?: boolean;
  otherAct?: ((x: Tensor) => Tensor) | null;
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
  reduction?: LossReduction;
  smoothNr?: number;
  smoothDr?: number;
  batch?: boolean;
}

export class TverskyLoss extends nn.Module {
  readonly includeBackground: boolean;
  readonly toOnehotY: boolean;
  readonly sigmoid: boolean;
  readonly softmax: boolean;
  readonly otherAct: ((x: Tensor) => Tensor) | null;
  readonly alpha: number;
  readonly beta: number;
  readonly reduction: LossReduction;
  readonly smoothNr: number;
  readonly smoothDr: number;
  readonly batch: boolean;
  private readonly warner = new Warner('TverskyLoss');

  constructor(options: TverskyLossOptions = {}) {
    super();
    checkOptions('TverskyLoss', options, ['includeBackground', 'toOnehotY', 'sigmoid', 'softmax', 'otherAct', 'alpha', 'beta', 'reduction', 'smoothNr', 'smoothDr', 'batch']);
    checkActivation('TverskyLoss', options);
    this.reduction = checkReduction('TverskyLoss', options.reduction);
    this.includeBackground = options.includeBackground ?? true;
    this.toOnehotY = options.toOnehotY ?? false;
    this.sigmoid = options.sigmoid ?? false;
    this.softmax = options.softmax ?? false;
    this.otherAct = options.otherAct ?? null;
    this.alpha = options.alpha ?? 0.5;
    this.beta = options.beta ?? 0.5;
    this.smoothNr = options.smoothNr ?? 1e-5;
    this.smoothDr = options.smoothDr ?? 1e-5;
    this.batch = options.batch ?? false;
  }

  /** Returns a scalar for 'mean' and 'sum'; for 'none' the per-item, per-class losses [B, C] (or [C] with batch=true), as MONAI. */
  forward(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => {
      const [p0, g0] = prepareInputTarget('TverskyLoss', this.warner, input, target, this);
      const p1 = p0.neg().add(1);
      const g1 = g0.neg().add(1);
      const axes = reduceAxes(p0.dim(), this.batch);
      const tp = p0.mul(g0).sum(axes);
      const fp = p0.mul(g1).sum(axes).mul(this.alpha);
      const fn = p1.mul(g0).sum(axes).mul(this.beta);
      const score = tp.add(this.smoothNr).div(tp.add(fp).add(fn).add(this.smoothDr)).neg().add(1);
      if (this.reduction === 'sum') return score.sum();
      if (this.reduction === 'none') return score;
      return score.mean();
    });
  }
}

// FocalLoss (MONAI monai/losses/focal_loss.py; Lin et al. 2017): cross entropy down-weighted by
// (1 - p_t)^gamma, on logits through a sigmoid (per channel) or a softmax (over channels).
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { type ClassWeight, type LossReduction, Warner, checkReduction, classWeightFor, prepareInputTarget, weightTensor } from './loss_utils.js';

export interface FocalLossOptions {
  includeBackground?: boolean;
  toOnehotY?: boolean;
  /** Exponent of (1 - p_t). Default 2. */
  gamma?: number;
  /** Balance between classes, in [0, 1]: alpha for positives, 1 - alpha for negatives (background with softmax). */
  alpha?: number | null;
  weight?: ClassWeight | null;
  reduction?: LossReduction;
  /** Softmax over channels instead of a sigmoid per channel. Default false. */
  useSoftmax?: boolean;
}

export const FOCAL_KEYS = ['includeBackground', 'toOnehotY', 'gamma', 'alpha', 'weight', 'reduction', 'useSoftmax'] as const;

/** -(1 - p)^gamma log(p) t, with p from a softmax over channels. */
export function softmaxFocalLoss(input: Tensor, target: Tensor, gamma = 2.0, alpha: number | null = null): Tensor {
  return torch.tidy(() => {
    const logp = input.logSoftmax(1);
    let loss = logp.exp().neg().add(1).pow(gamma).neg().mul(logp).mul(target);
    if (alpha !== null) {
      const fac = torch.tensor([1 - alpha, ...Array(target.shape[1] - 1).fill(alpha)], { dtype: loss.dtype, device: loss.device });
      loss = fac.view([-1, ...Array(target.dim() - 2).fill(1)]).mul(loss);
    }
    return loss;
  });
}

/** Binary focal loss per element, with p = sigmoid(input), computed from log-sigmoids for stability. */
export function sigmoidFocalLoss(input: Tensor, target: Tensor, gamma = 2.0, alpha: number | null = null): Tensor {
  return torch.tidy(() => {
    const F = torch.nn.functional;
    let loss = input.sub(input.mul(target)).sub(F.logsigmoid(input));
    const invprobs = F.logsigmoid(input.neg().mul(target.mul(2).sub(1)));
    loss = invprobs.mul(gamma).exp().mul(loss);
    if (alpha !== null) loss = target.mul(alpha).add(target.neg().add(1).mul(1 - alpha)).mul(loss);
    return loss;
  });
}

export class FocalLoss extends nn.Module {
  readonly includeBackground: boolean;
  readonly toOnehotY: boolean;
  readonly gamma: number;
  alpha: number | null;
  readonly reduction: LossReduction;
  readonly useSoftmax: boolean;
  declare class_weight: Tensor | null;
  private readonly warner = new Warner('FocalLoss');

  constructor(options: FocalLossOptions = {}) {
    super();
    checkOptions('FocalLoss', options, FOCAL_KEYS);
    this.reduction = checkReduction('FocalLoss', options.reduction);
    this.includeBackground = options.includeBackground ?? true;
    this.toOnehotY = options.toOnehotY ?? false;
    this.gamma = options.gamma ?? 2.0;
    this.alpha = options.alpha ?? null;
    if (this.alpha !== null && !(this.alpha >= 0 && this.alpha <= 1)) throw new RangeError(`FocalLoss: alpha should be in [0, 1], found ${this.alpha}`);
    this.useSoftmax = options.useSoftmax ?? false;
    this.registerBuffer('class_weight', weightTensor('FocalLoss', options.weight));
  }

  /** input: logits [B, C, ...]; target [B, C, ...] or [B, 1, ...] with toOnehotY. */
  forward(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => {
      let [x, y] = prepareInputTarget('FocalLoss', this.warner, input, target, { toOnehotY: this.toOnehotY, includeBackground: this.includeBackground });
      x = x.to({ dtype: 'float32' });
      y = y.to({ dtype: 'float32' });
      let loss: Tensor;
      if (this.useSoftmax) {
        if (!this.includeBackground && this.alpha !== null) {
          // as MONAI: alpha weighs the background against the rest, so it is dropped (for good) without one
          this.alpha = null;
          this.warner.warn('`includeBackground=false`, `alpha` ignored when using softmax.');
        }
        loss = softmaxFocalLoss(x, y, this.gamma, this.alpha);
      } else {
        loss = sigmoidFocalLoss(x, y, this.gamma, this.alpha);
      }
      const nClasses = y.shape[1];
      if (this.class_weight !== null && nClasses !== 1) {
        const cw = classWeightFor('FocalLoss', this.class_weight, nClasses, loss);
        loss = cw.view([-1, ...Array(y.dim() - 2).fill(1)]).mul(loss);
      }
      if (this.reduction === 'sum') {
        // mean over space, then sum over batch and classes (an empty dim list means all dims, as in ATen)
        return loss.mean(Array.from({ length: y.dim() - 2 }, (_, i) => i + 2)).sum();
      }
      if (this.reduction === 'mean') return loss.mean();
      return loss;
    });
  }
}

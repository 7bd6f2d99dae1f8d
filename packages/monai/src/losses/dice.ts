// DiceLoss and MaskedDiceLoss (MONAI monai/losses/dice.py): soft Dice (or Jaccard) per batch item
// and class, from probabilities or from logits through sigmoid / softmax / otherAct.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import {
  type ClassWeight, type LossReduction, Warner, checkActivation, checkReduction, classWeightFor, prepareInputTarget,
  reduceAxes, reduceDiceLike, weightTensor,
} from './loss_utils.js';
import { MaskedLoss } from './spatial_mask.js';

export interface DiceLossOptions {
  /** Keep channel 0 (background) in the loss. Default true. */
  includeBackground?: boolean;
  /** Turn a label-index target [B, 1, ...] into one-hot with input.shape[1] classes. Default false. */
  toOnehotY?: boolean;
  sigmoid?: boolean;
  softmax?: boolean;
  /** Another activation applied to the input, e.g. (x) => x.tanh(). */
  otherAct?: ((x: Tensor) => Tensor) | null;
  /** Squared prediction and target in the denominator. Default false. */
  squaredPred?: boolean;
  /** Soft Jaccard (IoU) instead of Dice. Default false. */
  jaccard?: boolean;
  reduction?: LossReduction;
  smoothNr?: number;
  smoothDr?: number;
  /** Sum intersection and union over the batch before dividing. Default false. */
  batch?: boolean;
  /** Per-class weights (one number for all classes, or one per class after includeBackground). */
  weight?: ClassWeight | null;
}

export const DICE_KEYS = [
  'includeBackground', 'toOnehotY', 'sigmoid', 'softmax', 'otherAct', 'squaredPred', 'jaccard', 'reduction', 'smoothNr', 'smoothDr', 'batch', 'weight',
] as const;

export class DiceLoss extends nn.Module {
  readonly includeBackground: boolean;
  readonly toOnehotY: boolean;
  readonly sigmoid: boolean;
  readonly softmax: boolean;
  readonly otherAct: ((x: Tensor) => Tensor) | null;
  readonly squaredPred: boolean;
  readonly jaccard: boolean;
  readonly reduction: LossReduction;
  readonly smoothNr: number;
  readonly smoothDr: number;
  readonly batch: boolean;
  declare class_weight: Tensor | null;
  protected readonly warner: Warner;

  constructor(options: DiceLossOptions = {}) {
    super();
    const name = new.target.name;
    checkOptions(name, options, DICE_KEYS);
    checkActivation(name, options);
    this.reduction = checkReduction(name, options.reduction);
    this.includeBackground = options.includeBackground ?? true;
    this.toOnehotY = options.toOnehotY ?? false;
    this.sigmoid = options.sigmoid ?? false;
    this.softmax = options.softmax ?? false;
    this.otherAct = options.otherAct ?? null;
    this.squaredPred = options.squaredPred ?? false;
    this.jaccard = options.jaccard ?? false;
    this.smoothNr = options.smoothNr ?? 1e-5;
    this.smoothDr = options.smoothDr ?? 1e-5;
    this.batch = options.batch ?? false;
    this.registerBuffer('class_weight', weightTensor(name, options.weight));
    this.warner = new Warner(name);
  }

  /** input [B, C, ...] (probabilities, or logits with an activation set); target [B, C, ...] or [B, 1, ...] with toOnehotY. */
  forward(input: Tensor, target: Tensor): Tensor {
    return this.diceForward(input, target);
  }

  protected diceForward(input: Tensor, target: Tensor): Tensor {
    const name = this.constructor.name;
    return torch.tidy(() => {
      const [x, y] = prepareInputTarget(name, this.warner, input, target, this);
      const axes = reduceAxes(x.dim(), this.batch);
      const inter = y.mul(x).sum(axes);
      const ground = this.squaredPred ? y.pow(2).sum(axes) : y.sum(axes);
      const pred = this.squaredPred ? x.pow(2).sum(axes) : x.sum(axes);
      let denom = ground.add(pred);
      if (this.jaccard) denom = denom.sub(inter).mul(2);
      let f = inter.mul(2).add(this.smoothNr).div(denom.add(this.smoothDr)).neg().add(1);
      const nClasses = y.shape[1];
      if (this.class_weight !== null && nClasses !== 1) f = f.mul(classWeightFor(name, this.class_weight, nClasses, f));
      return reduceDiceLike(f, this.reduction, x.dim());
    });
  }
}

/**
 * DiceLoss restricted to a region: input and target are multiplied by a binary mask [B or 1, 1, ...]
 * before the Dice computation, so only the masked region contributes (and gets gradients).
 */
export class MaskedDiceLoss extends DiceLoss {
  private readonly spatialWeighted: MaskedLoss;
  constructor(options: DiceLossOptions = {}) {
    super(options);
    this.spatialWeighted = new MaskedLoss((a: Tensor, b: Tensor) => this.diceForward(a, b), { owner: 'MaskedDiceLoss' });
  }
  override forward(input: Tensor, target: Tensor, mask: Tensor | null = null): Tensor {
    return this.spatialWeighted.forward(input, target, mask);
  }
}

// GeneralizedDiceLoss (MONAI monai/losses/dice.py; Sudre et al. 2017): Dice with per-class weights
// from the ground-truth volume (1/V^2, 1/V or uniform), summed over classes before dividing.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { type LossReduction, Warner, checkActivation, checkReduction, prepareInputTarget, reduceAxes, reduceDiceLike } from './loss_utils.js';

export type GeneralizedDiceWeight = 'square' | 'simple' | 'uniform';

export interface GeneralizedDiceLossOptions {
  includeBackground?: boolean;
  toOnehotY?: boolean;
  sigmoid?: boolean;
  softmax?: boolean;
  otherAct?: ((x: Tensor) => Tensor) | null;
  /** Class weight from the ground-truth volume V: 'square' 1/V^2 (default), 'simple' 1/V, 'uniform' 1. */
  wType?: GeneralizedDiceWeight;
  reduction?: LossReduction;
  smoothNr?: number;
  smoothDr?: number;
  /** Sum the weighted areas over the batch too. Default false. */
  batch?: boolean;
}

export const GDL_KEYS = ['includeBackground', 'toOnehotY', 'sigmoid', 'softmax', 'otherAct', 'wType', 'reduction', 'smoothNr', 'smoothDr', 'batch'] as const;

export class GeneralizedDiceLoss extends nn.Module {
  readonly includeBackground: boolean;
  readonly toOnehotY: boolean;
  readonly sigmoid: boolean;
  readonly softmax: boolean;
  readonly otherAct: ((x: Tensor) => Tensor) | null;
  readonly wType: GeneralizedDiceWeight;
  readonly reduction: LossReduction;
  readonly smoothNr: number;
  readonly smoothDr: number;
  readonly batch: boolean;
  private readonly warner = new Warner('GeneralizedDiceLoss');

  constructor(options: GeneralizedDiceLossOptions = {}) {
    super();
    const name = 'GeneralizedDiceLoss';
    checkOptions(name, options, GDL_KEYS);
    checkActivation(name, options);
    this.reduction = checkReduction(name, options.reduction);
    this.wType = checkChoice(name, 'wType', options.wType ?? 'square', ['square', 'simple', 'uniform'] as const);
    this.includeBackground = options.includeBackground ?? true;
    this.toOnehotY = options.toOnehotY ?? false;
    this.sigmoid = options.sigmoid ?? false;
    this.softmax = options.softmax ?? false;
    this.otherAct = options.otherAct ?? null;
    this.smoothNr = options.smoothNr ?? 1e-5;
    this.smoothDr = options.smoothDr ?? 1e-5;
    this.batch = options.batch ?? false;
  }

  private classWeights(ground: Tensor): Tensor {
    if (this.wType === 'simple') return ground.reciprocal();
    if (this.wType === 'square') return ground.mul(ground).reciprocal();
    return torch.onesLike(ground);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => {
      const [x, y] = prepareInputTarget('GeneralizedDiceLoss', this.warner, input, target, this);
      const axes = reduceAxes(x.dim(), this.batch);
      const inter = y.mul(x).sum(axes);
      const ground = y.sum(axes);
      const denom = ground.add(x.sum(axes));
      // classes absent from the ground truth have infinite weight: they take the largest finite
      // weight instead (over the item's classes, or over everything with batch=true)
      let w = this.classWeights(ground.to({ dtype: 'float32' }));
      const infs = torch.isinf(w);
      w = torch.where(infs, 0, w);
      const maxW = this.batch ? w.max() : w.max(1)[0].unsqueeze(1);
      w = w.add(infs.mul(maxW));
      const dim = this.batch ? 0 : 1;
      const numer = inter.mul(w).sum(dim, { keepdim: true }).mul(2).add(this.smoothNr);
      const den = denom.mul(w).sum(dim, { keepdim: true }).add(this.smoothDr);
      const f = numer.div(den).neg().add(1);
      return reduceDiceLike(f, this.reduction, x.dim());
    });
  }
}

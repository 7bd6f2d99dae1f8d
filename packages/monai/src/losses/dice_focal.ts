// DiceFocalLoss and GeneralizedDiceFocalLoss (MONAI monai/losses/dice.py): a (generalized) Dice loss
// plus a focal loss on the logits, weighted by lambdaDice / lambdaGdl and lambdaFocal.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { DiceLoss, type DiceLossOptions } from './dice.js';
import { checkCompoundShapes } from './dice_ce.js';
import { FocalLoss } from './focal_loss.js';
import { GeneralizedDiceLoss, type GeneralizedDiceLossOptions } from './generalized_dice.js';
import { type ClassWeight, Warner, checkNonNegative, oneHotLabels } from './loss_utils.js';

export interface DiceFocalLossOptions extends DiceLossOptions {
  /** Focal exponent. Default 2. */
  gamma?: number;
  lambdaDice?: number;
  lambdaFocal?: number;
  /** Alpha of the focal part, in [0, 1]. */
  alpha?: number | null;
}

export class DiceFocalLoss extends nn.Module {
  declare dice: DiceLoss;
  declare focal: FocalLoss;
  readonly lambdaDice: number;
  readonly lambdaFocal: number;
  readonly toOnehotY: boolean;
  private readonly warner = new Warner('DiceFocalLoss');

  constructor(options: DiceFocalLossOptions = {}) {
    super();
    const o = options;
    checkOptions('DiceFocalLoss', o, [
      'includeBackground', 'toOnehotY', 'sigmoid', 'softmax', 'otherAct', 'squaredPred', 'jaccard', 'reduction', 'smoothNr', 'smoothDr', 'batch',
      'gamma', 'weight', 'lambdaDice', 'lambdaFocal', 'alpha',
    ]);
    this.registerModule(
      'dice',
      new DiceLoss({
        includeBackground: o.includeBackground, toOnehotY: false, sigmoid: o.sigmoid, softmax: o.softmax, otherAct: o.otherAct, squaredPred: o.squaredPred,
        jaccard: o.jaccard, reduction: o.reduction, smoothNr: o.smoothNr, smoothDr: o.smoothDr, batch: o.batch, weight: o.weight,
      }),
    );
    this.registerModule('focal', new FocalLoss({ includeBackground: o.includeBackground, toOnehotY: false, gamma: o.gamma, weight: o.weight, alpha: o.alpha, reduction: o.reduction }));
    checkNonNegative('DiceFocalLoss', 'lambdaDice', o.lambdaDice ?? 1);
    checkNonNegative('DiceFocalLoss', 'lambdaFocal', o.lambdaFocal ?? 1);
    this.lambdaDice = o.lambdaDice ?? 1;
    this.lambdaFocal = o.lambdaFocal ?? 1;
    this.toOnehotY = o.toOnehotY ?? false;
  }

  /** input: logits [B, C, ...] (the focal part applies its own sigmoid); target [B, C, ...] or [B, 1, ...] with toOnehotY. */
  forward(input: Tensor, target: Tensor): Tensor {
    checkCompoundShapes('DiceFocalLoss', input, target);
    return torch.tidy(() => {
      let y = target;
      if (this.toOnehotY) {
        if (input.shape[1] === 1) this.warner.warn('single channel prediction, `toOnehotY=true` ignored.');
        else y = oneHotLabels('DiceFocalLoss', target, input.shape[1]);
      }
      return this.dice.forward(input, y).mul(this.lambdaDice).add(this.focal.forward(input, y).mul(this.lambdaFocal));
    });
  }
}

export interface GeneralizedDiceFocalLossOptions extends GeneralizedDiceLossOptions {
  gamma?: number;
  /** Class weights of the focal part. */
  weight?: ClassWeight | null;
  lambdaGdl?: number;
  lambdaFocal?: number;
}

export class GeneralizedDiceFocalLoss extends nn.Module {
  declare generalized_dice: GeneralizedDiceLoss;
  declare focal: FocalLoss;
  readonly lambdaGdl: number;
  readonly lambdaFocal: number;

  constructor(options: GeneralizedDiceFocalLossOptions = {}) {
    super();
    const o = options;
    checkOptions('GeneralizedDiceFocalLoss', o, [
      'includeBackground', 'toOnehotY', 'sigmoid', 'softmax', 'otherAct', 'wType', 'reduction', 'smoothNr', 'smoothDr', 'batch', 'gamma', 'weight', 'lambdaGdl', 'lambdaFocal',
    ]);
    this.registerModule(
      'generalized_dice',
      new GeneralizedDiceLoss({
        includeBackground: o.includeBackground, toOnehotY: o.toOnehotY, sigmoid: o.sigmoid, softmax: o.softmax, otherAct: o.otherAct, wType: o.wType,
        reduction: o.reduction, smoothNr: o.smoothNr, smoothDr: o.smoothDr, batch: o.batch,
      }),
    );
    this.registerModule('focal', new FocalLoss({ includeBackground: o.includeBackground, toOnehotY: o.toOnehotY, gamma: o.gamma, weight: o.weight, reduction: o.reduction }));
    checkNonNegative('GeneralizedDiceFocalLoss', 'lambdaGdl', o.lambdaGdl ?? 1);
    checkNonNegative('GeneralizedDiceFocalLoss', 'lambdaFocal', o.lambdaFocal ?? 1);
    this.lambdaGdl = o.lambdaGdl ?? 1;
    this.lambdaFocal = o.lambdaFocal ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    checkCompoundShapes('GeneralizedDiceFocalLoss', input, target);
    return torch.tidy(() => this.generalized_dice.forward(input, target).mul(this.lambdaGdl).add(this.focal.forward(input, target).mul(this.lambdaFocal)));
  }
}

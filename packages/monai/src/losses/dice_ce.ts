// DiceCELoss (MONAI monai/losses/dice.py): lambdaDice * Dice + lambdaCe * cross entropy (or binary
// cross entropy with logits for a one-channel input). Submodules keep MONAI's names, so the state
// dict has dice.class_weight, cross_entropy.weight and binary_cross_entropy.pos_weight.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { DiceLoss, type DiceLossOptions } from './dice.js';
import { type ClassWeight, checkNonNegative, weightTensor } from './loss_utils.js';

export interface DiceCELossOptions extends Omit<DiceLossOptions, 'reduction' | 'weight'> {
  /** 'mean' or 'sum' ('none' cannot combine a Dice per class with a cross entropy per voxel). */
  reduction?: 'mean' | 'sum';
  /** Class weights of the cross entropy (pos_weight of the binary one) and of the Dice loss. */
  weight?: ClassWeight | null;
  lambdaDice?: number;
  lambdaCe?: number;
  /** Label smoothing of the cross entropy, in [0, 1]. */
  labelSmoothing?: number;
}

/** The input/target agreement checks of MONAI's compound losses. */
export function checkCompoundShapes(owner: string, input: Tensor, target: Tensor): void {
  if (input.dim() !== target.dim())
    throw new RangeError(
      `${owner}: input and target must have the same number of dimensions, found input [${input.shape.join(', ')}] (${input.dim()} dims) and target [${target.shape.join(', ')}] (${target.dim()} dims); a label-index target should have shape [B, 1, ...]`,
    );
  if (target.shape[1] !== 1 && target.shape[1] !== input.shape[1])
    throw new RangeError(
      `${owner}: target must have 1 channel (label indices) or as many channels as input (one-hot), found input [${input.shape.join(', ')}] and target [${target.shape.join(', ')}]`,
    );
}

function isFloating(t: Tensor): boolean {
  return t.dtype.startsWith('float') || t.dtype === 'bfloat16';
}

export class DiceCELoss extends nn.Module {
  declare dice: DiceLoss;
  declare cross_entropy: nn.CrossEntropyLoss;
  declare binary_cross_entropy: nn.BCEWithLogitsLoss;
  readonly lambdaDice: number;
  readonly lambdaCe: number;
  readonly reduction: 'mean' | 'sum';

  constructor(options: DiceCELossOptions = {}) {
    super();
    const o = options;
    checkOptions('DiceCELoss', o, [
      'includeBackground', 'toOnehotY', 'sigmoid', 'softmax', 'otherAct', 'squaredPred', 'jaccard', 'reduction', 'smoothNr', 'smoothDr', 'batch', 'weight',
      'lambdaDice', 'lambdaCe', 'labelSmoothing',
    ]);
    this.reduction = checkChoice('DiceCELoss', 'reduction', o.reduction ?? 'mean', ['mean', 'sum'] as const);
    checkNonNegative('DiceCELoss', 'lambdaDice', o.lambdaDice ?? 1);
    checkNonNegative('DiceCELoss', 'lambdaCe', o.lambdaCe ?? 1);
    this.lambdaDice = o.lambdaDice ?? 1;
    this.lambdaCe = o.lambdaCe ?? 1;
    const w = weightTensor('DiceCELoss', o.weight);
    try {
      // the Dice part sees no background channel when includeBackground is false, so neither does its weight
      const diceWeight = w !== null && o.includeBackground === false && w.dim() > 0 ? w.narrow(0, 1, w.shape[0] - 1) : w;
      this.registerModule(
        'dice',
        new DiceLoss({
          includeBackground: o.includeBackground, toOnehotY: o.toOnehotY, sigmoid: o.sigmoid, softmax: o.softmax, otherAct: o.otherAct,
          squaredPred: o.squaredPred, jaccard: o.jaccard, reduction: this.reduction, smoothNr: o.smoothNr, smoothDr: o.smoothDr, batch: o.batch, weight: diceWeight,
        }),
      );
      if (diceWeight !== w) diceWeight?.dispose();
      this.registerModule('cross_entropy', new nn.CrossEntropyLoss({ weight: w, reduction: this.reduction, labelSmoothing: o.labelSmoothing ?? 0 }));
      this.registerModule('binary_cross_entropy', new nn.BCEWithLogitsLoss({ posWeight: w, reduction: this.reduction }));
    } finally {
      w?.dispose();
    }
  }

  /** Cross entropy on logits; a one-channel label target becomes class indices, a one-hot target is used as probabilities. */
  ce(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => {
      let t = target;
      if (input.shape[1] !== target.shape[1] && target.shape[1] === 1) t = target.squeeze(1).to({ dtype: 'int64' });
      else if (!isFloating(t)) t = t.to({ dtype: input.dtype });
      return this.cross_entropy.forward(input, t);
    });
  }

  /** Binary cross entropy with logits, for a one-channel input. */
  bce(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => this.binary_cross_entropy.forward(input, isFloating(target) ? target : target.to({ dtype: input.dtype })));
  }

  /** input: logits [B, C, ...]; target [B, C, ...] (one-hot) or [B, 1, ...] (label indices, with toOnehotY for the Dice part). */
  forward(input: Tensor, target: Tensor): Tensor {
    checkCompoundShapes('DiceCELoss', input, target);
    return torch.tidy(() => {
      const dice = this.dice.forward(input, target);
      const ce = input.shape[1] !== 1 ? this.ce(input, target) : this.bce(input, target);
      return dice.mul(this.lambdaDice).add(ce.mul(this.lambdaCe));
    });
  }
}

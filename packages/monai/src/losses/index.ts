// monai-ts losses (MONAI monai/losses).
export { DiceLoss, MaskedDiceLoss, type DiceLossOptions } from './dice.js';
export { GeneralizedDiceLoss, type GeneralizedDiceLossOptions, type GeneralizedDiceWeight } from './generalized_dice.js';
export { GeneralizedWassersteinDiceLoss, type GeneralizedWassersteinDiceLossOptions } from './generalized_wasserstein_dice.js';
export { DiceCELoss, type DiceCELossOptions } from './dice_ce.js';
export { DiceFocalLoss, GeneralizedDiceFocalLoss, type DiceFocalLossOptions, type GeneralizedDiceFocalLossOptions } from './dice_focal.js';
export { FocalLoss, softmaxFocalLoss, sigmoidFocalLoss, type FocalLossOptions } from './focal_loss.js';
export { TverskyLoss, type TverskyLossOptions } from './tversky.js';
export { MaskedLoss, type LossFn } from './spatial_mask.js';
export { DeepSupervisionLoss, type DeepSupervisionLossOptions } from './ds_loss.js';
export type { LossReduction, ClassWeight } from './loss_utils.js';
export { DiceLoss as Dice } from './dice.js';

// torch.optim.lr_scheduler namespace.
export {
  LRScheduler, LambdaLR, StepLR, MultiStepLR, ExponentialLR, PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
  OneCycleLR, ReduceLROnPlateau, type OneCycleLROptions, type ReduceLROnPlateauOptions,
} from './lr_scheduler.js';

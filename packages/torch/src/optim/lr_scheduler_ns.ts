// torch.optim.lr_scheduler namespace.
export {
  LRScheduler, LambdaLR, StepLR, MultiStepLR, ExponentialLR, PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
  OneCycleLR, ReduceLROnPlateau, MultiplicativeLR, ConstantLR, LinearLR, SequentialLR, ChainedScheduler, CyclicLR,
  type CyclicLROptions, type OneCycleLROptions, type ReduceLROnPlateauOptions,
} from './lr_scheduler.js';

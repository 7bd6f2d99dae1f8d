// torch.optim: optimizers and learning-rate schedulers (PyTorch 1.13 semantics).
export {
  Optimizer, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export * as lrScheduler from './lr_scheduler_ns.js';

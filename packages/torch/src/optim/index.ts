// torch.optim: optimizers and learning-rate schedulers (PyTorch 1.13 semantics).
//
//   const opt = new optim.Adam(model.parameters(), { lr: 1e-3, weightDecay: 1e-5 });
//   const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 });
//   torch.tidy(() => { opt.zeroGrad(); lossFn(model.forward(x), y).backward(); opt.step(); });
//   sched.step();
//
// Notes against PyTorch:
// - Options are camelCase of PyTorch's names (weight_decay -> weightDecay, T_max -> tMax, T_0 -> t0);
//   param groups hold camelCase keys (group.weightDecay, group.initialLr); state dicts use PyTorch's
//   snake_case keys and structure, so they load in PyTorch and PyTorch's load here.
// - Updates follow PyTorch 1.13's single-tensor code path (foreach is accepted and ignored;
//   capturable, differentiable and fused must be false; sparse and complex gradients are unsupported
//   except that SGD takes complex parameters).
// - Optimizer state tensors are owned by the optimizer (kept across tidy scopes); dispose() frees
//   them. stateDict() returns new handles sharing the state's storage: dispose them after use.
// - Scheduler state dicts: LambdaLR/MultiplicativeLR save null for each function (as PyTorch does
//   for plain functions); OneCycleLR saves anneal_strategy instead of the bound anneal_func; CyclicLR
//   omits its scale function (a custom scaleFn must be passed again on construction).
export {
  Optimizer, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, Adamax, NAdam, RAdam, type AdadeltaOptions, type AdamaxOptions, type NAdamOptions, type RAdamOptions } from './extras.js';
export * as lrScheduler from './lr_scheduler_ns.js';
export { novogradStep, type NovogradStepOptions } from './fused.js';

// The torch core: tensors, creation, dtypes, the generated ops, autograd and runtime switches, with
// Tensor's methods installed. Everything here depends only on leaf modules, so the subpackages (nn,
// optim, amp, serialization) import `* as torch from '../core.js'` instead of the public barrel
// index.ts, which re-exports them and would put them in an import cycle with themselves.
export { Tensor, Scope, scope, tidy, keep, dispose, memory, type Nested } from './tensor.js';
export { TorchError } from './errors.js';
export { torchFunction, subclassOf, adoptAs, followSubclass, plainAlias, type TensorSubclass } from './subclass.js';
export * from './dtype.js';
export { tensor, fromTypedArray, fromShared, type TensorOptions } from './creation.js';
export { type ToOptions, type Index } from './tensor_api.js';
export * from './generated/ops.js';
// Private (_-prefixed) operators and backward kernels, with every public op: torch.ops._logSoftmax.
export * as ops from './ops_ns.js';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled, autocast, autocastState } from './autograd.js';
export * as autograd from './autograd_ns.js';
export * as jit from './jit/index.js';
export { Generator } from './generator.js';
export { checkOptions, checkChoice, didYouMean, suggestion } from './options.js';
export { manualSeed, initialSeed, setNumThreads, getNumThreads, config, cuda, emptyCache, type TorchConfig } from './runtime.js';
// Side effects: install the generated and hand-written Tensor methods on Tensor.prototype.
import './generated/methods.js';
import './tensor_api.js';

// @monai-ts/torch: libtorch tensors and autograd for TypeScript.
export { Tensor, tidy, keep, dispose, memory, type Nested } from './tensor.js';
export { TorchError } from './errors.js';
export * from './dtype.js';
export { tensor, fromTypedArray, fromShared, type TensorOptions } from './creation.js';
export { type ToOptions, type Index } from './tensor_api.js';
export * from './generated/ops.js';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled, autocast, autocastState } from './autograd.js';
export * as autograd from './autograd_ns.js';
export * as jit from './jit/index.js';
export { Generator } from './generator.js';
export { manualSeed, initialSeed, setNumThreads, getNumThreads, config, cuda, type TorchConfig } from './runtime.js';
import './generated/methods.js';
import './tensor_api.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as amp from './amp/index.js';
export * as serialization from './serialization/index.js';
export { load, save, saveCheckpoint, loadCheckpoint, safetensors } from './serialization/index.js';

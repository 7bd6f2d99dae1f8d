// @monai-ts/torch: libtorch tensors and autograd for TypeScript.
// The core (tensors, ops, autograd, runtime) lives in core.ts so that the subpackages below can import
// it without importing this barrel, which re-exports them.
export * from './core.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as amp from './amp/index.js';
export * as serialization from './serialization/index.js';
export { load, save, saveCheckpoint, loadCheckpoint, safetensors } from './serialization/index.js';
export * as distributed from './distributed/index.js';

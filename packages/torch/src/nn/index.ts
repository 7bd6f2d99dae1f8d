// torch.nn for TypeScript: Module, Parameter, layers, nn.init, nn.functional and nn.utils.
//
//   class Net extends nn.Module {
//     conv = new nn.Conv3d({ inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1 });
//     norm = new nn.BatchNorm3d({ numFeatures: 8 });
//     head = new nn.Linear({ inFeatures: 8, outFeatures: 2 });
//     forward(x: Tensor): Tensor {
//       return torch.tidy(() => this.head.forward(F.relu(this.norm.forward(this.conv.forward(x))).mean([2, 3, 4])));
//     }
//   }
//
// Layers take PyTorch's constructor arguments as one options object with camelCase keys, or
// positionally in PyTorch's order with an optional trailing options object for the rest
// (new nn.Conv3d(1, 8, 3, { padding: 1 }), new nn.BatchNorm3d(8), new nn.Linear(8, 2)), with
// PyTorch's defaults and initialisation (the same seed gives the same weights as PyTorch).
// Parameter, buffer and submodule names are PyTorch's (state-dict keys such as
// 'norm.running_mean'); multi-word attributes also have camelCase getters (norm.runningMean).
// Parameters and buffers live outside tidy scopes until module.dispose().
export { Module, StateDictError, type StateDict, type LoadResult } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export * as functional from './functional/index.js';
export * as init from './init.js';
export * as utils from '../nn_utils/index.js';
export * from './modules/linear.js';
export * from './modules/conv.js';
export * from './modules/normalization.js';
export * from './modules/activation.js';
export * from './modules/dropout.js';
export * from './modules/pooling.js';
export * from './modules/misc.js';
export * from './modules/container.js';
export * from './modules/transformer.js';
export type { FactoryOptions } from './modules/common.js';
export * from './modules/loss.js';
export * from './modules/padding.js';
export * as parallel from './parallel/index.js';
export { SyncBatchNorm } from './parallel/sync_batchnorm.js';

// torch.nn for TypeScript: Module, Parameter, layers, nn.init and nn.functional.
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

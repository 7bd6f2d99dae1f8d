export * from './activation.js';
export * from './acti_norm.js';
export * from './convolutions.js';
export * from './upsample.js';
export * from './dynunet_block.js';
export { ResBlock } from './segresnet_block.js';
export * from './squeeze_and_excitation.js';
export * from './aspp.js';

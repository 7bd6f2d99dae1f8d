export * from './activation.js';
export * from './acti_norm.js';
export * from './convolutions.js';
export * from './upsample.js';
export * from './dynunet_block.js';

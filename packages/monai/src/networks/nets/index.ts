export * from './unet.js';
export * from './dynunet.js';
export * from './vnet.js';

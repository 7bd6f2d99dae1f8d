export * from './unet.js';
export * from './dynunet.js';

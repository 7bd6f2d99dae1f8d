export * from './unet.js';
export * from './basic_unet.js';

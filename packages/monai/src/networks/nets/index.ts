export * from './unet.js';

export * from './unet.js';
export * from './basic_unet.js';
export * from './dynunet.js';
export * from './vnet.js';
export * from './highresnet.js';

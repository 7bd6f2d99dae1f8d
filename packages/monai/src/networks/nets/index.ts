export * from './unet.js';
export * from './basic_unet.js';
export * from './autoencoder.js';
export * from './varautoencoder.js';
export * from './generator.js';
export * from './regressor.js';
export * from './classifier.js';
export * from './densenet.js';

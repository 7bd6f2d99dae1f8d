// Array intensity transforms (MONAI's monai/transforms/intensity/array.py), one file per family.
export * from './noise.js';
export * from './shift_scale.js';
export * from './normalize.js';
export * from './smooth.js';
export * from './histogram.js';
export * from './fourier.js';
export * from './coarse.js';
export * from './stats.js';
export * from './hover.js';
export * from './foreground.js';
export * from './filters.js';
export * from './remap.js';

// torch.nn.functional for TypeScript: camelCase names, required arguments positional, the rest in
// one options object (F.conv2d(x, w, { bias, stride: 2 }), F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' })).
export * from './activation.js';
export * from './layers.js';
export * from './sampling.js';
export * from './loss.js';
export * from './attention.js';
export type { Reduction } from './util.js';

// monai.transforms.spatial: spatial array and dictionary transforms, their functionals and helpers.
export * from './array.js';
export * from './array_random.js';
export * from './array_affine.js';
export * from './dictionary.js';
export * from './dictionary_random.js';
export { spatialResample, orientation, flip, resize, rotate, zoom, rotate90, affineFunc, computeWAffine, mapSpatialAxes, axcodes2ornt, orntTransform, invOrntAff, ornt2axcodes } from './functional.js';
export { createGrid, createControlGrid } from './resample.js';
export * as matrix from './matrix.js';
export * from './grid_distortion.js';

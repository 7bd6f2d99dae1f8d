// monai.transforms.croppad: crop and pad transforms (array, random array, dictionary) and their functionals.
export * from './functional.js';
export * from './array.js';
export * from './array_random.js';
export * from './dictionary.js';
export * from './batch.js';

// monai.utils
export * from './random_state.js';
export * from './misc.js';
export * from './numpy_sort.js';

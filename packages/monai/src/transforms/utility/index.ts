// monai.transforms utility family: array and dictionary forms (MONAI's transforms/utility).
export * from './array.js';
export * from './dictionary.js';
export * from './ensure_channel_first.js';

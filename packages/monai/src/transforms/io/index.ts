export { LoadImage, SaveImage, type LoadImageOptions, type SaveImageOptions } from './array.js';
export { LoadImaged, SaveImaged, type LoadImagedOptions, type SaveImagedOptions } from './dictionary.js';

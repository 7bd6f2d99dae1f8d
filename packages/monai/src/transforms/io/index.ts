export { LoadImage, SaveImage, defaultNameFormatter, LOAD_IMAGE_OPTIONS, type LoadImageOptions, type LoadImageResult, type SaveImageOptions } from './array.js';
export { LoadImaged, SaveImaged, type LoadImagedOptions, type LoadedDict, type SaveImagedOptions } from './dictionary.js';

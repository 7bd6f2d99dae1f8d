// monai.transforms intensity family: array and dictionary forms.
export * from './array/index.js';
export * from './dictionary.js';
export { percentile, rescaleArray, softClip, equalizeHist, shiftFourier, invShiftFourier } from './functional.js';

// monai-ts inferers (MONAI monai/inferers).
export { Inferer, SimpleInferer, SlidingWindowInferer, type SlidingWindowInfererOptions } from './inferer.js';
export {
  slidingWindowInference, getScanInterval, type SlidingWindowOptions, type NetworkOutput, type Predictor, type ProcessFn, type WindowCoords,
} from './utils.js';
export { computeImportanceMap, densePatchSlices, type BlendMode } from './patch_utils.js';

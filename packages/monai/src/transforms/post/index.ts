export * from './array.js';
export * from './dictionary.js';
export { convertAppliedInterpMode, getLargestConnectedComponentMask, getUniqueLabels, removeSmallObjects, fillHoles, applyFilter } from './functional.js';

// monai.transforms.lazy: lazy resampling (importing it installs the pending-operations hook).
export * from './utils.js';
export * from './functional.js';

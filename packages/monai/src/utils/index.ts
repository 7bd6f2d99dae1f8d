// monai.utils
export * from './random_state.js';

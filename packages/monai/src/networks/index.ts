// monai-ts networks: layer factories, blocks, nets and network utilities (MONAI's monai/networks).
export * from './layers/index.js';
export * from './blocks/index.js';
export * from './nets/index.js';
export * from './utils.js';

export * from './factories.js';
export * from './utils.js';
export * from './convutils.js';
export * from './chain.js';
export * from './simplelayers.js';
export * from './channel_pad.js';
export * from './drop_path.js';
export * from './spatial_transforms.js';

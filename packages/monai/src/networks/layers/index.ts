export * from './factories.js';
export * from './utils.js';
export * from './convutils.js';
export * from './chain.js';
export * from './simplelayers.js';
export * from './channel_pad.js';

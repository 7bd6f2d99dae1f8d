export * from './factories.js';
export * from './utils.js';

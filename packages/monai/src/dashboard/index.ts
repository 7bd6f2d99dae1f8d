export { Dashboard, type DashboardOptions, type Series } from './server.js';
export { DashboardHandler, type DashboardHandlerOptions } from './handler.js';
export { volumeSnapshot, encodeSnapshot, type VolumeSnapshot } from './volume.js';

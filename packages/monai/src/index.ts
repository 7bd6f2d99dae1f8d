// monai-ts: MONAI for TypeScript. The tensor layer is re-exported as `torch`.
export * as torch from '@monai-ts/torch';
export * from './data/index.js';
export * from './networks/index.js';
export * from './metrics/index.js';
export * from './losses/index.js';
export * from './optimizers/index.js';
export * from './inferers/index.js';
export * from './apps/index.js';
export * from './engines/index.js';
export * from './handlers/index.js';
export * from './visualize/index.js';
export * from './dashboard/index.js';
export { PydicomReader, ITKReader, DicomError, type PydicomReaderOptions, type ITKReaderOptions } from './data/dicom/index.js';
export * from './transforms/index.js';
// Names two modules share resolve to the transform, as `from monai.transforms import ...` users expect;
// the other one stays reachable through its module namespace below (monai.networks.Pad, the layer factory).
export { Spacing, Pad } from './transforms/index.js';
export * as networks from './networks/index.js';
export * as transforms from './transforms/index.js';
export * as metrics from './metrics/index.js';
export * from './utils/index.js';
export {
  EnsureChannelFirst, EnsureChannelFirstd, type EnsureChannelFirstOptions, type EnsureChannelFirstdOptions,
} from './transforms/utility/ensure_channel_first.js';

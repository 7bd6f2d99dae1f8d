// monai-ts: MONAI for TypeScript. The tensor layer is re-exported as `torch`.
export * as torch from '@monai-ts/torch';
export * from './data/index.js';
export * from './networks/index.js';
export * from './metrics/index.js';
export * from './losses/index.js';
export * from './optimizers/index.js';
export * from './inferers/index.js';
export { PydicomReader, ITKReader, DicomError, type PydicomReaderOptions, type ITKReaderOptions } from './data/dicom/index.js';
export * from './transforms/index.js';
export { Spacing } from './transforms/index.js'; // the transform, not metrics' spacing type (export * ambiguity)
export * from './utils/index.js';
export {
  EnsureChannelFirst, EnsureChannelFirstd, type EnsureChannelFirstOptions, type EnsureChannelFirstdOptions,
} from './transforms/utility/ensure_channel_first.js';

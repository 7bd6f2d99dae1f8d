// monai-ts data: MetaTensor, image readers/writers and collation.
export { MetaTensor, MetaKeys, SpaceKeys, isMetaTensor, copyMeta, identityAffine, type MetaDict, type BatchMetaDict, type MetaValue, type TypedArray, type AppliedOperation, type MetaTensorInit } from './meta_tensor.js';
export {
  type ImageReader,
  type GetDataOptions,
  type ReaderFactory,
  registerReader,
  unregisterReader,
  registeredReaders,
  createReader,
  defaultReaders,
  isSupportedFormat,
  decodeToTensor,
  setMaxImageBytes,
  type DecodeSpec,
} from './image_reader.js';
export * from './readers/index.js';
// DICOM readers (PydicomReader, ITKReader) register themselves in the reader registry
import './dicom/index.js';
export { resolveWriter, registerWriter, convertToChannelLast, resampleToAffine, createFileBasename, type WriteRequest, type WriterFn } from './image_writer.js';
export { listDataCollate, collate, decollateBatch } from './collate.js';
export { ImageFormatError, type ElementType } from './formats/common.js';
export { ioOrientation, closestCanonical } from './orientation.js';
export { checkOptions, didYouMean } from './options.js';
export { partitionDataset, partitionDatasetClasses, resampleDatalist, selectCrossValidationFolds, type PartitionDatasetOptions } from './utils.js';
export { loadDecathlonDatalist, loadDecathlonProperties, checkMissingFiles, createCrossValidationDatalist, type DatalistItem, type LoadDecathlonDatalistOptions, type CreateCrossValidationDatalistOptions } from './decathlon_datalist.js';
export { DistributedSampler, type DistributedSamplerOptions } from './samplers.js';
export { Dataset, Subset, ZipDataset, ArrayDataset, CacheDataset, PersistentDataset, jsonHashing, describeTransformsHash, resetOpsId, isCacheBoundary, type MapDataset, type ArrayDatasetOptions, type CacheDatasetOptions, type PersistentDatasetOptions } from './dataset.js';
export { encodeItem, decodeItem, deepCopyItem, disposeItem } from './item_codec.js';
export { DataLoader, type DataLoaderOptions, type LoaderDataset } from './dataloader.js';
export { WorkerPool, WorkerItemError, runInPool, type WorkerPoolOptions, type PoolTask } from './worker_pool.js';
export { padListDataCollate, type PadListDataCollateOptions } from './pad_collate.js';
export { SmartCacheDataset, type SmartCacheDatasetOptions } from './smart_cache.js';
export { GridPatchDataset, PatchIter, PatchIterd, iterPatch, type PatchCoords, type IterPatchOptions, type PatchIterOptions, type PatchIterdOptions, type GridPatchDatasetOptions } from './grid_dataset.js';
export { CacheNTransDataset, type CacheNTransDatasetOptions } from './cache_n_trans.js';
export { IterableDataset, ShuffleBuffer, type StreamSource, type StreamShard, type IterateOptions, type ShuffleBufferOptions } from './iterable_dataset.js';
export { CSVIterableDataset, type CSVIterableDatasetOptions, type CsvValue } from './csv_iterable.js';
export { toAffineNd, zoomAffine, computeShapeOffset } from './affine_utils.js';
export { createTestImage2d, createTestImage3d, type CreateTestImageOptions } from './synthetic.js';
export { iterPatchPosition, iterPatchSlices, type IterPatchPositionOptions } from './patch_slices.js';

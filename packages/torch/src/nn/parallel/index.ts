// nn.parallel: data-parallel training across processes.
export { DistributedDataParallel, type DistributedDataParallelOptions } from './distributed.js';
export { SyncBatchNorm } from './sync_batchnorm.js';

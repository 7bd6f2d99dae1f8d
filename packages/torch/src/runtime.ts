// Seeds, threads, build facts and CUDA queries.
import { native } from './native.js';

/** Seeds the default generators of every device (torch.manual_seed). */
export function manualSeed(seed: number | bigint): void {
  if (typeof seed === 'number' && (!Number.isInteger(seed) || seed < 0))
    throw new TypeError(`manualSeed: expected a non-negative integer, found ${seed}`);
  native.manualSeed(seed);
}
export function initialSeed(): bigint {
  return native.initialSeed();
}
/** Intra-op threads (set to the machine's cores when the library loads). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

export interface TorchConfig {
  version: string;
  libtorch: string;
  numThreads: number;
  numInteropThreads: number;
  hardwareConcurrency: number;
  mkldnn: boolean;
  mkldnnEnabled: boolean;
  mkl: boolean;
  openmp: boolean;
  cuda: boolean;
  cudaDeviceCount: number;
  parallelInfo: string;
  buildConfig: string;
  node: string;
}

/**
 * Returns memory kept for reuse to the operating system and gives the bytes released from the
 * pool. Freed tensors of 32 MiB and more are pooled (up to MONAI_TS_CPU_CACHE_MB, default 1024)
 * so that the next tensor of the same size needs no fresh pages.
 */
export function emptyCache(): number {
  return native.emptyCache();
}

/** Versions, threads and backends of the loaded libtorch. */
export function config(): TorchConfig {
  return { version: '0.1.0', ...(native.config() as Omit<TorchConfig, 'version' | 'node'>), node: process.version };
}

/** A CUDA device for the memory statistics: an index, 'cuda' or 'cuda:N'; none is the current device. */
export type CudaDeviceArg = number | string | null | undefined;

function cudaIndex(device: CudaDeviceArg, fn: string): number {
  if (device == null || device === 'cuda') return -1;
  if (typeof device === 'number' && Number.isInteger(device) && device >= 0) return device;
  const m = typeof device === 'string' ? /^cuda:(\d+)$/.exec(device) : null;
  if (m) return Number(m[1]);
  throw new TypeError(`torch.cuda.${fn}: device must be a CUDA device index, 'cuda' or 'cuda:N', found ${JSON.stringify(device)}`);
}

const cudaStats = (device: CudaDeviceArg, fn: string, reset: boolean) => native.cudaMemoryStats(cudaIndex(device, fn), reset, fn);

export const cuda = {
  isAvailable: (): boolean => native.cudaIsAvailable(),
  deviceCount: (): number => native.cudaDeviceCount(),
  synchronize: (device?: number): void => native.cudaSynchronize(device),
  /** Bytes held by tensors on the device now (torch.cuda.memory_allocated). */
  memoryAllocated: (device?: CudaDeviceArg): number => cudaStats(device, 'memoryAllocated', false)[0],
  /** Most bytes held by tensors since the start or the last resetPeakMemoryStats (torch.cuda.max_memory_allocated). */
  maxMemoryAllocated: (device?: CudaDeviceArg): number => cudaStats(device, 'maxMemoryAllocated', false)[1],
  /** Bytes the caching allocator holds from the driver now (torch.cuda.memory_reserved). */
  memoryReserved: (device?: CudaDeviceArg): number => cudaStats(device, 'memoryReserved', false)[2],
  /** Peak of memoryReserved (torch.cuda.max_memory_reserved). */
  maxMemoryReserved: (device?: CudaDeviceArg): number => cudaStats(device, 'maxMemoryReserved', false)[3],
  /** Restarts the peaks from the current values (torch.cuda.reset_peak_memory_stats). */
  resetPeakMemoryStats: (device?: CudaDeviceArg): void => void cudaStats(device, 'resetPeakMemoryStats', true),
};

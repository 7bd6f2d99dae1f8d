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

export const cuda = {
  isAvailable: (): boolean => native.cudaIsAvailable(),
  deviceCount: (): number => native.cudaDeviceCount(),
  synchronize: (device?: number): void => native.cudaSynchronize(device),
};

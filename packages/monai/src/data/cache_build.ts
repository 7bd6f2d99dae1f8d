/**
 * Building a cache on worker threads (CacheDataset's `numWorkers`, SmartCacheDataset's `numInitWorkers`):
 * each worker rebuilds a CacheSource (the data list and the pipeline, see transforms/serialize.ts) and
 * computes the deterministic prefix of the items it is given; the results come back as shared tensors,
 * without copies, in order. The caller's thread blocks meanwhile, as MONAI's constructor does.
 */
import * as torch from '@monai-ts/torch';
import type { Compose } from '../transforms/compose.js';
import { describeTransform, NotPortableError, releaseDescription, transformRegistryReady } from '../transforms/serialize.js';
import { BlockingPool } from './blocking_pool.js';
import { contiguousItem } from './item_codec.js';

/** What a cache worker computes: `transform` on data[i], made contiguous if asked. */
export class CacheSource {
  constructor(
    readonly data: readonly unknown[],
    readonly transform: Compose,
    readonly asContiguous: boolean,
  ) {}

  get length(): number {
    return this.data.length;
  }

  get(index: number): unknown {
    return torch.tidy(() => {
      const item = this.transform.call(this.data[index]);
      return this.asContiguous ? contiguousItem(item) : item;
    });
  }
}

/**
 * The first `end` transforms of a Compose as a Compose with the same settings (a shallow copy: no
 * constructor runs, so nothing is reseeded); only this prefix travels to the workers, so whatever comes
 * after the cache boundary (a closure, say) need not be portable.
 */
export function composePrefix(compose: Compose, end: number | null): Compose {
  if (end === null) return compose;
  const prefix = Object.create(Object.getPrototypeOf(compose) as object) as Compose;
  return Object.assign(prefix, compose, { transforms: compose.transforms.slice(0, end) });
}

let warnedRegistry = false;

/**
 * A BlockingPool of `numWorkers` threads computing items of `source`, or null (after a warning) when the
 * pipeline cannot travel to workers: the caller then computes on its own thread.
 */
export function startCachePool(who: string, source: CacheSource, numWorkers: number, waitReady = true): BlockingPool | null {
  if (!transformRegistryReady()) {
    if (!warnedRegistry) {
      warnedRegistry = true;
      process.emitWarning(
        `${who}: numWorkers=${numWorkers}, but the transform registry is not loaded yet, so the cache is built on this thread. ` +
          'Call `await loadTransformRegistry()` (exported by monai-ts) once before constructing the dataset to build it on worker threads.',
        { type: 'MonaiWorkerWarning', code: 'MONAI_TS_REGISTRY_NOT_LOADED' },
      );
    }
    return null;
  }
  try {
    releaseDescription(describeTransform(source, 'dataset')); // portable? (the pool describes it again per worker)
  } catch (e) {
    if (!(e instanceof NotPortableError)) throw e;
    process.emitWarning(
      `${who}: numWorkers=${numWorkers} but ${e.message}, so the pipeline cannot be sent to worker threads; building the cache on this thread instead. ` +
        'To build in parallel, define that function or class in a module, export it, and call registerTransforms(url) before constructing the dataset.',
      { type: 'MonaiWorkerWarning', code: 'MONAI_TS_NOT_PORTABLE' },
    );
    return null;
  }
  return BlockingPool.start(source, { numWorkers, who, waitReady });
}

/**
 * The cached items for `indices`, computed by `numWorkers` worker threads; null (after one warning) when
 * the pipeline cannot travel to workers, in which case the caller builds on its own thread.
 */
export function buildCacheInWorkers(who: string, source: CacheSource, indices: readonly number[], numWorkers: number, onItem?: (k: number) => void): unknown[] | null {
  const pool = startCachePool(who, source, Math.min(numWorkers, indices.length));
  if (!pool) return null;
  try {
    return pool.map(indices, onItem);
  } finally {
    pool.close();
  }
}

/**
 * MONAI's CacheNTransDataset: a PersistentDataset whose disk cache holds the output of the first
 * `cacheNTrans` transforms (top-level entries of the pipeline), whatever they are: random ones included,
 * which then keep the draw they had when the cache file was written (as in MONAI).
 */
import { Compose } from '../transforms/compose.js';
import type { TransformLike } from '../transforms/transform.js';
import { PersistentDataset, describeTransformsHash, type PersistentDatasetOptions } from './dataset.js';

export interface CacheNTransDatasetOptions extends PersistentDatasetOptions {
  /** how many leading transforms are cached on disk (a non-negative integer) */
  cacheNTrans: number;
}

function topLevel(transform: TransformLike | readonly TransformLike[] | null): readonly TransformLike[] {
  if (transform === null || transform === undefined) return [];
  if (transform instanceof Compose) return transform.transforms;
  return Array.isArray(transform) ? (transform as TransformLike[]) : [transform as TransformLike];
}

export class CacheNTransDataset<T = unknown> extends PersistentDataset<T> {
  readonly cacheNTrans: number;

  constructor(data: readonly unknown[], transform: TransformLike | readonly TransformLike[] | null, options: CacheNTransDatasetOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('CacheNTransDataset: expected an options object with cacheNTrans and cacheDir');
    const { cacheNTrans, ...rest } = options;
    if (!Number.isInteger(cacheNTrans) || cacheNTrans < 0) throw new RangeError(`CacheNTransDataset: cacheNTrans must be a non-negative integer, got ${String(cacheNTrans)}`);
    // the cache key covers the transforms actually cached: the first N, not the deterministic prefix
    const hash = rest.hashTransform === undefined ? describeTransformsHash : rest.hashTransform;
    const firstN = topLevel(transform).slice(0, cacheNTrans);
    super(data, transform, { ...rest, hashTransform: hash === null ? null : () => hash(firstN) });
    this.cacheNTrans = cacheNTrans;
  }

  /** Caching stops after the first N transforms instead of at the first random one. */
  protected override firstRandom(): number | null {
    return this.cacheNTrans >= this.transform.transforms.length ? null : this.cacheNTrans;
  }
}

/**
 * MONAI's SmartCacheDataset: a cache of `cacheNum` items that slides over the (optionally shuffled) data
 * list; each `updateCache()` drops the `replaceNum` oldest cached items and appends the next ones.
 *
 * Background replacement: with `numReplaceWorkers` > 1, after `start()` and after every `updateCache()`
 * the next round's replacements go to that many worker threads at once (cache_build.ts), which compute
 * them while training runs; `updateCache()` collects them, waiting for any not done. Otherwise they are
 * computed on this thread one item per event-loop turn (setImmediate), i.e. between training steps
 * whenever the training loop awaits anything, and the rest synchronously in `updateCache()`. Which items
 * are cached in which round is exactly MONAI's (checked against its goldens), including the restart after
 * `shutdown()`, which starts the replacement window at position 0 again.
 */
import * as torch from '@monai-ts/torch';
import type { TransformLike } from '../transforms/transform.js';
import { RandomState } from '../utils/random_state.js';
import type { BlockingPool } from './blocking_pool.js';
import { CacheSource, composePrefix, startCachePool } from './cache_build.js';
import { CacheDataset } from './dataset.js';
import { disposeItem, tensorsOf } from './item_codec.js';
import { checkOptions } from './options.js';

export interface SmartCacheDatasetOptions {
  /** share of the cached items replaced each round (default 0.1; must be > 0) */
  replaceRate?: number;
  /** at most this many items are cached (default: all) */
  cacheNum?: number;
  /** share of the items cached (default 1) */
  cacheRate?: number;
  /** worker threads building the first cache (default 1: this thread), as CacheDataset's numWorkers */
  numInitWorkers?: number | null;
  /** worker threads computing replacements while training runs (default 1: on this thread's event loop) */
  numReplaceWorkers?: number | null;
  /** print progress while building the first cache (default true when stderr is a TTY) */
  progress?: boolean;
  /** shuffle (a copy of) the data list once before caching, with numpy's RandomState(seed) (default true) */
  shuffle?: boolean;
  /** seed of that shuffle (default 0) */
  seed?: number;
  /** hand out copies of cached items (default true); without copies, a replaced item's tensors are freed under the caller */
  copyCache?: boolean;
  /** make cached tensors contiguous (default true) */
  asContiguous?: boolean;
}

const OPTIONS = ['replaceRate', 'cacheNum', 'cacheRate', 'numInitWorkers', 'numReplaceWorkers', 'progress', 'shuffle', 'seed', 'copyCache', 'asContiguous'];

export class SmartCacheDataset<T = unknown> extends CacheDataset<T> {
  readonly shuffle: boolean;
  readonly replaceRate: number;
  readonly numReplaceWorkers: number | null;
  /** the shuffle's random state (numpy-compatible) */
  R: RandomState;
  private ready = false;
  private totalNum = 0;
  private replaceNum = 0;
  private startPos = 0;
  private round = 1;
  private started = false;
  private replaceDone = false;
  private nextReplacement = 0;
  private replacements: unknown[] = [];
  private replaceDataIdx: number[] = [];
  private pending: ReturnType<typeof setImmediate> | null = null;
  private backgroundError: unknown = null;
  /** replacement workers (numReplaceWorkers > 1), from start() to shutdown(); false: they cannot be used */
  private replacePool: BlockingPool | null | false = null;
  /** the pool's ticket of each replacement of this round */
  private tickets: number[] = [];

  constructor(data: readonly unknown[], transform?: TransformLike | readonly TransformLike[] | null, options: SmartCacheDatasetOptions = {}) {
    checkOptions('SmartCacheDataset', options, OPTIONS);
    if (!Array.isArray(data)) throw new TypeError(`SmartCacheDataset: data must be an array, got ${typeof data}`);
    const o = options ?? {};
    const shuffle = o.shuffle ?? true;
    const seed = o.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`SmartCacheDataset: seed must be a non-negative integer, got ${String(seed)}`);
    const replaceRate = o.replaceRate ?? 0.1;
    // checked before the parent constructor builds the cache, which a throw here would leave behind
    if (!(replaceRate > 0)) throw new RangeError(`SmartCacheDataset: replaceRate must be > 0 (use CacheDataset for a fixed cache), got ${replaceRate}`);
    const R = new RandomState(seed);
    // the parent constructor builds the cache from what it is given, so the shuffled copy goes in here
    super(shuffle ? R.shuffle(data.slice()) : data, transform, {
      cacheNum: o.cacheNum,
      cacheRate: o.cacheRate,
      numWorkers: o.numInitWorkers === undefined ? 1 : o.numInitWorkers,
      progress: o.progress,
      copyCache: o.copyCache,
      asContiguous: o.asContiguous,
    });
    this.R = R;
    this.shuffle = shuffle;
    this.replaceRate = replaceRate;
    const nrw = o.numReplaceWorkers === undefined ? 1 : o.numReplaceWorkers;
    this.numReplaceWorkers = nrw === null ? null : Math.max(1, Math.trunc(nrw));
    if (this.cacheNum >= data.length) process.emitWarning('SmartCacheDataset: cacheNum is at least the number of items, so nothing is ever replaced (a plain CacheDataset)');
    this.ready = true;
    this.resetWindow();
  }

  /** The number of items served per round: the cache size, not the data length. */
  override get length(): number {
    return this.cacheNum;
  }

  /** Replaces the data (shuffled again when `shuffle` is on) and rebuilds the cache; stops replacement first. */
  override setData(data: readonly unknown[]): void {
    if (this.ready !== true) return super.setData(data); // during construction: already shuffled
    if (this.started) {
      process.emitWarning('SmartCacheDataset: setData while replacement runs; shutting it down first');
      this.shutdown();
    }
    super.setData(this.shuffle ? this.R.shuffle(data.slice()) : data);
    this.resetWindow();
  }

  private resetWindow(): void {
    this.totalNum = this.data.length;
    this.replaceNum = Math.min(Math.ceil(this.cacheNum * this.replaceRate), this.totalNum - this.cacheNum);
    this.startPos = 0;
    this.discardReplacements();
    this.computeDataIdx();
  }

  /** Positions in the data list of the next round's replacements: the items right after the window. */
  private computeDataIdx(): void {
    this.replaceDataIdx = Array.from({ length: this.replaceNum }, (_, i) => (this.startPos + this.cacheNum + i) % this.totalNum);
  }

  /** Whether background replacement is running. */
  isStarted(): boolean {
    return this.started;
  }

  /** Starts computing the next round's replacements in the background (no-op when already started). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.round = 1;
    this.schedule();
  }

  private schedule(): void {
    if (!this.started || this.replaceDone) return;
    const pool = this.workers();
    if (pool) {
      // the whole round goes to the workers at once; updateCache collects it
      while (this.tickets.length < this.replaceNum) this.tickets.push(pool.submit(this.replaceDataIdx[this.tickets.length]));
      return;
    }
    if (this.pending !== null) return;
    this.pending = setImmediate(() => {
      this.pending = null;
      try {
        this.step();
      } catch (e) {
        this.backgroundError = e; // surfaced by the next updateCache
        return;
      }
      this.schedule();
    });
    this.pending.unref(); // a forgotten shutdown() must not keep the process alive
  }

  /** The replacement workers, started on first use (null when numReplaceWorkers <= 1 or the pipeline cannot travel). */
  private workers(): BlockingPool | null {
    if (this.replacePool === null) {
      const n = this.numReplaceWorkers ?? 1;
      const source = n > 1 && this.replaceNum > 0 ? new CacheSource(this.data, composePrefix(this.transform, this.firstRandom()), this.asContiguous) : null;
      this.replacePool = (source && startCachePool('SmartCacheDataset', source, Math.min(n, this.replaceNum), false)) || false;
    }
    return this.replacePool || null;
  }

  /** Computes (or, with workers, collects) one replacement; returns false when the round's replacements are all ready. */
  private step(): boolean {
    if (this.replaceDone) return false;
    if (this.nextReplacement < this.replaceNum) {
      const k = this.nextReplacement;
      const pool = this.workers();
      if (pool && this.tickets.length <= k) this.schedule();
      this.replacements[k] = pool ? pool.take(this.tickets[k]) : this.loadCacheItem(this.replaceDataIdx[k]);
      this.nextReplacement = k + 1;
    }
    if (this.nextReplacement >= this.replaceNum) this.replaceDone = true;
    return !this.replaceDone;
  }

  /** Computes the rest of this round's replacements now (what the background work does in small steps). */
  manageReplacement(): void {
    if (this.backgroundError !== null) {
      const e = this.backgroundError;
      this.backgroundError = null;
      throw e;
    }
    try {
      while (this.step());
    } catch (e) {
      if (this.workers() === null) throw e;
      this.discardReplacements(); // the round is computed again when asked next
      throw e;
    }
  }

  /**
   * Moves the window on: the `replaceNum` oldest cached items are freed and the replacements appended.
   * Call before every epoch; starts replacement if it is not running.
   */
  updateCache(): void {
    this.start();
    this.manageReplacement();
    const removed = this.cache.splice(0, this.replaceNum);
    for (const x of removed) disposeItem(x);
    const added = this.replacements.slice(0, this.replaceNum);
    // finished here, possibly inside a caller's scope (an engine's EPOCH_COMPLETED): the cache owns them
    for (const x of added) for (const t of tensorsOf(x)) torch.keep(t);
    this.cache.push(...added);
    this.replacements = [];
    this.tickets = [];
    this.startPos = (this.startPos + this.replaceNum) % Math.max(this.totalNum, 1);
    this.computeDataIdx();
    this.round += 1;
    this.replaceDone = false;
    this.nextReplacement = 0;
    this.schedule();
  }

  /** Stops background replacement; the cache stays, and a later start() restarts the window at position 0 (as MONAI). */
  shutdown(): void {
    if (!this.started) return;
    this.started = false;
    this.discardReplacements();
    if (this.replacePool) this.replacePool.close();
    this.replacePool = null;
    this.round = 0;
    this.startPos = 0;
    this.computeDataIdx();
  }

  private discardReplacements(): void {
    if (this.pending !== null) clearImmediate(this.pending);
    this.pending = null;
    for (const x of this.replacements ?? []) if (x !== undefined) disposeItem(x);
    this.replacements = [];
    const pool = this.replacePool;
    if (pool) for (const t of (this.tickets ?? []).slice(this.nextReplacement)) pool.drop(t);
    this.tickets = [];
    this.nextReplacement = 0;
    this.replaceDone = false;
    this.backgroundError = null;
  }

  /** Frees the cached tensors and any prepared replacements. */
  override disposeCache(): void {
    if (this.ready === true) {
      this.shutdown();
      this.discardReplacements();
    }
    super.disposeCache();
  }
}


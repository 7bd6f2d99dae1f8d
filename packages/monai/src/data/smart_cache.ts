/**
 * MONAI's SmartCacheDataset: a cache of `cacheNum` items that slides over the (optionally shuffled) data
 * list; each `updateCache()` drops the `replaceNum` oldest cached items and appends the next ones.
 *
 * Node runs this library on one thread, so "background" replacement means: after `start()` and after
 * every `updateCache()`, the next round's replacements are computed one item per event-loop turn
 * (setImmediate), i.e. between training steps whenever the training loop awaits anything. If they are not
 * all ready when `updateCache()` is called, the rest are computed synchronously right there. Which items
 * are cached in which round is exactly MONAI's (checked against its goldens), including the restart after
 * `shutdown()`, which starts the replacement window at position 0 again.
 */
import type { TransformLike } from '../transforms/transform.js';
import { RandomState } from '../utils/random_state.js';
import { CacheDataset } from './dataset.js';
import { disposeItem } from './item_codec.js';
import { checkOptions } from './options.js';

export interface SmartCacheDatasetOptions {
  /** share of the cached items replaced each round (default 0.1; must be > 0) */
  replaceRate?: number;
  /** at most this many items are cached (default: all) */
  cacheNum?: number;
  /** share of the items cached (default 1) */
  cacheRate?: number;
  /** accepted for MONAI compatibility; the first cache is built on this thread */
  numInitWorkers?: number | null;
  /** accepted for MONAI compatibility; replacements are computed on the event loop (see the file comment) */
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

  constructor(data: readonly unknown[], transform?: TransformLike | readonly TransformLike[] | null, options: SmartCacheDatasetOptions = {}) {
    checkOptions('SmartCacheDataset', options, OPTIONS);
    if (!Array.isArray(data)) throw new TypeError(`SmartCacheDataset: data must be an array, got ${typeof data}`);
    const o = options ?? {};
    const shuffle = o.shuffle ?? true;
    const seed = o.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`SmartCacheDataset: seed must be a non-negative integer, got ${String(seed)}`);
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
    this.replaceRate = o.replaceRate ?? 0.1;
    if (!(this.replaceRate > 0)) throw new RangeError(`SmartCacheDataset: replaceRate must be > 0 (use CacheDataset for a fixed cache), got ${this.replaceRate}`);
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
    if (this.pending !== null || !this.started || this.replaceDone) return;
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

  /** Computes one replacement; returns false when the round's replacements are all ready. */
  private step(): boolean {
    if (this.replaceDone) return false;
    if (this.nextReplacement < this.replaceNum) {
      const k = this.nextReplacement;
      this.replacements[k] = this.loadCacheItem(this.replaceDataIdx[k]);
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
    while (this.step());
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
    this.cache.push(...this.replacements.slice(0, this.replaceNum));
    this.replacements = [];
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
    this.round = 0;
    this.startPos = 0;
    this.computeDataIdx();
  }

  private discardReplacements(): void {
    if (this.pending !== null) clearImmediate(this.pending);
    this.pending = null;
    for (const x of this.replacements ?? []) if (x !== undefined) disposeItem(x);
    this.replacements = [];
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


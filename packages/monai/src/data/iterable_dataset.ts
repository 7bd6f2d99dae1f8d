/**
 * Stream datasets (MONAI's monai/data/iterable_dataset.py): IterableDataset wraps an iterable or async
 * iterable of items and applies a transform to each; ShuffleBuffer pops items from a buffer at random
 * (MONAI's order for a seed, numpy-exact draws).
 *
 * Sharding, as MONAI/PyTorch: with a DataLoader of W workers, every worker opens the whole stream and
 * keeps the items at positions i, i+W, i+2W, ... (worker i), so together they see each item once; the
 * loader takes batches from the workers in turn. For the stream to reach workers, `data` must travel:
 * an array, or a function that opens the stream (a generator function exported by a registered module, or
 * a `{ module, name }` spec), called once per iteration and per worker. A generator object or another
 * closure can only be iterated on the main thread (the DataLoader then warns and loads there).
 */
import * as torch from '@monai-ts/torch';
import { Compose } from '../transforms/compose.js';
import { FunctionRef, asFunctionRef, type FunctionSpec } from '../transforms/serialize.js';
import { MAX_SEED, type TransformLike } from '../transforms/transform.js';
import { RandomState } from '../utils/random_state.js';
import { aliasShared, tensorsOf } from './item_codec.js';
import { checkOptions } from './options.js';
import { seedDataset } from './shared_item.js';

/** A stream of items: an (async) iterable, or a function opening one (called per iteration). */
export type StreamSource = Iterable<unknown> | AsyncIterable<unknown> | (() => Iterable<unknown> | AsyncIterable<unknown>) | FunctionSpec | FunctionRef;

/** Which part of the stream an iteration keeps: positions p with p % numWorkers === id. */
export interface StreamShard {
  id: number;
  numWorkers: number;
}

export interface IterateOptions {
  /** keep only this worker's positions (default: all) */
  shard?: StreamShard | null;
  /** seed the transform's random components with seed + position before each item (the DataLoader's per-item seeding) */
  seed?: bigint | null;
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Applies `transform` to each item of a stream (MONAI's IterableDataset); `for await (const x of ds)`. */
export class IterableDataset<T = unknown> implements AsyncIterable<T> {
  readonly data: StreamSource;
  readonly transform: Compose;

  constructor(data: StreamSource, transform?: TransformLike | readonly TransformLike[] | null) {
    const who = new.target.name;
    const src = asFunctionRef(data, `${who}: data`);
    if (!(src instanceof FunctionRef) && typeof src !== 'function' && !isIterable(src) && !isAsyncIterable(src)) {
      throw new TypeError(`${who}: data must be an iterable, an async iterable, a function returning one, or a { module, name } spec, got ${src === null ? 'null' : typeof src}`);
    }
    this.data = src as StreamSource;
    try {
      this.transform = transform instanceof Compose ? transform : new Compose(transform === undefined || transform === null ? [] : (transform as TransformLike | TransformLike[]));
    } catch (e) {
      throw new TypeError(`${who}: transform must be a transform, a function or a list of them (${(e as Error).message})`);
    }
  }

  /** The source stream of one iteration (a function or spec is called anew each time). */
  protected open(): Iterable<unknown> | AsyncIterable<unknown> {
    const d = this.data;
    const src = d instanceof FunctionRef ? d.resolve(this.constructor.name)() : typeof d === 'function' ? (d as () => unknown)() : d;
    if (!isIterable(src) && !isAsyncIterable(src)) throw new TypeError(`${this.constructor.name}: the data function must return an iterable or async iterable, got ${src === null ? 'null' : typeof src}`);
    return src;
  }

  /** What each iteration starts with (ShuffleBuffer advances its seed); the DataLoader calls it before sending the dataset to workers. */
  startEpoch(): void {}

  /**
   * The raw items of one iteration with their position in their pass over the data (ShuffleBuffer
   * reorders them and may make several passes; shards are taken per pass, as MONAI's).
   */
  protected async *items(): AsyncGenerator<[unknown, number], void, undefined> {
    let p = 0;
    for await (const item of this.open() as AsyncIterable<unknown>) yield [item, p++];
  }

  /** The transformed item: intermediates freed, tensors of the source handed out as aliases. */
  protected transformItem(item: unknown): T {
    return aliasShared(torch.tidy(() => this.transform.call(item)), tensorsOf(item)) as T;
  }

  /**
   * One pass over the stream with a shard and per-item seeds (what the DataLoader and its workers run);
   * `startEpoch()` is not called here.
   */
  async *iterate(options: IterateOptions = {}): AsyncGenerator<T, void, undefined> {
    const { shard = null, seed = null } = options;
    const w = shard?.numWorkers ?? 1;
    const id = shard?.id ?? 0;
    let k = 0n; // position in the whole iteration: the item's seed offset, the same in every worker
    for await (const [item, p] of this.items()) {
      const at = k++;
      if (p % w !== id) continue;
      if (seed !== null) seedDataset(this.transform, seed + at);
      yield this.transformItem(item);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    this.startEpoch();
    yield* this.iterate();
  }
}

export interface ShuffleBufferOptions {
  /** items held; each output is drawn from them at random (default 512) */
  bufferSize?: number;
  /** seed of the draws; each iteration adds 1 first (default 0), as MONAI */
  seed?: number;
  /** passes over the data per iteration, -1 for endless (default 1) */
  epochs?: number;
}

/**
 * Fills a buffer of `bufferSize` items, then for each further item outputs one at a random place of the
 * buffer (swapped with the last), and finally drains the buffer the same way (MONAI's ShuffleBuffer: the
 * same order for the same seed). Each iteration first adds 1 to `seed` and reseeds, so epochs differ and
 * workers, which each get a copy, shuffle alike.
 */
export class ShuffleBuffer<T = unknown> extends IterableDataset<T> {
  readonly size: number;
  seed: number;
  readonly epochs: number;
  R: RandomState;

  constructor(data: StreamSource, transform?: TransformLike | readonly TransformLike[] | null, options: ShuffleBufferOptions = {}) {
    super(data, transform);
    checkOptions('ShuffleBuffer', options, ['bufferSize', 'seed', 'epochs']);
    const { bufferSize = 512, seed = 0, epochs = 1 } = options;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new RangeError(`ShuffleBuffer: bufferSize must be a positive integer, got ${String(bufferSize)}`);
    if (!Number.isInteger(seed)) throw new TypeError(`ShuffleBuffer: seed must be an integer, got ${String(seed)}`);
    if (!Number.isInteger(epochs) || epochs < -1) throw new RangeError(`ShuffleBuffer: epochs must be an integer >= -1 (-1: endless), got ${String(epochs)}`);
    this.size = bufferSize;
    this.seed = seed;
    this.epochs = epochs;
    this.R = new RandomState(this.seedOf(seed));
  }

  private seedOf(seed: number): number {
    return ((seed % MAX_SEED) + MAX_SEED) % MAX_SEED; // MONAI's set_random_state: seed % MAX_SEED
  }

  /** MONAI's set_random_state (seed or state). */
  setRandomState(options: { seed?: number | null; state?: RandomState | null } = {}): this {
    if (options.state) this.R = options.state;
    else if (options.seed !== undefined && options.seed !== null) this.R = new RandomState(this.seedOf(options.seed));
    else this.R = new RandomState();
    return this;
  }

  override startEpoch(): void {
    this.seed += 1;
    this.setRandomState({ seed: this.seed });
  }

  /** The buffer entry at a random place (numpy's randint(len)), replaced by the last one. */
  private pop(buffer: unknown[]): unknown {
    const i = this.R.randint(buffer.length);
    const out = buffer[i];
    buffer[i] = buffer[buffer.length - 1];
    buffer.pop();
    return out;
  }

  protected override async *items(): AsyncGenerator<[unknown, number], void, undefined> {
    for (let e = 0; this.epochs < 0 || e < this.epochs; e++) {
      const buffer: unknown[] = [];
      let p = 0;
      for await (const item of this.open() as AsyncIterable<unknown>) {
        if (buffer.length >= this.size) yield [this.pop(buffer), p++];
        buffer.push(item);
      }
      while (buffer.length) yield [this.pop(buffer), p++];
    }
  }
}

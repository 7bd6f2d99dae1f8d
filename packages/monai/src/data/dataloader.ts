/**
 * MONAI's DataLoader (PyTorch's, with list_data_collate and per-worker seeding): an async iterable of
 * batches, `for await (const batch of loader)`, with `numWorkers` worker threads (worker_pool.ts).
 *
 * Order and randomness, each epoch:
 * - a base seed is drawn as PyTorch does (`torch.empty((), dtype=int64).random_(generator)`), then with
 *   `shuffle` the order is `torch.randperm(n, generator)`: with a `generator` the order is PyTorch's
 *   RandomSampler order for the same seed; without one, both come from torch's global generator
 *   (`torch.manualSeed`).
 * - The item at position k of the epoch is produced right after MONAI's set_rnd(dataset, base + k): every
 *   random component of the dataset is reseeded per item. So batches are identical for any `numWorkers`
 *   (0 included), any worker scheduling and any batch size. (MONAI seeds each worker once with base + id,
 *   so its results change with num_workers; see docs/compat.md.)
 * - A pipeline that cannot be sent to workers (an anonymous closure, an unregistered class) runs on the
 *   main thread, with one warning per loader saying how to make it parallel.
 * - Batches are collated in the workers when `collateFn` can travel (listDataCollate, padListDataCollate,
 *   or a function exported by a registered module), else on the main thread.
 */
import * as torch from '@monai-ts/torch';
import { checkOptions } from './options.js';
import { describeTransform, loadTransformRegistry, NotPortableError, registerFunctionRefs, registerTransforms, releaseDescription, type TransformDescription } from '../transforms/serialize.js';
import { IterableDataset } from './iterable_dataset.js';
import { streamHere, streamInWorkers } from './iterable_loader.js';
import { listDataCollate } from './collate.js';
import { disposeCollated, seedDataset } from './shared_item.js';
import { WorkerItemError, WorkerPool, freeUnread, itemError } from './worker_pool.js';
import { disposeItem } from './item_codec.js';

/** What a DataLoader reads: `length` and a synchronous `get(index)` (Dataset, CacheDataset, ...). */
export interface LoaderDataset {
  readonly length: number;
  get(index: number): unknown;
}

export interface DataLoaderOptions {
  /** items per batch (default 1) */
  batchSize?: number;
  /** a new random order each epoch (default false) */
  shuffle?: boolean;
  /** the indices to visit (an iterable, re-iterated each epoch); excludes shuffle */
  sampler?: Iterable<number> | null;
  /** drop the last incomplete batch (default false) */
  dropLast?: boolean;
  /** worker threads (default 0: load on the main thread) */
  numWorkers?: number;
  /** items -> batch (default listDataCollate) */
  collateFn?: (items: unknown[]) => unknown;
  /** batches queued per worker (default 2) */
  prefetchFactor?: number;
  /** keep the workers between epochs (default false); call close() when done */
  persistentWorkers?: boolean;
  /** called in each worker with its id; must be exported by a registered module to travel */
  workerInitFn?: ((workerId: number) => unknown) | null;
  /** source of the base seed and of the shuffle order (default: torch's global generator) */
  generator?: torch.Generator | null;
  /** module URL(s) each worker imports first (where user transforms and functions are defined) */
  workerSetup?: string | URL | readonly (string | URL)[] | null;
  /**
   * How random transforms are seeded (default 'perItem'):
   * - 'perItem': each item is produced right after set_rnd(dataset, base + position), so batches do not
   *   depend on numWorkers;
   * - 'monai': MONAI's own streams, so a seeded run draws the same crops as MONAI in Python. With
   *   numWorkers 0 the dataset is seeded once, here in the constructor, from a draw of the generator
   *   (which is then reset to its initial seed, as MONAI's DataLoader does), and its random states run on
   *   across items and epochs. With workers, worker w is seeded with base + w when it starts (each epoch,
   *   or once with persistentWorkers) and loads batches w, w + numWorkers, ... (PyTorch's round robin).
   */
  randomStreams?: 'perItem' | 'monai';
}

const OPTIONS = ['batchSize', 'shuffle', 'sampler', 'dropLast', 'numWorkers', 'collateFn', 'prefetchFactor', 'persistentWorkers', 'workerInitFn', 'generator', 'workerSetup', 'randomStreams'];

function positiveInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`DataLoader: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

export class DataLoader<B = unknown> implements AsyncIterable<B> {
  readonly dataset: LoaderDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly sampler: Iterable<number> | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly collateFn: (items: unknown[]) => unknown;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly workerInitFn: ((workerId: number) => unknown) | null;
  readonly generator: torch.Generator | null;
  readonly workerSetup: string[];
  readonly randomStreams: 'perItem' | 'monai';
  private pool: WorkerPool | null = null;
  /** 'monai' streams with persistent workers: the workers were seeded (PyTorch draws their base seed once) */
  private workersSeeded = false;
  private portable: boolean | null = null;
  private warned = false;

  /** the IterableDataset when the dataset is a stream (iterable_loader.ts), else null */
  readonly stream: IterableDataset | null;
  private refsLoaded = false;

  /** `dataset`: a map-style dataset (length and get), or an IterableDataset (see iterable_loader.ts). */
  constructor(dataset: LoaderDataset | IterableDataset, options: DataLoaderOptions = {}) {
    checkOptions('DataLoader', options, OPTIONS);
    this.stream = dataset instanceof IterableDataset ? dataset : null;
    if (this.stream) {
      if (options.shuffle) throw new TypeError('DataLoader: shuffle must be unset for an IterableDataset (the stream decides the order; use ShuffleBuffer)');
      if (options.sampler) throw new TypeError('DataLoader: sampler must be unset for an IterableDataset (the stream decides the order)');
    } else if (!dataset || typeof dataset !== 'object' || typeof (dataset as LoaderDataset).get !== 'function' || typeof (dataset as LoaderDataset).length !== 'number') {
      throw new TypeError('DataLoader: dataset must have a numeric length and a get(index) method, or be an IterableDataset');
    }
    this.dataset = dataset as LoaderDataset;
    this.batchSize = positiveInt(options.batchSize ?? 1, 'batchSize', 1);
    this.shuffle = Boolean(options.shuffle ?? false);
    this.sampler = options.sampler ?? null;
    if (this.sampler && this.shuffle) throw new TypeError('DataLoader: sampler and shuffle=true exclude each other (the sampler decides the order)');
    if (this.sampler && typeof (this.sampler as Iterable<number>)[Symbol.iterator] !== 'function') throw new TypeError('DataLoader: sampler must be an iterable of indices');
    this.dropLast = Boolean(options.dropLast ?? false);
    this.numWorkers = positiveInt(options.numWorkers ?? 0, 'numWorkers', 0);
    this.collateFn = options.collateFn ?? listDataCollate;
    if (typeof this.collateFn !== 'function') throw new TypeError(`DataLoader: collateFn must be a function, got ${typeof this.collateFn}`);
    this.prefetchFactor = positiveInt(options.prefetchFactor ?? 2, 'prefetchFactor', 1);
    this.persistentWorkers = Boolean(options.persistentWorkers ?? false);
    if (this.persistentWorkers && this.numWorkers === 0) throw new TypeError('DataLoader: persistentWorkers needs numWorkers > 0');
    this.workerInitFn = options.workerInitFn ?? null;
    this.generator = options.generator ?? null;
    const setup = options.workerSetup ?? [];
    this.workerSetup = (Array.isArray(setup) ? setup : [setup]).map(String);
    const streams = options.randomStreams ?? 'perItem';
    if (streams !== 'perItem' && streams !== 'monai') throw new TypeError(`DataLoader: randomStreams must be 'perItem' or 'monai', got ${String(streams)}`);
    this.randomStreams = streams;
    if (streams === 'monai' && this.numWorkers === 0 && !this.stream) this.seedOnce();
  }

  /** MONAI's DataLoader with num_workers=0: set_rnd(dataset, one draw of the generator), then the generator back to its initial seed. */
  private seedOnce(): void {
    const gen = this.generator;
    const initial = gen ? gen.initialSeed() : torch.initialSeed();
    const t = torch.empty([], { dtype: 'int64' });
    try {
      if (gen) t.random_({ generator: gen });
      else t.random_();
      seedDataset(this.dataset, BigInt((t.data() as BigInt64Array)[0]));
    } finally {
      t.dispose();
    }
    if (gen) gen.manualSeed(initial);
    else torch.manualSeed(initial);
  }

  /** Number of items one epoch visits. */
  private get numItems(): number {
    if (this.sampler) {
      const n = (this.sampler as { length?: unknown }).length;
      return typeof n === 'number' ? n : [...this.sampler].length;
    }
    return this.dataset.length;
  }

  /** Batches per epoch. */
  get length(): number {
    if (this.stream) throw new TypeError('DataLoader: a loader over an IterableDataset has no length (a stream)');
    const n = this.numItems;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** This epoch's base seed and item order (draws from the generator, as PyTorch's iterator does). */
  private epochPlan(): { base: bigint; order: number[] } {
    const g = this.generator;
    const draw = (gen: torch.Generator | null): bigint => {
      const t = torch.empty([], { dtype: 'int64' });
      try {
        if (gen) t.random_({ generator: gen });
        else t.random_();
        return BigInt((t.data() as BigInt64Array)[0]);
      } finally {
        t.dispose();
      }
    };
    // PyTorch draws the base seed when it creates an iterator: persistent workers keep theirs across epochs
    const base = this.randomStreams === 'monai' && this.persistentWorkers && this.workersSeeded ? 0n : draw(g);
    let order: number[];
    if (this.sampler) order = [...this.sampler];
    else if (this.shuffle) {
      const gen = g ?? new torch.Generator().manualSeed(draw(null));
      const p = torch.randperm(this.dataset.length, { generator: gen });
      try {
        order = Array.from(p.data() as BigInt64Array, Number);
      } finally {
        p.dispose();
      }
    } else order = Array.from({ length: this.dataset.length }, (_, i) => i);
    return { base, order };
  }

  /**
   * PyTorch 1.13's RandomSampler draws one more randperm(n) from the generator when it runs out (its
   * remainder slice `randperm(n)[:numSamples % n]`), so the next epoch's draws from a user generator
   * start after it. Called once a shuffled epoch has been read to its end (an early break draws nothing, as
   * there); a sampler-less loader without a generator uses a private generator there, so nothing to do.
   */
  private samplerExhausted(): void {
    if (!this.shuffle || this.sampler || !this.generator) return;
    torch.randperm(this.dataset.length, { generator: this.generator }).dispose();
  }

  private batches(order: number[]): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < order.length; s += this.batchSize) {
      const b = order.slice(s, s + this.batchSize);
      if (b.length < this.batchSize && this.dropLast) break;
      out.push(b);
    }
    return out;
  }

  [Symbol.asyncIterator](): AsyncGenerator<B, void, undefined> {
    return this.epoch();
  }

  private async *epoch(): AsyncGenerator<B, void, undefined> {
    if (!this.refsLoaded) {
      await registerFunctionRefs(this.dataset); // modules of { module, name } functions (Lambda's), here and for workers
      this.refsLoaded = true;
    }
    if (this.stream) {
      yield* this.streamEpoch(this.stream);
      return;
    }
    const { base, order } = this.epochPlan();
    const batches = this.batches(order);
    const seedsOf = (start: number, n: number): bigint[] => Array.from({ length: n }, (_, k) => base + BigInt(start + k));
    const pool = this.numWorkers > 0 ? await this.getPool() : null;
    if (!pool) {
      let pos = 0;
      for (const b of batches) {
        const seeds = seedsOf(pos, b.length);
        pos += b.length;
        yield this.loadHere(b, seeds) as B;
      }
      this.samplerExhausted();
      return;
    }
    const collate = this.describeCollate();
    const tasks: { p: Promise<unknown>; inWorker: boolean; indices: number[] }[] = [];
    let next = 0;
    let pos = 0;
    // 'monai': batch i on worker i % size, each worker seeded with base + id before its first batch (every
    // epoch, or only the first with persistent workers, whose worker_init_fn runs once)
    const monai = this.randomStreams === 'monai';
    const reseed = monai && (!this.persistentWorkers || !this.workersSeeded);
    if (monai) this.workersSeeded = true;
    const fill = (): void => {
      while (next < batches.length && tasks.length < pool.size * this.prefetchFactor) {
        const i = next++;
        const b = batches[i];
        const task = monai
          ? { indices: b, seeds: null, collate: collate && structuredClone(collate), worker: i % pool.size, reseed: reseed && i < pool.size ? base + BigInt(i) : null }
          : { indices: b, seeds: seedsOf(pos, b.length), collate: collate && structuredClone(collate) };
        tasks.push({ p: pool.submit(task), inWorker: collate !== null, indices: b });
        pos += b.length;
      }
    };
    try {
      fill();
      while (tasks.length) {
        const t = tasks.shift()!;
        const value = await t.p;
        fill();
        yield (t.inWorker ? value : this.collateHere(value as unknown[], t.indices)) as B;
      }
      this.samplerExhausted();
    } finally {
      pool.cancelAll();
      await freeUnread(tasks.map((t) => t.p));
      if (!this.persistentWorkers) {
        this.pool = null;
        await pool.close();
      }
    }
  }

  /** One pass over an IterableDataset: on the main thread, or sharded over stream workers (iterable_loader.ts). */
  private async *streamEpoch(ds: IterableDataset): AsyncGenerator<B, void, undefined> {
    const { base } = this.epochPlan();
    ds.startEpoch();
    const collate = (items: unknown[], first: number) => this.collateHere(items, Array.from({ length: items.length }, (_, k) => (first < 0 ? -1 : first + k)));
    const common = { batchSize: this.batchSize, dropLast: this.dropLast, seed: base, collate };
    if (this.numWorkers > 0 && (await this.streamPortable(ds))) {
      await loadTransformRegistry();
      const initFn = this.workerInitFn ? describeTransform(this.workerInitFn, 'workerInitFn') : null;
      yield* streamInWorkers(ds, { ...common, numWorkers: this.numWorkers, prefetch: this.prefetchFactor, workerSetup: this.workerSetup, workerInitFn: initFn, collateDesc: this.describeCollate() }) as AsyncGenerator<B>;
      return;
    }
    yield* streamHere(ds, common) as AsyncGenerator<B>;
  }

  /** Whether the stream dataset can travel to workers (else one warning, as for map-style datasets). */
  private async streamPortable(ds: IterableDataset): Promise<boolean> {
    return this.portable ?? this.checkPortable(ds);
  }

  /**
   * Whether `ds` and workerInitFn can travel to worker threads (remembered; one warning when not): the
   * main thread describes them, with the same registered classes the workers get, and frees that at once.
   */
  private async checkPortable(ds: unknown): Promise<boolean> {
    await loadTransformRegistry();
    for (const m of this.workerSetup) await registerTransforms(m);
    try {
      releaseDescription(describeTransform(ds, 'dataset'));
      if (this.workerInitFn) describeTransform(this.workerInitFn, 'workerInitFn');
      this.portable = true;
    } catch (e) {
      if (!(e instanceof NotPortableError)) throw e;
      this.portable = false;
      this.warnNotPortable(e);
    }
    return this.portable;
  }

  private loadHere(indices: number[], seeds: bigint[]): unknown {
    const items: unknown[] = [];
    try {
      for (let k = 0; k < indices.length; k++) {
        if (this.randomStreams === 'perItem') seedDataset(this.dataset, seeds[k]);
        try {
          items.push(this.dataset.get(indices[k]));
        } catch (e) {
          throw itemError('DataLoader', e, indices[k], null);
        }
      }
    } catch (e) {
      items.forEach((x) => disposeItem(x));
      throw e;
    }
    return this.collateHere(items, indices);
  }

  private collateHere(items: unknown[], indices: readonly number[]): unknown {
    let batch: unknown;
    try {
      batch = this.collateFn(items);
    } catch (e) {
      throw new WorkerItemError(`DataLoader: collateFn failed on the batch of items [${indices.join(', ')}]: ${e instanceof Error ? e.message : String(e)}`, indices[0] ?? -1, null, null, { cause: e });
    } finally {
      if (batch !== undefined) disposeCollated(items, batch);
      else items.forEach((x) => disposeItem(x));
    }
    return batch;
  }

  private describeCollate(): TransformDescription | null {
    try {
      return describeTransform(this.collateFn, 'collateFn');
    } catch (e) {
      if (e instanceof NotPortableError) return null;
      throw e;
    }
  }

  /** The worker pool, or null (with one warning) when the dataset cannot travel to workers. */
  private async getPool(): Promise<WorkerPool | null> {
    if (this.pool) return this.pool;
    if (this.portable === false || !(await this.checkPortable(this.dataset))) return null;
    this.pool = await WorkerPool.start(this.dataset, { numWorkers: this.numWorkers, workerSetup: this.workerSetup, workerInitFn: this.workerInitFn, who: 'DataLoader' });
    return this.pool;
  }

  private warnNotPortable(e: NotPortableError): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(
      `DataLoader: numWorkers=${this.numWorkers} but ${e.message}, so it cannot be sent to worker threads; loading on the main thread instead. ` +
        'To load in parallel, define that function or class in a module, export it, and pass the module URL as the workerSetup option (or call registerTransforms(url) before iterating).',
      { type: 'MonaiWorkerWarning', code: 'MONAI_TS_NOT_PORTABLE' },
    );
  }

  /** Ends persistent workers (a no-op otherwise). */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    if (p) await p.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * A pool of `worker_threads` that each rebuild a dataset (from `describeTransform`, see
 * transforms/serialize.ts) and return its items for lists of indices: the engine under DataLoader and,
 * through `runInPool`, under cache builders (CacheDataset can build its cache in parallel with
 * `for await (const item of runInPool(new Dataset(data, deterministicPrefix), indices, { numWorkers }))`).
 *
 * Tensors come back as native handles without copies (shared_item.ts); a task's failure arrives as a
 * WorkerItemError naming the item index and the transform; `close()` drops queued tasks, frees the
 * tensors of results nobody will read, waits for each worker to say it is done, and ends the threads.
 * Each worker runs libtorch with one intra-op thread (as PyTorch's workers), so N workers use N cores.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { describeTransform, loadTransformRegistry, registeredModules, releaseDescription, type TransformDescription } from '../transforms/serialize.js';
import { TransformError } from '../transforms/transform.js';
import { adoptItem, disposeDeep, releaseItem } from './shared_item.js';
import { disposeItem } from './item_codec.js';
import { workerLoader } from './worker_loader.js';

/** A dataset item that failed: `index` is the dataset index, `transformName` the failing transform (if any). */
export class WorkerItemError extends Error {
  override name = 'WorkerItemError';
  constructor(
    message: string,
    readonly index: number,
    readonly transformName: string | null,
    readonly workerId: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Builds the error for item `index` from what was thrown (the same text with or without workers). */
export function itemError(who: string, e: unknown, index: number, workerId: number | null, remote?: { message: string; transformName: string | null; stack?: string }): WorkerItemError {
  let transformName: string | null = remote ? remote.transformName : null;
  for (let c: unknown = e; !remote && c; c = (c as { cause?: unknown }).cause) {
    if (c instanceof TransformError) {
      transformName = c.transformName;
      break;
    }
  }
  const msg = remote ? remote.message : e instanceof Error ? e.message : String(e);
  const where = workerId === null ? '' : ` in worker ${workerId}`;
  const err = new WorkerItemError(`${who}: item ${index}${transformName ? ` (transform ${transformName})` : ''} failed${where}: ${msg}`, index, transformName, workerId, { cause: e });
  if (remote?.stack) err.stack = `${err.name}: ${err.message}\n--- worker stack ---\n${remote.stack}`;
  return err;
}

export interface WorkerPoolOptions {
  numWorkers: number;
  /** module URLs each worker imports (and registers) before rebuilding the dataset */
  workerSetup?: readonly string[];
  /** an exported function (registered) each worker calls with its id, as PyTorch's worker_init_fn */
  workerInitFn?: ((workerId: number) => unknown) | null;
  /** name used in errors */
  who?: string;
}

/** One unit of work: dataset items for `indices`, each seeded first when `seeds` is given, optionally collated. */
export interface PoolTask {
  indices: number[];
  seeds: bigint[] | null;
  /** a described collate function (run in the worker), or null to return the list of items */
  collate: TransformDescription | null;
  /** run on this worker (default: the least busy one) */
  worker?: number;
  /** seed the worker's dataset with this once, before the task (MONAI's worker_init_fn set_rnd) */
  reseed?: bigint | null;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  worker: number;
  dropped: boolean;
}

interface Slot {
  worker: Worker;
  load: number;
  closed: Promise<number>;
  exited: Promise<void>;
  dead: Error | null;
}

function entryUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker_entry${ext}`, import.meta.url);
}

/**
 * Starts a pool thread, loading the library as worker_loader.ts decides (built JavaScript when current). With
 * `data.signal` (a blocking pool), the thread flags its exit in signal[1 + workerId] and wakes the main
 * thread, and a failure to load the entry is posted on `data.port`, since a blocked main thread never
 * sees a Worker's 'error' or 'exit' events.
 */
export function startWorker(data: { workerId: number; port?: MessagePort; signal?: Int32Array } & Record<string, unknown>, transferList: MessagePort[] = []): Worker {
  const { load, execArgv } = workerLoader(entryUrl(), (data.modules as string[] | undefined) ?? []);
  const code = `const { workerData: d } = require('node:worker_threads');
const wake = () => { Atomics.add(d.signal, 0, 1); Atomics.notify(d.signal, 0); };
if (d.signal) process.on('exit', () => { Atomics.store(d.signal, 1 + d.workerId, 1); wake(); });
${load}.catch((e) => {
  if (d.port) { d.port.postMessage({ type: 'initError', error: { message: String(e && e.stack || e) } }); wake(); }
  else process.nextTick(() => { throw e; });
});`;
  return new Worker(code, { eval: true, workerData: data, transferList, execArgv });
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** [0]: epoch below which queued tasks are skipped */
  private readonly cancel = new Int32Array(new SharedArrayBuffer(4));
  private epoch = 0;
  private closing: Promise<number[]> | null = null;
  readonly who: string;

  private constructor(who: string) {
    this.who = who;
  }

  /** Starts `numWorkers` workers, each rebuilding `dataset`; resolves when all are ready. */
  static async start(dataset: object, options: WorkerPoolOptions): Promise<WorkerPool> {
    const who = options.who ?? 'WorkerPool';
    const n = options.numWorkers;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${who}: numWorkers must be a positive integer, got ${String(n)}`);
    await loadTransformRegistry();
    const pool = new WorkerPool(who);
    const setup = [...(options.workerSetup ?? [])];
    const modules = [...new Set([...setup, ...registeredModules()])];
    const initFn = options.workerInitFn ? describeTransform(options.workerInitFn, 'workerInitFn') : null;
    const ready: Promise<void>[] = [];
    for (let w = 0; w < n; w++) {
      const desc = describeTransform(dataset, 'dataset'); // fresh share tokens per worker
      let worker: Worker;
      try {
        worker = startWorker({ workerId: w, modules, dataset: desc, initFn: w === 0 ? initFn : initFn && structuredClone(initFn), cancel: pool.cancel });
      } catch (e) {
        releaseDescription(desc);
        await pool.close();
        throw e;
      }
      let closedResolve!: (live: number) => void;
      const slot: Slot = { worker, load: 0, dead: null, closed: new Promise((r) => (closedResolve = r)), exited: new Promise((r) => worker.once('exit', () => r())) };
      pool.slots.push(slot);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: { type: string; id?: number; value?: unknown; error?: { message: string; stack?: string; index: number; transformName: string | null }; live?: number }) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'initError') reject(new Error(`${who}: worker ${w} could not rebuild the dataset: ${m.error!.message}`));
            else if (m.type === 'closed') closedResolve(m.live ?? 0);
            else pool.settle(m.id!, m.type, m.value, m.error, w);
          });
          const fail = (e: Error): void => {
            if (slot.dead) return;
            slot.dead = e;
            reject(e);
            closedResolve(0);
            for (const [id, p] of pool.pending) {
              if (p.worker !== w) continue;
              pool.pending.delete(id);
              if (!p.dropped) p.reject(new Error(`${who}: worker ${w} stopped: ${e.message}`, { cause: e }));
            }
          };
          worker.on('error', fail);
          worker.on('exit', (code) => fail(new Error(`${who}: worker ${w} exited with code ${code}`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  private settle(id: number, type: string, value: unknown, error: { message: string; stack?: string; index: number; transformName: string | null } | undefined, w: number): void {
    const p = this.pending.get(id);
    this.slots[w].load--;
    if (!p) {
      releaseItem(value);
      return;
    }
    this.pending.delete(id);
    if (p.dropped || type === 'cancelled') {
      releaseItem(value);
      if (!p.dropped) p.reject(new Error(`${this.who}: task ${id} was cancelled`));
      return;
    }
    if (type === 'error' && error!.index < 0) {
      const idx = (error as { indices?: number[] }).indices ?? [];
      p.reject(new WorkerItemError(`${this.who}: collateFn failed on the batch of items [${idx.join(', ')}] in worker ${w}: ${error!.message}`, idx[0] ?? -1, null, w));
    } else if (type === 'error') p.reject(itemError(this.who, error, error!.index, w, error));
    else {
      try {
        p.resolve(adoptItem(value));
      } catch (e) {
        p.reject(e);
      }
    }
  }

  /** Queues a task on the least busy worker; the promise gives the (adopted) result. */
  submit(task: PoolTask): Promise<unknown> {
    if (this.closing) return Promise.reject(new Error(`${this.who}: the worker pool is closed`));
    let best = -1;
    if (task.worker !== undefined) {
      best = task.worker;
      if (!this.slots[best] || this.slots[best].dead) return Promise.reject(new Error(`${this.who}: worker ${best} is not running`));
    } else for (let i = 0; i < this.slots.length; i++) if (!this.slots[i].dead && (best < 0 || this.slots[i].load < this.slots[best].load)) best = i;
    if (best < 0) return Promise.reject(new Error(`${this.who}: no worker is running`));
    const id = this.nextId++;
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, worker: best, dropped: false }));
    promise.catch(() => {}); // awaited later, in order; a failure of a prefetched task is not "unhandled"
    this.slots[best].load++;
    this.slots[best].worker.postMessage({ type: 'task', id, epoch: this.epoch, ...task });
    return promise;
  }

  /** Drops every queued or running task: their results are freed on arrival. */
  cancelAll(): void {
    this.epoch++;
    Atomics.store(this.cancel, 0, this.epoch);
    for (const p of this.pending.values()) {
      // whoever awaits a dropped task gets undefined at once; its result is freed when it arrives
      if (!p.dropped) p.resolve(undefined);
      p.dropped = true;
    }
  }

  /** Stops the workers after freeing everything in flight; resolves with each worker's live tensor count at exit. */
  close(): Promise<number[]> {
    if (!this.closing) {
      this.cancelAll();
      this.closing = (async () => {
        for (const s of this.slots) if (!s.dead) s.worker.postMessage({ type: 'close' });
        const live = await Promise.all(this.slots.map((s) => s.closed));
        await Promise.all(this.slots.map((s) => s.worker.terminate()));
        await Promise.all(this.slots.map((s) => s.exited));
        return live;
      })();
    }
    return this.closing;
  }
}

/**
 * Items `indices` of `dataset` computed by `numWorkers` worker threads, yielded in order (seeded per item
 * when `seeds` is given). Stopping early (break) frees what is in flight and ends the workers.
 */
export async function* runInPool(dataset: object, indices: readonly number[], options: WorkerPoolOptions & { seeds?: readonly bigint[] | null; chunk?: number; prefetch?: number } ): AsyncGenerator<unknown, void, undefined> {
  const { seeds = null, chunk = 1, prefetch = 2, ...poolOptions } = options;
  const pool = await WorkerPool.start(dataset, poolOptions);
  const tasks: Promise<unknown>[] = [];
  try {
    let next = 0;
    const fill = (): void => {
      while (next < indices.length && tasks.length < pool.size * prefetch) {
        const idx = indices.slice(next, next + chunk);
        tasks.push(pool.submit({ indices: idx, seeds: seeds ? seeds.slice(next, next + chunk) : null, collate: null }));
        next += chunk;
      }
    };
    fill();
    while (tasks.length) {
      const items = (await tasks.shift()!) as unknown[];
      fill();
      let k = 0;
      try {
        for (; k < items.length; k++) yield items[k];
      } finally {
        // the consumer stopped inside a chunk: free the items it will not see
        for (k++; k < items.length; k++) disposeItem(items[k]);
      }
    }
  } finally {
    pool.cancelAll();
    await freeUnread(tasks);
    await pool.close();
  }
}

/** Frees the results of tasks that completed but will not be read (after cancelAll, the rest resolve empty). */
export async function freeUnread(tasks: readonly Promise<unknown>[]): Promise<void> {
  for (const t of tasks) disposeDeep(await t.catch(() => undefined));
}

/**
 * The DataLoader's path for IterableDataset (PyTorch's semantics for iterable-style datasets): on the main
 * thread, batches of consecutive stream items; with W workers, worker i iterates its shard (positions i,
 * i+W, ...), builds its own batches (dropLast per worker, as PyTorch), and the loader takes one batch from
 * each worker in turn, skipping workers whose shard ended. The items delivered are the same for any W;
 * how they are grouped into batches depends on W, as in PyTorch.
 *
 * Each item is seeded with the epoch's base seed + its position in the stream (the same in any worker),
 * so random transforms draw the same for every W. Workers start for each epoch (the dataset, ShuffleBuffer's
 * seed included, is sent as it is at the epoch's start), so `persistentWorkers` does not apply here.
 */
import { Worker } from 'node:worker_threads';
import { describeTransform, registeredModules, releaseDescription, type TransformDescription } from '../transforms/serialize.js';
import type { IterableDataset } from './iterable_dataset.js';
import type { StreamWorkerInit } from './iterable_worker_entry.js';
import { disposeItem } from './item_codec.js';
import { adoptItem, releaseItem } from './shared_item.js';
import { itemError } from './worker_pool.js';

export interface StreamLoadOptions {
  batchSize: number;
  dropLast: boolean;
  /** the epoch's base seed (item at stream position k: base + k) */
  seed: bigint;
  /** the main thread's collate (items -> batch; takes the items over) */
  collate: (items: unknown[], first: number) => unknown;
}

/** Batches of consecutive items on the main thread. */
export async function* streamHere(ds: IterableDataset, o: StreamLoadOptions): AsyncGenerator<unknown, void, undefined> {
  let items: unknown[] = [];
  let pos = 0;
  const gen = ds.iterate({ seed: o.seed });
  try {
    for (;;) {
      let r: IteratorResult<unknown>;
      try {
        r = await gen.next();
      } catch (e) {
        throw itemError('DataLoader', e, pos, null);
      }
      if (r.done) break;
      pos++;
      items.push(r.value);
      if (items.length === o.batchSize) {
        const b = items;
        items = [];
        yield o.collate(b, pos - b.length);
      }
    }
    if (items.length && !o.dropLast) {
      const b = items;
      items = [];
      yield o.collate(b, pos - b.length);
    }
  } finally {
    items.forEach((x) => disposeItem(x));
    await gen.return(undefined);
  }
}

export interface StreamWorkerOptions extends StreamLoadOptions {
  numWorkers: number;
  prefetch: number;
  workerSetup: readonly string[];
  workerInitFn: TransformDescription | null;
  /** the collate function described for the workers, or null: workers send item lists, `collate` runs here */
  collateDesc: TransformDescription | null;
}

interface Msg {
  type: string;
  value?: unknown;
  live?: number;
  error?: { message: string; stack?: string; index: number; transformName: string | null };
}

function entryUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./iterable_worker_entry${ext}`, import.meta.url);
}

function startWorker(data: StreamWorkerInit): Worker {
  const url = entryUrl();
  if (url.pathname.endsWith('.ts')) {
    // running from TypeScript sources (tsx): the thread registers tsx first
    const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); }).catch((e) => { process.nextTick(() => { throw e; }); });`;
    return new Worker(code, { eval: true, workerData: data });
  }
  return new Worker(url, { workerData: data });
}

/** One worker's messages, read in order. */
class Inbox {
  private readonly queue: Msg[] = [];
  private waiting: ((m: Msg) => void) | null = null;
  push(m: Msg): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) w(m);
    else this.queue.push(m);
  }
  next(): Promise<Msg> {
    const m = this.queue.shift();
    return m ? Promise.resolve(m) : new Promise((r) => (this.waiting = r));
  }
  /** Messages that arrived and were not read. */
  drain(): Msg[] {
    return this.queue.splice(0);
  }
}

/** Batches from `numWorkers` stream workers, one from each in turn. Stopping early frees what is in flight and ends the threads. */
export async function* streamInWorkers(ds: IterableDataset, o: StreamWorkerOptions): AsyncGenerator<unknown, void, undefined> {
  const n = o.numWorkers;
  const modules = [...new Set([...o.workerSetup, ...registeredModules()])];
  const workers: { worker: Worker; inbox: Inbox; exited: Promise<void>; ready: boolean }[] = [];
  const dead = new Set<number>();
  try {
    for (let w = 0; w < n; w++) {
      const desc = describeTransform(ds, 'dataset');
      let worker: Worker;
      try {
        worker = startWorker({
          workerId: w, numWorkers: n, modules, dataset: desc, initFn: o.workerInitFn && structuredClone(o.workerInitFn), collate: o.collateDesc && structuredClone(o.collateDesc),
          batchSize: o.batchSize, dropLast: o.dropLast, seed: String(o.seed), prefetch: o.prefetch,
        });
      } catch (e) {
        releaseDescription(desc);
        throw e;
      }
      const inbox = new Inbox();
      worker.on('message', (m: Msg) => inbox.push(m));
      worker.on('error', (e) => inbox.push({ type: 'crash', error: { message: e.message, index: -1, transformName: null } }));
      const exited = new Promise<void>((r) => worker.once('exit', (code) => {
        dead.add(w);
        inbox.push({ type: 'crash', error: { message: `exited with code ${code}`, index: -1, transformName: null } });
        r();
      }));
      workers.push({ worker, inbox, exited, ready: false });
    }
    for (let w = 0; w < n; w++) {
      const m = await workers[w].inbox.next();
      if (m.type !== 'ready') throw new Error(`DataLoader: stream worker ${w} could not start: ${m.error?.message ?? m.type}`);
      workers[w].ready = true;
    }
    const active = workers.map((_, w) => w);
    let turn = 0;
    while (active.length) {
      const w = active[turn % active.length];
      const m = await workers[w].inbox.next();
      if (m.type === 'end') {
        active.splice(turn % active.length, 1);
        continue;
      }
      if (m.type === 'error') throw itemError('DataLoader', m.error, m.error!.index, w, m.error);
      if (m.type !== 'batch') throw new Error(`DataLoader: stream worker ${w} stopped: ${m.error?.message ?? m.type}`);
      turn++;
      workers[w].worker.postMessage({ type: 'credit' });
      const value = adoptItem(m.value);
      yield o.collateDesc ? value : o.collate(value as unknown[], -1);
    }
  } finally {
    // ask each running worker to stop, free the batches it still sends, and wait until it freed its own tensors
    await Promise.all(
      workers.map(async ({ worker, inbox, ready }, w) => {
        if (!ready || dead.has(w)) return;
        worker.postMessage({ type: 'stop' });
        for (;;) {
          const m = await inbox.next();
          if (m.type === 'batch') releaseItem(m.value);
          if (m.type === 'closed' || m.type === 'crash') return;
        }
      }),
    );
    for (const { inbox } of workers) for (const m of inbox.drain()) if (m.type === 'batch') releaseItem(m.value);
    await Promise.all(workers.map((x) => x.worker.terminate()));
    await Promise.all(workers.map((x) => x.exited));
  }
}

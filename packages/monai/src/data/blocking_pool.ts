/**
 * Worker threads driven from synchronous code: MONAI builds a CacheDataset's cache inside its
 * constructor with a thread pool, and our constructors are synchronous too. The main thread starts the
 * same workers as WorkerPool (worker_entry.ts), then blocks on `Atomics.wait` while they compute; every
 * reply arrives on a MessagePort read with `receiveMessageOnPort`, so no event-loop turn is needed.
 * Tensors come back as share tokens (no copy), results are returned in the order asked, and a worker
 * that dies (even before it loaded) wakes the main thread through its exit flag instead of hanging it.
 */
import * as os from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { describeTransform, registeredModules, releaseDescription } from '../transforms/serialize.js';
import { adoptItem, releaseItem } from './shared_item.js';
import { itemError, startWorker, WorkerItemError } from './worker_pool.js';
import { disposeItem } from './item_codec.js';

interface Reply {
  type: 'ready' | 'initError' | 'result' | 'error' | 'closed' | 'cancelled';
  id?: number;
  value?: unknown;
  live?: number;
  error?: { message: string; stack?: string; index: number; transformName: string | null };
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  busy: number;
}

export interface BlockingPoolOptions {
  numWorkers: number;
  /** name used in errors */
  who?: string;
  /** libtorch intra-op threads per worker (default: the machine's cores shared out, at least 1) */
  threads?: number;
}

/** Intra-op threads per worker so that `numWorkers` workers together use the machine's cores once. */
export function threadsPerWorker(numWorkers: number): number {
  return Math.max(1, Math.floor(os.availableParallelism() / numWorkers));
}

export class BlockingPool {
  private readonly slots: Slot[] = [];
  /** [0]: bumped after each reply; [1 + w]: worker w exited */
  private readonly signal: Int32Array;
  private closed = false;
  readonly who: string;

  private constructor(who: string, n: number) {
    this.who = who;
    this.signal = new Int32Array(new SharedArrayBuffer(4 * (1 + n)));
  }

  /** Starts the workers, each rebuilding `dataset` (see describeTransform); returns once all are ready. */
  static start(dataset: object, options: BlockingPoolOptions): BlockingPool {
    const n = options.numWorkers;
    const who = options.who ?? 'BlockingPool';
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${who}: numWorkers must be a positive integer, got ${String(n)}`);
    const pool = new BlockingPool(who, n);
    const threads = options.threads ?? threadsPerWorker(n);
    const cancel = new Int32Array(new SharedArrayBuffer(4)); // never cancelled: the main thread waits for every task
    try {
      for (let w = 0; w < n; w++) {
        const desc = describeTransform(dataset, 'dataset');
        const { port1, port2 } = new MessageChannel();
        let worker: Worker;
        try {
          worker = startWorker({ workerId: w, modules: registeredModules(), dataset: desc, initFn: null, cancel, threads, port: port2, signal: pool.signal }, [port2]);
        } catch (e) {
          releaseDescription(desc);
          port1.close();
          throw e;
        }
        worker.unref(); // never keeps the process alive, whatever happens
        worker.on('error', () => {}); // reported through the exit flag; an unhandled 'error' event would throw later
        pool.slots.push({ worker, port: port1, busy: 0 });
      }
      for (let w = 0; w < n; w++) {
        const m = pool.next(w);
        if (m.type === 'initError') throw new Error(`${who}: worker ${w} could not rebuild the dataset: ${m.error!.message}`);
        if (m.type !== 'ready') throw new Error(`${who}: worker ${w} sent '${m.type}' before it was ready`);
      }
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The next reply of worker w, blocking until it comes; throws if the worker has exited. */
  private next(w: number): Reply {
    const slot = this.slots[w];
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const m = receiveMessageOnPort(slot.port);
      if (m) return m.message as Reply;
      if (Atomics.load(this.signal, 1 + w) !== 0) throw new Error(`${this.who}: worker ${w} exited unexpectedly`);
      Atomics.wait(this.signal, 0, seen, 1000);
    }
  }

  /** Any worker's next reply (blocking), with the worker's number. */
  private nextAny(): { w: number; m: Reply } {
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      for (let w = 0; w < this.slots.length; w++) {
        if (this.slots[w].busy === 0) continue;
        const m = receiveMessageOnPort(this.slots[w].port);
        if (m) return { w, m: m.message as Reply };
        if (Atomics.load(this.signal, 1 + w) !== 0) throw new Error(`${this.who}: worker ${w} exited unexpectedly`);
      }
      Atomics.wait(this.signal, 0, seen, 1000);
    }
  }

  /**
   * Items `indices` of the dataset, computed by the workers (each busy with at most `depth` at a time),
   * returned in the order of `indices`; `onItem(k)` runs as item k becomes available in order. On a
   * failure the items computed so far are freed and a WorkerItemError names the item and its transform.
   */
  map(indices: readonly number[], onItem?: (k: number) => void, depth = 2): unknown[] {
    if (this.closed) throw new Error(`${this.who}: the pool is closed`);
    const out: unknown[] = new Array(indices.length);
    const done = new Array<boolean>(indices.length).fill(false);
    let sent = 0;
    let reported = 0;
    let failure: WorkerItemError | Error | null = null;
    const send = (): void => {
      while (failure === null && sent < indices.length) {
        let best = -1;
        for (let w = 0; w < this.slots.length; w++) if (this.slots[w].busy < depth && (best < 0 || this.slots[w].busy < this.slots[best].busy)) best = w;
        if (best < 0) return;
        this.slots[best].busy++;
        this.slots[best].worker.postMessage({ type: 'task', id: sent, epoch: 0, indices: [indices[sent]], seeds: null, collate: null });
        sent++;
      }
    };
    try {
      send();
      while (this.slots.some((s) => s.busy > 0)) {
        const { w, m } = this.nextAny();
        this.slots[w].busy--;
        const k = m.id!;
        if (m.type === 'result') {
          if (failure !== null) releaseItem(m.value);
          else {
            out[k] = (adoptItem(m.value) as unknown[])[0];
            done[k] = true;
          }
        } else if (m.type === 'error') {
          if (failure === null || (failure instanceof WorkerItemError && m.error!.index < failure.index)) failure = itemError(this.who, m.error, m.error!.index, w, m.error);
        } else throw new Error(`${this.who}: unexpected '${m.type}' from worker ${w}`);
        while (failure === null && reported < indices.length && done[reported]) onItem?.(reported++);
        send();
      }
      if (failure !== null) throw failure;
      return out;
    } catch (e) {
      out.forEach((x, k) => done[k] && disposeItem(x));
      throw e;
    }
  }

  /** Ends the workers (each frees its dataset and reports its live tensors first); returns those counts. */
  close(): number[] {
    if (this.closed) return [];
    this.closed = true;
    const live: number[] = [];
    for (let w = 0; w < this.slots.length; w++) {
      const s = this.slots[w];
      try {
        s.worker.postMessage({ type: 'close' });
        for (;;) {
          const m = this.next(w);
          if (m.type === 'closed') {
            live.push(m.live ?? 0);
            break;
          }
          releaseItem(m.value); // a late result nobody asked for any more
        }
      } catch {
        live.push(0); // it exited already
      }
      s.port.close();
      void s.worker.terminate();
    }
    return live;
  }
}

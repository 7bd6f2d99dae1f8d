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
import { itemError, startWorker } from './worker_pool.js';
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
  /** return only once every worker is ready (default true); otherwise tasks queue until they are */
  waitReady?: boolean;
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
  private nextTicket = 0;
  private readonly done = new Map<number, { value: unknown } | { error: unknown }>();
  private readonly dropped = new Set<number>();
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
      for (let w = 0; w < n && options.waitReady !== false; w++) {
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

  /**
   * Handles the replies that have arrived; with `block`, waits until at least one has (when any task is
   * out). Returns whether any was handled. A worker that exited with tasks out is an error.
   */
  private collect(block: boolean): boolean {
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      let got = false;
      for (let w = 0; w < this.slots.length; w++) {
        if (this.slots[w].busy === 0) continue;
        for (let m = receiveMessageOnPort(this.slots[w].port); m; m = this.slots[w].busy > 0 ? receiveMessageOnPort(this.slots[w].port) : undefined) {
          this.handle(w, m.message as Reply);
          got = true;
        }
        if (this.slots[w].busy > 0 && Atomics.load(this.signal, 1 + w) !== 0) throw new Error(`${this.who}: worker ${w} exited unexpectedly`);
      }
      if (got || !block || !this.slots.some((s) => s.busy > 0)) return got;
      Atomics.wait(this.signal, 0, seen, 1000);
    }
  }

  private handle(w: number, m: Reply): void {
    if (m.type === 'ready') return; // a pool started without waiting
    if (m.type === 'initError') throw new Error(`${this.who}: worker ${w} could not rebuild the dataset: ${m.error!.message}`);
    if (m.type !== 'result' && m.type !== 'error') throw new Error(`${this.who}: unexpected '${m.type}' from worker ${w}`);
    this.slots[w].busy--;
    const id = m.id!;
    if (this.dropped.delete(id)) return releaseItem(m.value);
    if (m.type === 'result') {
      try {
        this.done.set(id, { value: (adoptItem(m.value) as unknown[])[0] });
      } catch (e) {
        this.done.set(id, { error: e });
      }
    } else this.done.set(id, { error: itemError(this.who, m.error, m.error!.index, w, m.error) });
  }

  /** Number of tasks given to workers and not answered yet. */
  get outstanding(): number {
    return this.slots.reduce((n, s) => n + s.busy, 0);
  }

  /** Queues dataset item `index` on the least busy worker; returns its ticket (for take/ready/drop). */
  submit(index: number): number {
    if (this.closed) throw new Error(`${this.who}: the pool is closed`);
    let best = 0;
    for (let w = 1; w < this.slots.length; w++) if (this.slots[w].busy < this.slots[best].busy) best = w;
    const id = this.nextTicket++;
    this.slots[best].busy++;
    this.slots[best].worker.postMessage({ type: 'task', id, epoch: 0, indices: [index], seeds: null, collate: null });
    return id;
  }

  /** Handles whatever replies have arrived, without waiting (call it now and then while doing other work). */
  poll(): void {
    if (!this.closed) this.collect(false);
  }

  /** Whether the item of `ticket` is back (take() would not wait). */
  ready(ticket: number): boolean {
    return this.done.has(ticket);
  }

  /** The item of `ticket` (the caller owns it), waiting for it if needed; a failed item throws its WorkerItemError. */
  take(ticket: number): unknown {
    while (!this.done.has(ticket)) if (!this.collect(true) && this.outstanding === 0) throw new Error(`${this.who}: no task with ticket ${ticket}`);
    const r = this.done.get(ticket)!;
    this.done.delete(ticket);
    if ('error' in r) throw r.error;
    return r.value;
  }

  /** Gives up on `ticket`: its item is freed now or when it arrives. */
  drop(ticket: number): void {
    const r = this.done.get(ticket);
    if (r) {
      this.done.delete(ticket);
      if ('value' in r) disposeItem(r.value);
    } else if (ticket < this.nextTicket) this.dropped.add(ticket);
  }

  /**
   * Items `indices` of the dataset, computed by the workers (each busy with at most `depth` at a time),
   * returned in the order of `indices`; `onItem(k)` runs as item k becomes available in order. On a
   * failure the items computed so far are freed and a WorkerItemError names the item and its transform
   * (of the items that failed, the first in `indices`).
   */
  map(indices: readonly number[], onItem?: (k: number) => void, depth = 2): unknown[] {
    const tickets: number[] = [];
    const out: unknown[] = [];
    try {
      while (out.length < indices.length) {
        while (tickets.length < indices.length && this.outstanding < depth * this.slots.length) tickets.push(this.submit(indices[tickets.length]));
        const k = out.length;
        if (!this.ready(tickets[k])) {
          this.collect(true);
          continue;
        }
        out.push(this.take(tickets[k]));
        onItem?.(k);
      }
      return out;
    } catch (e) {
      for (const x of out) disposeItem(x);
      for (let k = out.length; k < tickets.length; k++) this.drop(tickets[k]);
      try {
        while (this.outstanding > 0) this.collect(true); // dropped results are freed as they come
      } catch {
        // a worker died: close() frees what the others still send
      }
      throw e;
    }
  }

  /** Ends the workers (each frees its dataset and reports its live tensors first); returns those counts. */
  close(): number[] {
    if (this.closed) return [];
    this.closed = true;
    for (const r of this.done.values()) if ('value' in r) disposeItem(r.value);
    this.done.clear();
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

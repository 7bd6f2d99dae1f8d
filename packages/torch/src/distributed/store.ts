// Key-value stores of c10d, through which ranks find each other: TCPStore (one rank serves, every
// rank connects), FileStore (a shared file) and PrefixStore (a namespace inside another store).
// All calls block the calling thread, as in PyTorch; get() and wait() wait up to the store's timeout.
import { dist, type NativeHandle } from './native.js';

/** PyTorch's default store and process-group timeout: 30 minutes. */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

export abstract class Store {
  /** The c10d store. Internal. */
  readonly _h: NativeHandle;
  protected constructor(h: NativeHandle) {
    this._h = h;
  }
  /** Stores value (a string is stored as its UTF-8 bytes) under key. */
  set(key: string, value: string | Uint8Array): void {
    dist.storeOp(this._h, 'set', key, value);
  }
  /** The bytes under key; waits up to the store's timeout for the key to appear. */
  get(key: string): Buffer {
    return this._timed(`get('${key}')`, undefined, () => dist.storeOp(this._h, 'get', key) as Buffer);
  }
  /** Adds amount to the integer under key (created at 0) and returns the new value. */
  add(key: string, amount: number): number {
    return dist.storeOp(this._h, 'add', key, amount) as number;
  }
  /** Sets desired when the current value equals expected (or the key is absent and expected is empty); returns the value now stored. */
  compareSet(key: string, expected: string | Uint8Array, desired: string | Uint8Array): Buffer {
    return dist.storeOp(this._h, 'compareSet', key, expected, desired) as Buffer;
  }
  /** Removes key; true when it existed. */
  deleteKey(key: string): boolean {
    return dist.storeOp(this._h, 'deleteKey', key) as boolean;
  }
  /** Whether every key exists (does not wait). */
  check(keys: string[]): boolean {
    return dist.storeOp(this._h, 'check', keys) as boolean;
  }
  /** Number of keys (for a TCPStore, including c10d's own bookkeeping keys, as in PyTorch). */
  numKeys(): number {
    return dist.storeOp(this._h, 'numKeys') as number;
  }
  /** Waits until every key exists, up to timeoutMs (default: the store's timeout). */
  wait(keys: string[], timeoutMs?: number): void {
    this._timed(`wait(${keys.join(', ')})`, timeoutMs, () => dist.storeOp(this._h, 'wait', keys, timeoutMs ?? null));
  }
  /** The timeout of get() and wait(), in milliseconds. */
  get timeout(): number {
    return dist.storeOp(this._h, 'getTimeout') as number;
  }
  // Failures of blocking calls name the key(s) and the timeout (c10d says only "Socket Timeout").
  private _timed<T>(call: string, timeoutMs: number | undefined, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      const msg = (e as Error).message.replace(/^Store\.\w+: /, '');
      throw new Error(`Store.${call} (timeout ${timeoutMs ?? this.timeout} ms): ${msg}`, { cause: e });
    }
  }
  setTimeout(timeoutMs: number): void {
    checkTimeout(timeoutMs, 'Store.setTimeout');
    dist.storeOp(this._h, 'setTimeout', timeoutMs);
  }
}

export interface TCPStoreOptions {
  /** Number of ranks connecting (client and server), so the server can wait for all of them. */
  worldSize?: number | null;
  /** This process serves the store (rank 0). Default false. */
  isMaster?: boolean;
  /** Connect / get / wait timeout in milliseconds. Default 300000 (PyTorch's TCPStore default). */
  timeout?: number;
  /** The server waits in the constructor until worldSize clients connected. Default true. */
  waitForWorkers?: boolean;
  /** Several stores in this process may share host:port. Default false. */
  multiTenant?: boolean;
}

export class TCPStore extends Store {
  readonly host: string;
  /** The port served (useful when port 0 asked the system for a free one). */
  readonly port: number;
  constructor(host: string, port: number, options: TCPStoreOptions = {}) {
    checkKeys(options, ['worldSize', 'isMaster', 'timeout', 'waitForWorkers', 'multiTenant'], 'TCPStore');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`TCPStore: port must be an integer 0..65535, found ${port}`);
    const timeout = options.timeout ?? 300_000;
    checkTimeout(timeout, 'TCPStore timeout');
    const ws = options.worldSize ?? null;
    if (ws !== null && !(Number.isInteger(ws) && ws > 0)) throw new RangeError(`TCPStore: worldSize must be a positive integer, found ${ws}`);
    const r = dist.tcpStore(host, port, options.isMaster ?? false, ws, timeout, options.waitForWorkers ?? true, options.multiTenant ?? false);
    super(r.store);
    this.host = host;
    this.port = r.port;
  }
}

export class FileStore extends Store {
  readonly path: string;
  /** numWorkers: how many processes use the file (the last to close it deletes it); -1: unknown. */
  constructor(path: string, numWorkers = -1) {
    super(dist.fileStore(path, numWorkers));
    this.path = path;
  }
}

export class PrefixStore extends Store {
  readonly prefix: string;
  readonly underlying: Store;
  /** Keys become `${prefix}/${key}` in store, as c10d's PrefixStore writes them. */
  constructor(prefix: string, store: Store) {
    if (!(store instanceof Store)) throw new TypeError('PrefixStore: store must be a Store (TCPStore, FileStore or PrefixStore)');
    super(dist.prefixStore(prefix, store._h));
    this.prefix = prefix;
    this.underlying = store;
  }
}

export function checkTimeout(ms: number, what: string): void {
  if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`${what}: expected a positive number of milliseconds, found ${ms}`);
}

export function checkKeys(options: object, known: string[], what: string): void {
  for (const k of Object.keys(options))
    if (!known.includes(k)) throw new TypeError(`${what}: unknown option '${k}' (expected one of ${known.join(', ')})`);
}

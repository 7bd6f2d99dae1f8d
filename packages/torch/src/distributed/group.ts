// Process groups: the default one of initProcessGroup, subgroups of newGroup, and the rendezvous that
// builds them the way torch.distributed does (same store keys, so Node and Python ranks can share a
// job: the default group lives under the store prefix "default_pg", each group under its number, and
// after creating a group every rank checks in at "store_based_barrier_key:<n>").
import { dist, type NativeHandle } from './native.js';
import { FileStore, PrefixStore, Store, TCPStore, DEFAULT_TIMEOUT_MS, checkKeys, checkTimeout } from './store.js';
import { distributedEnv, DEFAULT_MASTER_PORT } from './env.js';

export type Backend = 'gloo' | 'nccl';

/** A set of ranks that run collectives together. Ranks given to collectives are global ranks, as in PyTorch. */
export class ProcessGroup {
  /** The c10d process group, or null when this process is not a member. Internal. */
  _h: NativeHandle | null;
  /** Global ranks of the members, in group-rank order. */
  readonly ranks: readonly number[];
  readonly backend: Backend;
  /** Group name (its store prefix). */
  readonly name: string;
  private readonly _rank: number;

  constructor(h: NativeHandle | null, rank: number, ranks: number[], backend: Backend, name: string) {
    this._h = h;
    this._rank = rank;
    this.ranks = Object.freeze([...ranks]);
    this.backend = backend;
    this.name = name;
  }
  /** This process's rank in the group, -1 when it is not a member. */
  rank(): number {
    return this._h ? this._rank : -1;
  }
  size(): number {
    return this.ranks.length;
  }
  /** Whether this process belongs to the group (and the group was not destroyed). */
  get isMember(): boolean {
    return this._h !== null;
  }
  /** Set by destroyProcessGroup: the group can no longer be used. Internal. */
  _destroyed = false;
  /** The group rank of a global rank; throws naming `what` when it is not in the group. */
  groupRank(globalRank: number, what: string): number {
    const r = this.ranks.indexOf(globalRank);
    if (r < 0) throw new RangeError(`${what}: global rank ${globalRank} is not in the group (ranks ${this.ranks.join(', ')})`);
    return r;
  }
  /** The global rank of a group rank. */
  globalRank(groupRank: number): number {
    return this.ranks[groupRank];
  }
}

interface State {
  world: ProcessGroup;
  store: Store; // the default group's store (under "default_pg"), shared by newGroup's groups
  groups: ProcessGroup[];
  count: number; // groups made so far: the next group's name
  timeout: number;
}
let state: State | null = null;

export interface InitProcessGroupOptions {
  /** 'gloo' (CPU). 'nccl' needs a libtorch with CUDA and NCCL. Default 'gloo'. */
  backend?: Backend;
  /** 'env://' (default), 'tcp://host:port' or 'file:///path'; not with store. */
  initMethod?: string;
  /** This process's rank; default from the environment (RANK, or the launcher's SLURM/MPI variables). */
  rank?: number;
  /** Number of processes; default from the environment. */
  worldSize?: number;
  /** Timeout of the rendezvous and of every collective, in milliseconds. Default 30 minutes. */
  timeout?: number;
  /** A store all ranks share (then rank and worldSize are required). */
  store?: Store;
  /** Name of the default group (its store prefix). Default '0', as PyTorch. */
  groupName?: string;
}

const INIT_KEYS = ['backend', 'initMethod', 'rank', 'worldSize', 'timeout', 'store', 'groupName'];

/**
 * Joins this process to the default process group, as torch.distributed.init_process_group. Blocks
 * until every rank has joined (or the timeout passes).
 */
export function initProcessGroup(options: InitProcessGroupOptions = {}): void {
  checkKeys(options, INIT_KEYS, 'initProcessGroup');
  if (state) throw new Error('initProcessGroup: the default process group is already initialized (call destroyProcessGroup() first)');
  const backend = checkBackend(options.backend ?? 'gloo');
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  checkTimeout(timeout, 'initProcessGroup timeout');
  let rank = options.rank;
  let worldSize = options.worldSize;
  let store: Store;
  if (options.store) {
    if (options.initMethod !== undefined) throw new TypeError("initProcessGroup: pass either initMethod or store, not both");
    if (rank === undefined || worldSize === undefined) throw new TypeError('initProcessGroup: with a store, rank and worldSize are required');
    checkRank(rank, worldSize);
    store = options.store;
  } else {
    const method = options.initMethod ?? 'env://';
    const r = joining(method, rank, worldSize, () => rendezvous(method, rank, worldSize, timeout));
    ({ rank, worldSize } = r);
    r.store.setTimeout(timeout);
    // As PyTorch: the default group's keys live under "default_pg" so other users of the store do not collide.
    store = new PrefixStore('default_pg', r.store);
  }
  const name = options.groupName ?? '0';
  const h = joining(options.store ? 'store' : options.initMethod ?? 'env://', rank, worldSize, () => newBackend(backend, new PrefixStore(name, store), rank!, worldSize!, timeout));
  const world = new ProcessGroup(h, rank!, range(worldSize!), backend, name);
  state = { world, store, groups: [world], count: options.groupName ? 0 : 1, timeout };
  try {
    storeBarrier(store, rank!, worldSize!, state.count, timeout);
    dist.groupSetSequence(h);
  } catch (e) {
    destroyProcessGroup();
    throw e;
  }
}

/** Destroys one group, or every group (and the default one) when called without arguments. */
export function destroyProcessGroup(group?: ProcessGroup): void {
  if (!state) {
    if (group) release(group);
    return;
  }
  if (!group || group === state.world) {
    for (const g of state.groups) release(g);
    state = null;
    return;
  }
  release(group);
  state.groups = state.groups.filter((g) => g !== group);
}

export function isInitialized(): boolean {
  return state !== null;
}
export function isAvailable(): boolean {
  return true;
}
export function isGlooAvailable(): boolean {
  return true;
}
export function isNcclAvailable(): boolean {
  return false;
}

/** The rank of this process in group (default: the default group); -1 when not a member. */
export function getRank(group?: ProcessGroup): number {
  return resolveGroup(group, 'getRank').rank();
}
export function getWorldSize(group?: ProcessGroup): number {
  const g = resolveGroup(group, 'getWorldSize');
  return g.isMember ? g.size() : -1;
}
export function getBackend(group?: ProcessGroup): Backend {
  return resolveGroup(group, 'getBackend').backend;
}
/** The default group's store (prefixed "default_pg"), for extra coordination between ranks. */
export function getDefaultStore(): Store {
  if (!state) throw notInitialized('getDefaultStore');
  return state.store;
}

export interface NewGroupOptions {
  timeout?: number;
  backend?: Backend;
}

/**
 * A group of the given global ranks (default: all). Every rank of the default group must call it, in
 * the same order, members or not; a non-member receives a group whose rank() is -1 and whose
 * collectives do nothing, as in PyTorch.
 */
export function newGroup(ranks?: number[], options: NewGroupOptions = {}): ProcessGroup {
  checkKeys(options, ['timeout', 'backend'], 'newGroup');
  if (!state) throw notInitialized('newGroup');
  const s = state;
  const worldSize = s.world.size();
  const globalRank = s.world.rank();
  let members: number[];
  if (ranks === undefined) members = range(worldSize);
  else {
    members = [...ranks].sort((a, b) => a - b);
    if (members.length > worldSize) throw new RangeError(`newGroup: ${members.length} ranks given, more than the world size ${worldSize}`);
    for (const r of members)
      if (!Number.isInteger(r) || r < 0 || r >= worldSize) throw new RangeError(`newGroup: rank ${r} is not in 0..${worldSize - 1}`);
    if (new Set(members).size !== members.length) throw new RangeError(`newGroup: repeated ranks in [${ranks.join(', ')}]`);
  }
  const backend = checkBackend(options.backend ?? s.world.backend);
  const timeout = options.timeout ?? s.timeout;
  checkTimeout(timeout, 'newGroup timeout');
  const name = String(s.count++);
  const groupRank = members.indexOf(globalRank);
  const h = groupRank >= 0 ? newBackend(backend, new PrefixStore(name, s.store), groupRank, members.length, timeout) : null;
  const g = new ProcessGroup(h, groupRank, members, backend, name);
  s.groups.push(g);
  storeBarrier(s.store, globalRank, worldSize, s.count, timeout);
  if (h) dist.groupSetSequence(h);
  return g;
}

/** group, or the default group; throws when none was initialized. Internal. */
export function resolveGroup(group: ProcessGroup | undefined | null, what: string): ProcessGroup {
  if (group) {
    if (!(group instanceof ProcessGroup)) throw new TypeError(`${what}: group must be a ProcessGroup (from newGroup)`);
    if (group._destroyed) throw new Error(`${what}: the process group '${group.name}' was destroyed (destroyProcessGroup)`);
    return group;
  }
  if (!state) throw notInitialized(what);
  return state.world;
}

// Rendezvous failures (no master, timeout, refused connection) name this rank, the world size and
// the init method; argument errors pass through unchanged.
function joining<T>(method: string, rank: number | undefined, worldSize: number | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e;
    if (rank === undefined || worldSize === undefined) {
      try {
        const e = distributedEnv();
        rank ??= e?.rank;
        worldSize ??= e?.worldSize;
      } catch {
        // the environment is what failed: the message says so
      }
    }
    const who = `rank ${rank ?? '?'} of ${worldSize ?? '?'}`;
    const msg = (e as Error).message;
    const hint = /time(d)? ?out/i.test(msg) ? ' (not every rank joined within the timeout)' : '';
    throw new Error(`initProcessGroup (${who}, ${method}): ${msg}${hint}`, { cause: e });
  }
}

function notInitialized(what: string): Error {
  return new Error(`${what}: the default process group is not initialized; call distributed.initProcessGroup() first`);
}

function release(g: ProcessGroup): void {
  if (g._h) dist.groupRelease(g._h);
  g._h = null;
  g._destroyed = true;
}

function newBackend(backend: Backend, store: Store, rank: number, size: number, timeout: number): NativeHandle {
  if (backend === 'nccl')
    throw new Error("backend 'nccl': this build of @monai-ts/torch has no ProcessGroupNCCL (it needs a libtorch with CUDA and NCCL); use 'gloo'");
  return dist.newGloo(store._h, rank, size, timeout);
}

function checkBackend(b: string): Backend {
  if (b !== 'gloo' && b !== 'nccl') throw new TypeError(`backend: expected 'gloo' or 'nccl', found '${b}'`);
  return b;
}

function checkRank(rank: number, worldSize: number): void {
  if (!(Number.isInteger(worldSize) && worldSize > 0)) throw new RangeError(`initProcessGroup: worldSize must be a positive integer, found ${worldSize}`);
  if (!(Number.isInteger(rank) && rank >= 0 && rank < worldSize)) throw new RangeError(`initProcessGroup: rank must be an integer in 0..${worldSize - 1}, found ${rank}`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// PyTorch's store-based barrier: count in, then poll the count until every rank has.
function storeBarrier(store: Store, rank: number, worldSize: number, n: number, timeout: number): void {
  const key = `store_based_barrier_key:${n}`;
  store.add(key, 1);
  const start = Date.now();
  for (let count = store.add(key, 0); count !== worldSize; count = store.add(key, 0)) {
    if (Date.now() - start > timeout)
      throw new Error(`timed out initializing the process group in the store-based barrier on rank ${rank} (key ${key}, world size ${worldSize}, ranks arrived ${count}, timeout ${timeout} ms)`);
    sleepSync(10);
  }
}

interface Rendezvous {
  store: Store;
  rank: number;
  worldSize: number;
}

function rendezvous(initMethod: string, rank: number | undefined, worldSize: number | undefined, timeout: number): Rendezvous {
  let url: URL;
  try {
    url = new URL(initMethod);
  } catch {
    throw new TypeError(`initProcessGroup: initMethod '${initMethod}' is not a URL (expected 'env://', 'tcp://host:port' or 'file:///path')`);
  }
  const q = url.searchParams;
  const fromQuery = (k: string): number | undefined => (q.has(k) ? Number(q.get(k)) : undefined);
  rank ??= fromQuery('rank');
  worldSize ??= fromQuery('world_size');
  switch (url.protocol) {
    case 'env:': {
      const e = envSource();
      rank ??= e.rank;
      worldSize ??= e.worldSize;
      if (rank === undefined) throw new Error('initProcessGroup (env://): no rank: pass rank or set RANK');
      if (worldSize === undefined) throw new Error('initProcessGroup (env://): no world size: pass worldSize or set WORLD_SIZE');
      checkRank(rank, worldSize);
      return { store: tcp(e.addr, e.port, rank, worldSize, timeout), rank, worldSize };
    }
    case 'tcp:': {
      if (!url.hostname || !url.port) throw new TypeError(`initProcessGroup: initMethod '${initMethod}' needs a host and a port (tcp://host:port)`);
      if (rank === undefined || worldSize === undefined) throw new TypeError('initProcessGroup (tcp://): rank and worldSize are required');
      checkRank(rank, worldSize);
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      return { store: tcp(host, Number(url.port), rank, worldSize, timeout), rank, worldSize };
    }
    case 'file:': {
      if (rank === undefined || worldSize === undefined) throw new TypeError('initProcessGroup (file://): rank and worldSize are required');
      checkRank(rank, worldSize);
      const path = decodeURIComponent(url.pathname);
      if (!path) throw new TypeError(`initProcessGroup: initMethod '${initMethod}' names no file`);
      return { store: new FileStore(path, worldSize), rank, worldSize };
    }
    default:
      throw new TypeError(`initProcessGroup: initMethod '${initMethod}': unsupported scheme '${url.protocol}' (expected env://, tcp:// or file://)`);
  }
}

function tcp(host: string, port: number, rank: number, worldSize: number, timeout: number): TCPStore {
  return new TCPStore(host, port, { worldSize, isMaster: rank === 0, timeout, multiTenant: true });
}

// Where env:// reads the job: the launcher's variables (torchrun, SLURM or Open MPI), or, when only
// MASTER_ADDR/MASTER_PORT are set and the caller passes rank and world size, those two.
function envSource(): { rank?: number; worldSize?: number; addr: string; port: number } {
  const e = distributedEnv();
  if (e) return { rank: e.rank, worldSize: e.worldSize, addr: e.masterAddr, port: e.masterPort };
  const addr = process.env.MASTER_ADDR?.trim();
  if (!addr) throw new Error('initProcessGroup (env://): MASTER_ADDR is not set (the host name or address of rank 0)');
  const p = process.env.MASTER_PORT?.trim();
  if (!p) throw new Error(`initProcessGroup (env://): MASTER_PORT is not set (the TCP port rank 0 listens on; torchrun's default is ${DEFAULT_MASTER_PORT})`);
  const port = Number(p);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`initProcessGroup (env://): MASTER_PORT must be a port number, found '${p}'`);
  return { addr, port };
}

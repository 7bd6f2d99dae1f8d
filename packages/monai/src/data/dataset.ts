/**
 * Map-style datasets (MONAI's monai/data/dataset.py): Dataset, Subset, ZipDataset, ArrayDataset,
 * CacheDataset and PersistentDataset. A dataset has `length` and a synchronous `get(index)`; the
 * DataLoader batches them. Caches hold the output of the pipeline up to its first random transform
 * (MONAI's rule: the first Randomizable, or anything that is not a library Transform).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Compose } from '../transforms/compose.js';
import { describeTransform } from '../transforms/serialize.js';
import { MAX_SEED, Randomizable, Transform, TraceKeys, isRandomizable, seedRandomState, type TransformLike } from '../transforms/transform.js';
import { getSeed } from '../utils/misc.js';
import { MetaTensor } from './meta_tensor.js';
import { aliasShared, contiguousItem, decodeItem, deepCopyItem, disposeItem, encodeItem, tensorsOf } from './item_codec.js';
import { buildCacheInWorkers, CacheSource, composePrefix } from './cache_build.js';
import { itemError } from './worker_pool.js';

/** What a DataLoader needs from a dataset. */
export interface MapDataset<T = unknown> {
  readonly length: number;
  get(index: number): T;
}

function toCompose(transform: TransformLike | readonly TransformLike[] | null | undefined, who: string): Compose {
  if (transform instanceof Compose) return transform;
  try {
    return new Compose(transform === undefined || transform === null ? [] : (transform as TransformLike | TransformLike[]));
  } catch (e) {
    throw new TypeError(`${who}: transform must be a transform, a function or a list of them (${(e as Error).message})`);
  }
}

/** Python-style index: negative counts from the end; out of range throws naming the dataset. */
export function normalizeIndex(index: number, length: number, who: string): number {
  if (!Number.isInteger(index)) throw new TypeError(`${who}: index must be an integer, got ${String(index)}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`${who}: index ${index} is out of range for ${length} items`);
  return i;
}

/** MONAI's rule for where caching stops: the first random transform, or the first that is not a library Transform. */
export function isCacheBoundary(t: TransformLike): boolean {
  return isRandomizable(t) || !(t instanceof Transform);
}

/** Applies `transform` to data[i] on each get (MONAI's Dataset). */
export class Dataset<T = unknown> implements MapDataset<T> {
  data: readonly unknown[];
  readonly transform: Compose;

  constructor(data: readonly unknown[], transform?: TransformLike | readonly TransformLike[] | null) {
    if (!Array.isArray(data)) throw new TypeError(`${new.target.name}: data must be an array, got ${typeof data}`);
    this.data = data;
    this.transform = toCompose(transform, new.target.name);
  }

  get length(): number {
    return this.data.length;
  }

  /** The transformed item at `index` (negative indices count from the end). */
  get(index: number): T {
    return this.transformItem(normalizeIndex(index, this.length, this.constructor.name));
  }

  /** A view of some items: a list of indices, or a Python-style slice { start, stop, step }. */
  subset(indices: readonly number[] | { start?: number; stop?: number; step?: number }): Subset<T> {
    return new Subset(this, Array.isArray(indices) ? (indices as number[]) : sliceIndices(indices as { start?: number; stop?: number; step?: number }, this.length));
  }

  /**
   * The pipeline on data[index]; intermediate tensors are freed, and tensors of the data list that come
   * through unchanged are handed out as aliases, so the caller may dispose what it gets.
   */
  protected transformItem(index: number): T {
    const item = this.data[index];
    return aliasShared(torch.tidy(() => this.transform.call(item)), tensorsOf(item)) as T;
  }
}

function sliceIndices(s: { start?: number; stop?: number; step?: number }, n: number): number[] {
  const step = s.step ?? 1;
  if (step === 0) throw new RangeError('slice step cannot be zero');
  const norm = (v: number | undefined, dflt: number) => (v === undefined ? dflt : v < 0 ? Math.max(v + n, step < 0 ? -1 : 0) : Math.min(v, step < 0 ? n - 1 : n));
  const start = norm(s.start, step > 0 ? 0 : n - 1);
  const stop = norm(s.stop, step > 0 ? n : -1);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** Some items of a dataset, in the given order (torch.utils.data.Subset). */
export class Subset<T = unknown> implements MapDataset<T> {
  constructor(
    readonly dataset: MapDataset<T>,
    readonly indices: readonly number[],
  ) {}
  get length(): number {
    return this.indices.length;
  }
  get(index: number): T {
    return this.dataset.get(this.indices[normalizeIndex(index, this.indices.length, 'Subset')]);
  }
}

/** Zips datasets: item i is the concatenation of every dataset's item i (lists flattened), then transformed. */
export class ZipDataset implements MapDataset<unknown[]> {
  readonly datasets: readonly MapDataset[];
  readonly transform: Compose | null;

  constructor(datasets: readonly MapDataset[], transform?: TransformLike | readonly TransformLike[] | null) {
    if (!Array.isArray(datasets) || datasets.length === 0) throw new TypeError('ZipDataset: datasets must be a non-empty list');
    this.datasets = datasets;
    this.transform = transform === undefined || transform === null ? null : toCompose(transform, 'ZipDataset');
    if (this.transform) this.transform.mapItems = false; // the transform sees the whole zipped list
  }

  get length(): number {
    return Math.min(...this.datasets.map((d) => d.length));
  }

  get(index: number): unknown[] {
    const i = normalizeIndex(index, this.length, 'ZipDataset');
    const data: unknown[] = [];
    for (const d of this.datasets) {
      const x = d.get(i);
      if (Array.isArray(x)) data.push(...x);
      else data.push(x);
    }
    if (!this.transform) return data;
    // the parts are ours (each dataset hands out what the caller owns): free those the transform dropped
    const parts = tensorsOf(data);
    const out = torch.tidy(() => this.transform!.call(data) as unknown[]);
    const kept = tensorsOf(out);
    for (const t of parts) if (!kept.has(t) && !t.isDisposed) t.dispose();
    return out;
  }
}

export interface ArrayDatasetOptions {
  img: readonly unknown[];
  imgTransform?: TransformLike | readonly TransformLike[] | null;
  seg?: readonly unknown[] | null;
  segTransform?: TransformLike | readonly TransformLike[] | null;
  labels?: readonly unknown[] | null;
  labelTransform?: TransformLike | readonly TransformLike[] | null;
}

/**
 * Images, segmentations and labels as parallel arrays with their own transforms; before each item every
 * randomizable transform is reseeded with one shared seed so image and segmentation get the same random
 * parameters (MONAI's ArrayDataset).
 */
export class ArrayDataset extends Randomizable(Transform) implements MapDataset {
  readonly dataset: Dataset | ZipDataset;
  private seed = 0;

  constructor(options: ArrayDatasetOptions) {
    super();
    const allowed = ['img', 'imgTransform', 'seg', 'segTransform', 'labels', 'labelTransform'];
    for (const k of Object.keys(options ?? {})) if (!allowed.includes(k)) throw new TypeError(`ArrayDataset: unknown option '${k}' (known: ${allowed.join(', ')})`);
    if (!options || !Array.isArray(options.img)) throw new TypeError('ArrayDataset: img must be an array');
    this.R = seedRandomState(this.name, { seed: getSeed() });
    const parts: [readonly unknown[] | null | undefined, TransformLike | readonly TransformLike[] | null | undefined][] = [
      [options.img, options.imgTransform],
      [options.seg, options.segTransform],
      [options.labels, options.labelTransform],
    ];
    const datasets = parts.filter(([d]) => d !== undefined && d !== null).map(([d, t]) => new Dataset(d!, t));
    this.dataset = datasets.length === 1 ? datasets[0] : new ZipDataset(datasets);
  }

  get length(): number {
    return this.dataset.length;
  }

  override randomize(): void {
    this.seed = this.R.randint(0, MAX_SEED);
  }

  call(index: unknown): unknown {
    return this.get(index as number);
  }

  get(index: number): unknown {
    this.randomize();
    const all = this.dataset instanceof ZipDataset ? (this.dataset.datasets as Dataset[]) : [this.dataset];
    for (const d of all) if (d.transform && isRandomizable(d.transform)) d.transform.setRandomState({ seed: this.seed });
    return this.dataset.get(index);
  }
}

export interface CacheDatasetOptions {
  /** at most this many items are cached (default: all) */
  cacheNum?: number;
  /** share of the items cached (default 1) */
  cacheRate?: number;
  /** worker threads building the cache (null, 0 or 1: this thread); the constructor waits for them, as MONAI's */
  numWorkers?: number | null;
  /** print progress while building (default true when stderr is a TTY) */
  progress?: boolean;
  /** hand out a deep copy of the cached item to the random transforms (default true) */
  copyCache?: boolean;
  /** make cached tensors contiguous (default true) */
  asContiguous?: boolean;
  /** key the cache by a hash of each item, so duplicates share an entry (default false) */
  hashAsKey?: boolean;
  /** item hash used by hashAsKey (default jsonHashing) */
  hashFunc?: (item: unknown) => string;
}

/** MONAI's json_hashing: md5 of the item as JSON with sorted keys. */
export function jsonHashing(item: unknown): string {
  return createHash('md5').update(pythonJson(item)).digest('hex');
}

/** JSON as Python's json.dumps(sort_keys=True) writes it (", " and ": " separators, ASCII escapes). */
function pythonJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : pyFloat(v)) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${pythonJson(k)}: ${pythonJson((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  throw new TypeError(`jsonHashing: cannot hash a ${typeof v}`);
}

function pyFloat(x: number): string {
  const s = String(x);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3].padStart(2, '0')}`; // Python writes 1e-05 where JS writes 1e-5
  return s;
}

/**
 * Caches each item's output of the deterministic prefix of the pipeline at construction; `get` runs the
 * rest (from the first random transform) on a copy of the cached item (MONAI's CacheDataset).
 */
export class CacheDataset<T = unknown> extends Dataset<T> {
  readonly setNum: number;
  readonly setRate: number;
  readonly progress: boolean;
  readonly copyCache: boolean;
  readonly asContiguous: boolean;
  readonly hashAsKey: boolean;
  readonly hashFunc: (item: unknown) => string;
  readonly numWorkers: number | null;
  cacheNum = 0;
  protected cache: unknown[] = [];
  protected hashKeys: string[] = [];

  constructor(data: readonly unknown[], transform?: TransformLike | readonly TransformLike[] | null, options: CacheDatasetOptions = {}) {
    super(data, transform);
    const allowed = ['cacheNum', 'cacheRate', 'numWorkers', 'progress', 'copyCache', 'asContiguous', 'hashAsKey', 'hashFunc'];
    for (const k of Object.keys(options)) if (!allowed.includes(k)) throw new TypeError(`${this.constructor.name}: unknown option '${k}' (known: ${allowed.join(', ')})`);
    this.setNum = options.cacheNum ?? Number.MAX_SAFE_INTEGER;
    this.setRate = options.cacheRate ?? 1;
    if (!(this.setRate >= 0 && this.setRate <= 1)) throw new RangeError(`${this.constructor.name}: cacheRate must be in [0, 1], got ${this.setRate}`);
    if (!(this.setNum >= 0)) throw new RangeError(`${this.constructor.name}: cacheNum must be >= 0, got ${this.setNum}`);
    this.progress = options.progress ?? Boolean(process.stderr.isTTY);
    this.copyCache = options.copyCache ?? true;
    this.asContiguous = options.asContiguous ?? true;
    this.hashAsKey = options.hashAsKey ?? false;
    this.hashFunc = options.hashFunc ?? jsonHashing;
    this.numWorkers = options.numWorkers === undefined || options.numWorkers === null ? null : Math.max(1, Math.trunc(options.numWorkers));
    this.setData(data);
  }

  /** Replaces the data and rebuilds the cache (the old cached tensors are freed). */
  setData(data: readonly unknown[]): void {
    this.disposeCache();
    this.data = data;
    let indices: number[];
    const count = (n: number) => Math.min(Math.trunc(this.setNum), Math.trunc(n * this.setRate), n);
    if (this.hashAsKey) {
      const mapping = new Map<string, number>();
      data.forEach((v, i) => mapping.set(this.hashFunc(v), i)); // later duplicates win, as a Python dict
      this.cacheNum = count(mapping.size);
      this.hashKeys = [...mapping.keys()].slice(0, this.cacheNum);
      indices = [...mapping.values()].slice(0, this.cacheNum);
    } else {
      this.cacheNum = count(data.length);
      indices = Array.from({ length: this.cacheNum }, (_, i) => i);
    }
    this.cache = this.fillCache(indices);
  }

  /** The cached items for `indices`, in order: on `numWorkers` worker threads when more than one, else here. */
  protected fillCache(indices: readonly number[]): unknown[] {
    const report = (k: number): void => {
      if (this.progress) process.stderr.write(`\rLoading dataset: ${k + 1}/${indices.length}${k + 1 === indices.length ? '\n' : ''}`);
    };
    if ((this.numWorkers ?? 1) > 1 && indices.length > 1) {
      const source = new CacheSource(this.data, composePrefix(this.transform, this.firstRandom()), this.asContiguous);
      const built = buildCacheInWorkers(this.constructor.name, source, indices, this.numWorkers!, report);
      if (built) return built;
    }
    const out: unknown[] = [];
    let current = -1;
    try {
      indices.forEach((idx, k) => {
        current = idx;
        out.push(this.loadCacheItem(idx));
        report(k);
      });
    } catch (e) {
      out.forEach((x) => disposeItem(x));
      throw itemError(this.constructor.name, e, current, null);
    }
    return out;
  }

  protected firstRandom(): number | null {
    return this.transform.getIndexOfFirst(isCacheBoundary);
  }

  protected loadCacheItem(idx: number): unknown {
    return torch.tidy(() => {
      const item = this.transform.call(this.data[idx], { end: this.firstRandom() });
      // the cache owns what it holds: tensors passed through from the data list (no transform, or one
      // that returns its input) become aliases, so freeing or replacing the cache never frees the caller's data
      return aliasShared(this.asContiguous ? contiguousItem(item) : item, tensorsOf(this.data[idx]));
    });
  }

  protected override transformItem(index: number): T {
    let cacheIndex: number | null = null;
    if (this.hashAsKey) {
      const k = this.hashKeys.indexOf(this.hashFunc(this.data[index]));
      if (k >= 0) cacheIndex = k;
    } else if (index < this.cacheNum) cacheIndex = index;
    if (cacheIndex === null) return super.transformItem(index);
    const cached = this.cache[cacheIndex];
    const first = this.firstRandom();
    // the caller owns (and may free) what it gets: hand out copies unless copyCache is off
    const owned = tensorsOf(cached);
    if (first === null) return (this.copyCache ? deepCopyItem(cached) : aliasShared(cached, owned)) as T;
    return aliasShared(torch.tidy(() => this.transform.call(this.copyCache ? deepCopyItem(cached) : cached, { start: first })), owned) as T;
  }

  /** Frees the cached tensors (the dataset is empty afterwards until setData). */
  disposeCache(): void {
    for (const x of this.cache) disposeItem(x);
    this.cache = [];
    this.cacheNum = 0;
  }
}

export interface PersistentDatasetOptions {
  /** folder of the cache files (created if missing); null disables caching */
  cacheDir: string | null;
  /** item hash (default jsonHashing) */
  hashFunc?: (item: unknown) => string;
  /** hash of the deterministic transforms, added to each key (default: their class names and settings; null: none, as MONAI's default) */
  hashTransform?: ((transforms: readonly TransformLike[]) => string) | null;
  /** clear recorded transform ids from cached MetaTensors (default true), so inverse works across runs */
  resetOpsId?: boolean;
}

/**
 * A hash of the deterministic transforms: md5 of their `describeTransform(..., { forKey: true })`
 * description (class names and every setting, nested transforms and plain objects included; tensors by
 * content; random states and transform ids left out), so any change of settings changes the cache key.
 */
export function describeTransformsHash(transforms: readonly TransformLike[]): string {
  const { root } = describeTransform(transforms, 'transforms', { forKey: true });
  return createHash('md5').update(JSON.stringify(root, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).digest('hex');
}

/**
 * Caches the deterministic prefix of each item on disk (MONAI's PersistentDataset): one safetensors file
 * per item named by the hash of the item (and of the deterministic transforms), written atomically; a
 * corrupt, truncated or mismatching file is recomputed and replaced, never returned.
 */
export class PersistentDataset<T = unknown> extends Dataset<T> {
  readonly cacheDir: string | null;
  readonly hashFunc: (item: unknown) => string;
  readonly resetOpsId: boolean;
  transformHash = '';

  constructor(data: readonly unknown[], transform: TransformLike | readonly TransformLike[] | null, options: PersistentDatasetOptions) {
    super(data, transform);
    const allowed = ['cacheDir', 'hashFunc', 'hashTransform', 'resetOpsId'];
    for (const k of Object.keys(options ?? {})) if (!allowed.includes(k)) throw new TypeError(`${this.constructor.name}: unknown option '${k}' (known: ${allowed.join(', ')})`);
    if (!options || options.cacheDir === undefined) throw new TypeError(`${this.constructor.name}: cacheDir is required (a folder, or null for no caching)`);
    this.cacheDir = options.cacheDir;
    if (this.cacheDir !== null) {
      if (fs.existsSync(this.cacheDir) && !fs.statSync(this.cacheDir).isDirectory()) throw new Error(`${this.constructor.name}: cacheDir ${this.cacheDir} exists and is not a folder`);
      fs.mkdirSync(this.cacheDir, { recursive: true });
    }
    this.hashFunc = options.hashFunc ?? jsonHashing;
    this.resetOpsId = options.resetOpsId ?? true;
    const ht = options.hashTransform === undefined ? describeTransformsHash : options.hashTransform;
    if (ht) this.transformHash = ht(this.deterministicTransforms());
  }

  /** The transforms before the first random one, nested Composes walked (not flatten(): a new Compose would reseed them). */
  private deterministicTransforms(): TransformLike[] {
    const out: TransformLike[] = [];
    const walk = (ts: readonly TransformLike[]): boolean => {
      for (const t of ts) {
        if (t instanceof Compose && t.constructor === Compose) {
          if (!walk(t.transforms)) return false;
        } else if (isCacheBoundary(t)) return false;
        else out.push(t);
      }
      return true;
    };
    walk(this.transform.transforms);
    return out;
  }

  /** Replaces the data and deletes the cache files (they may belong to the old data). */
  setData(data: readonly unknown[]): void {
    this.data = data;
    if (this.cacheDir !== null && fs.existsSync(this.cacheDir)) {
      fs.rmSync(this.cacheDir, { recursive: true, force: true });
      fs.mkdirSync(this.cacheDir, { recursive: true });
    }
  }

  protected firstRandom(): number | null {
    return this.transform.getIndexOfFirst(isCacheBoundary);
  }

  protected preTransform(item: unknown): unknown {
    const out = this.transform.call(item, { end: this.firstRandom() });
    if (this.resetOpsId) resetOpsId(out);
    return out;
  }

  /** The cache file of an item, or null without cacheDir. */
  cacheFile(item: unknown): string | null {
    if (this.cacheDir === null) return null;
    return path.join(this.cacheDir, `${this.hashFunc(item)}${this.transformHash}.safetensors`);
  }

  protected cacheCheck(item: unknown): unknown {
    const file = this.cacheFile(item);
    const key = file === null ? '' : path.basename(file);
    if (file !== null && fs.existsSync(file)) {
      const hit = readCacheFile(file, key);
      if (hit.ok) return hit.item;
      process.emitWarning(`${this.constructor.name}: cache file ${file} is unusable (${hit.reason}); recomputing it`);
      fs.rmSync(file, { force: true });
    }
    const computed = torch.tidy(() => this.preTransform(deepCopyItem(item)));
    if (file !== null) {
      const { tensors, structure } = encodeItem(computed, this.constructor.name);
      torch.safetensors.saveFile(tensors, file, { monai_ts_item: structure, monai_ts_key: key });
    }
    return computed;
  }

  protected override transformItem(index: number): T {
    return torch.tidy(() => {
      const pre = this.cacheCheck(this.data[index]);
      const first = this.firstRandom();
      return first === null ? pre : this.transform.call(pre, { start: first });
    }) as T;
  }
}

function readCacheFile(file: string, key: string): { ok: true; item: unknown } | { ok: false; reason: string } {
  let meta: Record<string, string> | null;
  try {
    meta = torch.safetensors.readMetadata(file);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (!meta || typeof meta.monai_ts_item !== 'string') return { ok: false, reason: 'no item structure in its metadata' };
  if (meta.monai_ts_key !== key) return { ok: false, reason: `written for key ${meta.monai_ts_key}, not ${key}` };
  let tensors: Record<string, torch.Tensor>;
  try {
    tensors = torch.safetensors.loadFile(file);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  try {
    return { ok: true, item: decodeItem(meta.monai_ts_item, tensors) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** Sets the transform id of every applied-operation record in an item to 'none' (MONAI's reset_ops_id). */
export function resetOpsId(data: unknown): void {
  if (data instanceof MetaTensor) {
    for (const op of data.appliedOperations) resetRecord(op);
    return;
  }
  if (Array.isArray(data)) data.forEach(resetOpsId);
  else if (data !== null && typeof data === 'object' && !(data instanceof torch.Tensor)) Object.values(data).forEach(resetOpsId);
}

function resetRecord(rec: unknown): void {
  if (Array.isArray(rec)) return rec.forEach(resetRecord);
  if (rec === null || typeof rec !== 'object' || ArrayBuffer.isView(rec)) return;
  const r = rec as Record<string, unknown>;
  if (TraceKeys.ID in r) r[TraceKeys.ID] = TraceKeys.NONE;
  Object.values(r).forEach(resetRecord);
}

/**
 * Transform bases (MONAI's monai/transforms/transform.py and inverse.py): `Transform`, `MapTransform`,
 * the randomizable mixin, trace records for inversion, and `applyTransform`.
 *
 * TypeScript has one base class per class, so MONAI's multiple inheritance becomes:
 * - every `Transform` can trace (push/pop records in `appliedOperations`) and declares whether it is lazy
 *   capable (`supportsLazy`) and invertible (has an `inverse` method); `isInvertible`/`isLazyTransform`
 *   test those traits as MONAI's isinstance checks do;
 * - randomness is a mixin (`Randomizable(Base)`), giving `RandomizableTransform` and
 *   `RandomizableMapTransform`.
 */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaValue } from '../data/meta_tensor.js';
import { RandomState } from '../utils/random_state.js';

/** A dictionary item flowing through dictionary transforms. */
export type DataDict = Record<string, unknown>;

/** MONAI's TraceKeys: the field names of an applied-operation record. */
export const TraceKeys = {
  CLASS_NAME: 'class',
  ID: 'id',
  ORIG_SIZE: 'orig_size',
  EXTRA_INFO: 'extra_info',
  DO_TRANSFORM: 'do_transforms',
  KEY_SUFFIX: '_transforms',
  NONE: 'none',
  TRACING: 'tracing',
  STATUSES: 'statuses',
  LAZY: 'lazy',
} as const;

/** Largest seed + 1 (MONAI's MAX_SEED = 2**32). */
export const MAX_SEED = 4294967296;

let nextTransformId = 1;

/** Options of `Transform.pushTransform`. */
export interface PushTransformOptions {
  /** what `inverse` needs to undo the operation */
  extraInfo?: Record<string, MetaValue>;
  /** spatial size before the transform (default: the input's spatial shape, read from `origFrom` or the output) */
  origSize?: number[];
  /** row-major (d+1)x(d+1) spatial matrix in index space; the MetaTensor's affine becomes `affine @ matrix` */
  affine?: Float64Array | number[] | null;
  /** output spatial shape (lazy records) */
  spSize?: number[];
  /** record as a pending (lazy) operation instead of an applied one */
  lazy?: boolean;
}

export abstract class Transform {
  /** a process-unique number standing for Python's id(self) in trace records */
  readonly transformId: number = nextTransformId++;
  /** whether this transform records what it did (MONAI's `tracing`) */
  tracing = true;
  /** true for transforms that can defer their spatial work (MONAI's LazyTrait) */
  readonly supportsLazy: boolean = false;
  /** lazy mode of a lazy-capable transform (MONAI's `lazy` property) */
  lazy = false;

  /** The class name used in errors and trace records. */
  get name(): string {
    return this.constructor.name;
  }

  abstract call(data: unknown, ...rest: unknown[]): unknown;

  /** MONAI's get_transform_info: class, id, tracing and whether a random transform fired. */
  transformInfo(): AppliedOperation {
    const d = (this as { doTransform?: boolean }).doTransform;
    return {
      [TraceKeys.CLASS_NAME]: this.name,
      [TraceKeys.ID]: this.transformId,
      [TraceKeys.TRACING]: this.tracing,
      [TraceKeys.DO_TRANSFORM]: d === undefined ? true : d,
    };
  }

  /**
   * Records this transform on `out` (MONAI's push_transform): appends to `appliedOperations` (or
   * `pendingOperations` when lazy) and, for a non-lazy spatial change, composes `affine` into the
   * MetaTensor's affine. Plain tensors are returned unchanged (nothing to record on). Returns `out`.
   */
  pushTransform<T>(out: T, options: PushTransformOptions = {}): T {
    if (!(out instanceof MetaTensor)) return out;
    if (options.affine && !options.lazy) composeAffine(out, options.affine, this.name);
    if (!this.tracing) return out;
    const info = this.transformInfo();
    info[TraceKeys.ORIG_SIZE] = options.origSize ?? out.shape.slice(1);
    info[TraceKeys.LAZY] = options.lazy ?? false;
    if (options.extraInfo !== undefined) info[TraceKeys.EXTRA_INFO] = options.extraInfo;
    if (options.lazy) {
      const pending = (out as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations;
      if (!pending) throw new Error(`${this.name}: lazy records need MetaTensor.pendingOperations`);
      info.lazy_shape = options.spSize ?? (info[TraceKeys.ORIG_SIZE] as number[]);
      info.lazy_affine = options.affine ? Float64Array.from(options.affine) : null;
      pending.push(info);
    } else {
      out.appliedOperations.push(info);
    }
    return out;
  }

  /**
   * The most recent record of `data` (a MetaTensor, or `data[key]` of a dictionary), checked to come
   * from this transform (same id, or same class when the pipeline was rebuilt elsewhere, e.g. in a worker).
   */
  getMostRecentTransform(data: unknown, key?: string, options: { check?: boolean; pop?: boolean } = {}): AppliedOperation {
    if (!this.tracing) throw new Error(`${this.name}: tracing must be enabled to read the most recent transform`);
    let ops: AppliedOperation[] | undefined;
    if (data instanceof MetaTensor) ops = data.appliedOperations;
    else if (data !== null && typeof data === 'object' && key !== undefined) {
      const v = (data as DataDict)[key];
      ops = v instanceof MetaTensor ? v.appliedOperations : ((data as DataDict)[`${key}${TraceKeys.KEY_SUFFIX}`] as AppliedOperation[] | undefined);
    } else {
      throw new TypeError(`${this.name}: expected a MetaTensor or a dictionary with a key, got ${describeValue(data)}`);
    }
    if (!ops || ops.length === 0) throw new Error(`${this.name}: no applied operations to invert${key !== undefined ? ` for key '${key}'` : ''}`);
    const last = ops[ops.length - 1];
    if (options.check ?? true) this.checkTransformsMatch(last);
    return options.pop ? ops.pop()! : last;
  }

  /** Removes and returns the most recent record (see getMostRecentTransform). */
  popTransform(data: unknown, key?: string, check = true): AppliedOperation {
    return this.getMostRecentTransform(data, key, { check, pop: true });
  }

  checkTransformsMatch(record: AppliedOperation): void {
    const id = record[TraceKeys.ID];
    if (id === this.transformId || id === TraceKeys.NONE) return;
    if (record[TraceKeys.CLASS_NAME] === this.name) return; // rebuilt in another worker: ids differ
    throw new Error(`${this.name}: the most recent applied transform is ${String(record[TraceKeys.CLASS_NAME])} (id ${String(id)}), not this ${this.name} (id ${this.transformId})`);
  }
}

/** Composes a (d+1)x(d+1) index-space matrix into the MetaTensor's affine: affine = affine @ m. */
export function composeAffine(out: MetaTensor, m: Float64Array | number[], who: string): void {
  if (out.isBatch) throw new Error(`${who}: transform applied to a batched tensor; apply it to single items`);
  const n = Math.round(Math.sqrt(m.length));
  if (n * n !== m.length || n < 2 || n > 4) throw new Error(`${who}: spatial matrix must be square (2x2 to 4x4), got ${m.length} values`);
  // embed an nD matrix in 4x4 (MONAI's to_affine_nd)
  const full = new Float64Array(16);
  full[0] = full[5] = full[10] = full[15] = 1;
  const d = n - 1;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) full[i * 4 + j] = m[i * n + j];
    full[i * 4 + 3] = m[i * n + d];
  }
  const a = out.affine;
  const r = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += a[i * 4 + k] * full[k * 4 + j];
    r[i * 4 + j] = s;
  }
  out.affine = r;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `${v instanceof MetaTensor ? 'MetaTensor' : 'Tensor'}[${v.shape.join(', ')}] ${v.dtype}`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === 'object') return (v as object).constructor?.name === 'Object' ? `object {${Object.keys(v as object).join(', ')}}` : ((v as object).constructor?.name ?? 'object');
  return typeof v;
}

/** A transform with an inverse (MONAI's InvertibleTransform trait). */
export interface InvertibleTransform extends Transform {
  inverse(data: unknown): unknown;
}

export function isInvertible(t: unknown): t is InvertibleTransform {
  return t instanceof Transform && typeof (t as { inverse?: unknown }).inverse === 'function';
}

export function isLazyTransform(t: unknown): t is Transform {
  return t instanceof Transform && t.supportsLazy;
}

/** Options of MapTransform (every dictionary transform takes them). */
export interface MapTransformOptions {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
}

/** Normalizes `keys` (a string or a non-empty list of strings), naming the transform on error. */
export function ensureKeys(keys: unknown, who: string): string[] {
  if (keys === undefined || keys === null) throw new TypeError(`${who}: keys is required (a key or a list of keys)`);
  const list = typeof keys === 'string' ? [keys] : Array.isArray(keys) ? keys : null;
  if (!list || list.length === 0 || list.some((k) => typeof k !== 'string')) throw new TypeError(`${who}: keys must be a string or a non-empty list of strings, got ${JSON.stringify(keys)}`);
  return [...list];
}

/**
 * Base of dictionary transforms: holds `keys` and iterates them over an item, skipping absent keys
 * when `allowMissingKeys` and throwing a clear error otherwise.
 */
export abstract class MapTransform extends Transform {
  readonly keys: string[];
  allowMissingKeys: boolean;

  constructor(keys: string | readonly string[], allowMissingKeys = false) {
    super();
    this.keys = ensureKeys(keys, new.target.name);
    this.allowMissingKeys = allowMissingKeys;
  }

  abstract override call(data: DataDict, ...rest: unknown[]): unknown;

  /**
   * Yields [key, ...extras[i]] for each key present in `data` (MONAI's key_iterator); `extras` are
   * per-key sequences (e.g. modes) zipped with the keys.
   */
  *keyIterator<E extends unknown[] = []>(data: DataDict, ...extras: { [K in keyof E]: readonly E[K][] }): Generator<[string, ...E]> {
    checkDict(data, this.name);
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (key in data) {
        yield [key, ...extras.map((e) => e[i])] as [string, ...E];
      } else if (!this.allowMissingKeys) {
        throw new KeyError(`${this.name}: key '${key}' is not in the data (keys: ${Object.keys(data).join(', ') || 'none'}); set allowMissingKeys to skip absent keys`);
      }
    }
  }

  /** The first of `keys` present in `data`, or undefined. */
  firstKey(data: DataDict): string | undefined {
    return this.keys.find((k) => k in data);
  }
}

/** A missing dictionary key (Python's KeyError). */
export class KeyError extends Error {
  override name = 'KeyError';
}

export function checkDict(data: unknown, who: string): asserts data is DataDict {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Tensor) throw new TypeError(`${who}: expected a dictionary item, got ${describeValue(data)}`);
}

/** Repeats a per-key option to one entry per key (MONAI's ensure_tuple_rep), naming the option on mismatch. */
export function perKey<T>(value: T | readonly T[], n: number, who: string, option: string): T[] {
  if (Array.isArray(value)) {
    if (value.length === n) return [...value];
    if (value.length === 1) return new Array<T>(n).fill(value[0]);
    throw new TypeError(`${who}: ${option} must hold one value or one per key (${n}), got ${value.length}`);
  }
  return new Array<T>(n).fill(value as T);
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** What Randomizable adds (MONAI's Randomizable). */
export interface RandomizableLike {
  R: RandomState;
  setRandomState(options?: { seed?: number | bigint | null; state?: RandomState | null }): this;
  randomize(data?: unknown): void;
}

/** Until `setRandomState` is called, randomizable objects share this state, as MONAI's class attribute R. */
export const sharedRandomState = new RandomState();

export function isRandomizable(t: unknown): t is RandomizableLike {
  return t !== null && typeof t === 'object' && typeof (t as RandomizableLike).setRandomState === 'function' && typeof (t as RandomizableLike).randomize === 'function' && (t as RandomizableLike).R instanceof RandomState;
}

/** Seeds `obj.R` as MONAI's set_random_state: seed mod 2**32, else a given state (shared), else fresh entropy. */
export function seedRandomState(who: string, options: { seed?: number | bigint | null; state?: RandomState | null } = {}): RandomState {
  const { seed, state } = options ?? {};
  if (seed !== undefined && seed !== null) {
    if (typeof seed === 'bigint') return new RandomState(Number(((seed % 4294967296n) + 4294967296n) % 4294967296n));
    if (!Number.isSafeInteger(seed)) throw new TypeError(`${who}.setRandomState: seed must be an integer, got ${seed}`);
    return new RandomState(((seed % MAX_SEED) + MAX_SEED) % MAX_SEED);
  }
  if (state !== undefined && state !== null) {
    if (!(state instanceof RandomState)) throw new TypeError(`${who}.setRandomState: state must be a RandomState, got ${describeValue(state)}`);
    return state;
  }
  return new RandomState();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AbstractCtor<T> = abstract new (...args: any[]) => T;

/**
 * Adds MONAI's Randomizable/RandomizableTransform behaviour to a transform base: a RandomState `R`,
 * `prob` and the per-call `doTransform` draw.
 */
export function Randomizable<B extends AbstractCtor<Transform>>(Base: B) {
  abstract class RandomizableBase extends Base implements RandomizableLike {
    R: RandomState = sharedRandomState;
    /** probability of applying the transform (MONAI's prob; 1 for always) */
    prob = 1;
    /** whether the latest randomize() decided to apply the transform */
    doTransform = true;

    setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
      this.R = seedRandomState(this.name, options);
      return this;
    }

    /** Draws whether to apply (`R.rand() < prob`); subclasses draw their parameters after calling it, in MONAI's order. */
    randomize(_data?: unknown): void {
      this.doTransform = this.R.rand() < this.prob;
    }
  }
  return RandomizableBase;
}

/** Checks a probability option (0..1) and returns it clipped as MONAI does (min(max(prob, 0), 1)). */
export function checkProb(prob: unknown, who: string): number {
  if (typeof prob !== 'number' || Number.isNaN(prob)) throw new TypeError(`${who}: prob must be a number in [0, 1], got ${String(prob)}`);
  return Math.min(Math.max(prob, 0), 1);
}

export abstract class RandomizableTransform extends Randomizable(Transform) {}
export abstract class RandomizableMapTransform extends Randomizable(MapTransform) {}

// ---------------------------------------------------------------------------------------------
// Applying

/** A transform object or a plain function used as a transform. */
export type TransformLike = Transform | ((data: unknown) => unknown);

export interface ApplyTransformOptions {
  /** apply to each element when `data` is an array (default true) */
  mapItems?: boolean;
  /** spread an array `data` as arguments (default false) */
  unpackItems?: boolean;
  /** lazy mode handed to lazy-capable transforms (null: the transform's own setting) */
  lazy?: boolean | null;
  /** lazy-mode overrides (mode, paddingMode, dtype, alignCorners, device) */
  overrides?: Record<string, unknown> | null;
}

/** The error thrown by applyTransform, naming the transform; `cause` holds the original error. */
export class TransformError extends Error {
  override name = 'TransformError';
  constructor(
    message: string,
    readonly transformName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Hook run before a transform to resolve pending lazy operations (installed by transforms/lazy). */
let pendingHook: ((t: TransformLike, data: unknown, lazy: boolean | null | undefined, overrides: Record<string, unknown> | null | undefined) => unknown) | null = null;

/** Installs the lazy-resampling hook (called once by transforms/lazy/functional.ts). */
export function setPendingOperationsHook(hook: typeof pendingHook): void {
  pendingHook = hook;
}

function applyOne(t: TransformLike, data: unknown, unpack: boolean, lazy: boolean | null | undefined, overrides: Record<string, unknown> | null | undefined): unknown {
  if (pendingHook) data = pendingHook(t, data, lazy, overrides);
  const args = unpack && Array.isArray(data) ? data : [data];
  if (typeof t === 'function') return (t as (...a: unknown[]) => unknown)(...args);
  if (t.supportsLazy && !unpack) return t.call(args[0], lazy ?? undefined);
  return t.call(...(args as [unknown]));
}

/**
 * Applies `transform` to `data` (MONAI's apply_transform): maps over arrays when `mapItems`, and wraps a
 * failure in a TransformError naming the transform (and keeping the original as `cause`).
 */
export function applyTransform(transform: TransformLike, data: unknown, options: ApplyTransformOptions = {}): unknown {
  const { mapItems = true, unpackItems = false, lazy, overrides } = options;
  try {
    if (Array.isArray(data) && mapItems) return data.map((item) => applyOne(transform, item, unpackItems, lazy, overrides));
    return applyOne(transform, data, unpackItems, lazy, overrides);
  } catch (e) {
    if (e instanceof TransformError) throw e; // already names the innermost transform
    const name = transform instanceof Transform ? transform.name : transform.name || 'function';
    const msg = e instanceof Error ? e.message : String(e);
    throw new TransformError(`applying transform ${name}: ${msg}`, name, { cause: e });
  }
}

/**
 * Compose and its random variants (MONAI's monai/transforms/compose.py): `Compose`, `OneOf`,
 * `RandomOrder`, `SomeOf` and `executeCompose`.
 *
 * Seeding follows MONAI 1.4 exactly: a Compose seeds itself from the global seed of `setDeterminism`
 * (fresh entropy when none) and hands each randomizable child `R.randint(0, 2**32)`; the random
 * variants draw their choice from their own `R` in MONAI's order, so the same seed picks the same
 * children as MONAI in Python.
 */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaValue } from '../data/meta_tensor.js';
import { checkOptions } from '../data/options.js';
import { tensorsOf } from '../data/item_codec.js';
import { getSeed } from '../utils/misc.js';
import { applyPendingTransforms } from './lazy/functional.js';
import { RandomState } from '../utils/random_state.js';
import {
  MAX_SEED, Randomizable, Transform, TraceKeys, applyTransform, describeValue, isInvertible, isRandomizable, type DataDict, type TransformLike,
} from './transform.js';

/** Options shared by Compose and its variants (MONAI's constructor arguments). */
export interface ComposeOptions {
  transforms?: TransformLike | readonly TransformLike[] | null;
  /** apply each transform to every element when the data is an array (default true) */
  mapItems?: boolean;
  /** spread an array item as the transform's arguments (default false) */
  unpackItems?: boolean;
  /** MONAI's log_stats: false, true, or a logger name; failures are reported through TransformError either way */
  logStats?: boolean | string;
  /** false: eager; true: lazy resampling; null: each transform's own `lazy` (default false) */
  lazy?: boolean | null;
  /** lazy-mode overrides (mode, paddingMode, dtype, alignCorners, resampleMode, device) */
  overrides?: Record<string, unknown> | null;
}

/** Per-call options of `Compose.call` (MONAI's start/end/lazy arguments). */
export interface ComposeCallOptions {
  /** index of the first transform to run (default 0) */
  start?: number;
  /** index after the last transform to run (default all) */
  end?: number | null;
  /** overrides the Compose's lazy mode for this call */
  lazy?: boolean | null;
  /**
   * MONAI's threading: random transforms run on a copy, so their random streams do not advance (the
   * same call draws the same parameters again). Here the random states are restored after each
   * transform, which has the same effect on the draws.
   */
  threading?: boolean;
}

export interface ExecuteComposeOptions {
  mapItems?: boolean;
  unpackItems?: boolean;
  start?: number;
  end?: number | null;
  lazy?: boolean | null;
  overrides?: Record<string, unknown> | null;
  logStats?: boolean | string;
  threading?: boolean;
}

const COMPOSE_KEYS = ['transforms', 'mapItems', 'unpackItems', 'logStats', 'lazy', 'overrides'] as const;

/**
 * Runs `transforms[start:end]` over `data` through `applyTransform`, then resolves any lazy operations
 * still pending (MONAI's execute_compose).
 */
export function executeCompose(data: unknown, transforms: readonly TransformLike[], options: ExecuteComposeOptions = {}, who = 'executeCompose'): unknown {
  const { mapItems = true, unpackItems = false, start = 0, end = null, lazy = false, overrides = null, threading = false } = options;
  const stop = end ?? transforms.length;
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`${who}: start must be a non-negative integer, got ${String(start)}`);
  if (!Number.isInteger(stop)) throw new RangeError(`${who}: end must be an integer or null, got ${String(end)}`);
  if (start > stop) throw new RangeError(`${who}: start (${start}) must be less than end (${stop})`);
  if (stop > transforms.length) throw new RangeError(`${who}: end (${stop}) must be less than or equal to the transform count (${transforms.length})`);
  if (start === stop) return data;
  const input = tensorsOf(data, true);
  data = runFreeing(data, stop - start, (k, d) => {
    const t = transforms[start + k];
    const saved = threading && isRandomizable(t) ? randomStatesOf(t).map((r) => [r, r.getState()] as const) : null;
    try {
      return applyTransform(t, d, { mapItems, unpackItems, lazy, overrides });
    } finally {
      if (saved) for (const [r, st] of saved) r.setState(st);
    }
  }, input);
  const before = tensorsOf(data);
  const out = applyPendingTransforms(data, null, overrides);
  if (out !== data) dropIntermediates(before, out, input);
  return out;
}

/**
 * Runs `count` steps, each replacing the data with its result. Tensors an earlier step made and a later
 * step dropped are freed right away (never the caller's input, never anything the result or its metadata
 * still holds), so a pipeline does not hold every intermediate volume until the garbage collector runs.
 */
function runFreeing(data: unknown, count: number, step: (k: number, data: unknown) => unknown, input = tensorsOf(data, true)): unknown {
  let before = tensorsOf(data);
  for (let k = 0; k < count; k++) {
    try {
      data = step(k, data);
    } catch (e) {
      dropIntermediates(before, null, input);
      throw e;
    }
    // one walk gives what the result keeps alive and the next step's "before"
    const next = new Set<Tensor>();
    dropIntermediates(before, data, input, next);
    before = next;
  }
  return data;
}

function dropIntermediates(before: Set<Tensor>, after: unknown, input: Set<Tensor>, afterShallow: Set<Tensor> | null = null): void {
  const kept = tensorsOf(after, true, new Set(), afterShallow);
  for (const t of before) if (!kept.has(t) && !input.has(t) && !t.isDisposed) t.dispose();
}

/** Every RandomState reachable from a transform's own fields (nested transforms included), as deepcopy would copy. */
function randomStatesOf(root: object): RandomState[] {
  const found = new Set<RandomState>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof RandomState) {
      found.add(v);
      return;
    }
    if (ArrayBuffer.isView(v) || v instanceof Tensor) return; // tensors and typed arrays hold no random state
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x);
  };
  visit(root);
  return [...found];
}

function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function checkTransformList(v: unknown, who: string): TransformLike[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  list.forEach((t, i) => {
    if (!(t instanceof Transform) && typeof t !== 'function') throw new TypeError(`${who}: transforms[${i}] must be a Transform or a function, got ${describeValue(t)}`);
  });
  return [...list] as TransformLike[];
}

function transformName(t: TransformLike): string {
  return t instanceof Transform ? t.name : t.name || 'function';
}

/** The call options, accepting `applyTransform`'s positional lazy flag (Compose is lazy-capable). */
function callOptions(who: string, options: ComposeCallOptions | boolean | null | undefined): ComposeCallOptions {
  if (options === undefined || options === null) return {};
  if (typeof options === 'boolean') return { lazy: options };
  checkOptions(`${who}.call`, options, ['start', 'end', 'lazy', 'threading']);
  return options;
}

/** A function running `t.inverse`, named for errors. */
function inverseOf(t: Transform & { inverse(d: unknown): unknown }): (d: unknown) => unknown {
  const f = (d: unknown) => t.inverse(d);
  Object.defineProperty(f, 'name', { value: `${t.name}.inverse` });
  return f;
}

/** Chains transforms, each taking the previous one's output (MONAI's Compose). */
export class Compose extends Randomizable(Transform) {
  override readonly supportsLazy: boolean = true;
  readonly transforms: TransformLike[];
  mapItems: boolean;
  readonly unpackItems: boolean;
  readonly logStats: boolean | string;
  /** MONAI's three-valued lazy: false eager, true lazy, null each transform's own setting */
  lazyMode: boolean | null;
  overrides: Record<string, unknown> | null;

  /**
   * `new Compose([a, b, c])`, `new Compose([a, b], { mapItems: false })` or
   * `new Compose({ transforms: [a, b], lazy: true })`.
   */
  constructor(transforms?: TransformLike | readonly TransformLike[] | ComposeOptions | null, options: ComposeOptions = {}) {
    super();
    const who = new.target.name;
    let opts: ComposeOptions;
    if (isOptionsObject(transforms)) {
      opts = transforms as ComposeOptions;
      if (Object.keys(options).length) throw new TypeError(`${who}: give options once (the first argument is already an options object)`);
    } else opts = { ...options, transforms: transforms as TransformLike | TransformLike[] | null | undefined };
    this.checkOwnOptions(who, opts);
    const { mapItems = true, unpackItems = false, logStats = false, lazy = false, overrides = null } = opts;
    if (typeof mapItems !== 'boolean') throw new TypeError(`${who}: mapItems must be a boolean, got ${describeValue(mapItems)} (check the brackets around the list of transforms)`);
    if (typeof unpackItems !== 'boolean') throw new TypeError(`${who}: unpackItems must be a boolean, got ${describeValue(unpackItems)}`);
    if (lazy !== null && typeof lazy !== 'boolean') throw new TypeError(`${who}: lazy must be true, false or null, got ${describeValue(lazy)}`);
    if (overrides !== null && !isOptionsObject(overrides)) throw new TypeError(`${who}: overrides must be an object, got ${describeValue(overrides)}`);
    this.transforms = checkTransformList(opts.transforms, who);
    this.mapItems = mapItems;
    this.unpackItems = unpackItems;
    this.logStats = logStats;
    this.lazyMode = lazy;
    this.lazy = lazy === true;
    this.overrides = overrides;
    this.setRandomState({ seed: getSeed() });
  }

  /** Checks the option keys (subclasses add their own). */
  protected checkOwnOptions(who: string, opts: object): void {
    checkOptions(who, opts, COMPOSE_KEYS);
  }

  /** Seeds this Compose, then each randomizable child from it in order (MONAI: `R.randint(MAX_SEED, dtype='uint32')`). */
  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    super.setRandomState(options);
    for (const t of this.transforms ?? []) {
      if (!isRandomizable(t)) continue;
      t.setRandomState({ seed: this.R.randint(0, MAX_SEED) });
    }
    return this;
  }

  /** Calls `randomize(data)` on each randomizable child (MONAI warns and skips one that cannot take data). */
  override randomize(data?: unknown): void {
    for (const t of this.transforms) {
      if (!isRandomizable(t)) continue;
      try {
        t.randomize(data);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        process.emitWarning(`Transform '${transformName(t)}' in ${this.name} not randomized: ${e.message}`, 'RuntimeWarning');
      }
    }
  }

  /** Index of the first direct child satisfying `predicate`, or null (nested Composes are not searched). */
  getIndexOfFirst(predicate: (t: TransformLike) => boolean): number | null {
    const i = this.transforms.findIndex((t) => predicate(t));
    return i < 0 ? null : i;
  }

  /**
   * A Compose of the leaf transforms, nested plain Composes expanded. As in MONAI this builds a new
   * Compose, which reseeds the children from `getSeed()`.
   */
  flatten(): Compose {
    const out: TransformLike[] = [];
    for (const t of this.transforms) {
      if (t instanceof Transform && t.constructor === Compose) out.push(...(t as Compose).flatten().transforms);
      else out.push(t);
    }
    return new Compose(out);
  }

  /** Number of leaf transforms (MONAI's len(): the flattened count). */
  get length(): number {
    return this.flatten().transforms.length;
  }

  /**
   * Runs the chain. `options` may be `{ start, end, lazy }`, or the lazy flag alone (the form
   * `applyTransform` uses for lazy-capable transforms such as a nested Compose).
   */
  override call(data: unknown, options?: ComposeCallOptions | boolean | null): unknown {
    const { start = 0, end = null, lazy = null, threading = false } = callOptions(this.name, options);
    return executeCompose(data, this.transforms, {
      start, end, threading, mapItems: this.mapItems, unpackItems: this.unpackItems, lazy: lazy ?? this.lazyMode, overrides: this.overrides, logStats: this.logStats,
    }, this.name);
  }

  /** Undoes the invertible leaf transforms in reverse order (always eagerly). */
  inverse(data: unknown): unknown {
    checkNoPending(data, this.name);
    const invertible = this.flatten().transforms.filter(isInvertible);
    if (invertible.length === 0) process.emitWarning(`${this.name}.inverse: none of the transforms is invertible`);
    if (this.lazyMode === true) process.emitWarning(`${this.name}.inverse: lazy is true, but inversion runs eagerly`);
    const n = invertible.length;
    return runFreeing(data, n, (k, d) => applyTransform(inverseOf(invertible[n - 1 - k]), d, { mapItems: this.mapItems, unpackItems: this.unpackItems, lazy: false }));
  }
}

/** Refuses to invert data that still holds pending (lazy) operations, as MONAI's has_status_keys check. */
function checkNoPending(data: unknown, who: string): void {
  const pendingOf = (v: unknown): number => {
    const p = (v as { pendingOperations?: unknown[] } | null)?.pendingOperations;
    return v instanceof MetaTensor && Array.isArray(p) ? p.length : 0;
  };
  const bad: string[] = [];
  if (pendingOf(data)) bad.push('the data');
  else if (isOptionsObject(data)) for (const [k, v] of Object.entries(data)) if (pendingOf(v)) bad.push(`key '${k}'`);
  if (bad.length) throw new Error(`${who}.inverse: unable to invert: pending (lazy) operations on ${bad.join(', ')}`);
}

/** Sums as numpy's pairwise summation does for a 1-d float64 array, so normalized weights match MONAI's bit for bit. */
export function numpySum(a: ArrayLike<number>): number {
  const pairwise = (lo: number, n: number): number => {
    if (n < 8) {
      let s = 0;
      for (let i = 0; i < n; i++) s += a[lo + i];
      return s;
    }
    if (n <= 128) {
      const r = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
      let i = 8;
      for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] += a[lo + i + k];
      let s = (r[0] + r[1] + (r[2] + r[3])) + (r[4] + r[5] + (r[6] + r[7]));
      for (; i < n; i++) s += a[lo + i];
      return s;
    }
    let n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pairwise(lo, n2) + pairwise(lo + n2, n - n2);
  };
  return pairwise(0, a.length);
}

/** Checks and normalizes sampling weights to sum to one (MONAI's _normalize_probabilities). */
function normalizeWeights(weights: readonly number[], who: string): number[] {
  if (weights.length === 0) return [];
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || Number.isNaN(w)) throw new TypeError(`${who}: weights[${i}] must be a number, got ${String(w)}`);
  });
  if (weights.some((w) => w < 0)) throw new RangeError(`${who}: weights must be greater than or equal to zero, got [${weights.join(', ')}]`);
  if (weights.every((w) => w === 0)) throw new RangeError(`${who}: at least one weight must be greater than zero, got [${weights.join(', ')}]`);
  const s = numpySum(weights);
  return weights.map((w) => w / s);
}

/** Records `extraInfo` on the output MetaTensor, or on every MetaTensor value of a dictionary. */
function recordChoice(self: Transform, data: unknown, extraInfo: Record<string, MetaValue>, traceKeys = false): void {
  if (data instanceof MetaTensor) {
    self.pushTransform(data, { extraInfo });
  } else if (isOptionsObject(data)) {
    for (const key of Object.keys(data)) {
      const v = (data as DataDict)[key];
      if (v instanceof MetaTensor) self.pushTransform(v, { extraInfo });
      else if (traceKeys && Array.isArray((data as DataDict)[`${key}${TraceKeys.KEY_SUFFIX}`])) {
        const info = self.transformInfo();
        info[TraceKeys.ORIG_SIZE] = [];
        info[TraceKeys.LAZY] = false;
        info[TraceKeys.EXTRA_INFO] = extraInfo;
        ((data as DataDict)[`${key}${TraceKeys.KEY_SUFFIX}`] as AppliedOperation[]).push(info);
      }
    }
  }
}

/** Pops this transform's record from the data (MetaTensor or each MetaTensor of a dictionary); the last one read wins, as MONAI. */
function popChoice(self: Transform, data: unknown, field: string, traceKeys = false): MetaValue | undefined {
  let found: MetaValue | undefined;
  const read = (rec: AppliedOperation) => (rec[TraceKeys.EXTRA_INFO] as Record<string, MetaValue>)[field];
  if (data instanceof MetaTensor) return read(self.popTransform(data));
  if (!isOptionsObject(data)) throw new TypeError(`${self.name}.inverse: expected a MetaTensor or a dictionary, got ${describeValue(data)}`);
  for (const key of Object.keys(data)) {
    const v = (data as DataDict)[key];
    if (v instanceof MetaTensor) found = read(self.popTransform(data, key));
    else if (traceKeys && Array.isArray((data as DataDict)[`${key}${TraceKeys.KEY_SUFFIX}`])) found = read(self.popTransform(data, key));
  }
  return found;
}

const START_END = (who: string, o: ComposeCallOptions) => {
  if ((o.start ?? 0) !== 0) throw new RangeError(`${who} requires start to be 0 (got ${String(o.start)})`);
  if (o.end !== undefined && o.end !== null) throw new RangeError(`${who} requires end to be null (got ${String(o.end)})`);
};

export interface OneOfOptions extends ComposeOptions {
  /** relative probabilities of the transforms (normalized; default uniform) */
  weights?: readonly number[] | number | null;
}

/** Applies one transform drawn by weight (MONAI's OneOf: `R.multinomial(1, weights).argmax()`). */
export class OneOf extends Compose {
  readonly weights: number[];

  constructor(transforms?: TransformLike | readonly TransformLike[] | OneOfOptions | null, options: OneOfOptions = {}) {
    super(transforms, options);
    const opts = (isOptionsObject(transforms) ? transforms : options) as OneOfOptions;
    let w = opts.weights ?? null;
    const n = this.transforms.length;
    if (n === 0) w = [];
    else if (w === null || typeof w === 'number') w = new Array<number>(n).fill(1 / n);
    if (!Array.isArray(w)) throw new TypeError(`${this.name}: weights must be a list of numbers, got ${describeValue(w)}`);
    if (w.length !== n) throw new RangeError(`${this.name}: transforms and weights should be the same size, got ${w.length} weights and ${n} transforms`);
    this.weights = normalizeWeights(w, this.name);
  }

  protected override checkOwnOptions(who: string, opts: object): void {
    checkOptions(who, opts, [...COMPOSE_KEYS, 'weights']);
  }

  /** Nested OneOfs expanded, their weights multiplied through. */
  override flatten(): OneOf {
    const ts: TransformLike[] = [];
    const ws: number[] = [];
    this.transforms.forEach((t, i) => {
      if (t instanceof OneOf) {
        const f = t.flatten();
        f.transforms.forEach((ft, j) => {
          ts.push(ft);
          ws.push(f.weights[j] * this.weights[i]);
        });
      } else {
        ts.push(t);
        ws.push(this.weights[i]);
      }
    });
    return new OneOf(ts, { weights: ws, mapItems: this.mapItems, unpackItems: this.unpackItems });
  }

  override call(data: unknown, options?: ComposeCallOptions | boolean | null): unknown {
    const o = callOptions(this.name, options);
    START_END(this.name, o);
    if (this.transforms.length === 0) return data;
    const counts = this.R.multinomial(1, this.weights);
    const index = counts.indexOf(1);
    data = executeCompose(data, [this.transforms[index]], {
      threading: o.threading, mapItems: this.mapItems, unpackItems: this.unpackItems, lazy: o.lazy ?? this.lazyMode, overrides: this.overrides, logStats: this.logStats,
    }, this.name);
    recordChoice(this, data, { index });
    return data;
  }

  override inverse(data: unknown): unknown {
    if (this.transforms.length === 0) return data;
    const index = popChoice(this, data, 'index');
    if (index === undefined || index === null) return data;
    const t = this.transforms[index as number];
    return isInvertible(t) ? t.inverse(data) : data;
  }
}

/** Applies all transforms in a random order (MONAI's RandomOrder: `R.permutation(n)`). */
export class RandomOrder extends Compose {
  override call(data: unknown, options?: ComposeCallOptions | boolean | null): unknown {
    const o = callOptions(this.name, options);
    START_END(this.name, o);
    if (this.transforms.length === 0) return data;
    const order = Array.from(this.R.permutation(this.transforms.length));
    // MONAI's RandomOrder does not hand its overrides on
    data = executeCompose(data, order.map((i) => this.transforms[i]), {
      threading: o.threading, mapItems: this.mapItems, unpackItems: this.unpackItems, lazy: o.lazy ?? this.lazyMode, logStats: this.logStats,
    }, this.name);
    recordChoice(this, data, { applied_order: order });
    return data;
  }

  override inverse(data: unknown): unknown {
    if (this.transforms.length === 0) return data;
    const order = popChoice(this, data, 'applied_order') as number[] | undefined;
    if (!order) return data;
    return invertInOrder(this, data, order);
  }
}

function invertInOrder(self: Compose, data: unknown, order: readonly number[]): unknown {
  for (let i = order.length - 1; i >= 0; i--) {
    const t = self.transforms[order[i]];
    if (isInvertible(t)) data = applyTransform(inverseOf(t), data, { mapItems: self.mapItems, unpackItems: self.unpackItems });
  }
  return data;
}

export interface SomeOfOptions extends ComposeOptions {
  /** how many to apply: an int, an inclusive [min, max] range, or null for all (default null) */
  numTransforms?: number | readonly [number, number] | null;
  /** sample with replacement (default false) */
  replace?: boolean;
  /** relative sampling weights (normalized; default uniform) */
  weights?: readonly number[] | null;
}

/** Applies a random subset of the transforms (MONAI's SomeOf: `R.randint` for the count, then `R.choice`). */
export class SomeOf extends Compose {
  readonly minNumTransforms: number;
  readonly maxNumTransforms: number;
  readonly replace: boolean;
  readonly weights: number[] | null;

  constructor(transforms?: TransformLike | readonly TransformLike[] | SomeOfOptions | null, options: SomeOfOptions = {}) {
    super(transforms, options);
    const opts = (isOptionsObject(transforms) ? transforms : options) as SomeOfOptions;
    const n = this.transforms.length;
    const nt = opts.numTransforms ?? null;
    let range: [number, number];
    if (nt === null) range = [n, n];
    else if (typeof nt === 'number') {
      if (!Number.isInteger(nt)) throw new TypeError(`${this.name}: numTransforms must be an integer, a [min, max] pair or null, got ${nt}`);
      range = [Math.min(n, nt), Math.min(n, nt)];
    } else if (Array.isArray(nt)) {
      if (nt.length !== 2) throw new RangeError(`${this.name}: numTransforms as a range must hold 2 integers [min, max], got ${nt.length}`);
      if (!Number.isInteger(nt[0]) || !Number.isInteger(nt[1])) throw new TypeError(`${this.name}: numTransforms must hold integers, got [${nt.join(', ')}]`);
      range = [nt[0], nt[1]];
    } else throw new TypeError(`${this.name}: numTransforms must be an integer, a [min, max] pair or null, got ${describeValue(nt)}`);
    if (range[0] < 0 || range[1] > n) throw new RangeError(`${this.name}: numTransforms=${JSON.stringify(nt)} is out of the bounds [0, ${n}]`);
    [this.minNumTransforms, this.maxNumTransforms] = range;
    if (opts.replace !== undefined && typeof opts.replace !== 'boolean') throw new TypeError(`${this.name}: replace must be a boolean, got ${describeValue(opts.replace)}`);
    this.replace = opts.replace ?? false;
    const w = opts.weights ?? null;
    if (w === null || n === 0) this.weights = null;
    else {
      if (!Array.isArray(w)) throw new TypeError(`${this.name}: weights must be a list of numbers, got ${describeValue(w)}`);
      if (w.length !== n) throw new RangeError(`${this.name}: expected ${n} weights (one per transform), got ${w.length}`);
      this.weights = normalizeWeights(w, this.name);
    }
  }

  protected override checkOwnOptions(who: string, opts: object): void {
    checkOptions(who, opts, [...COMPOSE_KEYS, 'numTransforms', 'replace', 'weights']);
  }

  override call(data: unknown, options?: ComposeCallOptions | boolean | null): unknown {
    const o = callOptions(this.name, options);
    START_END(this.name, o);
    if (this.transforms.length === 0) return data;
    const size = this.R.randint(this.minNumTransforms, this.maxNumTransforms + 1);
    const order = this.R.choice(this.transforms.length, { size, replace: this.replace, p: this.weights }) as number[];
    data = executeCompose(data, order.map((i) => this.transforms[i]), {
      threading: o.threading, mapItems: this.mapItems, unpackItems: this.unpackItems, lazy: o.lazy ?? this.lazyMode, overrides: this.overrides, logStats: this.logStats,
    }, this.name);
    recordChoice(this, data, { applied_order: order }, true);
    return data;
  }

  override inverse(data: unknown): unknown {
    if (this.transforms.length === 0) return data;
    const order = popChoice(this, data, 'applied_order', true) as number[] | undefined;
    if (!order) return data;
    return invertInOrder(this, data, order);
  }
}

/**
 * MetaTensor: a torch Tensor that carries the image's affine, its metadata and the list of applied
 * (invertible) operations, as MONAI's `monai.data.MetaTensor`.
 *
 * Representation choices:
 * - A MetaTensor *is* a `torch.Tensor` (subclass; `instanceof Tensor` holds, every op accepts it). It
 *   owns one native handle like any tensor: `dispose()` and `torch.tidy` treat it as one tensor.
 * - `affine` is a row-major `Float64Array(16)` (4x4, RAS world, float64) stored in `meta.affine`;
 *   for a batch (`isBatch`), `Float64Array(16 * B)` laid out as [B, 4, 4]. Keeping it out of torch
 *   means metadata never adds live tensors; `affineTensor()` gives a float64 tensor when needed.
 * - Ops follow the subclass (@monai-ts/torch's `torchFunction` hook, as PyTorch's __torch_function__):
 *   every op with a MetaTensor argument returns MetaTensors, made as MetaTensors from the native
 *   handle, carrying a deep copy of the first MetaTensor argument's meta and applied operations
 *   (MONAI 1.4's update_meta). A batch keeps its per-item lists; `batch.at(i)` and `unbind` (dim 0)
 *   give item i's own metadata, slices `batch.at('a:b')` and split/chunk along dim 0 re-collate the
 *   items they keep. In-place ops return the same object. TypeScript types most op results as
 *   plain `Tensor`; at run time they are MetaTensors (check with `isMetaTensor`).
 *
 * Ownership (who frees which native handle):
 * - `new MetaTensor(handle, init?)`: the new object owns `handle` (how ops construct results).
 * - `MetaTensor.wrap(t, init)`: takes `t` over: the handle moves into a NEW MetaTensor and `t` is left
 *   disposed (`t.isDisposed`; its torch.keep carries over). Metadata in `init` is used as given (not
 *   copied). For readers and collation, which make a tensor and hand it on.
 * - `MetaTensor.fromTensor(t, init)`: a new MetaTensor on a new handle to the same storage; the caller
 *   keeps `t` and still disposes it. Metadata in `init` is deep-copied.
 * - `mt.withTensor(t)`: takes `t` over (as wrap) and gives it a deep copy of `mt`'s metadata.
 * - Metadata values are plain JS (typed arrays, arrays, objects); tensors inside metadata are shared,
 *   not copied, and are not owned by the MetaTensor.
 */
import * as torch from '@monai-ts/torch';
import { Tensor, torchFunction } from '@monai-ts/torch';

/** The typed arrays metadata may hold (affines are Float64Array). */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * A value in image metadata: what readers, transforms and collation store. Tensors are shared, not
 * copied, by copyMeta; `undefined` marks an absent key.
 */
export type MetaValue = string | number | boolean | bigint | null | undefined | TypedArray | Tensor | MetaValue[] | { [key: string]: MetaValue };

/** One record of an applied operation (MONAI's TraceKeys: class, id, orig_size, extra_info, ...). */
export type AppliedOperation = { [key: string]: MetaValue };

/**
 * Metadata of one image (MONAI's meta dict): the well-known keys below, typed, and whatever else the
 * reader found in the file header (NIfTI fields such as `pixdim`, NRRD keys, DICOM tags).
 * A collated batch (`MetaTensor.isBatch`) holds per-item lists instead: read it as BatchMetaDict.
 */
export interface MetaDict {
  /** Row-major 4x4 affine from array indices to world coordinates in `space` (RAS unless said otherwise). */
  affine?: Float64Array;
  /** The affine as read, before any spatial transform. */
  original_affine?: Float64Array;
  /** Spatial size of the image as read (no channel axis). */
  spatial_shape?: number[];
  /** World coordinate convention of the affine: 'RAS' or 'LPS' (NRRD may keep its header's own space name). */
  space?: 'RAS' | 'LPS' | (string & {});
  /** Channel axis in the file's array, or NaN / 'no_channel' when the image has none. */
  original_channel_dim?: number | 'no_channel';
  /** The file the image came from (the first one of a channel-stacked list). */
  filename_or_obj?: string;
  /** Where SaveImage wrote the image (with savepathInMetadict). */
  saved_to?: string;
  /** Index of a patch within its image (names saved patches). */
  patch_index?: number | string | null;
  [key: string]: MetaValue;
}

/** Metadata of a collated batch: `affine` is [B, 4, 4] in one Float64Array, every other key a per-item list. */
export interface BatchMetaDict {
  affine?: Float64Array;
  original_affine?: Float64Array[];
  spatial_shape?: number[][];
  space?: ('RAS' | 'LPS' | (string & {}))[];
  original_channel_dim?: (number | 'no_channel')[];
  filename_or_obj?: string[];
  saved_to?: string[];
  patch_index?: (number | string | null)[];
  /** The applied operations of each item. */
  applied_operations?: AppliedOperation[][];
  [key: string]: MetaValue;
}

/** MONAI's metadata keys. */
export const MetaKeys = {
  AFFINE: 'affine',
  ORIGINAL_AFFINE: 'original_affine',
  SPATIAL_SHAPE: 'spatial_shape',
  SPACE: 'space',
  ORIGINAL_CHANNEL_DIM: 'original_channel_dim',
  FILENAME_OR_OBJ: 'filename_or_obj',
  SAVED_TO: 'saved_to',
} as const;

export const SpaceKeys = { RAS: 'RAS', LPS: 'LPS' } as const;

export function identityAffine(): Float64Array {
  const a = new Float64Array(16);
  a[0] = a[5] = a[10] = a[15] = 1;
  return a;
}

/** Deep copy of metadata values: typed arrays, arrays and plain objects are copied; others shared. */
export function copyMeta<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): T }).slice();
  if (Array.isArray(v)) return v.map((x) => copyMeta(x)) as unknown as T;
  if (v instanceof Tensor) return v; // tensors in metadata are shared, not copied
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = copyMeta(x);
    return out as T;
  }
  return v;
}

export interface MetaTensorInit {
  affine?: Float64Array | number[] | null;
  meta?: MetaDict | BatchMetaDict;
  appliedOperations?: AppliedOperation[];
  /** lazy operations not yet applied to the data (MONAI's pending_operations) */
  pendingOperations?: AppliedOperation[];
  isBatch?: boolean;
}

/** The key under which a batch's meta lists each item's applied operations. */
const BATCH_OPS = 'applied_operations';

/** Stacks item metadata into batch metadata: affines into one [B, 4, 4] array, other keys into per-item lists (copied). */
export function collateMeta(metas: MetaDict[]): MetaDict {
  const out: MetaDict = {};
  const keys = new Set<string>();
  for (const m of metas) for (const k of Object.keys(m)) keys.add(k);
  for (const k of keys) {
    const vals = metas.map((m) => m[k]);
    if (k === 'affine' && vals.every((v) => v instanceof Float64Array && v.length === 16)) {
      const a = new Float64Array(16 * vals.length);
      vals.forEach((v, i) => a.set(v as Float64Array, 16 * i));
      out[k] = a;
    } else out[k] = vals.map((v) => copyMeta(v));
  }
  return out;
}

/** Item i's metadata (a copy) of batch metadata over b items; a per-item value is a list of length b. */
export function itemMeta(meta: MetaDict, b: number, i: number): MetaDict {
  const out: MetaDict = {};
  for (const [k, v] of Object.entries(meta)) {
    if (k === BATCH_OPS) continue;
    if (k === 'affine' && v instanceof Float64Array && v.length === 16 * b) out[k] = v.slice(16 * i, 16 * (i + 1));
    else if (Array.isArray(v) && v.length === b) out[k] = copyMeta(v[i]);
    else out[k] = copyMeta(v);
  }
  return out;
}

/** Item i's applied operations (a copy) in batch metadata. */
export function itemOps(meta: MetaDict, i: number): AppliedOperation[] {
  const ops = meta[BATCH_OPS] as AppliedOperation[][] | undefined;
  return copyMeta(Array.isArray(ops) && Array.isArray(ops[i]) ? ops[i] : []);
}

/** Batch metadata of the items `picks` of a batch of b (MONAI re-collates a sliced batch). */
function pickBatchMeta(meta: MetaDict, b: number, picks: number[]): MetaDict {
  const out = collateMeta(picks.map((i) => itemMeta(meta, b, i)));
  out[BATCH_OPS] = picks.map((i) => itemOps(meta, i));
  return out;
}

/** The items of dim 0 that a Python-style slice string selects ('1:3', '::2', '-2:'), or null for ':' and '...'. */
function slicePicks(s: string, b: number): number[] | null {
  if (s === '...') return null;
  const parts = s.split(':');
  const num = (p: string | undefined) => (p === undefined || p.trim() === '' ? null : Number(p));
  const step = num(parts[2]) ?? 1;
  let lo = num(parts[0]);
  let hi = num(parts[1]);
  if (lo === null && hi === null && step === 1) return null;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + b : v, 0), b);
  lo = lo === null ? 0 : clamp(lo);
  hi = hi === null ? b : clamp(hi);
  const picks: number[] = [];
  for (let i = lo; i < hi; i += step) picks.push(i);
  return picks;
}

export class MetaTensor extends Tensor {
  /** Metadata of the image; for a batch (isBatch) this holds per-item lists, see `batchMeta`. */
  meta: MetaDict = {};
  appliedOperations: AppliedOperation[] = [];
  /** Lazy operations recorded but not yet applied to the data (MONAI's pending_operations). */
  pendingOperations: AppliedOperation[] = [];
  isBatch = false;

  /** A MetaTensor owning `handle` (ops call this with one argument; see the header on ownership). */
  constructor(handle: number, init?: MetaTensorInit) {
    super(handle);
    if (init !== undefined) this.setInit(init);
  }

  private setInit(init: MetaTensorInit): void {
    this.meta = (init.meta as MetaDict | undefined) ?? {}; // a batch's lists are read through batchMeta
    this.appliedOperations = init.appliedOperations ?? [];
    this.pendingOperations = init.pendingOperations ?? [];
    this.isBatch = init.isBatch ?? false;
    if (init.affine !== undefined && init.affine !== null) this.affine = init.affine instanceof Float64Array ? init.affine : Float64Array.from(init.affine);
    else if (!(this.meta.affine instanceof Float64Array)) this.meta.affine = identityAffine();
  }

  /**
   * Takes `t` over: a new MetaTensor owns t's handle and `t` is left disposed (its torch.keep carries
   * over). Metadata is taken as given (not copied).
   */
  static wrap(t: Tensor, init: MetaTensorInit = {}): MetaTensor {
    if (!(t instanceof Tensor)) throw new TypeError(`MetaTensor.wrap: expected a torch Tensor, found ${t === null ? 'null' : typeof t}`);
    if (t.isDisposed) throw new TypeError('MetaTensor.wrap: the tensor was disposed (or already taken over by another wrap)');
    const kept = t._k;
    const mt = new MetaTensor(t.handle, init);
    t._release();
    if (kept) mt._k = true;
    return mt;
  }

  /**
   * A new MetaTensor on the same storage as `t` (a new handle: the caller keeps and disposes `t`),
   * with a deep copy of the metadata in `init`.
   */
  static fromTensor(t: Tensor, init: MetaTensorInit = {}): MetaTensor {
    if (!(t instanceof Tensor)) throw new TypeError(`MetaTensor.fromTensor: expected a torch Tensor, found ${t === null ? 'null' : typeof t}`);
    const h = plainHandle(t);
    return new MetaTensor(h, {
      meta: copyMeta(init.meta),
      affine: init.affine instanceof Float64Array ? init.affine.slice() : init.affine,
      appliedOperations: copyMeta(init.appliedOperations),
      pendingOperations: copyMeta(init.pendingOperations),
      isBatch: init.isBatch,
    });
  }

  /**
   * The op hook (MONAI's __torch_function__ / update_meta): results get a deep copy of the first
   * MetaTensor argument's meta and applied operations, or, when any MetaTensor argument is a batch, share
   * its metadata objects and are batches too (MONAI's shallow copy for batches);
   * indexing, unbind and split of a batch along dim 0 give the items' own metadata.
   */
  static [torchFunction](results: Tensor[], op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null): void {
    let first: MetaTensor | null = null;
    let isBatch = false;
    const visit = (v: unknown, depth: number): void => {
      if (v instanceof MetaTensor) {
        first ??= v;
        if (v.isBatch) isBatch = true;
      } else if (Array.isArray(v) && depth < 2) for (const x of v) visit(x, depth + 1);
    };
    for (const a of args) visit(a, 0);
    if (kwargs !== null) for (const k in kwargs) visit(kwargs[k], 0);
    const src = first as MetaTensor | null;
    if (src === null) return;
    // a batch's results share its metadata objects, as MONAI's (copy_attr=False for batches): every op of a
    // network's forward on a collated batch would otherwise deep-copy each item's trace; items get copies.
    // The lazy-resampling queue rides along too (MONAI copies every attribute of the source).
    const pass = isBatch ? <T>(v: T): T => v : copyMeta;
    for (const r of results) {
      if (!(r instanceof MetaTensor) || r === src) continue;
      r.meta = pass(src.meta);
      r.appliedOperations = pass(src.appliedOperations);
      r.pendingOperations = pass(src.pendingOperations);
      r.isBatch = isBatch;
    }
    if (isBatch) MetaTensor.handleBatched(results, op, args, kwargs);
  }

  /** Batch rules: getitem with an integer (or slice, list) first index, unbind/split/chunk along dim 0. */
  private static handleBatched(results: Tensor[], op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null): void {
    const batch = args[0];
    if (!(batch instanceof MetaTensor) || !batch.isBatch || batch.dim() === 0) return;
    const b = batch.shape[0];
    const setItem = (r: Tensor, i: number) => {
      if (!(r instanceof MetaTensor)) return;
      r.meta = itemMeta(batch.meta, b, i);
      r.appliedOperations = itemOps(batch.meta, i);
      r.isBatch = false;
    };
    const setPicks = (r: Tensor, picks: number[]) => {
      if (r instanceof MetaTensor) r.meta = pickBatchMeta(batch.meta, b, picks);
    };
    if (op === 'getitem') {
      const r = results[0];
      const idx = args[1];
      if (args.length < 2 || r === undefined) return;
      if (typeof idx === 'number' || typeof idx === 'bigint') {
        const i = Number(idx);
        setItem(r, i < 0 ? i + b : i);
      } else if (typeof idx === 'string') {
        const picks = slicePicks(idx, b);
        if (picks !== null) setPicks(r, picks);
      } else if (Array.isArray(idx) && idx.every((x) => typeof x === 'number')) {
        setPicks(r, (idx as number[]).map((i) => (i < 0 ? i + b : i)));
      }
      return;
    }
    const split = op === 'split' || op === 'split_with_sizes' || op === 'chunk' || op === 'unsafe_split' || op === 'tensor_split';
    if (op !== 'unbind' && !split) return;
    const dimArg = args[op === 'unbind' ? 1 : 2] ?? kwargs?.dim ?? 0;
    const dim = typeof dimArg === 'number' ? (dimArg < 0 ? dimArg + batch.dim() : dimArg) : -1;
    if (dim !== 0) return;
    if (op === 'unbind') results.forEach((r, i) => setItem(r, i));
    else {
      let at = 0;
      for (const r of results) {
        const n = r.shape[0];
        setPicks(r, Array.from({ length: n }, (_, k) => at + k));
        at += n;
      }
    }
  }

  /** `t` taken over (as wrap) with a deep copy of this tensor's metadata; `this` when t is this. */
  withTensor(t: Tensor): MetaTensor {
    if (t === this) return this;
    const init = { meta: copyMeta(this.meta), appliedOperations: copyMeta(this.appliedOperations), pendingOperations: copyMeta(this.pendingOperations), isBatch: this.isBatch };
    if (t instanceof MetaTensor) {
      t.setInit(init);
      return t;
    }
    return MetaTensor.wrap(t, init);
  }

  /** The metadata of a collated batch, typed as per-item lists; throws when this is not a batch. */
  get batchMeta(): BatchMetaDict {
    if (!this.isBatch) throw new TypeError('MetaTensor.batchMeta: this tensor is not a collated batch (isBatch is false); read meta instead');
    return this.meta as BatchMetaDict;
  }

  get affine(): Float64Array {
    const a = this.meta.affine;
    if (a instanceof Float64Array) return a;
    const id = identityAffine();
    this.meta.affine = id;
    return id;
  }
  set affine(a: Float64Array | number[]) {
    const v = a instanceof Float64Array ? a : Float64Array.from(a);
    if (v.length % 16 !== 0 || v.length === 0) throw new Error(`MetaTensor.affine must hold 4x4 matrices (16 values each), got ${v.length}`);
    this.meta.affine = v;
  }

  /** The affine as a new float64 tensor of shape [4, 4] (or [B, 4, 4] for a batch); a plain Tensor. */
  affineTensor(): Tensor {
    const a = this.affine;
    return torch.fromTypedArray(a.slice(), this.isBatch ? [a.length / 16, 4, 4] : [4, 4], 'float64');
  }

  /** Pixel spacing: column norms of the affine's 3x3 (or smaller) block. */
  get pixdim(): number[] {
    const a = this.affine;
    const r = Math.max(1, Math.min(3, this.shape.length - 1));
    const out: number[] = [];
    for (let j = 0; j < r; j++) out.push(Math.hypot(a[j], a[4 + j], a[8 + j]));
    return out;
  }

  get hasPendingOperations(): boolean {
    return this.pendingOperations.length > 0;
  }

  pushPendingOperation(op: AppliedOperation): void {
    this.pendingOperations.push(op);
  }

  clearPendingOperations(): void {
    this.pendingOperations = [];
  }

  /** Spatial shape once the pending operations are applied (the last one's `lazy_shape`). */
  peekPendingShape(): number[] {
    const p = this.pendingOperations;
    const s = p.length ? (p[p.length - 1].lazy_shape as number[] | undefined) : undefined;
    return s ? [...s] : this.shape.slice(1);
  }

  /** The 4x4 affine once the pending operations are applied: affine @ each pending `lazy_affine` (embedded in 4x4). */
  peekPendingAffine(): Float64Array {
    let res = this.affine.slice(0, 16);
    for (const p of this.pendingOperations) {
      const m = p.lazy_affine as ArrayLike<number> | number[][] | null | undefined;
      if (m === null || m === undefined) continue;
      const flat = Array.isArray(m) && Array.isArray(m[0]) ? (m as number[][]).flat() : Array.from(m as ArrayLike<number>);
      const n = Math.round(Math.sqrt(flat.length));
      const d = n - 1; // embed as MONAI's to_affine_nd(3, m)
      const full = identityAffine();
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) full[i * 4 + j] = flat[i * n + j];
        if (d > 1) full[i * 4 + 3] = flat[i * n + d];
      }
      const r = new Float64Array(16);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) r[i * 4 + j] += res[i * 4 + k] * full[k * 4 + j];
      res = r;
    }
    return res;
  }

  /** Spatial rank of the last pending matrix, else of the affine (MONAI's peek_pending_rank). */
  peekPendingRank(): number {
    const p = this.pendingOperations;
    const m = p.length ? (p[p.length - 1].lazy_affine as ArrayLike<number> | number[][] | null | undefined) : this.affine.subarray(0, 16);
    if (m === null || m === undefined) return 1;
    const n = Array.isArray(m) && Array.isArray(m[0]) ? m.length : Math.round(Math.sqrt((m as ArrayLike<number>).length));
    return Math.max(1, n - 1);
  }

  /** Plain tensor view sharing storage (metadata dropped); the caller owns the returned handle. */
  asTensor(): Tensor {
    return new Tensor(plainHandle(this));
  }

  // Typed forms of ops whose results the hook makes MetaTensors (the generic ops are typed Tensor).
  override clone(options?: { memoryFormat?: 'contiguous' | 'preserve' | 'channels_last' | 'channels_last_3d' | null }): MetaTensor {
    return super.clone(options) as MetaTensor;
  }

  /** As Tensor.to; returns this MetaTensor itself when nothing changes (as PyTorch returns self). */
  override to(target: Parameters<Tensor['to']>[0]): MetaTensor {
    const r = super.to(target) as MetaTensor;
    if (r !== this && r.is(this)) {
      r.dispose();
      return this;
    }
    return r;
  }

  /** As Tensor.contiguous; this MetaTensor itself when already contiguous. */
  override contiguous(options?: { memoryFormat?: 'contiguous' | 'preserve' | 'channels_last' | 'channels_last_3d' | null }): MetaTensor {
    const r = super.contiguous(options) as MetaTensor;
    if (r !== this && r.is(this)) {
      r.dispose();
      return this;
    }
    return r;
  }

  override float(): MetaTensor {
    return this.to({ dtype: 'float32' });
  }
  override double(): MetaTensor {
    return this.to({ dtype: 'float64' });
  }
  override cpu(): MetaTensor {
    return this.to({ device: 'cpu' });
  }
  override cuda(device = 0): MetaTensor {
    return this.to({ device: `cuda:${device}` });
  }

  /** Alias sharing storage, with a copy of the metadata. */
  override alias(): MetaTensor {
    return super.alias() as MetaTensor;
  }

  /** Copies (deep) the metadata and applied operations of `other` onto this tensor; returns this. */
  copyMetaFrom(other: MetaTensor | { meta: MetaDict; appliedOperations?: AppliedOperation[] }): this {
    this.meta = copyMeta(other.meta);
    if (!(this.meta.affine instanceof Float64Array)) this.meta.affine = identityAffine();
    this.appliedOperations = copyMeta(other.appliedOperations ?? []);
    if (other instanceof MetaTensor) {
      this.isBatch = other.isBatch;
      this.pendingOperations = copyMeta(other.pendingOperations);
    }
    return this;
  }

  /** MONAI's as_dict: {key: this, `${key}_meta_dict`: meta, `${key}_transforms`: applied operations}. */
  asDict(key: string, outputType: 'tensor' | 'metatensor' = 'metatensor'): Record<string, Tensor | MetaDict | AppliedOperation[]> {
    return {
      [key]: outputType === 'tensor' ? this.asTensor() : this,
      [`${key}_meta_dict`]: copyMeta(this.meta),
      [`${key}_transforms`]: copyMeta(this.appliedOperations),
    };
  }

  override toString(): string {
    return `MetaTensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, affine=[${Array.from(this.affine.subarray(0, 16))
      .map((v) => +v.toFixed(4))
      .join(', ')}])`;
  }
}

/** A new native handle to t's tensor that no subclass hook sees (the caller owns it). */
function plainHandle(t: Tensor): number {
  const a = torch.plainAlias(t);
  const h = a.handle;
  a._release();
  return h;
}

export function isMetaTensor(x: unknown): x is MetaTensor {
  return x instanceof MetaTensor;
}

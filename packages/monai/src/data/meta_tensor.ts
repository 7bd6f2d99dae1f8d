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
 * - Ops from `@monai-ts/torch` return plain Tensors; `to`, `clone`, `contiguous`, `float`, `double`
 *   and friends are overridden here to keep the metadata (deep-copied for clone/to).
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';

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
  isBatch?: boolean;
}

export class MetaTensor extends Tensor {
  /** Metadata of the image; for a batch (isBatch) this holds per-item lists, see `batchMeta`. */
  meta!: MetaDict;
  appliedOperations!: AppliedOperation[];
  isBatch!: boolean;

  /**
   * Turns `t` into a MetaTensor in place (no copy, same handle, same object: the caller's reference
   * now *is* the MetaTensor). Metadata is taken as given (not copied).
   */
  static wrap(t: Tensor, init: MetaTensorInit = {}): MetaTensor {
    if (!(t instanceof Tensor)) throw new TypeError('MetaTensor.wrap expects a torch Tensor');
    const mt = Object.setPrototypeOf(t, MetaTensor.prototype) as MetaTensor;
    mt.meta = (init.meta as MetaDict | undefined) ?? {}; // a batch's lists are read through batchMeta
    mt.appliedOperations = init.appliedOperations ?? [];
    mt.isBatch = init.isBatch ?? false;
    if (init.affine !== undefined && init.affine !== null) mt.affine = init.affine instanceof Float64Array ? init.affine : Float64Array.from(init.affine);
    else if (!(mt.meta.affine instanceof Float64Array)) mt.meta.affine = identityAffine();
    return mt;
  }

  /** A new MetaTensor holding `t` (taken over) with a deep copy of this tensor's metadata. */
  withTensor(t: Tensor): MetaTensor {
    if (t === this) return this;
    return MetaTensor.wrap(t, {
      meta: copyMeta(this.meta),
      appliedOperations: copyMeta(this.appliedOperations),
      isBatch: this.isBatch,
    });
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

  /** The affine as a new float64 tensor of shape [4, 4] (or [B, 4, 4] for a batch). */
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

  /** Plain tensor view sharing storage (metadata dropped); the caller owns the returned handle. */
  asTensor(): Tensor {
    return Tensor.prototype.alias.call(this);
  }

  override clone(options?: { memoryFormat?: 'contiguous' | 'preserve' | 'channels_last' | 'channels_last_3d' | null }): MetaTensor {
    return this.withTensor(Tensor.prototype.clone.call(this, options));
  }

  override to(target: Parameters<Tensor['to']>[0]): MetaTensor {
    const r = Tensor.prototype.to.call(this, target);
    if (r === this) return this;
    if (r.is(this)) {
      // nothing changed: PyTorch returns the tensor itself
      r.dispose();
      return this;
    }
    return this.withTensor(r);
  }

  override contiguous(options?: { memoryFormat?: 'contiguous' | 'preserve' | 'channels_last' | 'channels_last_3d' | null }): MetaTensor {
    const r = Tensor.prototype.contiguous.call(this, options);
    if (r.is(this) && r !== this) {
      // libtorch returned the same tensor through a new handle: keep this object
      r.dispose();
      return this;
    }
    return this.withTensor(r);
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

  /** Alias sharing storage and a copy of the metadata. */
  override alias(): MetaTensor {
    return this.withTensor(Tensor.prototype.alias.call(this));
  }

  /** Copies (deep) the metadata and applied operations of `other` onto this tensor; returns this. */
  copyMetaFrom(other: MetaTensor | { meta: MetaDict; appliedOperations?: AppliedOperation[] }): this {
    this.meta = copyMeta(other.meta);
    if (!(this.meta.affine instanceof Float64Array)) this.meta.affine = identityAffine();
    this.appliedOperations = copyMeta(other.appliedOperations ?? []);
    if (other instanceof MetaTensor) this.isBatch = other.isBatch;
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

export function isMetaTensor(x: unknown): x is MetaTensor {
  return x instanceof MetaTensor;
}

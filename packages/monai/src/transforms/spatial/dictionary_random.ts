/**
 * Random spatial dictionary transforms (MONAI's RandRotate90d, RandRotated, RandFlipd, RandAxisFlipd,
 * RandZoomd, RandAffined, Rand2DElasticd, Rand3DElasticd). One draw per item, shared by all keys, in
 * MONAI 1.4's order (including the inner transform's own draws), so seeds reproduce MONAI's parameters.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkedKeys, checkGridModes, perKeyResampling, tensorAt } from './dict_utils.js';
import { MetaTensor, type AppliedOperation } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { RandomizableMapTransform, TraceKeys, checkProb, perKey, type DataDict } from '../transform.js';
import { RandomState } from '../../utils/random_state.js';
import { peekPendingShape, shallowCopy } from '../lazy/utils.js';
import { Flip, Rotate90, extraOf, rotate90Inverse, untraced, type FloatDType } from './array.js';
import { RandAxisFlip, RandRotate, RandZoom, replaceRecord, type AngleRange, type RandZoomOptions } from './array_random.js';
import { Rand2DElastic, Rand3DElastic, RandAffine, createGrid, type RandRange } from './array_affine.js';
import * as fn from './functional.js';

type PerKey<T> = T | readonly T[];
const MAP_KEYS = ['keys', 'allowMissingKeys', 'lazy', 'prob'] as const;
type SeedOpts = { seed?: number | bigint | null; state?: RandomState | null };


function pushInner(t: Tensor, rec: AppliedOperation): void {
  if (t instanceof MetaTensor) t.appliedOperations.push(extraOf(rec) as AppliedOperation);
}

/**
 * The inverse of a random dict transform around an inner array transform: each key's record is popped,
 * and where the draw fired the inner record is restored and `inverse` undoes it.
 */
function invertFired(t: RandomizableMapTransform, data: DataDict, inverse: (img: Tensor) => Tensor): DataDict {
  const d = { ...data };
  for (const [key] of checkedKeys(t, d)) {
    const img = tensorAt(d, key, t.name);
    const rec = t.popTransform(img);
    if (rec[TraceKeys.DO_TRANSFORM]) {
      pushInner(img, rec);
      d[key] = inverse(img);
    }
  }
  return d;
}

interface RandMapBase {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
  lazy?: boolean;
  prob?: number;
}

/** RandRotate90 with one draw for all keys; k is drawn before the probability (MONAI's RandRotate90d). */
export class RandRotate90d extends RandomizableMapTransform {
  override readonly supportsLazy = true;
  readonly maxK: number;
  readonly spatialAxes: [number, number];
  randK = 0;

  constructor(options: RandMapBase & { maxK?: number; spatialAxes?: readonly number[] }) {
    checkOptions('RandRotate90d', options, [...MAP_KEYS, 'maxK', 'spatialAxes'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    this.maxK = options.maxK ?? 3;
    if (!Number.isInteger(this.maxK) || this.maxK < 1) throw new RangeError(`${this.name}: maxK must be a positive integer, got ${JSON.stringify(options.maxK)}`);
    const ax = options.spatialAxes ?? [0, 1];
    new Rotate90({ spatialAxes: ax });
    this.spatialAxes = [ax[0], ax[1]];
    this.lazy = options.lazy ?? false;
  }

  override randomize(): void {
    this.randK = (this.R.randint(this.maxK) as number) + 1;
    super.randomize();
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    this.randomize();
    const d = { ...data };
    const lazy_ = lazy ?? this.lazy;
    const rot = new Rotate90({ k: this.randK, spatialAxes: this.spatialAxes });
    for (const [key] of checkedKeys(this, d)) {
      const img = tensorAt(d, key, this.name);
      d[key] = replaceRecord(this, this.doTransform ? rot.call(img, lazy_) : shallowCopy(img), lazy_);
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) {
      const img = d[key];
      if (!(img instanceof MetaTensor)) continue;
      const rec = this.popTransform(img);
      if (rec[TraceKeys.DO_TRANSFORM]) d[key] = rotate90Inverse(img, extraOf(rec) as AppliedOperation);
    }
    return d;
  }
}

/** The inner array transforms of RandRotated and RandZoomd: a prob-1 transform drawing its own parameters. */
interface InterpInner {
  setRandomState(options: SeedOpts): unknown;
  call(img: Tensor, lazy: boolean, options: { mode: string; paddingMode: string; alignCorners: boolean | null; dtype: FloatDType | null; randomize: false }): Tensor;
  inverse(img: Tensor): Tensor;
}

/**
 * What RandRotated and RandZoomd share: the dict's draw decides, the inner transform draws once per item,
 * every key is resampled with its own settings (or passed through as float32), and inverted when it fired.
 */
abstract class RandInterpd<I extends InterpInner, AC extends boolean | null> extends RandomizableMapTransform {
  override readonly supportsLazy = true;
  readonly mode: string[];
  readonly paddingMode: string[];
  readonly alignCorners: AC[];
  readonly dtype: (FloatDType | null)[];

  protected constructor(
    options: RandMapBase & { mode?: PerKey<string>; paddingMode?: PerKey<string>; alignCorners?: PerKey<AC>; dtype?: PerKey<FloatDType | null> },
    protected readonly inner: I,
    defaults: { mode: string; paddingMode: string; alignCorners: AC; kind: 'grid' | 'interp' },
  ) {
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    ({ mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners, dtype: this.dtype } = perKeyResampling(this, options, { ...defaults, dtype: 'float32' }));
    this.lazy = options.lazy ?? false;
  }

  override setRandomState(options: SeedOpts = {}): this {
    super.setRandomState(options);
    this.inner.setRandomState(options);
    return this;
  }

  /** Draws this item's parameters (the dict's, then the inner transform's); false when there is nothing to transform. */
  protected abstract randomizeItem(d: DataDict): boolean;

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    if (!this.randomizeItem(d)) return d;
    const lazy_ = lazy ?? this.lazy;
    for (const [key, mode, pm, ac, dtype] of checkedKeys<[string, string, AC, FloatDType | null]>(this, d, this.mode, this.paddingMode, this.alignCorners, this.dtype)) {
      const img = tensorAt(d, key, this.name);
      const out = this.doTransform ? this.inner.call(img, lazy_, { mode, paddingMode: pm, alignCorners: ac, dtype, randomize: false }) : shallowCopy(img, 'float32');
      d[key] = replaceRecord(this, out, lazy_);
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    return invertFired(this, data, (img) => this.inner.inverse(img));
  }
}

export interface RandRotatedOptions extends RandMapBase {
  rangeX?: AngleRange;
  rangeY?: AngleRange;
  rangeZ?: AngleRange;
  keepSize?: boolean;
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
  alignCorners?: PerKey<boolean>;
  dtype?: PerKey<FloatDType | null>;
}

/** RandRotate with one draw for all keys (MONAI's RandRotated). */
export class RandRotated extends RandInterpd<RandRotate, boolean> {
  constructor(options: RandRotatedOptions) {
    checkOptions('RandRotated', options, [...MAP_KEYS, 'rangeX', 'rangeY', 'rangeZ', 'keepSize', 'mode', 'paddingMode', 'alignCorners', 'dtype'], ['keys']);
    const inner = new RandRotate({ rangeX: options.rangeX, rangeY: options.rangeY, rangeZ: options.rangeZ, prob: 1, keepSize: options.keepSize });
    super(options, inner, { mode: 'bilinear', paddingMode: 'border', alignCorners: false, kind: 'grid' });
  }

  get randRotate(): RandRotate {
    return this.inner;
  }

  protected randomizeItem(): boolean {
    this.randomize(); // MONAI draws even when no key is present
    this.inner.randomize();
    return true;
  }
}

/** RandFlip with one draw for all keys (MONAI's RandFlipd). */
export class RandFlipd extends RandomizableMapTransform {
  override readonly supportsLazy = true;
  readonly flipper: Flip;

  constructor(options: RandMapBase & { spatialAxis?: number | readonly number[] | null }) {
    checkOptions('RandFlipd', options, [...MAP_KEYS, 'spatialAxis'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    this.flipper = new Flip({ spatialAxis: options.spatialAxis });
    this.lazy = options.lazy ?? false;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    this.randomize();
    const lazy_ = lazy ?? this.lazy;
    for (const [key] of checkedKeys(this, d)) {
      const img = tensorAt(d, key, this.name);
      d[key] = replaceRecord(this, this.doTransform ? this.flipper.call(img, lazy_) : shallowCopy(img), lazy_);
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) {
      const img = tensorAt(d, key, this.name);
      const rec = this.popTransform(img);
      if (rec[TraceKeys.DO_TRANSFORM]) d[key] = untraced(new Flip({ spatialAxis: this.flipper.spatialAxis })).call(img, false);
    }
    return d;
  }
}

/** RandAxisFlip with one draw (axis from the first key's image) for all keys (MONAI's RandAxisFlipd). */
export class RandAxisFlipd extends RandomizableMapTransform {
  override readonly supportsLazy = true;
  readonly flipper: RandAxisFlip;

  constructor(options: RandMapBase) {
    checkOptions('RandAxisFlipd', options, [...MAP_KEYS], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    this.flipper = new RandAxisFlip({ prob: 1 });
    this.lazy = options.lazy ?? false;
  }

  override setRandomState(options: SeedOpts = {}): this {
    super.setRandomState(options);
    this.flipper.setRandomState(options);
    return this;
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    const first = this.firstKey(d);
    if (first === undefined) return d;
    this.randomize();
    this.flipper.randomize(tensorAt(d, first, this.name));
    const lazy_ = lazy ?? this.lazy;
    for (const [key] of checkedKeys(this, d)) {
      const img = tensorAt(d, key, this.name);
      d[key] = replaceRecord(this, this.doTransform ? this.flipper.call(img, lazy_, { randomize: false }) : shallowCopy(img), lazy_);
    }
    return d;
  }

  inverse(data: DataDict): DataDict {
    return invertFired(this, data, (img) => this.flipper.inverse(img));
  }
}

export interface RandZoomdOptions extends RandMapBase, Omit<RandZoomOptions, 'mode' | 'paddingMode' | 'alignCorners' | 'dtype' | 'prob' | 'lazy'> {
  mode?: PerKey<string>;
  paddingMode?: PerKey<string>;
  alignCorners?: PerKey<boolean | null>;
  dtype?: PerKey<FloatDType | null>;
}

/** RandZoom with one draw for all keys (MONAI's RandZoomd). */
export class RandZoomd extends RandInterpd<RandZoom, boolean | null> {
  constructor(options: RandZoomdOptions) {
    checkOptions('RandZoomd', options, [...MAP_KEYS, 'minZoom', 'maxZoom', 'keepSize', 'mode', 'paddingMode', 'alignCorners', 'dtype'], ['keys']);
    const inner = new RandZoom({ prob: 1, minZoom: options.minZoom, maxZoom: options.maxZoom, keepSize: options.keepSize });
    super(options, inner, { mode: 'area', paddingMode: 'edge', alignCorners: null, kind: 'interp' });
  }

  get randZoom(): RandZoom {
    return this.inner;
  }

  protected randomizeItem(d: DataDict): boolean {
    const first = this.firstKey(d);
    if (first === undefined) return false; // no draw at all, as MONAI
    this.randomize();
    this.inner.randomize(tensorAt(d, first, this.name));
    return true;
  }
}

export interface RandAffinedOptions extends RandMapBase {
  rotateRange?: RandRange;
  shearRange?: RandRange;
  translateRange?: RandRange;
  scaleRange?: RandRange;
  spatialSize?: number | readonly number[] | null;
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
  cacheGrid?: boolean;
}

/** RandAffine with one grid for all keys (MONAI's RandAffined, including its extra inner draws). */
export class RandAffined extends RandomizableMapTransform {
  override readonly supportsLazy = true;
  readonly randAffine: RandAffine;
  readonly mode: string[];
  readonly paddingMode: string[];

  constructor(options: RandAffinedOptions) {
    checkOptions('RandAffined', options, [...MAP_KEYS, 'rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'spatialSize', 'mode', 'paddingMode', 'cacheGrid'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    this.randAffine = new RandAffine({
      prob: 1,
      rotateRange: options.rotateRange,
      shearRange: options.shearRange,
      translateRange: options.translateRange,
      scaleRange: options.scaleRange,
      spatialSize: options.spatialSize,
      cacheGrid: options.cacheGrid,
      lazy: options.lazy,
    });
    const n = this.keys.length;
    this.mode = perKey(options.mode ?? 'bilinear', n, this.name, 'mode');
    this.paddingMode = perKey(options.paddingMode ?? 'reflection', n, this.name, 'paddingMode');
    checkGridModes(this.name, this.mode, this.paddingMode);
    this.lazy = options.lazy ?? false;
  }

  override setRandomState(options: SeedOpts = {}): this {
    this.randAffine.setRandomState(options);
    return super.setRandomState(options);
  }

  call(data: DataDict, lazy?: boolean | null): DataDict {
    const d = { ...data };
    const first = this.firstKey(d);
    if (first === undefined) return d;
    this.randomize();
    this.randAffine.randomize();
    const item = tensorAt(d, first, this.name);
    const spatial = peekPendingShape(item);
    const lazy_ = lazy ?? this.lazy;
    const sp = fn.fallBack(this.randAffine.spatialSize, spatial, this.name, 'spatialSize');
    const doResampling = this.doTransform || sp.length !== spatial.length || sp.some((s, i) => s !== spatial[i]);
    let grid: Tensor | null = null;
    let owned: Tensor | null = null;
    try {
      if (doResampling && !lazy_) {
        grid = this.randAffine.getIdentityGrid(sp);
        if (grid !== (this.randAffine as unknown as { cachedGrid: Tensor | null }).cachedGrid) owned = grid;
        if (this.doTransform) {
          const g = this.randAffine.randAffineGrid.call(sp, grid, { lazy: false })!;
          owned?.dispose();
          owned = g;
          grid = g;
        }
      } else if (doResampling && this.doTransform) this.randAffine.randAffineGrid.call(sp, null, { lazy: true });
      for (const [key, mode, pm] of checkedKeys<[string, string]>(this, d, this.mode, this.paddingMode)) {
        const img = tensorAt(d, key, this.name);
        let out: Tensor;
        if (doResampling) {
          // MONAI hands the prepared grid (or 0 in lazy mode) and randomize=True
          const g = grid ?? (lazy_ ? (0 as unknown as Tensor) : null);
          out = lazy_ ? this.lazyCall(img, mode, pm) : this.randAffine.call(img, false, { mode, paddingMode: pm, randomize: true, grid: g });
        } else out = shallowCopy(img, 'float32');
        this.doTransform = doResampling;
        d[key] = replaceRecord(this, out, lazy_);
      }
    } finally {
      owned?.dispose();
    }
    return d;
  }

  /** RandAffine in lazy mode with a grid given: draws as MONAI, uses the grid affine of this item. */
  private lazyCall(img: Tensor, mode: string, pm: string): Tensor {
    const ra = this.randAffine;
    ra.randomize();
    const ori = peekPendingShape(img);
    const sp = fn.fallBack(ra.spatialSize, ori, ra.name, 'spatialSize');
    const affine = ra.randAffineGrid.getTransformationMatrix()!;
    return fn.affineFunc(img, affine, null, ra.resampler, sp, mode, pm, true, true, ra);
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of checkedKeys(this, d)) {
      const img = tensorAt(d, key, this.name);
      const rec = this.popTransform(img);
      const inner = extraOf(rec) as AppliedOperation;
      if (!(TraceKeys.EXTRA_INFO in inner)) continue;
      if (extraOf(inner).do_resampling) {
        pushInner(img, rec);
        d[key] = this.randAffine.inverse(img);
      }
    }
    return d;
  }

  dispose(): void {
    this.randAffine.dispose();
  }
}

export interface Rand2DElasticdOptions extends Omit<RandMapBase, 'lazy'> {
  spacing: number | readonly number[];
  magnitudeRange: readonly number[];
  rotateRange?: RandRange;
  shearRange?: RandRange;
  translateRange?: RandRange;
  scaleRange?: RandRange;
  spatialSize?: number | readonly number[] | null;
  mode?: PerKey<'bilinear' | 'nearest' | 'bicubic'>;
  paddingMode?: PerKey<'zeros' | 'border' | 'reflection'>;
}

/**
 * What Rand2DElasticd and Rand3DElasticd share: the dict's own draw decides, the inner transform (prob 1)
 * draws the deformation once per call, and one grid resamples every key with its own mode.
 */
abstract class RandElasticd<E extends Rand2DElastic | Rand3DElastic> extends RandomizableMapTransform {
  readonly mode: string[];
  readonly paddingMode: string[];

  protected constructor(
    options: Pick<Rand2DElasticdOptions, 'keys' | 'allowMissingKeys' | 'prob' | 'mode' | 'paddingMode'>,
    protected readonly elastic: E,
  ) {
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    const n = this.keys.length;
    this.mode = perKey(options.mode ?? 'bilinear', n, this.name, 'mode');
    this.paddingMode = perKey(options.paddingMode ?? 'reflection', n, this.name, 'paddingMode');
    checkGridModes(this.name, this.mode, this.paddingMode);
  }

  override setRandomState(options: SeedOpts = {}): this {
    this.elastic.setRandomState(options);
    return super.setRandomState(options);
  }

  call(data: DataDict): DataDict {
    const d = { ...data };
    const first = this.firstKey(d);
    if (first === undefined) return d;
    this.randomize();
    const e = this.elastic;
    const sp = fn.fallBack(e.spatialSize, tensorAt(d, first, this.name).shape.slice(1), this.name, 'spatialSize');
    e.randomize(sp);
    const grid = this.doTransform ? e.makeGrid(sp) : createGrid(sp);
    try {
      for (const [key, mode, pm] of checkedKeys<[string, string]>(this, d, this.mode, this.paddingMode)) d[key] = e.resampler.call(tensorAt(d, key, this.name), grid, mode, pm);
    } finally {
      grid.dispose();
    }
    return d;
  }
}

/** Rand2DElastic with one grid for all keys (MONAI's Rand2DElasticd). */
export class Rand2DElasticd extends RandElasticd<Rand2DElastic> {
  constructor(options: Rand2DElasticdOptions) {
    checkOptions('Rand2DElasticd', options, ['keys', 'allowMissingKeys', 'prob', 'spacing', 'magnitudeRange', 'rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'spatialSize', 'mode', 'paddingMode'], ['keys', 'spacing', 'magnitudeRange']);
    const { keys: _k, allowMissingKeys: _a, prob: _p, mode: _m, paddingMode: _pm, ...rest } = options;
    super(options, new Rand2DElastic({ ...rest, prob: 1 }));
  }

  get rand2dElastic(): Rand2DElastic {
    return this.elastic;
  }
}

export interface Rand3DElasticdOptions extends Omit<Rand2DElasticdOptions, 'spacing'> {
  sigmaRange: readonly number[];
}

/** Rand3DElastic with one grid for all keys (MONAI's Rand3DElasticd). */
export class Rand3DElasticd extends RandElasticd<Rand3DElastic> {
  constructor(options: Rand3DElasticdOptions) {
    checkOptions('Rand3DElasticd', options, ['keys', 'allowMissingKeys', 'prob', 'sigmaRange', 'magnitudeRange', 'rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'spatialSize', 'mode', 'paddingMode'], ['keys', 'sigmaRange', 'magnitudeRange']);
    const { keys: _k, allowMissingKeys: _a, prob: _p, mode: _m, paddingMode: _pm, ...rest } = options;
    super(options, new Rand3DElastic({ ...rest, prob: 1 }));
  }

  get rand3dElastic(): Rand3DElastic {
    return this.elastic;
  }
}

export { torch };

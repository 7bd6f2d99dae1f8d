/**
 * Random spatial array transforms (MONAI's RandRotate90, RandRotate, RandFlip, RandAxisFlip, RandZoom):
 * parameters are drawn from `R` in MONAI 1.4's order, the work is done by the deterministic transform,
 * and the record is replaced by one naming the random transform (MONAI's push_transform(replace=True)).
 */
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor, copyMeta, type AppliedOperation, type MetaValue } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { RandomizableTransform, TraceKeys, checkProb, type Transform } from '../transform.js';
import { LazyAttr, peekPendingShape, shallowCopy } from '../lazy/utils.js';
import { flatten, eye } from './matrix.js';
import { Flip, Rotate, Rotate90, Zoom, checkBool, checkDtype, checkImage, extraOf, rotate90Inverse, rotateInverse, untraced, zoomInverse, type FloatDType, type InterpCallOptions } from './array.js';
import { checkInterpolateMode, gridPaddingMode, gridSampleMode, torchPadMode } from './modes.js';

/**
 * MONAI's push_transform(out, replace=True) for a random transform `t`: the record the inner transform
 * left (when `t` fired) becomes the extra info of a record naming `t`; lazy records keep their pending
 * shape and matrix.
 */
export function replaceRecord(t: Transform & { doTransform: boolean }, out: Tensor, lazy: boolean): Tensor {
  if (!(out instanceof MetaTensor) || !t.tracing) return out;
  if (!lazy) {
    const inner = t.doTransform ? out.appliedOperations.pop() : undefined;
    return t.pushTransform(out, { origSize: inner?.[TraceKeys.ORIG_SIZE] as number[] | undefined, extraInfo: inner ?? {} });
  }
  const pending = (out as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations;
  if (!pending) throw new Error(`${t.name}: lazy records need MetaTensor.pendingOperations`);
  let info: AppliedOperation;
  if (t.doTransform) {
    const inner = pending.pop()!;
    const extra = copyMeta(inner);
    delete extra[LazyAttr.SHAPE];
    delete extra[LazyAttr.AFFINE];
    info = { ...inner, ...t.transformInfo() };
    info[TraceKeys.EXTRA_INFO] = extra;
  } else {
    info = t.transformInfo();
    info[TraceKeys.EXTRA_INFO] = {};
    info[LazyAttr.AFFINE] = flatten(eye(4));
  }
  info[TraceKeys.ORIG_SIZE] = peekPendingShape(out);
  info[TraceKeys.LAZY] = true;
  if (info[LazyAttr.SHAPE] === undefined) info[LazyAttr.SHAPE] = info[TraceKeys.ORIG_SIZE];
  pending.push(info);
  return out;
}

/** The inner record kept as extra info by replaceRecord, pushed back so the inner transform can pop it. */
function pushInner(data: Tensor, rec: AppliedOperation): void {
  if (data instanceof MetaTensor) data.appliedOperations.push(extraOf(rec) as AppliedOperation);
}

export interface RandCallOptions {
  /** draw new parameters first (default true; false reuses the last draw, as MONAI's randomize=False) */
  randomize?: boolean;
}

// ---------------------------------------------------------------------------------------------

/** Rotate90 with probability `prob` and k drawn in 1..maxK (MONAI's RandRotate90). */
export class RandRotate90 extends RandomizableTransform {
  override readonly supportsLazy = true;
  readonly maxK: number;
  readonly spatialAxes: [number, number];
  randK = 0;

  constructor(options: { prob?: number; maxK?: number; spatialAxes?: readonly number[]; lazy?: boolean } = {}) {
    super();
    const who = 'RandRotate90';
    checkOptions(who, options, ['prob', 'maxK', 'spatialAxes', 'lazy']);
    this.prob = checkProb(options.prob ?? 0.1, who);
    this.maxK = options.maxK ?? 3;
    if (!Number.isInteger(this.maxK) || this.maxK < 1) throw new RangeError(`${who}: maxK must be a positive integer, got ${JSON.stringify(options.maxK)}`);
    new Rotate90({ spatialAxes: options.spatialAxes }); // validates
    const ax = options.spatialAxes ?? [0, 1];
    this.spatialAxes = [ax[0], ax[1]];
    this.lazy = options.lazy ?? false;
  }

  override randomize(): void {
    super.randomize();
    if (!this.doTransform) return;
    this.randK = (this.R.randint(this.maxK) as number) + 1;
  }

  call(img: Tensor, lazy?: boolean | null, options: RandCallOptions = {}): Tensor {
    checkImage(this.name, img, 2);
    checkOptions(this.name, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    const lazy_ = lazy ?? this.lazy;
    const out = this.doTransform ? new Rotate90({ k: this.randK, spatialAxes: this.spatialAxes }).call(img, lazy_) : shallowCopy(img);
    return replaceRecord(this, out, lazy_);
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    if (!rec[TraceKeys.DO_TRANSFORM]) return data;
    return rotate90Inverse(data, extraOf(rec) as AppliedOperation);
  }
}

// ---------------------------------------------------------------------------------------------

export type AngleRange = number | readonly [number, number] | readonly number[];

/** MONAI's range normalisation: a single value v means (-v, v) sorted. */
export function symRange(who: string, option: string, v: AngleRange): [number, number] {
  const list = typeof v === 'number' ? [v] : [...v];
  if (list.length === 1) return [Math.min(-list[0], list[0]), Math.max(-list[0], list[0])];
  if (list.length !== 2 || list.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new TypeError(`${who}: ${option} must be a number or a [min, max] pair, got ${JSON.stringify(v)}`);
  return [list[0], list[1]];
}

export interface RandRotateOptions {
  rangeX?: AngleRange;
  rangeY?: AngleRange;
  rangeZ?: AngleRange;
  prob?: number;
  keepSize?: boolean;
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
  dtype?: FloatDType | null;
  lazy?: boolean;
}

/** Rotate by angles drawn uniformly from the ranges (radians), with probability `prob` (MONAI's RandRotate). */
export class RandRotate extends RandomizableTransform {
  override readonly supportsLazy = true;
  readonly rangeX: [number, number];
  readonly rangeY: [number, number];
  readonly rangeZ: [number, number];
  readonly keepSize: boolean;
  readonly mode: string;
  readonly paddingMode: string;
  readonly alignCorners: boolean;
  readonly dtype: FloatDType | null;
  x = 0;
  y = 0;
  z = 0;

  constructor(options: RandRotateOptions = {}) {
    super();
    const who = 'RandRotate';
    checkOptions(who, options, ['rangeX', 'rangeY', 'rangeZ', 'prob', 'keepSize', 'mode', 'paddingMode', 'alignCorners', 'dtype', 'lazy']);
    this.rangeX = symRange(who, 'rangeX', options.rangeX ?? 0);
    this.rangeY = symRange(who, 'rangeY', options.rangeY ?? 0);
    this.rangeZ = symRange(who, 'rangeZ', options.rangeZ ?? 0);
    this.prob = checkProb(options.prob ?? 0.1, who);
    this.keepSize = checkBool(who, 'keepSize', options.keepSize ?? true);
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'border';
    gridPaddingMode(who, this.paddingMode);
    this.alignCorners = checkBool(who, 'alignCorners', options.alignCorners ?? false);
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.lazy = options.lazy ?? false;
  }

  override randomize(): void {
    super.randomize();
    if (!this.doTransform) return;
    this.x = this.R.uniform(this.rangeX[0], this.rangeX[1]) as number;
    this.y = this.R.uniform(this.rangeY[0], this.rangeY[1]) as number;
    this.z = this.R.uniform(this.rangeZ[0], this.rangeZ[1]) as number;
  }

  call(img: Tensor, lazy?: boolean | null, options: InterpCallOptions & RandCallOptions = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['mode', 'paddingMode', 'alignCorners', 'dtype', 'randomize']);
    if (options.randomize ?? true) this.randomize();
    const lazy_ = lazy ?? this.lazy;
    let out: Tensor;
    if (this.doTransform) {
      const nd = peekPendingShape(img).length;
      const rot = new Rotate({
        angle: nd === 2 ? this.x : [this.x, this.y, this.z],
        keepSize: this.keepSize,
        mode: (options.mode || this.mode) as 'bilinear',
        paddingMode: (options.paddingMode || this.paddingMode) as 'border',
        alignCorners: options.alignCorners ?? this.alignCorners,
        dtype: options.dtype || this.dtype,
      });
      out = rot.call(img, lazy_);
    } else out = shallowCopy(img, 'float32');
    return replaceRecord(this, out, lazy_);
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    if (!rec[TraceKeys.DO_TRANSFORM]) return data;
    return rotateInverse(data, extraOf(rec) as AppliedOperation, this.name);
  }
}

// ---------------------------------------------------------------------------------------------

/** Flip with probability `prob` (MONAI's RandFlip). */
export class RandFlip extends RandomizableTransform {
  override readonly supportsLazy = true;
  readonly flipper: Flip;

  constructor(options: { prob?: number; spatialAxis?: number | readonly number[] | null; lazy?: boolean } = {}) {
    super();
    checkOptions('RandFlip', options, ['prob', 'spatialAxis', 'lazy']);
    this.prob = checkProb(options.prob ?? 0.1, 'RandFlip');
    this.flipper = new Flip({ spatialAxis: options.spatialAxis });
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null, options: RandCallOptions = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    const lazy_ = lazy ?? this.lazy;
    const out = this.doTransform ? this.flipper.call(img, lazy_) : shallowCopy(img);
    return replaceRecord(this, out, lazy_);
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    if (!rec[TraceKeys.DO_TRANSFORM]) return data;
    pushInner(data, rec);
    return this.flipper.inverse(data);
  }
}

/** Flip along one spatial axis drawn at random, with probability `prob` (MONAI's RandAxisFlip). */
export class RandAxisFlip extends RandomizableTransform {
  override readonly supportsLazy = true;
  axis: number | null = null;

  constructor(options: { prob?: number; lazy?: boolean } = {}) {
    super();
    checkOptions('RandAxisFlip', options, ['prob', 'lazy']);
    this.prob = checkProb(options.prob ?? 0.1, 'RandAxisFlip');
    this.lazy = options.lazy ?? false;
  }

  override randomize(data?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    const img = data as Tensor;
    this.axis = this.R.randint(img.dim() - 1) as number;
  }

  call(img: Tensor, lazy?: boolean | null, options: RandCallOptions = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['randomize']);
    if (options.randomize ?? true) this.randomize(img);
    const lazy_ = lazy ?? this.lazy;
    const out = this.doTransform ? new Flip({ spatialAxis: this.axis }).call(img, lazy_) : shallowCopy(img);
    return replaceRecord(this, out, lazy_);
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    if (!rec[TraceKeys.DO_TRANSFORM]) return data;
    const axes = extraOf(extraOf(rec) as AppliedOperation).axes as number | number[] | null;
    return untraced(new Flip({ spatialAxis: axes })).call(data, false);
  }
}

// ---------------------------------------------------------------------------------------------

export interface RandZoomOptions {
  prob?: number;
  minZoom?: number | readonly number[];
  maxZoom?: number | readonly number[];
  mode?: string;
  paddingMode?: string;
  alignCorners?: boolean | null;
  dtype?: FloatDType | null;
  keepSize?: boolean;
  lazy?: boolean;
}

/** Zoom by factors drawn uniformly in [minZoom, maxZoom], with probability `prob` (MONAI's RandZoom). */
export class RandZoom extends RandomizableTransform {
  override readonly supportsLazy = true;
  readonly minZoom: number[];
  readonly maxZoom: number[];
  readonly mode: string;
  readonly paddingMode: string;
  readonly alignCorners: boolean | null;
  readonly dtype: FloatDType | null;
  readonly keepSize: boolean;
  zoom: number[] = [1];

  constructor(options: RandZoomOptions = {}) {
    super();
    const who = 'RandZoom';
    checkOptions(who, options, ['prob', 'minZoom', 'maxZoom', 'mode', 'paddingMode', 'alignCorners', 'dtype', 'keepSize', 'lazy']);
    this.prob = checkProb(options.prob ?? 0.1, who);
    const list = (v: number | readonly number[]) => (typeof v === 'number' ? [v] : [...v]);
    this.minZoom = list(options.minZoom ?? 0.9);
    this.maxZoom = list(options.maxZoom ?? 1.1);
    if (this.minZoom.length !== this.maxZoom.length) throw new RangeError(`${who}: minZoom and maxZoom must have the same length, got ${this.minZoom.length} and ${this.maxZoom.length}`);
    this.mode = checkInterpolateMode(who, options.mode ?? 'area');
    this.paddingMode = options.paddingMode ?? 'edge';
    torchPadMode(who, this.paddingMode);
    this.alignCorners = options.alignCorners ?? null;
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.keepSize = checkBool(who, 'keepSize', options.keepSize ?? true);
    this.lazy = options.lazy ?? false;
  }

  override randomize(data?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    const img = data as Tensor;
    let z = this.minZoom.map((l, i) => this.R.uniform(l, this.maxZoom[i]) as number);
    if (z.length === 1) z = new Array<number>(img.dim() - 1).fill(z[0]);
    else if (z.length === 2 && img.dim() > 3) z = [...new Array<number>(img.dim() - 2).fill(z[0]), z[1]];
    this.zoom = z;
  }

  call(img: Tensor, lazy?: boolean | null, options: InterpCallOptions & RandCallOptions = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['mode', 'paddingMode', 'alignCorners', 'dtype', 'randomize']);
    if (options.randomize ?? true) this.randomize(img);
    const lazy_ = lazy ?? this.lazy;
    let out: Tensor;
    if (!this.doTransform) out = shallowCopy(img, 'float32');
    else {
      const z = new Zoom({
        zoom: this.zoom,
        keepSize: this.keepSize,
        mode: options.mode || this.mode,
        paddingMode: options.paddingMode || this.paddingMode,
        alignCorners: options.alignCorners ?? this.alignCorners,
        dtype: options.dtype || this.dtype,
      });
      out = z.call(img, lazy_);
    }
    return replaceRecord(this, out, lazy_);
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    if (!rec[TraceKeys.DO_TRANSFORM]) return data;
    return zoomInverse(data, extraOf(rec) as AppliedOperation, this.name);
  }
}

export type { MetaValue };

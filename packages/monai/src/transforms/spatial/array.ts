/**
 * Deterministic spatial array transforms (MONAI's monai/transforms/spatial/array.py): SpatialResample,
 * ResampleToMatch, Spacing, Orientation, Flip, Resize, Rotate, Zoom, Rotate90. Each is lazy capable
 * (`call(img, lazy?, options?)`) and invertible; the work is in ./functional.ts.
 */
import * as torch from '@monai-ts/torch';
import type { Tensor, DType } from '@monai-ts/torch';
import { MetaTensor, copyMeta, type AppliedOperation, type MetaValue } from '../../data/meta_tensor.js';
import { checkChoice, checkOptions } from '../../data/options.js';
import { ioOrientation } from '../../data/orientation.js';
import { TraceKeys, Transform, composeAffine } from '../transform.js';
import { adoptMeta, peekPendingAffine, peekPendingShape } from '../lazy/utils.js';
import { AFFINE_TOL, affineToSpacing, computeShapeOffset, eye, flatten, inv, scaleAffine, toAffineNd, toMat, zoomAffine, type Mat } from './matrix.js';
import { gridPaddingMode, gridSampleMode, checkInterpolateMode, torchPadMode } from './modes.js';
import * as fn from './functional.js';
import { affineResample } from './resample.js';

export type FloatDType = 'float16' | 'float32' | 'float64';
const FLOAT_DTYPES: readonly FloatDType[] = ['float16', 'float32', 'float64'];

/** Checks a computation dtype option (null: the input's). */
export function checkDtype(who: string, v: unknown, option = 'dtype'): FloatDType | null {
  if (v === null) return null;
  return checkChoice(who, option, v, FLOAT_DTYPES);
}

export function checkBool(who: string, option: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${who}: ${option} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** The computation dtype: the call's, else the transform's, else the input's (float32 for non-float input). */
export function resolveDtype(call: FloatDType | null | undefined, own: FloatDType | null, img: Tensor): DType {
  const d = call ?? own;
  if (d) return d;
  return img.dtype === 'float64' || img.dtype === 'float16' ? img.dtype : 'float32';
}

export function checkImage(who: string, img: unknown, minSpatial = 1): asserts img is Tensor {
  if (!(img instanceof torch.Tensor)) throw new TypeError(`${who}: expected a channel-first Tensor, got ${img === null ? 'null' : typeof img}`);
  if (img.dim() - 1 < minSpatial) throw new RangeError(`${who}: expected a channel-first image with at least ${minSpatial} spatial dimension(s), got shape [${img.shape.join(', ')}]`);
}

/** A copy of `t` (same class) that records nothing: MONAI's `with t.trace_transform(False)`. */
export function untraced<T extends Transform>(t: T): T {
  t.tracing = false;
  return t;
}

/** Record accessors. */
export function extraOf(rec: AppliedOperation): Record<string, MetaValue> {
  return (rec[TraceKeys.EXTRA_INFO] ?? {}) as Record<string, MetaValue>;
}

// ---------------------------------------------------------------------------------------------

export interface SpatialResampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
  dtype?: FloatDType | null;
  lazy?: boolean;
}

export interface ResampleCallOptions {
  mode?: SpatialResampleOptions['mode'] | null;
  paddingMode?: SpatialResampleOptions['paddingMode'] | null;
  alignCorners?: boolean | null;
  dtype?: FloatDType | null;
}

const RESAMPLE_KEYS = ['mode', 'paddingMode', 'alignCorners', 'dtype', 'lazy'] as const;

/** Resamples an image from its affine to `dstAffine` (MONAI's SpatialResample). */
export class SpatialResample extends Transform {
  override readonly supportsLazy = true;
  mode: string;
  paddingMode: string;
  alignCorners: boolean;
  dtype: FloatDType | null;

  constructor(options: SpatialResampleOptions = {}) {
    super();
    const who = new.target.name;
    checkOptions(who, options, RESAMPLE_KEYS);
    this.mode = gridSampleMode(who, options.mode ?? 'bilinear') && (options.mode ?? 'bilinear');
    this.paddingMode = gridPaddingMode(who, options.paddingMode ?? 'border') && (options.paddingMode ?? 'border');
    this.alignCorners = checkBool(who, 'alignCorners', options.alignCorners ?? false);
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float64' : options.dtype);
    this.lazy = options.lazy ?? false;
  }

  /**
   * `dstAffine`: target affine (null: the input's); `spatialSize`: output size (-1: the input's, null:
   * computed to hold the field of view).
   */
  call(img: Tensor, lazy?: boolean | null, options: ResampleCallOptions & { dstAffine?: Mat | Float64Array | null; spatialSize?: number | number[] | null } = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['dstAffine', 'spatialSize', 'mode', 'paddingMode', 'alignCorners', 'dtype']);
    const dst = options.dstAffine ? toMat(options.dstAffine as Mat) : null;
    return fn.spatialResample(
      img,
      dst,
      options.spatialSize ?? null,
      options.mode ?? this.mode,
      options.paddingMode ?? this.paddingMode,
      options.alignCorners ?? this.alignCorners,
      resolveDtype(options.dtype, this.dtype, img),
      lazy ?? this.lazy,
      this,
    );
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    const ex = extraOf(rec);
    const t = untraced(new SpatialResample({}));
    return t.call(data, false, {
      dstAffine: ex.src_affine as Mat,
      spatialSize: rec[TraceKeys.ORIG_SIZE] as number[],
      mode: ex.mode as SpatialResampleOptions['mode'],
      paddingMode: ex.padding_mode as SpatialResampleOptions['paddingMode'],
      alignCorners: ex.align_corners === fn.NONE ? false : (ex.align_corners as boolean),
      dtype: ex.dtype as FloatDType,
    });
  }
}

/** Resamples an image onto another image's grid: its affine and spatial size (MONAI's ResampleToMatch). */
export class ResampleToMatch extends SpatialResample {
  override call(img: Tensor, lazy?: boolean | null, options: ResampleCallOptions & { imgDst?: Tensor; dstAffine?: Mat | Float64Array | null; spatialSize?: number | number[] | null } = {}): Tensor {
    const { imgDst, ...rest } = options;
    if (!(imgDst instanceof torch.Tensor)) throw new TypeError(`${this.name}: imgDst (the image to match) is required, got ${imgDst === null ? 'null' : typeof imgDst}`);
    const dstAffine = peekPendingAffine(imgDst);
    const lazy_ = lazy ?? this.lazy;
    const out = super.call(img, lazy_, { ...rest, dstAffine, spatialSize: peekPendingShape(imgDst) });
    if (out instanceof MetaTensor) {
      const fname = out.meta.filename_or_obj ?? 'resample_to_match_source';
      if (!lazy_) {
        out.affine = flatten(dstAffine);
        if (imgDst instanceof MetaTensor) {
          out.meta = copyMeta(imgDst.meta);
          out.meta.filename_or_obj = fname;
        }
      } else if (imgDst instanceof MetaTensor) {
        const m = copyMeta(imgDst.meta);
        delete m.affine;
        delete m.spatial_shape;
        Object.assign(out.meta, m);
        out.meta.filename_or_obj = fname;
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

export interface SpacingOptions extends SpatialResampleOptions {
  /** output voxel spacing; a shorter list repeats its last value; non-positive entries keep the input's */
  pixdim: number | readonly number[];
  diagonal?: boolean;
  scaleExtent?: boolean;
  recomputeAffine?: boolean;
  minPixdim?: number | readonly (number | null)[] | null;
  maxPixdim?: number | readonly (number | null)[] | null;
}

function pixdimList(who: string, option: string, v: unknown, allowNull: boolean): number[] {
  if (v === null || v === undefined) {
    if (allowNull) return [Number.NaN];
    throw new TypeError(`${who}: ${option} is required (a number or a list of numbers)`);
  }
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (!list || list.length === 0 || list.some((x) => !(x === null && allowNull) && (typeof x !== 'number' || !Number.isFinite(x))))
    throw new TypeError(`${who}: ${option} must be a finite number or a non-empty list of finite numbers, got ${JSON.stringify(v)}`);
  return list.map((x) => (x === null ? Number.NaN : x));
}

/** Resamples an image to voxel spacing `pixdim` (MONAI's Spacing). */
export class Spacing extends Transform {
  override readonly supportsLazy = true;
  readonly pixdim: number[];
  readonly minPixdim: number[];
  readonly maxPixdim: number[];
  readonly diagonal: boolean;
  readonly scaleExtent: boolean;
  readonly recomputeAffine: boolean;
  readonly spResample: SpatialResample;

  constructor(options: SpacingOptions) {
    super();
    const who = 'Spacing';
    checkOptions(who, options, ['pixdim', 'diagonal', 'scaleExtent', 'recomputeAffine', 'minPixdim', 'maxPixdim', ...RESAMPLE_KEYS], ['pixdim']);
    this.pixdim = pixdimList(who, 'pixdim', options.pixdim, false);
    this.minPixdim = pixdimList(who, 'minPixdim', options.minPixdim, true);
    this.maxPixdim = pixdimList(who, 'maxPixdim', options.maxPixdim, true);
    this.diagonal = checkBool(who, 'diagonal', options.diagonal ?? false);
    this.scaleExtent = checkBool(who, 'scaleExtent', options.scaleExtent ?? false);
    this.recomputeAffine = checkBool(who, 'recomputeAffine', options.recomputeAffine ?? false);
    for (let i = 0; i < Math.min(this.minPixdim.length, this.maxPixdim.length); i++) {
      const [mn, mx] = [this.minPixdim[i], this.maxPixdim[i]];
      if (!Number.isNaN(mn) && !Number.isNaN(mx) && (mx < mn || mn < 0))
        throw new RangeError(`${who}: minPixdim [${this.minPixdim}] must be non-negative and not above maxPixdim [${this.maxPixdim}]`);
    }
    gridSampleMode(who, options.mode ?? 'bilinear');
    gridPaddingMode(who, options.paddingMode ?? 'border');
    this.spResample = new SpatialResample({ mode: options.mode, paddingMode: options.paddingMode, alignCorners: options.alignCorners, dtype: checkDtype(who, options.dtype === undefined ? 'float64' : options.dtype), lazy: options.lazy });
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null, options: ResampleCallOptions & { scaleExtent?: boolean | null; outputSpatialShape?: number[] | null } = {}): Tensor {
    const who = this.name;
    checkImage(who, img);
    checkOptions(who, options, ['mode', 'paddingMode', 'alignCorners', 'dtype', 'scaleExtent', 'outputSpatialShape']);
    const origShape = peekPendingShape(img);
    const sr = origShape.length;
    if (!(img instanceof MetaTensor)) process.emitWarning(`${who}: the input is not a MetaTensor, assuming an identity affine`);
    const affine = toAffineNd(sr, peekPendingAffine(img));
    const outD = this.pixdim.slice(0, sr);
    while (outD.length < sr) outD.push(outD[outD.length - 1]);
    const origD = affineToSpacing(affine, sr);
    for (let i = 0; i < sr; i++) {
      const target = outD[i];
      const mnv = this.minPixdim[i] ?? Number.NaN;
      const mxv = this.maxPixdim[i] ?? Number.NaN;
      const mn = Number.isNaN(mnv) ? target : Math.min(mnv, target);
      const mx = Number.isNaN(mxv) ? target : Math.max(mxv, target);
      if (mn > mx) throw new RangeError(`${who}: minPixdim is larger than maxPixdim at dim ${i}: min ${mn} max ${mx} out ${target}`);
      outD[i] = mn - AFFINE_TOL <= origD[i] && origD[i] <= mx + AFFINE_TOL ? origD[i] : target;
    }
    const alignCorners = options.alignCorners ?? this.spResample.alignCorners;
    const scaleExtent = options.scaleExtent ?? this.scaleExtent;
    if (!alignCorners && scaleExtent) process.emitWarning(`${who}: alignCorners=false is not compatible with scaleExtent=true`);
    const newAffine = zoomAffine(affine, outD, this.diagonal);
    const { shape, offset } = computeShapeOffset(origShape, affine, newAffine, scaleExtent);
    for (let i = 0; i < sr; i++) newAffine[i][sr] = offset[i];
    const actual = options.outputSpatialShape ?? shape;
    const lazy_ = lazy ?? this.lazy;
    const out = this.spResample.call(img, lazy_, { dstAffine: newAffine, spatialSize: actual, mode: options.mode, paddingMode: options.paddingMode, alignCorners: options.alignCorners, dtype: options.dtype });
    if (this.recomputeAffine && out instanceof MetaTensor) {
      if (lazy_) throw new Error(`${who}: recomputeAffine is not supported with lazy evaluation`);
      out.affine = flatten(toAffineNd(3, scaleAffine(origShape, actual)));
    }
    return out;
  }

  inverse(data: Tensor): Tensor {
    return this.spResample.inverse(data);
  }
}

// ---------------------------------------------------------------------------------------------

export type AxisLabels = readonly (readonly [string, string])[];
export const DEFAULT_LABELS: AxisLabels = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
];

export interface OrientationOptions {
  /** target orientation codes, e.g. 'RAS' */
  axcodes?: string | null;
  asClosestCanonical?: boolean;
  labels?: AxisLabels | null;
  lazy?: boolean;
}

/** nibabel's io_orientation for an (r+1)x(r+1) affine (r <= 3), via data/orientation's ioOrientation. */
export function ioOrnt(affine: Mat): fn.Ornt {
  const r = affine.length - 1;
  if (r > 3) throw new RangeError(`orientation: at most 3 spatial dimensions are supported, got ${r}`);
  const a4 = new Float64Array(16);
  a4[15] = 1;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) a4[i * 4 + j] = affine[i][j];
    a4[i * 4 + 3] = affine[i][r];
  }
  return ioOrientation(a4, r) as fn.Ornt;
}

/** nibabel's aff2axcodes with the default labels. */
export function aff2axcodes(affine: Mat, labels: AxisLabels = DEFAULT_LABELS): string {
  return fn
    .ornt2axcodes(ioOrnt(affine), labels)
    .map((c) => c ?? '')
    .join('');
}

/** Reorients the spatial axes to `axcodes` (or the closest canonical orientation) (MONAI's Orientation). */
export class Orientation extends Transform {
  override readonly supportsLazy = true;
  readonly axcodes: string | null;
  readonly asClosestCanonical: boolean;
  readonly labels: AxisLabels;

  constructor(options: OrientationOptions = {}) {
    super();
    const who = 'Orientation';
    checkOptions(who, options, ['axcodes', 'asClosestCanonical', 'labels', 'lazy']);
    this.axcodes = options.axcodes ?? null;
    this.asClosestCanonical = checkBool(who, 'asClosestCanonical', options.asClosestCanonical ?? false);
    if (this.axcodes === null && !this.asClosestCanonical) throw new TypeError(`${who}: axcodes is required unless asClosestCanonical is true`);
    if (this.axcodes !== null && typeof this.axcodes !== 'string') throw new TypeError(`${who}: axcodes must be a string such as 'RAS', got ${JSON.stringify(this.axcodes)}`);
    if (this.axcodes !== null && this.asClosestCanonical) process.emitWarning(`${who}: using asClosestCanonical=true, axcodes ignored`);
    this.labels = options.labels ?? DEFAULT_LABELS;
    if (this.axcodes !== null) fn.axcodes2ornt(this.axcodes, this.labels, who); // validate early
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null): Tensor {
    const who = this.name;
    checkImage(who, img);
    const spatialShape = peekPendingShape(img);
    const sr = spatialShape.length;
    let affineNp: Mat;
    if (img instanceof MetaTensor) affineNp = peekPendingAffine(img);
    else {
      process.emitWarning(`${who}: the input is not a MetaTensor, assuming an identity affine`);
      affineNp = eye(sr + 1);
    }
    const src = ioOrnt(toAffineNd(Math.min(sr, 3), affineNp));
    let ornt: fn.Ornt;
    if (this.asClosestCanonical) ornt = src;
    else {
      const codes = this.axcodes as string;
      if (sr < codes.length) process.emitWarning(`${who}: axcodes ('${codes}') has more codes than the ${sr} spatial dimensions of the input (shape [${img.shape.join(', ')}]); is the input channel first?`);
      const dst = fn.axcodes2ornt(codes.slice(0, sr), this.labels, who);
      if (dst.length < sr) throw new RangeError(`${who}: axcodes must match the image's spatial dimensions, got axcodes='${codes}' (${codes.length}D) for a ${sr}D image`);
      ornt = fn.orntTransform(src, dst, who);
    }
    return fn.orientation(img, affineNp, ornt, lazy ?? this.lazy, this);
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    const orig = toMat(extraOf(rec).original_affine as Mat);
    const t = untraced(new Orientation({ axcodes: aff2axcodes(orig), labels: this.labels }));
    return t.call(data, false);
  }
}

// ---------------------------------------------------------------------------------------------

/** Reverses the order of elements along spatial axes (MONAI's Flip). */
export class Flip extends Transform {
  override readonly supportsLazy = true;
  spatialAxis: number | number[] | null;

  constructor(options: { spatialAxis?: number | readonly number[] | null; lazy?: boolean } = {}) {
    super();
    checkOptions('Flip', options, ['spatialAxis', 'lazy']);
    const a = options.spatialAxis ?? null;
    if (a !== null && !(Number.isInteger(a) || (Array.isArray(a) && a.every((x) => Number.isInteger(x)))))
      throw new TypeError(`Flip: spatialAxis must be an integer, a list of integers or null, got ${JSON.stringify(a)}`);
    this.spatialAxis = a === null ? null : typeof a === 'number' ? a : [...a];
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null): Tensor {
    checkImage(this.name, img);
    return fn.flip(img, this.spatialAxis, lazy ?? this.lazy, this);
  }

  inverse(data: Tensor): Tensor {
    this.popTransform(data);
    return untraced(new Flip({ spatialAxis: this.spatialAxis })).call(data, false);
  }
}

// ---------------------------------------------------------------------------------------------

export interface ResizeOptions {
  spatialSize: number | readonly number[];
  sizeMode?: 'all' | 'longest';
  mode?: string;
  alignCorners?: boolean | null;
  antiAliasing?: boolean;
  antiAliasingSigma?: number | number[] | null;
  dtype?: FloatDType | null;
  lazy?: boolean;
}

/** Resizes to `spatialSize` by interpolation (MONAI's Resize). */
export class Resize extends Transform {
  override readonly supportsLazy = true;
  readonly spatialSize: number | number[];
  readonly sizeMode: 'all' | 'longest';
  readonly mode: string;
  readonly alignCorners: boolean | null;
  readonly antiAliasing: boolean;
  readonly antiAliasingSigma: number | number[] | null;
  readonly dtype: FloatDType | null;

  constructor(options: ResizeOptions) {
    super();
    const who = 'Resize';
    checkOptions(who, options, ['spatialSize', 'sizeMode', 'mode', 'alignCorners', 'antiAliasing', 'antiAliasingSigma', 'dtype', 'lazy'], ['spatialSize']);
    const s = options.spatialSize;
    if (!(Number.isInteger(s) || (Array.isArray(s) && s.length > 0 && s.every((x) => Number.isInteger(x)))))
      throw new TypeError(`${who}: spatialSize must be an integer or a list of integers, got ${JSON.stringify(s)}`);
    this.spatialSize = typeof s === 'number' ? s : [...s];
    this.sizeMode = checkChoice(who, 'sizeMode', options.sizeMode ?? 'all', ['all', 'longest'] as const);
    if (this.sizeMode === 'longest' && typeof s !== 'number') throw new TypeError(`${who}: spatialSize must be an integer when sizeMode is 'longest', got ${JSON.stringify(s)}`);
    this.mode = checkInterpolateMode(who, options.mode ?? 'area');
    this.alignCorners = options.alignCorners ?? null;
    this.antiAliasing = checkBool(who, 'antiAliasing', options.antiAliasing ?? false);
    this.antiAliasingSigma = options.antiAliasingSigma ?? null;
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null, options: { mode?: string | null; alignCorners?: boolean | null; antiAliasing?: boolean | null; antiAliasingSigma?: number | number[] | null; dtype?: FloatDType | null } = {}): Tensor {
    const who = this.name;
    checkImage(who, img);
    checkOptions(who, options, ['mode', 'alignCorners', 'antiAliasing', 'antiAliasingSigma', 'dtype']);
    const inputNdim = img.dim() - 1;
    let x = img;
    let spSize: number[];
    let reshaped = false;
    if (this.sizeMode === 'all') {
      const want = typeof this.spatialSize === 'number' ? [this.spatialSize] : this.spatialSize;
      const outNdim = want.length;
      if (outNdim > inputNdim) {
        const shape = [...img.shape];
        while (shape.length < outNdim + 1) shape.push(1);
        x = adoptMeta(img, (img instanceof MetaTensor ? img.asTensor() : img).reshape(shape));
        reshaped = true;
      } else if (outNdim < inputNdim && typeof this.spatialSize !== 'number')
        throw new RangeError(`${who}: len(spatialSize) must be at least the image's spatial dimensions, got spatialSize=${JSON.stringify(this.spatialSize)} for a ${inputNdim}D image`);
      spSize = fn.fallBack(this.spatialSize, peekPendingShape(x), who, 'spatialSize');
    } else {
      const imgSize = peekPendingShape(img);
      const scale = (this.spatialSize as number) / Math.max(...imgSize);
      spSize = imgSize.map((s) => roundHalfEvenInt(s * scale));
    }
    try {
      return fn.resize(
        x,
        spSize,
        checkInterpolateMode(who, options.mode ?? this.mode),
        options.alignCorners ?? this.alignCorners,
        resolveDtype(options.dtype, this.dtype, img),
        inputNdim,
        options.antiAliasing ?? this.antiAliasing,
        options.antiAliasingSigma ?? this.antiAliasingSigma,
        lazy ?? this.lazy,
        this,
      );
    } finally {
      if (reshaped) x.dispose();
    }
  }

  inverse(data: Tensor): Tensor {
    return this.inverseTransform(data, this.popTransform(data));
  }

  inverseTransform(data: Tensor, rec: AppliedOperation): Tensor {
    const ex = extraOf(rec);
    const t = untraced(
      new Resize({
        spatialSize: rec[TraceKeys.ORIG_SIZE] as number[],
        mode: ex.mode as string,
        alignCorners: ex.align_corners === fn.NONE ? null : (ex.align_corners as boolean),
        dtype: ex.dtype as FloatDType,
      }),
    );
    let out = t.call(data, false);
    for (let i = 0; i < (ex.new_dim as number); i++) {
      const s = out.squeeze(-1);
      out.dispose();
      out = s;
    }
    return out;
  }
}

function roundHalfEvenInt(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// ---------------------------------------------------------------------------------------------

export interface RotateOptions {
  /** radians: one angle in 2D, up to three (about the first, second, third axis) in 3D */
  angle: number | readonly number[];
  keepSize?: boolean;
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
  dtype?: FloatDType | null;
  lazy?: boolean;
}

export interface InterpCallOptions {
  mode?: string | null;
  paddingMode?: string | null;
  alignCorners?: boolean | null;
  dtype?: FloatDType | null;
}

/** Rotates by angle(s) in radians about the image centre (MONAI's Rotate). */
export class Rotate extends Transform {
  override readonly supportsLazy = true;
  readonly angle: number | number[];
  readonly keepSize: boolean;
  readonly mode: string;
  readonly paddingMode: string;
  readonly alignCorners: boolean;
  readonly dtype: FloatDType | null;

  constructor(options: RotateOptions) {
    super();
    const who = 'Rotate';
    checkOptions(who, options, ['angle', 'keepSize', 'mode', 'paddingMode', 'alignCorners', 'dtype', 'lazy'], ['angle']);
    const a = options.angle;
    if (!(typeof a === 'number' || (Array.isArray(a) && a.length > 0 && a.every((x) => typeof x === 'number'))) || (typeof a === 'number' ? !Number.isFinite(a) : a.some((x) => !Number.isFinite(x))))
      throw new TypeError(`${who}: angle must be a finite number or a list of finite numbers (radians), got ${JSON.stringify(a)}`);
    this.angle = typeof a === 'number' ? a : [...a];
    this.keepSize = checkBool(who, 'keepSize', options.keepSize ?? true);
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'border';
    gridPaddingMode(who, this.paddingMode);
    this.alignCorners = checkBool(who, 'alignCorners', options.alignCorners ?? false);
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null, options: InterpCallOptions = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['mode', 'paddingMode', 'alignCorners', 'dtype']);
    const im = peekPendingShape(img);
    return fn.rotate(
      img,
      this.angle,
      this.keepSize ? im : null,
      options.mode || this.mode,
      options.paddingMode || this.paddingMode,
      options.alignCorners ?? this.alignCorners,
      resolveDtype(options.dtype, this.dtype, img),
      lazy ?? this.lazy,
      this,
    );
  }

  inverse(data: Tensor): Tensor {
    return rotateInverse(data, this.popTransform(data), this.name);
  }
}

/** Undoes a Rotate record: resample with the inverse matrix back to the original size, compose the affine. */
export function rotateInverse(data: Tensor, rec: AppliedOperation, who: string): Tensor {
  const ex = extraOf(rec);
  const invRot = inv(toMat(ex.rot_mat as Mat), who);
  const ac = ex.align_corners === fn.NONE ? false : (ex.align_corners as boolean);
  const size = rec[TraceKeys.ORIG_SIZE] as number[];
  const src = data instanceof MetaTensor ? data.asTensor() : data.alias();
  let r: Tensor;
  try {
    r = affineResample(src, invRot, size, { mode: gridSampleMode(who, ex.mode), paddingMode: gridPaddingMode(who, ex.padding_mode), alignCorners: ac, dtype: (ex.dtype as DType) ?? null }, who);
  } finally {
    src.dispose();
  }
  const out = adoptMeta(data, r);
  if (out instanceof MetaTensor) composeAffine(out, flatten(invRot), who);
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface ZoomOptions {
  zoom: number | readonly number[];
  mode?: string;
  paddingMode?: string;
  alignCorners?: boolean | null;
  dtype?: FloatDType | null;
  keepSize?: boolean;
  lazy?: boolean;
}

/** Zooms by interpolation, keeping the input size by padding/cropping when keepSize (MONAI's Zoom). */
export class Zoom extends Transform {
  override readonly supportsLazy = true;
  readonly zoom: number | number[];
  readonly mode: string;
  readonly paddingMode: string;
  readonly alignCorners: boolean | null;
  readonly dtype: FloatDType | null;
  readonly keepSize: boolean;

  constructor(options: ZoomOptions) {
    super();
    const who = 'Zoom';
    checkOptions(who, options, ['zoom', 'mode', 'paddingMode', 'alignCorners', 'dtype', 'keepSize', 'lazy'], ['zoom']);
    const z = options.zoom;
    if (!(typeof z === 'number' || (Array.isArray(z) && z.length > 0 && z.every((x) => typeof x === 'number'))) || (typeof z === 'number' ? !(z > 0) : z.some((x) => !(x > 0))))
      throw new TypeError(`${who}: zoom must be a positive number or a list of positive numbers, got ${JSON.stringify(z)}`);
    this.zoom = typeof z === 'number' ? z : [...z];
    this.mode = checkInterpolateMode(who, options.mode ?? 'area');
    this.paddingMode = options.paddingMode ?? 'edge';
    torchPadMode(who, this.paddingMode);
    this.alignCorners = options.alignCorners ?? null;
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.keepSize = checkBool(who, 'keepSize', options.keepSize ?? true);
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null, options: InterpCallOptions = {}): Tensor {
    const who = this.name;
    checkImage(who, img);
    checkOptions(who, options, ['mode', 'paddingMode', 'alignCorners', 'dtype']);
    const z = fn.tupleRep(this.zoom, img.dim() - 1, who, 'zoom');
    return fn.zoom(
      img,
      z,
      this.keepSize,
      checkInterpolateMode(who, options.mode ?? this.mode),
      options.paddingMode || this.paddingMode,
      options.alignCorners ?? this.alignCorners,
      resolveDtype(options.dtype, this.dtype, img),
      lazy ?? this.lazy,
      this,
    );
  }

  inverse(data: Tensor): Tensor {
    return zoomInverse(data, this.popTransform(data), this.name);
  }
}

/** Undoes a Zoom record: undo the pad/crop (zero padding back, crop), then resize to the original size. */
export function zoomInverse(data: Tensor, rec: AppliedOperation, who: string): Tensor {
  const ex = extraOf(rec);
  const orig = rec[TraceKeys.ORIG_SIZE] as number[];
  let x = data;
  if (ex.do_padcrop) {
    const pc = ex.padcrop as { pad: [number, number][]; crop: [number, number][]; padded: number[] };
    const src = data instanceof MetaTensor ? data.asTensor() : data.alias();
    const r = torch.tidy(() => {
      let y = src;
      // the crop's inverse zero-pads what it cut; the pad's inverse cuts what it added
      const undoCrop = pc.crop.map(([s, e], i): [number, number] => [s, pc.padded[i] - e]);
      if (undoCrop.some(([a, b]) => a > 0 || b > 0)) y = torch.nn.functional.pad(y.unsqueeze(0), [...undoCrop].reverse().flatMap(([a, b]) => [a, b]), { mode: 'constant' }).squeeze(0);
      pc.pad.forEach(([a, b], i) => {
        if (a > 0 || b > 0) y = y.narrow(i + 1, a, y.shape[i + 1] - a - b);
      });
      return y.contiguous();
    });
    src.dispose();
    x = adoptMeta(data, r);
    if (x instanceof MetaTensor) {
      const n = pc.crop.length;
      const m = eye(n + 1);
      for (let i = 0; i < n; i++) m[i][n] = pc.pad[i][0] - pc.crop[i][0];
      composeAffine(x, flatten(m), who);
    }
  }
  try {
    const t = untraced(new Resize({ spatialSize: orig }));
    return t.call(x, false, { mode: ex.mode as string, alignCorners: ex.align_corners === fn.NONE ? null : (ex.align_corners as boolean), dtype: ex.dtype as FloatDType });
  } finally {
    if (x !== data) x.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

/** Rotates by 90 degrees k times in the plane of two spatial axes (MONAI's Rotate90). */
export class Rotate90 extends Transform {
  override readonly supportsLazy = true;
  readonly k: number;
  readonly spatialAxes: [number, number];

  constructor(options: { k?: number; spatialAxes?: readonly [number, number] | readonly number[]; lazy?: boolean } = {}) {
    super();
    const who = 'Rotate90';
    checkOptions(who, options, ['k', 'spatialAxes', 'lazy']);
    const k = options.k ?? 1;
    if (!Number.isInteger(k)) throw new TypeError(`${who}: k must be an integer, got ${JSON.stringify(k)}`);
    this.k = (4 + (k % 4)) % 4;
    const ax = options.spatialAxes ?? [0, 1];
    if (!Array.isArray(ax) || ax.length !== 2 || !ax.every((a) => Number.isInteger(a)))
      throw new RangeError(`${who}: spatialAxes must be 2 integers to define the plane to rotate, got ${JSON.stringify(ax)}`);
    this.spatialAxes = [ax[0], ax[1]];
    this.lazy = options.lazy ?? false;
  }

  call(img: Tensor, lazy?: boolean | null): Tensor {
    checkImage(this.name, img, 2);
    const axes = fn.mapSpatialAxes(img.dim(), this.spatialAxes) as [number, number];
    return fn.rotate90(img, axes, this.k, lazy ?? this.lazy, this);
  }

  inverse(data: Tensor): Tensor {
    return rotate90Inverse(data, this.popTransform(data));
  }
}

export function rotate90Inverse(data: Tensor, rec: AppliedOperation): Tensor {
  const ex = extraOf(rec);
  const k = ex.k as number;
  return untraced(new Rotate90({ k: 4 - (k % 4), spatialAxes: ex.axes as number[] })).call(data, false);
}

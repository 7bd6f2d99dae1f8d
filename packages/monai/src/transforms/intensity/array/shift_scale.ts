/**
 * Shifts and scales (MONAI's intensity/array.py): ShiftIntensity, StdShiftIntensity, ScaleIntensity,
 * ScaleIntensityFixedMean, their random forms, and RandBiasField.
 */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { RandomizableTransform, Transform } from '../../transform.js';
import type { RandomState } from '../../../utils/random_state.js';
import { bool, checkOptions, checkProb, int, num, optNum, symmetricRange } from '../args.js';
import { biasField, checkDtype, checkImage, convertDtype, isFloatingDtype, rescaleArray, toDtype, withMeta } from '../functional.js';

/** Applies `f` to each channel and stacks the results. */
function perChannel(x: Tensor, f: (d: Tensor, i: number) => Tensor): Tensor {
  return torch.stack(Array.from({ length: x.shape[0] }, (_, i) => f(x.select(0, i), i)));
}

/** A value drawn uniformly from `range`, or one per channel of `img` (channel order) when `channelWise`. */
function drawValues(R: RandomState, range: [number, number], channelWise: boolean, img: unknown, who: string): number | number[] {
  if (!channelWise) return R.uniform(range[0], range[1]);
  checkImage(img, who);
  return Array.from({ length: img.shape[0] }, () => R.uniform(range[0], range[1]));
}

/** `apply(img, v)` for a drawn scalar; for per-channel values, `apply` on each channel with its own value. */
function applyDrawn(img: Tensor, drawn: number | number[], who: string, what: string, apply: (x: Tensor, v: number) => Tensor): Tensor {
  if (!Array.isArray(drawn)) return apply(img, drawn);
  if (drawn.length !== img.shape[0]) throw new RangeError(`${who}: ${drawn.length} ${what} drawn but the image has ${img.shape[0]} channels`);
  return withMeta(img, (x) => perChannel(x, (d, i) => apply(d, drawn[i])));
}

export interface ShiftIntensityOptions {
  offset: number;
  /** clamp to the input dtype's range before converting back (default false: wrap as a cast does) */
  safe?: boolean;
}

/** x + offset, in the input's dtype. */
export class ShiftIntensity extends Transform {
  static readonly OPTIONS = ['offset', 'safe'] as const;
  readonly offset: number;
  readonly safe: boolean;
  constructor(options: ShiftIntensityOptions) {
    super();
    checkOptions('ShiftIntensity', options, ShiftIntensity.OPTIONS, ['offset']);
    this.offset = num('ShiftIntensity', 'offset', options.offset);
    this.safe = bool('ShiftIntensity', 'safe', options.safe, false);
  }
  call(img: Tensor, offset?: number | null): Tensor {
    checkImage(img, this.name);
    const o = offset ?? this.offset;
    return withMeta(img, (x) => convertDtype(x.add(o), x.dtype, this.safe));
  }
}

export interface RandShiftIntensityOptions {
  /** range of the offset: x means (-x, x) */
  offsets: number | [number, number];
  safe?: boolean;
  prob?: number;
  /** one offset per channel */
  channelWise?: boolean;
}

/** ShiftIntensity by an offset drawn uniformly from `offsets` (one per channel when channelWise). */
export class RandShiftIntensity extends RandomizableTransform {
  static readonly OPTIONS = ['offsets', 'safe', 'prob', 'channelWise'] as const;
  readonly offsets: [number, number];
  readonly channelWise: boolean;
  readonly shifter: ShiftIntensity;
  offset: number | number[];
  constructor(options: RandShiftIntensityOptions) {
    super();
    const who = 'RandShiftIntensity';
    checkOptions(who, options, RandShiftIntensity.OPTIONS, ['offsets']);
    this.offsets = symmetricRange(who, 'offsets', options.offsets);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.offset = this.offsets[0];
    this.shifter = new ShiftIntensity({ offset: this.offset, safe: options.safe ?? false });
  }
  override randomize(img?: unknown): void {
    super.randomize();
    if (this.doTransform) this.offset = drawValues(this.R, this.offsets, this.channelWise, img, this.name);
  }
  /** `factor` multiplies the drawn offset (e.g. a statistic of the image). */
  call(img: Tensor, options: { factor?: number | null; randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['factor', 'randomize']);
    if (options.randomize ?? true) this.randomize(img);
    if (!this.doTransform) return img;
    const f = options.factor ?? null;
    return applyDrawn(img, this.offset, this.name, 'offsets', (x, o) => this.shifter.call(x, f === null ? o : o * f));
  }
}

export interface StdShiftIntensityOptions {
  factor: number;
  /** only non-zero voxels are counted and shifted */
  nonzero?: boolean;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** x + factor * std(x) (population std), over non-zero voxels when `nonzero`, per channel when `channelWise`. */
export class StdShiftIntensity extends Transform {
  static readonly OPTIONS = ['factor', 'nonzero', 'channelWise', 'dtype'] as const;
  readonly factor: number;
  readonly nonzero: boolean;
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  constructor(options: StdShiftIntensityOptions) {
    super();
    const who = 'StdShiftIntensity';
    checkOptions(who, options, StdShiftIntensity.OPTIONS, ['factor']);
    this.factor = num(who, 'factor', options.factor);
    this.nonzero = bool(who, 'nonzero', options.nonzero, false);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }
  private shift(x: Tensor): Tensor {
    if (!this.nonzero) return x.add(x.std({ unbiased: false }).mul(this.factor));
    const m = x.ne(0);
    if (!m.any().item()) return x;
    const offset = x.maskedSelect(m).std({ unbiased: false }).mul(this.factor);
    return torch.where(m, x.add(offset), x);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x0) => {
      const x = toDtype(x0, this.dtype);
      if (!isFloatingDtype(x.dtype)) throw new TypeError(`${this.name}: the standard deviation needs a float image; set dtype (got ${x.dtype})`);
      return this.channelWise ? perChannel(x, (d) => this.shift(d)) : this.shift(x);
    });
  }
}

export interface RandStdShiftIntensityOptions {
  /** range of the factor: x means (-x, x) */
  factors: number | [number, number];
  prob?: number;
  nonzero?: boolean;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** StdShiftIntensity with a factor drawn uniformly from `factors`. */
export class RandStdShiftIntensity extends RandomizableTransform {
  static readonly OPTIONS = ['factors', 'prob', 'nonzero', 'channelWise', 'dtype'] as const;
  readonly factors: [number, number];
  readonly nonzero: boolean;
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  factor: number;
  constructor(options: RandStdShiftIntensityOptions) {
    super();
    const who = 'RandStdShiftIntensity';
    checkOptions(who, options, RandStdShiftIntensity.OPTIONS, ['factors']);
    this.factors = symmetricRange(who, 'factors', options.factors);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.nonzero = bool(who, 'nonzero', options.nonzero, false);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    this.factor = this.factors[0];
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (this.doTransform) this.factor = this.R.uniform(this.factors[0], this.factors[1]);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return withMeta(img, (x) => toDtype(x, this.dtype));
    return new StdShiftIntensity({ factor: this.factor, nonzero: this.nonzero, channelWise: this.channelWise, dtype: this.dtype }).call(img);
  }
}

export interface ScaleIntensityOptions {
  /** output minimum (default 0); null with maxv null scales by factor instead */
  minv?: number | null;
  maxv?: number | null;
  /** with minv and maxv null: x * (1 + factor) */
  factor?: number | null;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** Rescales to [minv, maxv] (MONAI's rescale_array), or multiplies by (1 + factor) when both are null. */
export class ScaleIntensity extends Transform {
  static readonly OPTIONS = ['minv', 'maxv', 'factor', 'channelWise', 'dtype'] as const;
  readonly minv: number | null;
  readonly maxv: number | null;
  readonly factor: number | null;
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  constructor(options: ScaleIntensityOptions = {}) {
    super();
    const who = 'ScaleIntensity';
    checkOptions(who, options, ScaleIntensity.OPTIONS);
    this.minv = options.minv === undefined ? 0 : optNum(who, 'minv', options.minv);
    this.maxv = options.maxv === undefined ? 1 : optNum(who, 'maxv', options.maxv);
    this.factor = optNum(who, 'factor', options.factor);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => {
      let r: Tensor;
      if (this.minv !== null || this.maxv !== null) {
        r = this.channelWise ? perChannel(x, (d) => rescaleArray(d, this.minv, this.maxv, this.dtype)) : rescaleArray(x, this.minv, this.maxv, this.dtype);
      } else {
        r = this.factor !== null ? x.mul(1 + this.factor) : x;
      }
      return toDtype(r, this.dtype ?? x.dtype);
    });
  }
}

export interface RandScaleIntensityOptions {
  /** range of the factor: x means (-x, x) */
  factors: number | [number, number];
  prob?: number;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** x * (1 + factor) with factor drawn uniformly from `factors` (one per channel when channelWise). */
export class RandScaleIntensity extends RandomizableTransform {
  static readonly OPTIONS = ['factors', 'prob', 'channelWise', 'dtype'] as const;
  readonly factors: [number, number];
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  factor: number | number[];
  constructor(options: RandScaleIntensityOptions) {
    super();
    const who = 'RandScaleIntensity';
    checkOptions(who, options, RandScaleIntensity.OPTIONS, ['factors']);
    this.factors = symmetricRange(who, 'factors', options.factors);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    this.factor = this.factors[0];
  }
  override randomize(img?: unknown): void {
    super.randomize();
    if (this.doTransform) this.factor = drawValues(this.R, this.factors, this.channelWise, img, this.name);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize(img);
    if (!this.doTransform) return withMeta(img, (x) => toDtype(x, this.dtype));
    return applyDrawn(img, this.factor, this.name, 'factors', (x, f) => new ScaleIntensity({ minv: null, maxv: null, factor: f, dtype: this.dtype }).call(x));
  }
}

export interface ScaleIntensityFixedMeanOptions {
  factor?: number;
  /** clip the result to the input's range */
  preserveRange?: boolean;
  /** scale about the mean so the mean stays (default true) */
  fixedMean?: boolean;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** (x - mean) * (1 + factor) + mean, optionally clipped to the input's range. */
export class ScaleIntensityFixedMean extends Transform {
  static readonly OPTIONS = ['factor', 'preserveRange', 'fixedMean', 'channelWise', 'dtype'] as const;
  readonly factor: number;
  readonly preserveRange: boolean;
  readonly fixedMean: boolean;
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  constructor(options: ScaleIntensityFixedMeanOptions = {}) {
    super();
    const who = 'ScaleIntensityFixedMean';
    checkOptions(who, options, ScaleIntensityFixedMean.OPTIONS);
    this.factor = num(who, 'factor', options.factor ?? 0);
    this.preserveRange = bool(who, 'preserveRange', options.preserveRange, false);
    this.fixedMean = bool(who, 'fixedMean', options.fixedMean, true);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }
  private scale(d: Tensor, factor: number): Tensor {
    const lo = this.preserveRange ? d.min() : null;
    const hi = this.preserveRange ? d.max() : null;
    const mn = this.fixedMean ? d.mean() : null;
    let r = mn !== null ? d.sub(mn) : d;
    r = r.mul(1 + factor);
    if (mn !== null) r = r.add(mn);
    if (lo !== null && hi !== null) r = r.clamp({ min: lo, max: hi });
    return r;
  }
  call(img: Tensor, factor?: number | null): Tensor {
    checkImage(img, this.name);
    const f = factor ?? this.factor;
    return withMeta(img, (x0) => {
      const x = isFloatingDtype(x0.dtype) ? x0 : x0.to({ dtype: 'float32' }); // a mean needs floats
      const r = this.channelWise ? perChannel(x, (d) => this.scale(d, f)) : this.scale(x, f);
      return toDtype(r, this.dtype ?? x0.dtype);
    });
  }
}

export interface RandScaleIntensityFixedMeanOptions {
  prob?: number;
  /** range of the factor: x means (-x, x) (default 0) */
  factors?: number | [number, number];
  fixedMean?: boolean;
  preserveRange?: boolean;
  dtype?: DType | null;
}

/** ScaleIntensityFixedMean with a factor drawn uniformly from `factors`. */
export class RandScaleIntensityFixedMean extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'factors', 'fixedMean', 'preserveRange', 'dtype'] as const;
  readonly factors: [number, number];
  readonly dtype: DType | null;
  readonly scaler: ScaleIntensityFixedMean;
  factor: number;
  constructor(options: RandScaleIntensityFixedMeanOptions = {}) {
    super();
    const who = 'RandScaleIntensityFixedMean';
    checkOptions(who, options, RandScaleIntensityFixedMean.OPTIONS);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.factors = symmetricRange(who, 'factors', options.factors ?? 0);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    this.factor = this.factors[0];
    this.scaler = new ScaleIntensityFixedMean({ factor: this.factor, fixedMean: options.fixedMean, preserveRange: options.preserveRange, dtype: this.dtype });
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (this.doTransform) this.factor = this.R.uniform(this.factors[0], this.factors[1]);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return withMeta(img, (x) => toDtype(x, this.dtype));
    return this.scaler.call(img, this.factor);
  }
}

export interface RandBiasFieldOptions {
  /** polynomial degree, at least 1 (default 3) */
  degree?: number;
  /** range of the random coefficients (default [0, 0.1]) */
  coeffRange?: [number, number];
  dtype?: DType | null;
  prob?: number;
}

/** Multiplies by exp(field), a random Legendre polynomial field (2D or 3D), the same for every channel. */
export class RandBiasField extends RandomizableTransform {
  static readonly OPTIONS = ['degree', 'coeffRange', 'dtype', 'prob'] as const;
  readonly degree: number;
  readonly coeffRange: [number, number];
  readonly dtype: DType | null;
  coeff: number[] = [1.0];
  constructor(options: RandBiasFieldOptions = {}) {
    super();
    const who = 'RandBiasField';
    checkOptions(who, options, RandBiasField.OPTIONS);
    this.degree = int(who, 'degree', options.degree ?? 3, 1);
    const cr = options.coeffRange ?? [0, 0.1];
    if (!Array.isArray(cr) || cr.length !== 2) throw new TypeError(`${who}: coeffRange must be a pair [low, high], got ${JSON.stringify(cr)}`);
    this.coeffRange = [num(who, 'coeffRange[0]', cr[0]), num(who, 'coeffRange[1]', cr[1])];
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
  }
  /** Draws the coefficients for an image of spatial size `imgSize`. */
  override randomize(imgSize?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    if (!Array.isArray(imgSize)) throw new TypeError(`${this.name}.randomize: expected the spatial size (a list of numbers), got ${JSON.stringify(imgSize)}`);
    let n = 1;
    for (let k = 1; k <= imgSize.length; k++) n *= (this.degree + k) / k; // as numpy's float product
    this.coeff = Array.from(this.R.uniform(this.coeffRange[0], this.coeffRange[1], Math.trunc(n)));
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize(img.shape.slice(1));
    if (!this.doTransform) return img;
    return withMeta(img, (x) => {
      const field = biasField(x.shape.slice(1), this.degree, this.coeff, x.device);
      return toDtype(x.to({ dtype: 'float64' }).mul(field.exp()), this.dtype ?? x.dtype);
    });
  }
}


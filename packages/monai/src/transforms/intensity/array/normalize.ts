/**
 * Normalizing, thresholding, range scaling, percentile clipping, gamma contrast and masking (MONAI's
 * intensity/array.py).
 */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { MetaTensor } from '../../../data/meta_tensor.js';
import { RandomizableTransform, Transform, describeValue } from '../../transform.js';
import { bool, checkOptions, checkProb, num, optNum, pair } from '../args.js';
import { checkDtype, checkImage, percentile, softClip, toDtype, withMeta } from '../functional.js';
import { isPositive } from '../../utils.js';

function perChannel(x: Tensor, f: (d: Tensor, i: number) => Tensor): Tensor {
  return torch.stack(Array.from({ length: x.shape[0] }, (_, i) => f(x.select(0, i), i)));
}

type Stat = number | number[] | Tensor;

export interface NormalizeIntensityOptions {
  /** amount to subtract (default: the mean); per channel (a list) when channelWise */
  subtrahend?: Stat | null;
  /** amount to divide by (default: the population std; 0 becomes 1); per channel when channelWise */
  divisor?: Stat | null;
  /** only normalize (and measure) non-zero voxels */
  nonzero?: boolean;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** (x - subtrahend) / divisor, computed in float32; mean and std of the (non-zero) voxels by default. */
export class NormalizeIntensity extends Transform {
  static readonly OPTIONS = ['subtrahend', 'divisor', 'nonzero', 'channelWise', 'dtype'] as const;
  readonly subtrahend: Stat | null;
  readonly divisor: Stat | null;
  readonly nonzero: boolean;
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  constructor(options: NormalizeIntensityOptions = {}) {
    super();
    const who = 'NormalizeIntensity';
    checkOptions(who, options, NormalizeIntensity.OPTIONS);
    this.subtrahend = checkStat(who, 'subtrahend', options.subtrahend);
    this.divisor = checkStat(who, 'divisor', options.divisor);
    this.nonzero = bool(who, 'nonzero', options.nonzero, false);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }

  private normalize(img: Tensor, sub: Stat | null, div: Stat | null): Tensor {
    const x = img.to({ dtype: 'float32' });
    const m = this.nonzero ? x.ne(0) : null;
    if (m !== null && !m.any().item()) return x;
    const sel = m !== null ? x.maskedSelect(m) : x;
    const asTensor = (v: Stat): Tensor => {
      const t = v instanceof Tensor ? v.to({ dtype: x.dtype, device: x.device }) : torch.tensor(v as number | number[], { dtype: x.dtype, device: x.device });
      return m !== null && t.dim() > 0 ? t.expand(x.shape).maskedSelect(m) : t;
    };
    const s: number | Tensor = sub === null ? sel.mean().item() : typeof sub === 'number' ? sub : asTensor(sub);
    let d: number | Tensor = div === null ? sel.std({ unbiased: false }).item() : typeof div === 'number' ? div : asTensor(div);
    if (typeof d === 'number') {
      if (d === 0) d = 1;
    } else {
      d = d.maskedFill(d.eq(0), 1);
    }
    const normed = sel.sub(s).div(d);
    return m !== null ? x.maskedScatter(m, normed) : normed;
  }

  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => {
      let out: Tensor;
      if (this.channelWise) {
        const c = x.shape[0];
        for (const [k, v] of [['subtrahend', this.subtrahend], ['divisor', this.divisor]] as const) {
          const n = v === null ? c : typeof v === 'number' ? 1 : v instanceof Tensor ? v.shape[0] ?? 1 : v.length;
          if (n !== c) throw new RangeError(`${this.name}: the image has ${c} channels but ${k} has ${n} components`);
        }
        const pick = (v: Stat | null, i: number): Stat | null => (v === null ? null : v instanceof Tensor ? v.select(0, i) : (v as number[])[i]);
        // MONAI writes each channel back into the input's dtype before the final conversion
        out = perChannel(x, (d, i) => this.normalize(d, pick(this.subtrahend, i), pick(this.divisor, i))).to({ dtype: x.dtype });
      } else {
        out = this.normalize(x, this.subtrahend, this.divisor);
      }
      return toDtype(out, this.dtype ?? x.dtype);
    });
  }
}

function checkStat(who: string, option: string, v: unknown): Stat | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || v instanceof Tensor) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return [...v];
  throw new TypeError(`${who}: ${option} must be a number, a list of numbers or a Tensor, got ${describeValue(v)}`);
}

export interface ThresholdIntensityOptions {
  threshold: number;
  /** keep values above the threshold (default true), else below */
  above?: boolean;
  /** value for the rest (default 0) */
  cval?: number;
}

/** Keeps values above (or below) `threshold` and sets the rest to `cval`, in the input's dtype. */
export class ThresholdIntensity extends Transform {
  static readonly OPTIONS = ['threshold', 'above', 'cval'] as const;
  readonly threshold: number;
  readonly above: boolean;
  readonly cval: number;
  constructor(options: ThresholdIntensityOptions) {
    super();
    const who = 'ThresholdIntensity';
    checkOptions(who, options, ThresholdIntensity.OPTIONS, ['threshold']);
    this.threshold = num(who, 'threshold', options.threshold);
    this.above = bool(who, 'above', options.above, true);
    this.cval = num(who, 'cval', options.cval ?? 0);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => {
      const m = this.above ? x.gt(this.threshold) : x.lt(this.threshold);
      return toDtype(torch.where(m, x, this.cval), x.dtype);
    });
  }
}

/** (x - aMin) / (aMax - aMin), then to [bMin, bMax], then clipped (bounds may be tensors, as for percentiles). */
export function scaleIntensityRange(x: Tensor, aMin: number | Tensor, aMax: number | Tensor, bMin: number | null, bMax: number | null, clip: boolean, dtype: DType | null): Tensor {
  return torch.tidy(() => {
    const width = typeof aMax === 'number' && typeof aMin === 'number' ? aMax - aMin : torch.sub(aMax as Tensor, aMin);
    const zero = typeof width === 'number' ? width === 0 : width.item() === 0;
    if (zero) {
      process.emitWarning('ScaleIntensityRange: divide by zero (aMin == aMax)');
      return bMin === null ? x.sub(aMin) : x.sub(aMin).add(bMin);
    }
    // same ops as MONAI; after the division the result is ours, so the rest runs in place (no new volumes)
    const y = x.sub(aMin).div(width);
    if (bMin !== null && bMax !== null) y.mul_(bMax - bMin).add_(bMin);
    if (clip && (bMin !== null || bMax !== null)) y.clamp_({ min: bMin, max: bMax });
    return toDtype(y, dtype ?? x.dtype);
  });
}

export interface ScaleIntensityRangeOptions {
  aMin: number;
  aMax: number;
  bMin?: number | null;
  bMax?: number | null;
  clip?: boolean;
  dtype?: DType | null;
}

/** Maps [aMin, aMax] linearly to [bMin, bMax] (only normalizes when a b bound is null), optionally clipped. */
export class ScaleIntensityRange extends Transform {
  static readonly OPTIONS = ['aMin', 'aMax', 'bMin', 'bMax', 'clip', 'dtype'] as const;
  readonly aMin: number;
  readonly aMax: number;
  readonly bMin: number | null;
  readonly bMax: number | null;
  readonly clip: boolean;
  readonly dtype: DType | null;
  constructor(options: ScaleIntensityRangeOptions) {
    super();
    const who = 'ScaleIntensityRange';
    checkOptions(who, options, ScaleIntensityRange.OPTIONS, ['aMin', 'aMax']);
    this.aMin = num(who, 'aMin', options.aMin);
    this.aMax = num(who, 'aMax', options.aMax);
    this.bMin = optNum(who, 'bMin', options.bMin);
    this.bMax = optNum(who, 'bMax', options.bMax);
    this.clip = bool(who, 'clip', options.clip, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => scaleIntensityRange(x, this.aMin, this.aMax, this.bMin, this.bMax, this.clip, this.dtype));
  }
}

function checkPercentile(who: string, option: string, v: unknown, nullable: boolean): number | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'number' || !(v >= 0 && v <= 100)) throw new RangeError(`${who}: ${option} must be a percentile in [0, 100]${nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
  return v;
}

export interface ClipIntensityPercentilesOptions {
  /** lower percentile (null: no lower clip) */
  lower: number | null;
  upper: number | null;
  /** soft clipping sharpness (null: hard clip) */
  sharpnessFactor?: number | null;
  channelWise?: boolean;
  /** store the clipping values in meta.clipping_values (one [lower, upper] per channel or one in all) */
  returnClippingValues?: boolean;
  /** dtype of the soft-clipping computation; the output keeps the input's dtype as in MONAI */
  dtype?: DType | null;
}

/** Clips to the image's [lower, upper] percentiles (numpy 'linear'), hard or soft (softplus). */
export class ClipIntensityPercentiles extends Transform {
  static readonly OPTIONS = ['lower', 'upper', 'sharpnessFactor', 'channelWise', 'returnClippingValues', 'dtype'] as const;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly sharpnessFactor: number | null;
  readonly channelWise: boolean;
  readonly returnClippingValues: boolean;
  readonly dtype: DType | null;
  /** the clipping values of the latest call (when returnClippingValues) */
  clippingValues: [number | null, number | null][] = [];
  constructor(options: ClipIntensityPercentilesOptions) {
    super();
    const who = 'ClipIntensityPercentiles';
    checkOptions(who, options, ClipIntensityPercentiles.OPTIONS, []);
    if (!options || (options.lower == null && options.upper == null)) throw new TypeError(`${who}: lower or upper percentile must be given (both are null)`);
    this.lower = checkPercentile(who, 'lower', options.lower ?? null, true);
    this.upper = checkPercentile(who, 'upper', options.upper ?? null, true);
    if (this.lower !== null && this.upper !== null && this.upper < this.lower) throw new RangeError(`${who}: upper (${this.upper}) must be greater than or equal to lower (${this.lower})`);
    this.sharpnessFactor = optNum(who, 'sharpnessFactor', options.sharpnessFactor);
    if (this.sharpnessFactor !== null && this.sharpnessFactor <= 0) throw new RangeError(`${who}: sharpnessFactor must be greater than 0, got ${this.sharpnessFactor}`);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.returnClippingValues = bool(who, 'returnClippingValues', options.returnClippingValues, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }
  private clipOne(d: Tensor, values: [number | null, number | null][]): Tensor {
    let lo: Tensor | null;
    let hi: Tensor | null;
    let out: Tensor;
    if (this.sharpnessFactor !== null) {
      lo = this.lower !== null ? percentile(d, this.lower) : null;
      hi = this.upper !== null ? percentile(d, this.upper) : null;
      out = softClip(d, this.sharpnessFactor, lo, hi, this.dtype);
    } else {
      lo = percentile(d, this.lower ?? 0);
      hi = percentile(d, this.upper ?? 100);
      out = d.clamp({ min: lo, max: hi });
    }
    values.push([lo === null ? null : lo.item(), hi === null ? null : hi.item()]);
    return out;
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    const values: [number | null, number | null][] = [];
    const out = withMeta(img, (x) => toDtype(this.channelWise ? perChannel(x, (d) => this.clipOne(d, values)) : this.clipOne(x, values), x.dtype));
    if (this.returnClippingValues) {
      this.clippingValues = values;
      if (out instanceof MetaTensor) out.meta.clipping_values = values.map((v) => [...v]);
    }
    return out;
  }
}

export interface AdjustContrastOptions {
  gamma: number;
  /** negate before and after the gamma curve (nnU-Net) */
  invertImage?: boolean;
  /** restore the input's mean and std afterwards (nnU-Net) */
  retainStats?: boolean;
}

/** Gamma curve on the image's own range: ((x - min) / (range + 1e-7))^gamma * range + min. */
export class AdjustContrast extends Transform {
  static readonly OPTIONS = ['gamma', 'invertImage', 'retainStats'] as const;
  readonly gamma: number;
  readonly invertImage: boolean;
  readonly retainStats: boolean;
  constructor(options: AdjustContrastOptions) {
    super();
    const who = 'AdjustContrast';
    checkOptions(who, options, AdjustContrast.OPTIONS, ['gamma']);
    this.gamma = num(who, 'gamma', options.gamma);
    this.invertImage = bool(who, 'invertImage', options.invertImage, false);
    this.retainStats = bool(who, 'retainStats', options.retainStats, false);
  }
  call(img: Tensor, gamma?: number | null): Tensor {
    checkImage(img, this.name);
    const g = gamma ?? this.gamma;
    return withMeta(img, (x0) => {
      let x = this.invertImage ? x0.neg() : x0;
      const mn = this.retainStats ? x.mean() : null;
      const sd = this.retainStats ? x.std() : null;
      const lo = x.min();
      const range = x.max().sub(lo);
      const denom = range.add(1e-7).item();
      let r = x.sub(lo).div(denom).pow(g).mul(range).add(lo);
      if (mn !== null && sd !== null) {
        r = r.sub(r.mean());
        r = r.div(r.std().add(1e-8));
        r = sd.mul(r).add(mn);
      }
      x = this.invertImage ? r.neg() : r;
      return x;
    });
  }
}

export interface RandAdjustContrastOptions {
  prob?: number;
  /** range of gamma; a number g > 0.5 means [0.5, g] (default [0.5, 4.5]) */
  gamma?: number | [number, number];
  invertImage?: boolean;
  retainStats?: boolean;
}

/** AdjustContrast with gamma drawn uniformly from `gamma`. */
export class RandAdjustContrast extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'gamma', 'invertImage', 'retainStats'] as const;
  readonly gamma: [number, number];
  readonly adjuster: AdjustContrast;
  gammaValue = 1.0;
  constructor(options: RandAdjustContrastOptions = {}) {
    super();
    const who = 'RandAdjustContrast';
    checkOptions(who, options, RandAdjustContrast.OPTIONS);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    const g = options.gamma ?? [0.5, 4.5];
    if (typeof g === 'number') {
      if (!(g > 0.5)) throw new RangeError(`${who}: gamma as a number must be greater than 0.5 (the range is [0.5, gamma]), got ${g}`);
      this.gamma = [0.5, g];
    } else {
      this.gamma = pair(who, 'gamma', g);
    }
    this.adjuster = new AdjustContrast({ gamma: this.gammaValue, invertImage: options.invertImage, retainStats: options.retainStats });
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (this.doTransform) this.gammaValue = this.R.uniform(this.gamma[0], this.gamma[1]);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return img;
    return this.adjuster.call(img, this.gammaValue);
  }
}

export interface ScaleIntensityRangePercentilesOptions {
  lower: number;
  upper: number;
  bMin: number | null;
  bMax: number | null;
  clip?: boolean;
  /** map to the same percentiles of [bMin, bMax] instead of to bMin, bMax */
  relative?: boolean;
  channelWise?: boolean;
  dtype?: DType | null;
}

/** ScaleIntensityRange from the image's [lower, upper] percentiles (numpy 'linear') to [bMin, bMax]. */
export class ScaleIntensityRangePercentiles extends Transform {
  static readonly OPTIONS = ['lower', 'upper', 'bMin', 'bMax', 'clip', 'relative', 'channelWise', 'dtype'] as const;
  readonly lower: number;
  readonly upper: number;
  readonly bMin: number | null;
  readonly bMax: number | null;
  readonly clip: boolean;
  readonly relative: boolean;
  readonly channelWise: boolean;
  readonly dtype: DType | null;
  constructor(options: ScaleIntensityRangePercentilesOptions) {
    super();
    const who = 'ScaleIntensityRangePercentiles';
    checkOptions(who, options, ScaleIntensityRangePercentiles.OPTIONS, ['lower', 'upper']);
    this.lower = checkPercentile(who, 'lower', options.lower, false) as number;
    this.upper = checkPercentile(who, 'upper', options.upper, false) as number;
    this.bMin = optNum(who, 'bMin', options.bMin);
    this.bMax = optNum(who, 'bMax', options.bMax);
    this.clip = bool(who, 'clip', options.clip, false);
    this.relative = bool(who, 'relative', options.relative, false);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    if (this.relative && (this.bMin === null || this.bMax === null)) throw new TypeError(`${who}: relative needs both bMin and bMax, got bMin=${this.bMin}, bMax=${this.bMax}`);
  }
  private scale(d: Tensor): Tensor {
    const aMin = percentile(d, this.lower);
    const aMax = percentile(d, this.upper);
    let bMin = this.bMin;
    let bMax = this.bMax;
    if (this.relative && this.bMin !== null && this.bMax !== null) {
      bMin = (this.bMax - this.bMin) * (this.lower / 100) + this.bMin;
      bMax = (this.bMax - this.bMin) * (this.upper / 100) + this.bMin;
    }
    return scaleIntensityRange(d, aMin, aMax, bMin, bMax, this.clip, this.dtype);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => toDtype(this.channelWise ? perChannel(x, (d) => this.scale(d)) : this.scale(x), this.dtype ?? x.dtype));
  }
}

export interface MaskIntensityOptions {
  /** the mask (1 channel for all, or one per channel); else given at call time */
  maskData?: Tensor | null;
  /** selects the kept voxels from the mask (default: mask > 0) */
  selectFn?: (mask: Tensor) => Tensor;
}

/** Keeps the voxels where selectFn(mask) holds and zeroes the rest. */
export class MaskIntensity extends Transform {
  static readonly OPTIONS = ['maskData', 'selectFn'] as const;
  readonly maskData: Tensor | null;
  readonly selectFn: (mask: Tensor) => Tensor;
  constructor(options: MaskIntensityOptions = {}) {
    super();
    const who = 'MaskIntensity';
    checkOptions(who, options, MaskIntensity.OPTIONS);
    if (options.maskData != null && !(options.maskData instanceof Tensor)) throw new TypeError(`${who}: maskData must be a Tensor, got ${describeValue(options.maskData)}`);
    if (options.selectFn !== undefined && typeof options.selectFn !== 'function') throw new TypeError(`${who}: selectFn must be a function, got ${typeof options.selectFn}`);
    this.maskData = options.maskData ?? null;
    this.selectFn = options.selectFn ?? isPositive; // a named export: the transform can travel to workers
  }
  call(img: Tensor, maskData?: Tensor | null): Tensor {
    checkImage(img, this.name);
    const mask = maskData ?? this.maskData;
    if (mask === null) throw new TypeError(`${this.name}: no mask; give maskData to the constructor or to call()`);
    if (!(mask instanceof Tensor)) throw new TypeError(`${this.name}: maskData must be a Tensor, got ${describeValue(mask)}`);
    return withMeta(img, (x) => {
      const sel = this.selectFn(mask.to({ dtype: x.dtype, device: x.device }));
      if (sel.shape[0] !== 1 && sel.shape[0] !== x.shape[0]) throw new RangeError(`${this.name}: the mask has ${sel.shape[0]} channels; expected 1 or the image's ${x.shape[0]}`);
      return toDtype(x.mul(sel), x.dtype);
    });
  }
}


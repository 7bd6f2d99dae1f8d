/** RandHistogramShift and HistogramNormalize (MONAI's intensity/array.py), histogram work in torch ops. */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { RandomizableTransform, Transform, describeValue } from '../../transform.js';
import { checkOptions, checkProb, int } from '../args.js';
import { checkDtype, checkImage, equalizeHist, floatHistogram, interpSorted, isFloatingDtype, npLinspace, toDtype, withMeta } from '../functional.js';

/**
 * MONAI's torch interpolation of RandHistogramShift: slope m and intercept b per segment, the segment of
 * searchsorted(xp, x) - 1 (left side, clipped), then the ends clamped to fp[0] and fp[-1].
 */
function shiftInterp(x: Tensor, xp: Tensor, fp: Tensor): Tensor {
  return torch.tidy(() => {
    const n = xp.numel();
    const m = fp.narrow(0, 1, n - 1).sub(fp.narrow(0, 0, n - 1)).div(xp.narrow(0, 1, n - 1).sub(xp.narrow(0, 0, n - 1)));
    const b = fp.narrow(0, 0, n - 1).sub(m.mul(xp.narrow(0, 0, n - 1)));
    const flat = x.reshape([-1]);
    const idx = torch.searchsorted(xp.contiguous(), flat.contiguous()).sub(1).clamp({ min: 0, max: n - 2 });
    let f = m.gather(0, idx).mul(flat).add(b.gather(0, idx));
    f = torch.where(flat.lt(xp.narrow(0, 0, 1)), fp.narrow(0, 0, 1).to({ dtype: f.dtype }), f);
    f = torch.where(flat.gt(xp.narrow(0, n - 1, 1)), fp.narrow(0, n - 1, 1).to({ dtype: f.dtype }), f);
    return f.reshape(x.shape);
  });
}

export interface RandHistogramShiftOptions {
  /** number of control points (>= 3), or a range [min, max] to draw it from (default 10) */
  numControlPoints?: number | [number, number];
  prob?: number;
}

/** A random monotone piecewise-linear remapping of the intensities between the image's min and max. */
export class RandHistogramShift extends RandomizableTransform {
  static readonly OPTIONS = ['numControlPoints', 'prob'] as const;
  readonly numControlPoints: [number, number];
  referenceControlPoints: Float64Array | null = null;
  floatingControlPoints: Float64Array | null = null;
  constructor(options: RandHistogramShiftOptions = {}) {
    super();
    const who = 'RandHistogramShift';
    checkOptions(who, options, RandHistogramShift.OPTIONS);
    const n = options.numControlPoints ?? 10;
    if (typeof n === 'number') {
      if (int(who, 'numControlPoints', n) <= 2) throw new RangeError(`${who}: numControlPoints must be at least 3, got ${n}`);
      this.numControlPoints = [n, n];
    } else {
      if (!Array.isArray(n) || n.length !== 2) throw new TypeError(`${who}: numControlPoints must be a number or a pair [min, max], got ${JSON.stringify(n)}`);
      n.forEach((v, i) => int(who, `numControlPoints[${i}]`, v));
      if (Math.min(...n) <= 2) throw new RangeError(`${who}: numControlPoints must be at least 3, got ${JSON.stringify(n)}`);
      this.numControlPoints = [Math.min(...n), Math.max(...n)];
    }
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    const n = this.R.randint(this.numControlPoints[0], this.numControlPoints[1] + 1);
    this.referenceControlPoints = npLinspace(0, 1, n);
    const fl = this.referenceControlPoints.slice();
    for (let i = 1; i < n - 1; i++) fl[i] = this.R.uniform(fl[i - 1], fl[i + 1]);
    this.floatingControlPoints = fl;
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return img;
    const ref = this.referenceControlPoints;
    const fl = this.floatingControlPoints;
    if (ref === null || fl === null) throw new Error(`${this.name}: no control points drawn yet; call randomize() first or call with randomize: true`);
    const [lo, hi] = torch.tidy(() => [img.min().item(), img.max().item()]);
    if (lo === hi) {
      process.emitWarning(`${this.name}: the image's intensity is a single value ${lo}; returned unchanged`);
      return img;
    }
    return withMeta(img, (x) => {
      const mn = x.min();
      const span = x.max().sub(mn);
      const xp = torch.fromTypedArray(ref, [ref.length], 'float64').to({ dtype: x.dtype, device: x.device }).mul(span).add(mn);
      const yp = torch.fromTypedArray(fl, [fl.length], 'float64').to({ dtype: x.dtype, device: x.device }).mul(span).add(mn);
      return toDtype(shiftInterp(x, xp, yp), x.dtype);
    });
  }
}

export interface HistogramNormalizeOptions {
  /** histogram bins (default 256; integer images use one bin per value, as skimage does) */
  numBins?: number;
  /** output range (default 0..255) */
  min?: number;
  max?: number;
  /** only voxels where the mask is true build the histogram */
  mask?: Tensor | null;
  dtype?: DType | null;
}

/** Histogram equalization: each value mapped through the normalized cumulative histogram. */
export class HistogramNormalize extends Transform {
  static readonly OPTIONS = ['numBins', 'min', 'max', 'mask', 'dtype'] as const;
  readonly numBins: number;
  readonly min: number;
  readonly max: number;
  readonly mask: Tensor | null;
  readonly dtype: DType | null;
  constructor(options: HistogramNormalizeOptions = {}) {
    super();
    const who = 'HistogramNormalize';
    checkOptions(who, options, HistogramNormalize.OPTIONS);
    this.numBins = int(who, 'numBins', options.numBins ?? 256, 1);
    this.min = options.min ?? 0;
    this.max = options.max ?? 255;
    if (options.mask != null && !(options.mask instanceof Tensor)) throw new TypeError(`${who}: mask must be a Tensor, got ${describeValue(options.mask)}`);
    this.mask = options.mask ?? null;
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
  }
  call(img: Tensor, mask?: Tensor | null): Tensor {
    checkImage(img, this.name);
    const m = mask ?? this.mask;
    if (m !== null && m.shape.join() !== img.shape.join()) throw new RangeError(`${this.name}: the mask has shape [${m.shape.join(', ')}] but the image has [${img.shape.join(', ')}]`);
    return withMeta(img, (x) => {
      const r = isFloatingDtype(x.dtype) ? equalizeHist(x, m, this.numBins, this.min, this.max) : integerEqualize(x, m, this.min, this.max);
      return toDtype(r, this.dtype ?? x.dtype);
    });
  }
}

/** skimage's integer histogram: one bin per value from min to max, then the same mapping. */
function integerEqualize(x: Tensor, mask: Tensor | null, min: number, max: number): Tensor {
  return torch.tidy(() => {
    const vals = (mask ? x.maskedSelect(mask.to({ dtype: 'bool' })) : x).reshape([-1]).to({ dtype: 'int64' });
    const lo = vals.min().item();
    const hi = vals.max().item();
    const counts = vals.sub(lo).bincount({ minlength: hi - lo + 1 });
    const centres = torch.arange(lo, hi + 1, { dtype: 'float64', device: x.device });
    const cumT = counts.cumsum(0).to({ dtype: 'float32' });
    const cmin = cumT.min();
    const cmax = cumT.max();
    const cum = cmin.item() === cmax.item() ? cumT.mul(min) : cumT.sub(cmin).div(cmax.sub(cmin)).mul(max - min).add(min);
    return interpSorted(x.to({ dtype: 'float64' }), centres, cum.to({ dtype: 'float64' }), true);
  });
}


/**
 * skimage's histogram of a flat tensor: one bin per integer value for integer data, else numpy's `nbins`
 * equal bins over the data's range. Returns [counts (int64), bin centres (float64)].
 */
export function histogramOf(flat: Tensor, nbins: number): [Tensor, Tensor] {
  return torch.tidy(() => {
    if (!isFloatingDtype(flat.dtype)) {
      const v = flat.to({ dtype: 'int64' });
      const lo = v.min().item();
      const hi = v.max().item();
      return [v.sub(lo).bincount({ minlength: hi - lo + 1 }), torch.arange(lo, hi + 1, { dtype: 'float64', device: flat.device })];
    }
    const { counts, centres } = floatHistogram(flat, nbins);
    return [counts, centres.to({ dtype: 'float64' })];
  });
}

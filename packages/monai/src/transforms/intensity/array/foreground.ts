/** ForegroundMask (MONAI's intensity/array.py): thresholds in RGB and/or HSV, otsu/mean in torch ops. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { Transform, describeValue } from '../../transform.js';
import { bool, checkOptions } from '../args.js';
import { checkImage, isFloatingDtype, withMeta } from '../functional.js';
import { histogramOf } from './histogram.js';

/** A threshold: a number, a named method ('otsu', 'mean'), or a function of one channel. */
export type ThresholdSpec = number | 'otsu' | 'mean' | ((channel: Tensor) => number);
export type ThresholdDict = Partial<Record<'R' | 'G' | 'B' | 'H' | 'S' | 'V', ThresholdSpec>>;

export interface ForegroundMaskOptions {
  /** RGB threshold (values <= it are foreground): one for R, G and B, or a dict by channel (default 'otsu') */
  threshold?: ThresholdSpec | ThresholdDict | null;
  /** HSV threshold (values > it are foreground), likewise (default none) */
  hsvThreshold?: ThresholdSpec | ThresholdDict | null;
  /** invert the image first (skimage.util.invert) */
  invert?: boolean;
}

const METHODS = ['otsu', 'mean'] as const;

/** skimage's threshold_otsu: the bin centre maximizing the between-class variance of the (skimage) histogram. */
export function thresholdOtsu(x: Tensor, nbins = 256): number {
  return torch.tidy(() => {
    const flat = x.reshape([-1]);
    const first = flat.select(0, 0);
    if (flat.eq(first).all().item()) return first.item();
    const [counts0, centres] = histogramOf(flat, nbins);
    const counts = counts0.to({ dtype: 'float64' });
    const w1 = counts.cumsum(0);
    const w2 = counts.flip(0).cumsum(0).flip(0);
    const cc = counts.mul(centres);
    const m1 = cc.cumsum(0).div(w1);
    const m2 = cc.flip(0).cumsum(0).div(w2.flip(0)).flip(0);
    const n = counts.numel();
    const v = w1.narrow(0, 0, n - 1).mul(w2.narrow(0, 1, n - 1)).mul(m1.narrow(0, 0, n - 1).sub(m2.narrow(0, 1, n - 1)).pow(2));
    return centres.select(0, v.argmax().item()).item();
  });
}

function thresholdOf(spec: ThresholdSpec, chan: Tensor): number {
  if (typeof spec === 'number') return spec;
  if (typeof spec === 'function') return spec(chan);
  if (spec === 'otsu') return thresholdOtsu(chan);
  return torch.tidy(() => chan.to({ dtype: 'float64' }).mean().item());
}

/** skimage's rgb2hsv on (3, ...) channel-first data, in img_as_float's scale. */
function rgbToHsv(rgb: Tensor): Tensor {
  return torch.tidy(() => {
    let a = rgb;
    if (a.dtype === 'uint8') a = a.to({ dtype: 'float64' }).div(255);
    else if (!isFloatingDtype(a.dtype)) a = a.to({ dtype: 'float64' });
    const [r, g, b] = [a.select(0, 0), a.select(0, 1), a.select(0, 2)];
    const v = a.amax(0);
    const delta = v.sub(a.amin(0));
    const zeroDelta = delta.eq(0);
    const s = torch.where(zeroDelta, torch.zerosLike(v), delta.div(v));
    let h = torch.zerosLike(v);
    h = torch.where(r.eq(v), g.sub(b).div(delta), h);
    h = torch.where(g.eq(v), b.sub(r).div(delta).add(2), h);
    h = torch.where(b.eq(v), r.sub(g).div(delta).add(4), h);
    h = torch.where(zeroDelta, torch.zerosLike(h), h.div(6).remainder(1));
    const out = torch.stack([h, s, v]);
    return out.nanToNum({ nan: 0 });
  });
}

/** skimage.util.invert: not for bool, max - x for unsigned, -1 - x for signed integers, 1 - x for floats. */
function invertImage(x: Tensor): Tensor {
  if (x.dtype === 'bool') return x.logicalNot();
  if (x.dtype === 'uint8') return x.neg().add(255); // wraps to 255 - x
  if (isFloatingDtype(x.dtype)) return x.neg().add(1);
  return x.neg().sub(1);
}

/** The foreground of an RGB (or grayscale) image: dark in RGB (<= threshold) and/or saturated in HSV (> threshold). */
export class ForegroundMask extends Transform {
  static readonly OPTIONS = ['threshold', 'hsvThreshold', 'invert'] as const;
  readonly thresholds: Partial<Record<string, ThresholdSpec>> = {};
  readonly invert: boolean;
  constructor(options: ForegroundMaskOptions = {}) {
    super();
    const who = 'ForegroundMask';
    checkOptions(who, options, ForegroundMask.OPTIONS);
    const set = (spec: unknown, modes: string, option: string) => {
      if (spec === null || spec === undefined) return;
      const entries: [string, unknown][] = typeof spec === 'object' ? Object.entries(spec as object).map(([k, v]) => [k.toUpperCase(), v]) : [...modes].map((m) => [m, spec]);
      for (const [m, v] of entries) {
        if (!'RGBHSV'.includes(m) || m.length !== 1) throw new TypeError(`${who}: ${option} keys must be among R, G, B, H, S, V, got '${m}'`);
        if (typeof v === 'string' && !(METHODS as readonly string[]).includes(v)) throw new TypeError(`${who}: ${option} method must be one of ${METHODS.map((x) => `'${x}'`).join(', ')}, found '${v}'`);
        if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'function') throw new TypeError(`${who}: ${option} must be a number, a method name or a function, got ${describeValue(v)}`);
        this.thresholds[m] = v as ThresholdSpec;
      }
    };
    set(options.threshold === undefined ? 'otsu' : options.threshold, 'RGB', 'threshold');
    set(options.hsvThreshold, 'HSV', 'hsvThreshold');
    if (Object.keys(this.thresholds).length === 0) throw new TypeError(`${who}: a threshold for at least one of R, G, B, H, S, V is needed`);
    this.invert = bool(who, 'invert', options.invert, false);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x0) => {
      const x = this.invert ? invertImage(x0) : x0;
      const parts: Tensor[] = [];
      const has = (modes: string) => [...modes].some((m) => m in this.thresholds);
      const accumulate = (chans: Tensor, modes: string, above: boolean) => {
        let fg = torch.zerosLike(chans.narrow(0, 0, 1), { dtype: 'bool' });
        [...modes].forEach((m, i) => {
          if (i >= chans.shape[0] || !(m in this.thresholds)) return;
          const c = chans.select(0, i);
          const t = thresholdOf(this.thresholds[m] as ThresholdSpec, c);
          if (!t) return; // MONAI skips a falsy threshold (0)
          fg = fg.logicalOr(above ? c.gt(t) : c.le(t));
        });
        parts.push(fg);
      };
      if (has('RGB')) accumulate(x, 'RGB', false);
      if (has('HSV')) {
        if (x.shape[0] !== 3) throw new RangeError(`${this.name}: HSV thresholds need a 3-channel RGB image, got ${x.shape[0]} channels`);
        accumulate(rgbToHsv(x), 'HSV', true);
      }
      return torch.stack(parts).all(0).to({ dtype: x0.dtype });
    });
  }
}

/** IntensityRemap and RandIntensityRemap (MONAI's intensity/array.py): a random monotone-ish remapping curve. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { RandomizableTransform } from '../../transform.js';
import { bool, checkOptions, checkProb, int, num } from '../args.js';
import { checkImage, withMeta } from '../functional.js';

export interface IntensityRemapOptions {
  /** window of the moving average smoothing the random curve (default 30) */
  kernelSize?: number;
  /** slope of the linear component added to the curve (default 0.7) */
  slope?: number;
}

/**
 * Replaces each intensity by a curve over the image's distinct values: values drawn with replacement
 * from them, smoothed by a moving average, plus slope * position, rescaled to the image's range. Draws
 * from this transform's RandomState (MONAI's instances share the class-level state unless seeded).
 */
export class IntensityRemap extends RandomizableTransform {
  static readonly OPTIONS = ['kernelSize', 'slope'] as const;
  readonly kernelSize: number;
  readonly slope: number;
  constructor(options: IntensityRemapOptions = {}) {
    super();
    checkOptions('IntensityRemap', options, IntensityRemap.OPTIONS);
    this.kernelSize = int('IntensityRemap', 'kernelSize', options.kernelSize ?? 30, 1);
    this.slope = num('IntensityRemap', 'slope', options.slope ?? 0.7);
  }
  call(img: Tensor): Tensor {
    if (!(img instanceof Tensor)) checkImage(img, this.name);
    return withMeta(img, (x) => {
      const flat = x.reshape([-1]);
      const values = torch.uniqueConsecutive(flat.sort()[0])[0];
      const vals = Array.from(values.to({ dtype: 'float64' }).toTypedArray() as Float64Array);
      const drawn = this.R.choice(vals, { size: vals.length - 1 + this.kernelSize }) as number[];
      let curve = torch.avgPool1d(torch.fromTypedArray(Float64Array.from(drawn), [1, drawn.length], 'float64'), this.kernelSize, { stride: 1 }).squeeze();
      if (curve.dim() === 0) curve = curve.reshape([1]);
      const n = curve.numel();
      curve = curve.add(torch.arange(n).div(n).mul(this.slope));
      const lo = curve.min();
      curve = curve.sub(lo).div(curve.max().sub(lo)).mul(x.max()).add(x.min());
      // MONAI looks each value up among the distinct values as float32
      const idx = torch.bucketize(flat, values.to({ dtype: 'float32' }).to({ dtype: x.dtype }));
      return curve.gather(0, idx).reshape(x.shape).to({ dtype: x.dtype });
    });
  }
}

export interface RandIntensityRemapOptions extends IntensityRemapOptions {
  prob?: number;
  /** a separate curve (and slope sign) per channel (default true) */
  channelWise?: boolean;
}

/** IntensityRemap with the slope's sign drawn at random (per channel when channelWise). */
export class RandIntensityRemap extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'kernelSize', 'slope', 'channelWise'] as const;
  readonly kernelSize: number;
  readonly slope: number;
  readonly channelWise: boolean;
  constructor(options: RandIntensityRemapOptions = {}) {
    super();
    const who = 'RandIntensityRemap';
    checkOptions(who, options, RandIntensityRemap.OPTIONS);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.kernelSize = int(who, 'kernelSize', options.kernelSize ?? 30, 1);
    this.slope = num(who, 'slope', options.slope ?? 0.7);
    this.channelWise = bool(who, 'channelWise', options.channelWise, true);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    super.randomize();
    if (!this.doTransform) return img;
    const remap = (slope: number) => new IntensityRemap({ kernelSize: this.kernelSize, slope });
    const sign = () => this.R.choice([-this.slope, this.slope]) as number;
    if (!this.channelWise) return remap(sign()).call(img);
    return withMeta(img, (x) => torch.stack(Array.from({ length: x.shape[0] }, (_, i) => remap(sign()).call(x.select(0, i)))));
  }
}

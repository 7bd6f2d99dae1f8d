/** RandGaussianNoise and RandRicianNoise (MONAI's intensity/array.py): noise drawn from the transform's RandomState. */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { RandomizableTransform } from '../../transform.js';
import { bool, checkOptions, checkProb, num } from '../args.js';
import { checkDtype, checkImage, toDtype, withMeta } from '../functional.js';

export interface RandGaussianNoiseOptions {
  /** probability of adding noise (default 0.1) */
  prob?: number;
  mean?: number;
  /** standard deviation, or its upper bound when sampleStd (default 0.1) */
  std?: number;
  /** output dtype (default 'float32'; null keeps the input's) */
  dtype?: DType | null;
  /** draw the standard deviation uniformly from [0, std) on each call (default true) */
  sampleStd?: boolean;
}

/** Adds Gaussian noise: draws (std when sampleStd, then one normal per voxel) in MONAI's order. */
export class RandGaussianNoise extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'mean', 'std', 'dtype', 'sampleStd'] as const;
  readonly mean: number;
  readonly std: number;
  readonly dtype: DType | null;
  readonly sampleStd: boolean;
  /** the latest drawn noise (the image's shape; float32 when dtype is float32, as MONAI keeps it, else float64) */
  noise: { values: Float64Array | Float32Array; shape: number[] } | null = null;

  constructor(options: RandGaussianNoiseOptions = {}) {
    super();
    const who = 'RandGaussianNoise';
    checkOptions(who, options, RandGaussianNoise.OPTIONS);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.mean = num(who, 'mean', options.mean ?? 0);
    this.std = num(who, 'std', options.std ?? 0.1);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    this.sampleStd = bool(who, 'sampleStd', options.sampleStd, true);
  }

  override randomize(img?: unknown, mean?: number): void {
    super.randomize();
    if (!this.doTransform) return;
    checkImage(img, this.name);
    const std = this.sampleStd ? this.R.uniform(0, this.std) : this.std;
    // drawn natively straight into the stored dtype (float64 draws rounded once, as MONAI's astype)
    const t = this.R.normalTensor(mean ?? this.mean, std, img.shape, { dtype: this.dtype === 'float32' ? 'float32' : 'float64' });
    try {
      this.noise = { values: t.toTypedArray() as Float64Array | Float32Array, shape: img.shape.slice() };
    } finally {
      t.dispose();
    }
  }

  call(img: Tensor, options: { mean?: number; randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['mean', 'randomize']);
    if (options.randomize ?? true) this.randomize(img, options.mean ?? this.mean);
    if (!this.doTransform) return img;
    const noise = this.noise;
    if (noise === null) throw new Error(`${this.name}: no noise drawn yet; call randomize() first or call with randomize: true`);
    if (noise.shape.join() !== img.shape.join()) throw new RangeError(`${this.name}: the drawn noise has shape [${noise.shape.join(', ')}] but the image has [${img.shape.join(', ')}]`);
    return withMeta(img, (x) => {
      const y = toDtype(x, this.dtype);
      const n = torch.fromTypedArray(noise.values, noise.shape);
      return y.add(n.dtype === y.dtype && y.device === 'cpu' ? n : n.to({ dtype: y.dtype, device: y.device }));
    });
  }
}

export interface RandRicianNoiseOptions {
  prob?: number;
  /** mean of the two Gaussians; one per channel when channelWise */
  mean?: number | number[];
  /** standard deviation (upper bound when sampleStd); one per channel when channelWise */
  std?: number | number[];
  channelWise?: boolean;
  /** std is relative to the image's (or channel's) standard deviation */
  relative?: boolean;
  sampleStd?: boolean;
  dtype?: DType | null;
}

/** Rician noise: sqrt((x + n1)^2 + n2^2) with two Gaussian draws per voxel (per channel when channelWise). */
export class RandRicianNoise extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'mean', 'std', 'channelWise', 'relative', 'sampleStd', 'dtype'] as const;
  readonly mean: number | number[];
  readonly std: number | number[];
  readonly channelWise: boolean;
  readonly relative: boolean;
  readonly sampleStd: boolean;
  readonly dtype: DType | null;

  constructor(options: RandRicianNoiseOptions = {}) {
    super();
    const who = 'RandRicianNoise';
    checkOptions(who, options, RandRicianNoise.OPTIONS);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.mean = numbers(who, 'mean', options.mean ?? 0);
    this.std = numbers(who, 'std', options.std ?? 1);
    this.channelWise = bool(who, 'channelWise', options.channelWise, false);
    this.relative = bool(who, 'relative', options.relative, false);
    this.sampleStd = bool(who, 'sampleStd', options.sampleStd, true);
    this.dtype = checkDtype(options.dtype === undefined ? 'float32' : options.dtype, who);
    if (!this.channelWise && (Array.isArray(this.mean) || Array.isArray(this.std))) throw new TypeError(`${who}: mean and std must be numbers when channelWise is false, got mean=${JSON.stringify(this.mean)}, std=${JSON.stringify(this.std)}`);
  }

  /** n1, n2 like `d` (its shape, dtype and device), drawn as MONAI's _add_noise: (std), normal, normal. */
  private draw(d: Tensor, mean: number, std: number): [Tensor, Tensor] {
    const s = this.sampleStd ? this.R.uniform(0, std) : std;
    const one = () => {
      const t = this.R.normalTensor(mean, s, d.shape, { dtype: d.dtype === 'float32' ? 'float32' : 'float64' });
      return t.dtype === d.dtype && d.device === 'cpu' ? t : t.to({ dtype: d.dtype, device: d.device });
    };
    const n1 = one();
    return [n1, one()];
  }

  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) super.randomize();
    if (!this.doTransform) return withMeta(img, (x) => toDtype(x, this.dtype));
    return withMeta(img, (x0) => {
      const x = toDtype(x0, this.dtype);
      const rician = (d: Tensor, [n1, n2]: [Tensor, Tensor]) => d.add(n1).pow(2).add(n2.pow(2)).sqrt();
      if (!this.channelWise) {
        const std = this.relative ? (this.std as number) * x.std().item() : (this.std as number);
        return rician(x, this.draw(x, this.mean as number, std));
      }
      const c = x.shape[0];
      const means = perChannel(this.name, 'mean', this.mean, c);
      const stds = perChannel(this.name, 'std', this.std, c);
      const chans: Tensor[] = [];
      for (let i = 0; i < c; i++) {
        const d = x.select(0, i);
        // MONAI multiplies by the channel's std as a float32 tensor
        const std = this.relative ? Math.fround(stds[i] * d.std().item()) : stds[i];
        chans.push(rician(d, this.draw(d, means[i], std)).to({ dtype: x.dtype }));
      }
      return torch.stack(chans);
    });
  }
}

function numbers(who: string, option: string, v: unknown): number | number[] {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number')) return [...v];
  throw new TypeError(`${who}: ${option} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
}

/** MONAI's ensure_tuple_rep: a number repeated, or a list of exactly `n`. */
function perChannel(who: string, option: string, v: number | number[], n: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length === n) return v;
  if (v.length === 1) return new Array<number>(n).fill(v[0]);
  throw new RangeError(`${who}: ${option} has ${v.length} values but the image has ${n} channels`);
}

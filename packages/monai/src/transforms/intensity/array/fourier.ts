/** k-space artifacts (MONAI's intensity/array.py): Gibbs ringing and spikes, through torch.fft. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { RandomizableTransform, Transform } from '../../transform.js';
import { bool, checkOptions, checkProb, num } from '../args.js';
import { checkImage, invShiftFourier, shiftFourier, withMeta } from '../functional.js';

export interface GibbsNoiseOptions {
  /** 0 (identity) to 1: the fraction of k-space radius removed (default 0.1) */
  alpha?: number;
}

/** Keeps the centred k-space disc of radius (1 - alpha) * max(shape) * sqrt(2) / 2, giving Gibbs ringing. */
export class GibbsNoise extends Transform {
  static readonly OPTIONS = ['alpha'] as const;
  readonly alpha: number;
  constructor(options: GibbsNoiseOptions = {}) {
    super();
    checkOptions('GibbsNoise', options, GibbsNoise.OPTIONS);
    this.alpha = num('GibbsNoise', 'alpha', options.alpha ?? 0.1);
    if (this.alpha < 0 || this.alpha > 1) throw new RangeError(`GibbsNoise: alpha must be in [0, 1], got ${this.alpha}`);
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    return withMeta(img, (x) => {
      const spatial = x.shape.slice(1);
      const k = shiftFourier(x, spatial.length);
      const r = (1 - this.alpha) * Math.max(...spatial) * Math.SQRT2 / 2.0;
      // squared distance of each k-space sample from the centre, by broadcasting one axis at a time
      let d2: Tensor | null = null;
      spatial.forEach((s, i) => {
        const shape = spatial.map((_, j) => (j === i ? s : 1));
        const c = torch.arange(s, { dtype: 'float64', device: x.device }).sub((s - 1) / 2).pow(2).reshape(shape);
        d2 = d2 === null ? c : d2.add(c);
      });
      const mask = (d2 as unknown as Tensor).sqrt().le(r);
      return invShiftFourier(k.mul(mask), spatial.length);
    });
  }
}

export interface RandGibbsNoiseOptions {
  prob?: number;
  /** range of alpha in [0, 1]; a number a means [0, a] (default [0, 1]) */
  alpha?: number | [number, number];
}

/** GibbsNoise with alpha drawn uniformly from `alpha`. */
export class RandGibbsNoise extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'alpha'] as const;
  readonly alpha: [number, number];
  sampledAlpha = -1.0;
  constructor(options: RandGibbsNoiseOptions = {}) {
    super();
    const who = 'RandGibbsNoise';
    checkOptions(who, options, RandGibbsNoise.OPTIONS);
    const a = options.alpha ?? [0, 1];
    const r = typeof a === 'number' ? [0, a] : a;
    if (!Array.isArray(r) || r.length !== 2 || r.some((v) => typeof v !== 'number')) throw new TypeError(`${who}: alpha must be a number or a pair [a, b], got ${JSON.stringify(a)}`);
    if (r[1] > 1 || r[0] < 0) throw new RangeError(`${who}: alpha must lie in [0, 1], got ${JSON.stringify(a)}`);
    if (r[0] > r[1]) throw new RangeError(`${who}: alpha = [a, b] needs a <= b, got ${JSON.stringify(a)}`);
    this.alpha = [r[0], r[1]];
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
  }
  override randomize(_data?: unknown): void {
    super.randomize();
    if (this.doTransform) this.sampledAlpha = this.R.uniform(this.alpha[0], this.alpha[1]);
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize();
    if (!this.doTransform) return img;
    return new GibbsNoise({ alpha: this.sampledAlpha }).call(img);
  }
}

type Loc = number[];
/** A per-channel list of log-intensities (tensors when computed from the image). */
type Intensity = number | (number | Tensor)[] | Tensor;

export interface KSpaceSpikeNoiseOptions {
  /** spike location: spatial (all channels) or with the channel first; or a list of them */
  loc: Loc | Loc[];
  /** log-intensity of the spike(s): one number, or one per location (default: 2.5 x the channel's mean log-magnitude) */
  kIntensity?: number | number[] | null;
}

/** Sets k-space log-magnitude at the given locations (phase kept), giving herringbone spike artifacts. */
export class KSpaceSpikeNoise extends Transform {
  static readonly OPTIONS = ['loc', 'kIntensity'] as const;
  readonly loc: Loc | Loc[];
  readonly kIntensity: number | number[] | null;
  constructor(options: KSpaceSpikeNoiseOptions) {
    super();
    const who = 'KSpaceSpikeNoise';
    checkOptions(who, options, KSpaceSpikeNoise.OPTIONS, ['loc']);
    const loc = options.loc;
    const many = Array.isArray(loc) && loc.length > 0 && Array.isArray(loc[0]);
    const isLoc = (l: unknown) => Array.isArray(l) && l.length > 0 && l.every((v) => Number.isInteger(v) && v >= 0);
    if (many ? !(loc as unknown[]).every(isLoc) : !isLoc(loc)) throw new TypeError(`${who}: loc must be a location (non-negative integers) or a list of them, got ${JSON.stringify(loc)}`);
    this.loc = loc;
    const k = options.kIntensity ?? null;
    if (Array.isArray(k)) {
      if (!many) throw new TypeError(`${who}: a list of kIntensity values needs a list of locations in loc`);
      if (k.length !== (loc as Loc[]).length) throw new RangeError(`${who}: kIntensity has ${k.length} values but loc has ${(loc as Loc[]).length} locations`);
    } else if (k !== null && many) {
      throw new TypeError(`${who}: with a list of locations, kIntensity must give one value per location`);
    }
    this.kIntensity = k;
  }
  private checkIndices(shape: number[]): void {
    const locs = (Array.isArray(this.loc[0]) ? this.loc : [this.loc]) as Loc[];
    const full = locs.map((l) => (l.length < shape.length ? [0, ...l] : l));
    for (let i = 0; i < shape.length; i++) {
      if (full.some((l) => l[i] !== undefined && l[i] >= shape[i])) throw new RangeError(`${this.name}: a location in loc=${JSON.stringify(this.loc)} is out of bounds at position ${i} for an image of shape [${shape.join(', ')}]`);
    }
  }
  call(img: Tensor): Tensor {
    checkImage(img, this.name);
    this.checkIndices(img.shape);
    if (img.dim() < 3) throw new RangeError(`${this.name}: the image needs a channel and 2 or 3 spatial dimensions, got shape [${img.shape.join(', ')}]`);
    const many = Array.isArray(this.loc[0]);
    const minLen = many ? Math.min(...(this.loc as Loc[]).map((l) => l.length)) : (this.loc as Loc).length;
    if (img.dim() === 4 && minLen === 2) throw new RangeError(`${this.name}: 3D images need locations of length 3 or 4, got ${JSON.stringify(this.loc)}`);
    return withMeta(img, (x) => {
      const nd = x.dim() - 1;
      const k = shiftFourier(x, nd);
      const logAbs = k.abs().add(1e-10).log();
      const phase = k.angle();
      let kInt: Intensity;
      if (this.kIntensity === null) {
        const means = logAbs.mean(Array.from({ length: nd }, (_, i) => i - nd)).mul(2.5);
        kInt = Array.from({ length: x.shape[0] }, (_, c) => means.select(0, c));
      } else {
        kInt = this.kIntensity;
      }
      if (many) {
        const vals = Array.isArray(kInt) ? kInt : [kInt];
        (this.loc as Loc[]).forEach((l, i) => { if (i < vals.length) setSpike(logAbs, l, vals[i] as number | Tensor); });
      } else {
        setSpike(logAbs, this.loc as Loc, kInt);
      }
      // exp(log|k|) * exp(i * phase), as MONAI
      const rotor = torch.complex(torch.zerosLike(phase), phase).exp();
      return invShiftFourier(logAbs.exp().mul(rotor), nd).to({ dtype: x.dtype });
    });
  }
}

/** MONAI's _set_spike: a full index takes val (or val[channel]); a spatial index sets every channel. */
function setSpike(k: Tensor, idx: Loc, val: Intensity): void {
  const asT = (v: number | Tensor) => (v instanceof Tensor ? v.to({ dtype: k.dtype }) : v);
  if (k.dim() === idx.length) {
    const v = Array.isArray(val) ? val[idx[0]] : val;
    k.assign(asT(v as number | Tensor), ...idx);
  } else if (k.dim() === idx.length + 1) {
    if (Array.isArray(val)) {
      // one value per channel along k[:, idx]
      const vals = torch.stack(val.map((v) => (v instanceof Tensor ? v.to({ dtype: k.dtype }) : torch.tensor(v, { dtype: k.dtype, device: k.device }))));
      k.assign(vals, ':', ...idx);
    } else {
      k.assign(asT(val), ':', ...idx);
    }
  }
}

export interface RandKSpaceSpikeNoiseOptions {
  prob?: number;
  /** log-intensity range (low, high) for all channels, or one range per channel (default: 0.95x to 1.1x of 2.5 x the channel's mean log-magnitude) */
  intensityRange?: [number, number] | [number, number][] | null;
  /** a spike per channel at its own location (default true); else one location for all channels */
  channelWise?: boolean;
}

/** KSpaceSpikeNoise at random locations with random log-intensities. */
export class RandKSpaceSpikeNoise extends RandomizableTransform {
  static readonly OPTIONS = ['prob', 'intensityRange', 'channelWise'] as const;
  readonly intensityRange: [number, number] | [number, number][] | null;
  readonly channelWise: boolean;
  sampledKIntensity: number[] = [];
  sampledLocs: Loc[] = [];
  constructor(options: RandKSpaceSpikeNoiseOptions = {}) {
    super();
    const who = 'RandKSpaceSpikeNoise';
    checkOptions(who, options, RandKSpaceSpikeNoise.OPTIONS);
    this.intensityRange = options.intensityRange ?? null;
    this.channelWise = bool(who, 'channelWise', options.channelWise, true);
    const ir = this.intensityRange;
    if (ir !== null) {
      const nested = Array.isArray(ir[0]);
      const ok = nested ? (ir as unknown[]).every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number')) : ir.length === 2 && ir.every((v) => typeof v === 'number');
      if (!ok) throw new TypeError(`${who}: intensityRange must be a pair (low, high) or a list of pairs, got ${JSON.stringify(ir)}`);
      if (nested && !this.channelWise) throw new TypeError(`${who}: with channelWise false, intensityRange must be one pair (low, high) or null`);
    }
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
  }
  /** Per-channel ranges: given, repeated, or 0.95x..1.1x of 2.5 x each channel's mean log-magnitude (float32). */
  private ranges(img: Tensor): [number, number][] {
    const c = img.shape[0];
    const ir = this.intensityRange;
    if (ir === null) {
      return torch.tidy(() => {
        const nd = img.dim() - 1;
        const means = shiftFourier(img, nd).abs().add(1e-10).log().mean(Array.from({ length: nd }, (_, i) => i - nd)).mul(2.5);
        const lo = Array.from(means.mul(0.95).to({ dtype: 'float64' }).toTypedArray() as Float64Array);
        const hi = Array.from(means.mul(1.1).to({ dtype: 'float64' }).toTypedArray() as Float64Array);
        return lo.map((l, i) => [l, hi[i]] as [number, number]);
      });
    }
    if (!Array.isArray(ir[0])) return Array.from({ length: c }, () => ir as [number, number]);
    return ir as [number, number][];
  }
  override randomize(img?: unknown, ranges?: [number, number][]): void {
    super.randomize();
    if (!this.doTransform) return;
    checkImage(img, this.name);
    const r = ranges ?? this.ranges(img);
    const spatial = img.shape.slice(1);
    if (this.channelWise) {
      for (let i = 0; i < img.shape[0]; i++) {
        this.sampledLocs.push([i, ...spatial.map((s) => this.R.randint(0, s))]);
        this.sampledKIntensity.push(this.R.uniform(r[i][0], r[i][1]));
      }
    } else {
      const at = spatial.map((s) => this.R.randint(0, s));
      this.sampledLocs = Array.from({ length: img.shape[0] }, (_, i) => [i, ...at]);
      this.sampledKIntensity = r.map((p) => this.R.uniform(p[0], p[1]));
    }
  }
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    const ir = this.intensityRange;
    if (ir !== null && Array.isArray(ir[0]) && ir.length !== img.shape[0]) throw new RangeError(`${this.name}: intensityRange has ${ir.length} ranges but the image has ${img.shape[0]} channels (one (low, high) per channel)`);
    if (options.randomize ?? true) {
      this.sampledKIntensity = [];
      this.sampledLocs = [];
      const ranges = this.ranges(img);
      this.randomize(img, ranges);
    }
    if (!this.doTransform) return img;
    if (this.sampledLocs.length === 0) throw new Error(`${this.name}: no spikes drawn yet; call with randomize: true`);
    return new KSpaceSpikeNoise({ loc: this.sampledLocs, kIntensity: this.sampledKIntensity }).call(img);
  }
}

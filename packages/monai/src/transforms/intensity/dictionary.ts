/**
 * Dictionary intensity transforms (MONAI's monai/transforms/intensity/dictionary.py): each applies its array
 * transform to `keys`. Random ones draw `doTransform` from their own RandomState, then let the array
 * transform (seeded alike by setRandomState) draw its parameters once, from the first key, for all keys,
 * exactly as MONAI does; RandRicianNoised and RandKSpaceSpikeNoised draw anew for each key, as MONAI.
 */
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { RandomState } from '../../utils/random_state.js';
import { MapTransform, RandomizableMapTransform, Transform, checkProb, describeValue, perKey, type DataDict, type MapTransformOptions } from '../transform.js';
import * as A from './array/index.js';

const MAP_OPTIONS = ['keys', 'allowMissingKeys'] as const;

function pick(options: object, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if ((options as Record<string, unknown>)[n] !== undefined) out[n] = (options as Record<string, unknown>)[n];
  return out;
}

function tensorAt(d: DataDict, key: string, who: string): Tensor {
  const v = d[key];
  if (!(v instanceof Tensor)) throw new TypeError(`${who}: data['${key}'] must be a Tensor or MetaTensor, got ${describeValue(v)}`);
  return v;
}

/** Sets d[key] = f(key) for each key; if one fails, frees the results made so far (not the inputs) and rethrows. */
function applyKeys(d: DataDict, input: DataDict, keys: string[], f: (key: string) => unknown): void {
  const made: Tensor[] = [];
  try {
    for (const key of keys) {
      const r = f(key);
      d[key] = r;
      if (r instanceof Tensor && !Object.values(input).includes(r)) made.push(r);
    }
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTransform = Transform & { call(img: Tensor, ...rest: any[]): any };

/** A dictionary transform applying one array transform to every key. */
abstract class Wrapd<T extends AnyTransform> extends MapTransform {
  readonly transform: T;
  constructor(who: string, options: MapTransformOptions, arrayOptions: readonly string[], make: (o: Record<string, unknown>) => T, extra: readonly string[] = []) {
    checkOptions(who, options, [...arrayOptions, ...MAP_OPTIONS, ...extra], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.transform = make(pick(options, arrayOptions));
  }
  protected apply(img: Tensor, _key: string, _d: DataDict, _i: number): unknown {
    return this.transform.call(img);
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    const keys = [...this.keyIterator(d)].map(([k]) => k); // every key checked before any work
    applyKeys(d, data, keys, (key) => this.apply(tensorAt(d, key, this.name), key, d, this.keys.indexOf(key)));
    return d;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRandom = A.RandGaussianNoise | A.RandRicianNoise | A.RandShiftIntensity | A.RandStdShiftIntensity | A.RandScaleIntensity | A.RandScaleIntensityFixedMean | A.RandBiasField | A.RandAdjustContrast | A.RandGaussianSmooth | A.RandGaussianSharpen | A.RandHistogramShift | A.RandGibbsNoise | A.RandKSpaceSpikeNoise | A.RandCoarseDropout | A.RandCoarseShuffle;

/** A random dictionary transform: its own prob draw, then the array transform's parameters from the first key. */
abstract class RandWrapd<T extends AnyRandom> extends RandomizableMapTransform {
  readonly transform: T;
  constructor(who: string, options: MapTransformOptions & { prob?: number }, arrayOptions: readonly string[], make: (o: Record<string, unknown>) => T, extra: readonly string[] = []) {
    checkOptions(who, options, [...arrayOptions, 'prob', ...MAP_OPTIONS, ...extra], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.transform = make({ ...pick(options, arrayOptions), prob: 1.0 });
  }
  /** Seeds this transform and its array transform alike (MONAI's set_random_state override). */
  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    super.setRandomState(options);
    this.transform.setRandomState(options);
    return this;
  }
  /** Draws the array transform's parameters from the first present key (MONAI's order). */
  protected randomizeInner(first: Tensor): void {
    (this.transform.randomize as (d?: unknown) => void).call(this.transform, first);
  }
  /** Draw per key instead (MONAI's RandRicianNoised, RandKSpaceSpikeNoised). */
  protected readonly perKeyDraws: boolean = false;
  protected apply(img: Tensor, _key: string, _d: DataDict): unknown {
    return (this.transform.call as (i: Tensor, o: { randomize: boolean }) => unknown).call(this.transform, img, { randomize: this.perKeyDraws });
  }
  call(data: DataDict): DataDict {
    const d = { ...data };
    this.randomize();
    const keys = [...this.keyIterator(d)].map(([k]) => k);
    if (!this.doTransform || keys.length === 0) return d;
    if (!this.perKeyDraws) this.randomizeInner(tensorAt(d, keys[0], this.name));
    applyKeys(d, data, keys, (key) => this.apply(tensorAt(d, key, this.name), key, d));
    return d;
  }
}

type D<O> = O & MapTransformOptions;

/** The metadata dictionary of `key` (explicit meta key, else `${key}_${postfix}`), or undefined. */
function metaOf(d: DataDict, key: string, metaKey: string | null, postfix: string): Record<string, unknown> | undefined {
  const m = d[metaKey ?? `${key}_${postfix}`];
  return m !== null && typeof m === 'object' ? (m as Record<string, unknown>) : undefined;
}

interface FactorKeyOptions {
  /** key in each item's metadata dictionary whose value multiplies the offset (e.g. from IntensityStatsd) */
  factorKey?: string | null | (string | null)[];
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
}
const FACTOR_KEY_OPTIONS = ['factorKey', 'metaKeys', 'metaKeyPostfix'] as const;

function factorKeys(who: string, keys: string[], o: FactorKeyOptions): { factorKey: (string | null)[]; metaKeys: (string | null)[]; postfix: string } {
  const metaKeys = o.metaKeys == null ? keys.map(() => null) : Array.isArray(o.metaKeys) ? o.metaKeys : [o.metaKeys];
  if (metaKeys.length !== keys.length) throw new RangeError(`${who}: metaKeys must have one entry per key (${keys.length}), got ${metaKeys.length}`);
  return { factorKey: perKey(o.factorKey ?? null, keys.length, who, 'factorKey'), metaKeys, postfix: o.metaKeyPostfix ?? 'meta_dict' };
}

function factorOf(d: DataDict, key: string, i: number, f: ReturnType<typeof factorKeys>): number | null {
  const fk = f.factorKey[i];
  if (fk === null) return null;
  const v = metaOf(d, key, f.metaKeys[i], f.postfix)?.[fk];
  return typeof v === 'number' ? v : null;
}

export class RandGaussianNoised extends RandWrapd<A.RandGaussianNoise> {
  constructor(options: D<A.RandGaussianNoiseOptions>) {
    super('RandGaussianNoised', options, ['mean', 'std', 'dtype', 'sampleStd'], (o) => new A.RandGaussianNoise(o));
  }
}

export class RandRicianNoised extends RandWrapd<A.RandRicianNoise> {
  protected override readonly perKeyDraws = true;
  constructor(options: D<A.RandRicianNoiseOptions>) {
    super('RandRicianNoised', options, ['mean', 'std', 'channelWise', 'relative', 'sampleStd', 'dtype'], (o) => new A.RandRicianNoise(o));
  }
}

export class ShiftIntensityd extends Wrapd<A.ShiftIntensity> {
  private readonly factors: ReturnType<typeof factorKeys>;
  constructor(options: D<A.ShiftIntensityOptions & FactorKeyOptions>) {
    super('ShiftIntensityd', options, A.ShiftIntensity.OPTIONS, (o) => new A.ShiftIntensity(o as unknown as A.ShiftIntensityOptions), FACTOR_KEY_OPTIONS);
    this.factors = factorKeys(this.name, this.keys, options);
  }
  protected override apply(img: Tensor, key: string, d: DataDict, i: number): unknown {
    const f = factorOf(d, key, i, this.factors);
    return this.transform.call(img, f === null ? null : this.transform.offset * f);
  }
}

export class RandShiftIntensityd extends RandWrapd<A.RandShiftIntensity> {
  private readonly factors: ReturnType<typeof factorKeys>;
  constructor(options: D<A.RandShiftIntensityOptions & FactorKeyOptions>) {
    super('RandShiftIntensityd', options, ['offsets', 'safe', 'channelWise'], (o) => new A.RandShiftIntensity(o as unknown as A.RandShiftIntensityOptions), FACTOR_KEY_OPTIONS);
    this.factors = factorKeys(this.name, this.keys, options);
  }
  protected override apply(img: Tensor, key: string, d: DataDict): unknown {
    return this.transform.call(img, { factor: factorOf(d, key, this.keys.indexOf(key), this.factors), randomize: false });
  }
}

export class StdShiftIntensityd extends Wrapd<A.StdShiftIntensity> {
  constructor(options: D<A.StdShiftIntensityOptions>) {
    super('StdShiftIntensityd', options, A.StdShiftIntensity.OPTIONS, (o) => new A.StdShiftIntensity(o as unknown as A.StdShiftIntensityOptions));
  }
}

export class RandStdShiftIntensityd extends RandWrapd<A.RandStdShiftIntensity> {
  constructor(options: D<A.RandStdShiftIntensityOptions>) {
    super('RandStdShiftIntensityd', options, ['factors', 'nonzero', 'channelWise', 'dtype'], (o) => new A.RandStdShiftIntensity(o as unknown as A.RandStdShiftIntensityOptions));
  }
}

export class ScaleIntensityd extends Wrapd<A.ScaleIntensity> {
  constructor(options: D<A.ScaleIntensityOptions>) {
    super('ScaleIntensityd', options, A.ScaleIntensity.OPTIONS, (o) => new A.ScaleIntensity(o));
  }
}

export class RandScaleIntensityd extends RandWrapd<A.RandScaleIntensity> {
  constructor(options: D<A.RandScaleIntensityOptions>) {
    super('RandScaleIntensityd', options, ['factors', 'channelWise', 'dtype'], (o) => new A.RandScaleIntensity(o as unknown as A.RandScaleIntensityOptions));
  }
}

export class ScaleIntensityFixedMeand extends Wrapd<A.ScaleIntensityFixedMean> {
  constructor(options: D<A.ScaleIntensityFixedMeanOptions>) {
    super('ScaleIntensityFixedMeand', options, A.ScaleIntensityFixedMean.OPTIONS, (o) => new A.ScaleIntensityFixedMean(o));
  }
}

export class RandScaleIntensityFixedMeand extends RandWrapd<A.RandScaleIntensityFixedMean> {
  constructor(options: D<A.RandScaleIntensityFixedMeanOptions>) {
    super('RandScaleIntensityFixedMeand', options, ['factors', 'fixedMean', 'preserveRange', 'dtype'], (o) => new A.RandScaleIntensityFixedMean(o));
  }
}

export class RandBiasFieldd extends RandWrapd<A.RandBiasField> {
  constructor(options: D<A.RandBiasFieldOptions>) {
    super('RandBiasFieldd', options, ['degree', 'coeffRange', 'dtype'], (o) => new A.RandBiasField(o));
  }
  protected override randomizeInner(first: Tensor): void {
    this.transform.randomize(first.shape.slice(1));
  }
}

export class NormalizeIntensityd extends Wrapd<A.NormalizeIntensity> {
  constructor(options: D<A.NormalizeIntensityOptions>) {
    super('NormalizeIntensityd', options, A.NormalizeIntensity.OPTIONS, (o) => new A.NormalizeIntensity(o));
  }
}

export class ThresholdIntensityd extends Wrapd<A.ThresholdIntensity> {
  constructor(options: D<A.ThresholdIntensityOptions>) {
    super('ThresholdIntensityd', options, A.ThresholdIntensity.OPTIONS, (o) => new A.ThresholdIntensity(o as unknown as A.ThresholdIntensityOptions));
  }
}

export class ScaleIntensityRanged extends Wrapd<A.ScaleIntensityRange> {
  constructor(options: D<A.ScaleIntensityRangeOptions>) {
    super('ScaleIntensityRanged', options, A.ScaleIntensityRange.OPTIONS, (o) => new A.ScaleIntensityRange(o as unknown as A.ScaleIntensityRangeOptions));
  }
}

export class ClipIntensityPercentilesd extends Wrapd<A.ClipIntensityPercentiles> {
  constructor(options: D<A.ClipIntensityPercentilesOptions>) {
    super('ClipIntensityPercentilesd', options, ['lower', 'upper', 'sharpnessFactor', 'channelWise', 'dtype'], (o) => new A.ClipIntensityPercentiles({ lower: null, upper: null, ...o }));
  }
}

export class AdjustContrastd extends Wrapd<A.AdjustContrast> {
  constructor(options: D<A.AdjustContrastOptions>) {
    super('AdjustContrastd', options, A.AdjustContrast.OPTIONS, (o) => new A.AdjustContrast(o as unknown as A.AdjustContrastOptions));
  }
}

export class RandAdjustContrastd extends RandWrapd<A.RandAdjustContrast> {
  constructor(options: D<A.RandAdjustContrastOptions>) {
    super('RandAdjustContrastd', options, ['gamma', 'invertImage', 'retainStats'], (o) => new A.RandAdjustContrast(o));
  }
}

export class ScaleIntensityRangePercentilesd extends Wrapd<A.ScaleIntensityRangePercentiles> {
  constructor(options: D<A.ScaleIntensityRangePercentilesOptions>) {
    super('ScaleIntensityRangePercentilesd', options, A.ScaleIntensityRangePercentiles.OPTIONS, (o) => new A.ScaleIntensityRangePercentiles(o as unknown as A.ScaleIntensityRangePercentilesOptions));
  }
}

export class MaskIntensityd extends Wrapd<A.MaskIntensity> {
  readonly maskKey: string | null;
  constructor(options: D<A.MaskIntensityOptions & { maskKey?: string | null }>) {
    super('MaskIntensityd', options, A.MaskIntensity.OPTIONS, (o) => new A.MaskIntensity(o), ['maskKey']);
    this.maskKey = options.maskData == null ? (options.maskKey ?? null) : null;
  }
  protected override apply(img: Tensor, _key: string, d: DataDict): unknown {
    if (this.maskKey === null) return this.transform.call(img);
    if (!(this.maskKey in d)) throw new TypeError(`${this.name}: maskKey '${this.maskKey}' is not in the data (keys: ${Object.keys(d).join(', ')})`);
    return this.transform.call(img, tensorAt(d, this.maskKey, this.name));
  }
}

export class GaussianSmoothd extends Wrapd<A.GaussianSmooth> {
  constructor(options: D<A.GaussianSmoothOptions>) {
    super('GaussianSmoothd', options, A.GaussianSmooth.OPTIONS, (o) => new A.GaussianSmooth(o));
  }
}

export class RandGaussianSmoothd extends RandWrapd<A.RandGaussianSmooth> {
  constructor(options: D<A.RandGaussianSmoothOptions>) {
    super('RandGaussianSmoothd', options, ['sigmaX', 'sigmaY', 'sigmaZ', 'approx'], (o) => new A.RandGaussianSmooth(o));
  }
}

export class GaussianSharpend extends Wrapd<A.GaussianSharpen> {
  constructor(options: D<A.GaussianSharpenOptions>) {
    super('GaussianSharpend', options, A.GaussianSharpen.OPTIONS, (o) => new A.GaussianSharpen(o));
  }
}

export class RandGaussianSharpend extends RandWrapd<A.RandGaussianSharpen> {
  constructor(options: D<A.RandGaussianSharpenOptions>) {
    super('RandGaussianSharpend', options, ['sigma1X', 'sigma1Y', 'sigma1Z', 'sigma2X', 'sigma2Y', 'sigma2Z', 'alpha', 'approx'], (o) => new A.RandGaussianSharpen(o));
  }
}

export class RandHistogramShiftd extends RandWrapd<A.RandHistogramShift> {
  constructor(options: D<A.RandHistogramShiftOptions>) {
    super('RandHistogramShiftd', options, ['numControlPoints'], (o) => new A.RandHistogramShift(o));
  }
}

export class GibbsNoised extends Wrapd<A.GibbsNoise> {
  constructor(options: D<A.GibbsNoiseOptions>) {
    super('GibbsNoised', options, A.GibbsNoise.OPTIONS, (o) => new A.GibbsNoise(o));
  }
}

export class RandGibbsNoised extends RandWrapd<A.RandGibbsNoise> {
  constructor(options: D<A.RandGibbsNoiseOptions>) {
    super('RandGibbsNoised', options, ['alpha'], (o) => new A.RandGibbsNoise(o));
  }
}

export class KSpaceSpikeNoised extends Wrapd<A.KSpaceSpikeNoise> {
  constructor(options: D<A.KSpaceSpikeNoiseOptions>) {
    super('KSpaceSpikeNoised', options, A.KSpaceSpikeNoise.OPTIONS, (o) => new A.KSpaceSpikeNoise(o as unknown as A.KSpaceSpikeNoiseOptions));
  }
}

export class RandKSpaceSpikeNoised extends RandWrapd<A.RandKSpaceSpikeNoise> {
  protected override readonly perKeyDraws = true;
  constructor(options: D<A.RandKSpaceSpikeNoiseOptions>) {
    super('RandKSpaceSpikeNoised', options, ['intensityRange', 'channelWise'], (o) => new A.RandKSpaceSpikeNoise(o));
  }
}

export class RandCoarseDropoutd extends RandWrapd<A.RandCoarseDropout> {
  constructor(options: D<A.RandCoarseDropoutOptions>) {
    super('RandCoarseDropoutd', options, ['holes', 'spatialSize', 'dropoutHoles', 'fillValue', 'maxHoles', 'maxSpatialSize'], (o) => new A.RandCoarseDropout(o as unknown as A.RandCoarseDropoutOptions));
  }
  protected override randomizeInner(first: Tensor): void {
    this.transform.randomize(first.shape.slice(1));
  }
}

export class RandCoarseShuffled extends RandWrapd<A.RandCoarseShuffle> {
  constructor(options: D<A.RandCoarseShuffleOptions>) {
    super('RandCoarseShuffled', options, ['holes', 'spatialSize', 'maxHoles', 'maxSpatialSize'], (o) => new A.RandCoarseShuffle(o as unknown as A.RandCoarseShuffleOptions));
  }
  protected override randomizeInner(first: Tensor): void {
    this.transform.randomize(first.shape.slice(1));
  }
}

export class HistogramNormalized extends Wrapd<A.HistogramNormalize> {
  readonly maskKey: string | null;
  constructor(options: D<A.HistogramNormalizeOptions & { maskKey?: string | null }>) {
    super('HistogramNormalized', options, A.HistogramNormalize.OPTIONS, (o) => new A.HistogramNormalize(o), ['maskKey']);
    this.maskKey = options.mask == null ? (options.maskKey ?? null) : null;
  }
  protected override apply(img: Tensor, _key: string, d: DataDict): unknown {
    if (this.maskKey === null) return this.transform.call(img);
    if (!(this.maskKey in d)) throw new TypeError(`${this.name}: maskKey '${this.maskKey}' is not in the data (keys: ${Object.keys(d).join(', ')})`);
    return this.transform.call(img, tensorAt(d, this.maskKey, this.name));
  }
}

export interface IntensityStatsdOptions extends A.IntensityStatsOptions {
  /** per key: a key of a bool mask in the item (null: no mask) */
  maskKeys?: string | (string | null)[] | null;
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
}

/** Writes intensity statistics of each key into its metadata dictionary (`${key}_meta_dict` by default). */
export class IntensityStatsd extends Wrapd<A.IntensityStats> {
  private readonly maskKeys: (string | null)[];
  private readonly metaKeys: (string | null)[];
  private readonly postfix: string;
  constructor(options: D<IntensityStatsdOptions>) {
    super('IntensityStatsd', options, A.IntensityStats.OPTIONS, (o) => new A.IntensityStats(o as unknown as A.IntensityStatsOptions), ['maskKeys', 'metaKeys', 'metaKeyPostfix']);
    this.maskKeys = options.maskKeys == null ? this.keys.map(() => null) : perKey(options.maskKeys, this.keys.length, this.name, 'maskKeys');
    const mk = options.metaKeys == null ? this.keys.map(() => null) : Array.isArray(options.metaKeys) ? options.metaKeys : [options.metaKeys];
    if (mk.length !== this.keys.length) throw new RangeError(`${this.name}: metaKeys must have one entry per key (${this.keys.length}), got ${mk.length}`);
    this.metaKeys = mk;
    this.postfix = options.metaKeyPostfix ?? 'meta_dict';
  }
  protected override apply(img: Tensor, key: string, d: DataDict, i: number): unknown {
    const metaKey = this.metaKeys[i] ?? `${key}_${this.postfix}`;
    const maskKey = this.maskKeys[i];
    const mask = maskKey === null ? null : tensorAt(d, maskKey, this.name);
    const [out, meta] = this.transform.call(img, metaOf(d, key, this.metaKeys[i], this.postfix), mask);
    d[metaKey] = meta;
    return out;
  }
}


export class SavitzkyGolaySmoothd extends Wrapd<A.SavitzkyGolaySmooth> {
  constructor(options: D<A.SavitzkyGolaySmoothOptions>) {
    super('SavitzkyGolaySmoothd', options, A.SavitzkyGolaySmooth.OPTIONS, (o) => new A.SavitzkyGolaySmooth(o as unknown as A.SavitzkyGolaySmoothOptions));
  }
}

/** A Wrapd writing each result to `${newKeyPrefix}${key}` (the key itself when the prefix is null). */
abstract class NewKeyWrapd<T extends AnyTransform> extends Wrapd<T> {
  abstract readonly newKeyPrefix: string | null;
  override call(data: DataDict): DataDict {
    const d = { ...data };
    const keys = [...this.keyIterator(d)].map(([k]) => k);
    const made: Tensor[] = [];
    try {
      for (const key of keys) {
        const r = this.transform.call(tensorAt(d, key, this.name)) as Tensor;
        made.push(r);
        d[this.newKeyPrefix === null ? key : `${this.newKeyPrefix}${key}`] = r;
      }
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
    return d;
  }
}

export class ComputeHoVerMapsd extends NewKeyWrapd<A.ComputeHoVerMaps> {
  readonly newKeyPrefix: string | null;
  constructor(options: D<A.ComputeHoVerMapsOptions & { newKeyPrefix?: string | null }>) {
    super('ComputeHoVerMapsd', options, A.ComputeHoVerMaps.OPTIONS, (o) => new A.ComputeHoVerMaps(o), ['newKeyPrefix']);
    this.newKeyPrefix = options.newKeyPrefix === undefined ? 'hover_' : options.newKeyPrefix;
  }
}

export class ForegroundMaskd extends NewKeyWrapd<A.ForegroundMask> {
  readonly newKeyPrefix: string | null;
  constructor(options: D<A.ForegroundMaskOptions & { newKeyPrefix?: string | null }>) {
    super('ForegroundMaskd', options, A.ForegroundMask.OPTIONS, (o) => new A.ForegroundMask(o), ['newKeyPrefix']);
    this.newKeyPrefix = options.newKeyPrefix ?? null;
  }
}

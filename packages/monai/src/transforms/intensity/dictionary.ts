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
import { RandGaussianNoise, RandRicianNoise, type RandGaussianNoiseOptions, type RandRicianNoiseOptions } from './array/noise.js';
import { RandBiasField, RandScaleIntensity, RandScaleIntensityFixedMean, RandShiftIntensity, RandStdShiftIntensity, ScaleIntensity, ScaleIntensityFixedMean, ShiftIntensity, StdShiftIntensity, type RandBiasFieldOptions, type RandScaleIntensityFixedMeanOptions, type RandScaleIntensityOptions, type RandShiftIntensityOptions, type RandStdShiftIntensityOptions, type ScaleIntensityFixedMeanOptions, type ScaleIntensityOptions, type ShiftIntensityOptions, type StdShiftIntensityOptions } from './array/shift_scale.js';
import { AdjustContrast, ClipIntensityPercentiles, MaskIntensity, NormalizeIntensity, RandAdjustContrast, ScaleIntensityRange, ScaleIntensityRangePercentiles, ThresholdIntensity, type AdjustContrastOptions, type ClipIntensityPercentilesOptions, type MaskIntensityOptions, type NormalizeIntensityOptions, type RandAdjustContrastOptions, type ScaleIntensityRangeOptions, type ScaleIntensityRangePercentilesOptions, type ThresholdIntensityOptions } from './array/normalize.js';
import { GaussianSharpen, GaussianSmooth, RandGaussianSharpen, RandGaussianSmooth, SavitzkyGolaySmooth, type GaussianSharpenOptions, type GaussianSmoothOptions, type RandGaussianSharpenOptions, type RandGaussianSmoothOptions, type SavitzkyGolaySmoothOptions } from './array/smooth.js';
import { HistogramNormalize, RandHistogramShift, type HistogramNormalizeOptions, type RandHistogramShiftOptions } from './array/histogram.js';
import { GibbsNoise, KSpaceSpikeNoise, RandGibbsNoise, RandKSpaceSpikeNoise, type GibbsNoiseOptions, type KSpaceSpikeNoiseOptions, type RandGibbsNoiseOptions, type RandKSpaceSpikeNoiseOptions } from './array/fourier.js';
import { RandCoarseDropout, RandCoarseShuffle, type RandCoarseDropoutOptions, type RandCoarseShuffleOptions } from './array/coarse.js';
import { IntensityStats, type IntensityStatsOptions } from './array/stats.js';
import { ComputeHoVerMaps, type ComputeHoVerMapsOptions } from './array/hover.js';
import { ForegroundMask, type ForegroundMaskOptions } from './array/foreground.js';
import { MedianSmooth, type MedianSmoothOptions } from './array/filters.js';

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

/** Builds the array transform, naming the dictionary transform (`who`) in option errors instead of the array one. */
function asDict<T>(who: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    const arrayName = who.slice(0, -1);
    if (e instanceof Error && e.message.startsWith(`${arrayName}: `)) e.message = `${who}: ${e.message.slice(arrayName.length + 2)}`;
    throw e;
  }
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

type AnyTransform = Transform & { call(img: Tensor, ...rest: never[]): unknown };

/** A dictionary transform applying one array transform to every key. */
abstract class Wrapd<T extends AnyTransform> extends MapTransform {
  readonly transform: T;
  constructor(who: string, options: MapTransformOptions, arrayOptions: readonly string[], make: (o: Record<string, unknown>) => T, extra: readonly string[] = []) {
    checkOptions(who, options, [...arrayOptions, ...MAP_OPTIONS, ...extra], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.transform = asDict(who, () => make(pick(options, arrayOptions)));
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
type AnyRandom = RandGaussianNoise | RandRicianNoise | RandShiftIntensity | RandStdShiftIntensity | RandScaleIntensity | RandScaleIntensityFixedMean | RandBiasField | RandAdjustContrast | RandGaussianSmooth | RandGaussianSharpen | RandHistogramShift | RandGibbsNoise | RandKSpaceSpikeNoise | RandCoarseDropout | RandCoarseShuffle;

/** A random dictionary transform: its own prob draw, then the array transform's parameters from the first key. */
abstract class RandWrapd<T extends AnyRandom> extends RandomizableMapTransform {
  readonly transform: T;
  constructor(who: string, options: MapTransformOptions & { prob?: number }, arrayOptions: readonly string[], make: (o: Record<string, unknown>) => T, extra: readonly string[] = []) {
    checkOptions(who, options, [...arrayOptions, 'prob', ...MAP_OPTIONS, ...extra], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
    this.transform = asDict(who, () => make({ ...pick(options, arrayOptions), prob: 1.0 }));
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

export class RandGaussianNoised extends RandWrapd<RandGaussianNoise> {
  constructor(options: D<RandGaussianNoiseOptions>) {
    super('RandGaussianNoised', options, ['mean', 'std', 'dtype', 'sampleStd'], (o) => new RandGaussianNoise(o));
  }
}

export class RandRicianNoised extends RandWrapd<RandRicianNoise> {
  protected override readonly perKeyDraws = true;
  constructor(options: D<RandRicianNoiseOptions>) {
    super('RandRicianNoised', options, ['mean', 'std', 'channelWise', 'relative', 'sampleStd', 'dtype'], (o) => new RandRicianNoise(o));
  }
}

export class ShiftIntensityd extends Wrapd<ShiftIntensity> {
  private readonly factors: ReturnType<typeof factorKeys>;
  constructor(options: D<ShiftIntensityOptions & FactorKeyOptions>) {
    super('ShiftIntensityd', options, ShiftIntensity.OPTIONS, (o) => new ShiftIntensity(o as unknown as ShiftIntensityOptions), FACTOR_KEY_OPTIONS);
    this.factors = factorKeys(this.name, this.keys, options);
  }
  protected override apply(img: Tensor, key: string, d: DataDict, i: number): unknown {
    const f = factorOf(d, key, i, this.factors);
    return this.transform.call(img, f === null ? null : this.transform.offset * f);
  }
}

export class RandShiftIntensityd extends RandWrapd<RandShiftIntensity> {
  private readonly factors: ReturnType<typeof factorKeys>;
  constructor(options: D<RandShiftIntensityOptions & FactorKeyOptions>) {
    super('RandShiftIntensityd', options, ['offsets', 'safe', 'channelWise'], (o) => new RandShiftIntensity(o as unknown as RandShiftIntensityOptions), FACTOR_KEY_OPTIONS);
    this.factors = factorKeys(this.name, this.keys, options);
  }
  protected override apply(img: Tensor, key: string, d: DataDict): unknown {
    return this.transform.call(img, { factor: factorOf(d, key, this.keys.indexOf(key), this.factors), randomize: false });
  }
}

export class StdShiftIntensityd extends Wrapd<StdShiftIntensity> {
  constructor(options: D<StdShiftIntensityOptions>) {
    super('StdShiftIntensityd', options, StdShiftIntensity.OPTIONS, (o) => new StdShiftIntensity(o as unknown as StdShiftIntensityOptions));
  }
}

export class RandStdShiftIntensityd extends RandWrapd<RandStdShiftIntensity> {
  constructor(options: D<RandStdShiftIntensityOptions>) {
    super('RandStdShiftIntensityd', options, ['factors', 'nonzero', 'channelWise', 'dtype'], (o) => new RandStdShiftIntensity(o as unknown as RandStdShiftIntensityOptions));
  }
}

export class ScaleIntensityd extends Wrapd<ScaleIntensity> {
  constructor(options: D<ScaleIntensityOptions>) {
    super('ScaleIntensityd', options, ScaleIntensity.OPTIONS, (o) => new ScaleIntensity(o));
  }
}

export class RandScaleIntensityd extends RandWrapd<RandScaleIntensity> {
  constructor(options: D<RandScaleIntensityOptions>) {
    super('RandScaleIntensityd', options, ['factors', 'channelWise', 'dtype'], (o) => new RandScaleIntensity(o as unknown as RandScaleIntensityOptions));
  }
}

export class ScaleIntensityFixedMeand extends Wrapd<ScaleIntensityFixedMean> {
  constructor(options: D<ScaleIntensityFixedMeanOptions>) {
    super('ScaleIntensityFixedMeand', options, ScaleIntensityFixedMean.OPTIONS, (o) => new ScaleIntensityFixedMean(o));
  }
}

export class RandScaleIntensityFixedMeand extends RandWrapd<RandScaleIntensityFixedMean> {
  constructor(options: D<RandScaleIntensityFixedMeanOptions>) {
    super('RandScaleIntensityFixedMeand', options, ['factors', 'fixedMean', 'preserveRange', 'dtype'], (o) => new RandScaleIntensityFixedMean(o));
  }
}

export class RandBiasFieldd extends RandWrapd<RandBiasField> {
  constructor(options: D<RandBiasFieldOptions>) {
    super('RandBiasFieldd', options, ['degree', 'coeffRange', 'dtype'], (o) => new RandBiasField(o));
  }
  protected override randomizeInner(first: Tensor): void {
    this.transform.randomize(first.shape.slice(1));
  }
}

export class NormalizeIntensityd extends Wrapd<NormalizeIntensity> {
  constructor(options: D<NormalizeIntensityOptions>) {
    super('NormalizeIntensityd', options, NormalizeIntensity.OPTIONS, (o) => new NormalizeIntensity(o));
  }
}

export class ThresholdIntensityd extends Wrapd<ThresholdIntensity> {
  constructor(options: D<ThresholdIntensityOptions>) {
    super('ThresholdIntensityd', options, ThresholdIntensity.OPTIONS, (o) => new ThresholdIntensity(o as unknown as ThresholdIntensityOptions));
  }
}

export class ScaleIntensityRanged extends Wrapd<ScaleIntensityRange> {
  constructor(options: D<ScaleIntensityRangeOptions>) {
    super('ScaleIntensityRanged', options, ScaleIntensityRange.OPTIONS, (o) => new ScaleIntensityRange(o as unknown as ScaleIntensityRangeOptions));
  }
}

export class ClipIntensityPercentilesd extends Wrapd<ClipIntensityPercentiles> {
  constructor(options: D<ClipIntensityPercentilesOptions>) {
    super('ClipIntensityPercentilesd', options, ['lower', 'upper', 'sharpnessFactor', 'channelWise', 'dtype'], (o) => new ClipIntensityPercentiles({ lower: null, upper: null, ...o }));
  }
}

export class AdjustContrastd extends Wrapd<AdjustContrast> {
  constructor(options: D<AdjustContrastOptions>) {
    super('AdjustContrastd', options, AdjustContrast.OPTIONS, (o) => new AdjustContrast(o as unknown as AdjustContrastOptions));
  }
}

export class RandAdjustContrastd extends RandWrapd<RandAdjustContrast> {
  constructor(options: D<RandAdjustContrastOptions>) {
    super('RandAdjustContrastd', options, ['gamma', 'invertImage', 'retainStats'], (o) => new RandAdjustContrast(o));
  }
}

export class ScaleIntensityRangePercentilesd extends Wrapd<ScaleIntensityRangePercentiles> {
  constructor(options: D<ScaleIntensityRangePercentilesOptions>) {
    super('ScaleIntensityRangePercentilesd', options, ScaleIntensityRangePercentiles.OPTIONS, (o) => new ScaleIntensityRangePercentiles(o as unknown as ScaleIntensityRangePercentilesOptions));
  }
}

export class MaskIntensityd extends Wrapd<MaskIntensity> {
  readonly maskKey: string | null;
  constructor(options: D<MaskIntensityOptions & { maskKey?: string | null }>) {
    super('MaskIntensityd', options, MaskIntensity.OPTIONS, (o) => new MaskIntensity(o), ['maskKey']);
    this.maskKey = options.maskData == null ? (options.maskKey ?? null) : null;
  }
  protected override apply(img: Tensor, _key: string, d: DataDict): unknown {
    if (this.maskKey === null) return this.transform.call(img);
    if (!(this.maskKey in d)) throw new TypeError(`${this.name}: maskKey '${this.maskKey}' is not in the data (keys: ${Object.keys(d).join(', ')})`);
    return this.transform.call(img, tensorAt(d, this.maskKey, this.name));
  }
}

export class GaussianSmoothd extends Wrapd<GaussianSmooth> {
  constructor(options: D<GaussianSmoothOptions>) {
    super('GaussianSmoothd', options, GaussianSmooth.OPTIONS, (o) => new GaussianSmooth(o));
  }
}

export class RandGaussianSmoothd extends RandWrapd<RandGaussianSmooth> {
  constructor(options: D<RandGaussianSmoothOptions>) {
    super('RandGaussianSmoothd', options, ['sigmaX', 'sigmaY', 'sigmaZ', 'approx'], (o) => new RandGaussianSmooth(o));
  }
}

export class GaussianSharpend extends Wrapd<GaussianSharpen> {
  constructor(options: D<GaussianSharpenOptions>) {
    super('GaussianSharpend', options, GaussianSharpen.OPTIONS, (o) => new GaussianSharpen(o));
  }
}

export class RandGaussianSharpend extends RandWrapd<RandGaussianSharpen> {
  constructor(options: D<RandGaussianSharpenOptions>) {
    super('RandGaussianSharpend', options, ['sigma1X', 'sigma1Y', 'sigma1Z', 'sigma2X', 'sigma2Y', 'sigma2Z', 'alpha', 'approx'], (o) => new RandGaussianSharpen(o));
  }
}

export class RandHistogramShiftd extends RandWrapd<RandHistogramShift> {
  constructor(options: D<RandHistogramShiftOptions>) {
    super('RandHistogramShiftd', options, ['numControlPoints'], (o) => new RandHistogramShift(o));
  }
}

export class GibbsNoised extends Wrapd<GibbsNoise> {
  constructor(options: D<GibbsNoiseOptions>) {
    super('GibbsNoised', options, GibbsNoise.OPTIONS, (o) => new GibbsNoise(o));
  }
}

export class RandGibbsNoised extends RandWrapd<RandGibbsNoise> {
  constructor(options: D<RandGibbsNoiseOptions>) {
    super('RandGibbsNoised', options, ['alpha'], (o) => new RandGibbsNoise(o));
  }
}

export class KSpaceSpikeNoised extends Wrapd<KSpaceSpikeNoise> {
  constructor(options: D<KSpaceSpikeNoiseOptions>) {
    super('KSpaceSpikeNoised', options, KSpaceSpikeNoise.OPTIONS, (o) => new KSpaceSpikeNoise(o as unknown as KSpaceSpikeNoiseOptions));
  }
}

export class RandKSpaceSpikeNoised extends RandWrapd<RandKSpaceSpikeNoise> {
  protected override readonly perKeyDraws = true;
  constructor(options: D<RandKSpaceSpikeNoiseOptions>) {
    super('RandKSpaceSpikeNoised', options, ['intensityRange', 'channelWise'], (o) => new RandKSpaceSpikeNoise(o));
  }
}

export class RandCoarseDropoutd extends RandWrapd<RandCoarseDropout> {
  constructor(options: D<RandCoarseDropoutOptions>) {
    super('RandCoarseDropoutd', options, ['holes', 'spatialSize', 'dropoutHoles', 'fillValue', 'maxHoles', 'maxSpatialSize'], (o) => new RandCoarseDropout(o as unknown as RandCoarseDropoutOptions));
  }
  protected override randomizeInner(first: Tensor): void {
    this.transform.randomize(first.shape.slice(1));
  }
}

export class RandCoarseShuffled extends RandWrapd<RandCoarseShuffle> {
  constructor(options: D<RandCoarseShuffleOptions>) {
    super('RandCoarseShuffled', options, ['holes', 'spatialSize', 'maxHoles', 'maxSpatialSize'], (o) => new RandCoarseShuffle(o as unknown as RandCoarseShuffleOptions));
  }
  protected override randomizeInner(first: Tensor): void {
    this.transform.randomize(first.shape.slice(1));
  }
}

export class HistogramNormalized extends Wrapd<HistogramNormalize> {
  readonly maskKey: string | null;
  constructor(options: D<HistogramNormalizeOptions & { maskKey?: string | null }>) {
    super('HistogramNormalized', options, HistogramNormalize.OPTIONS, (o) => new HistogramNormalize(o), ['maskKey']);
    this.maskKey = options.mask == null ? (options.maskKey ?? null) : null;
  }
  protected override apply(img: Tensor, _key: string, d: DataDict): unknown {
    if (this.maskKey === null) return this.transform.call(img);
    if (!(this.maskKey in d)) throw new TypeError(`${this.name}: maskKey '${this.maskKey}' is not in the data (keys: ${Object.keys(d).join(', ')})`);
    return this.transform.call(img, tensorAt(d, this.maskKey, this.name));
  }
}

export interface IntensityStatsdOptions extends IntensityStatsOptions {
  /** per key: a key of a bool mask in the item (null: no mask) */
  maskKeys?: string | (string | null)[] | null;
  metaKeys?: string | string[] | null;
  metaKeyPostfix?: string;
}

/** Writes intensity statistics of each key into its metadata dictionary (`${key}_meta_dict` by default). */
export class IntensityStatsd extends Wrapd<IntensityStats> {
  private readonly maskKeys: (string | null)[];
  private readonly metaKeys: (string | null)[];
  private readonly postfix: string;
  constructor(options: D<IntensityStatsdOptions>) {
    super('IntensityStatsd', options, IntensityStats.OPTIONS, (o) => new IntensityStats(o as unknown as IntensityStatsOptions), ['maskKeys', 'metaKeys', 'metaKeyPostfix']);
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
    const existing = metaOf(d, key, this.metaKeys[i], this.postfix);
    const [out, meta] = this.transform.call(img, existing ? { ...existing } : null, mask); // the caller's dictionary stays as it was
    d[metaKey] = meta;
    return out;
  }
}


export class SavitzkyGolaySmoothd extends Wrapd<SavitzkyGolaySmooth> {
  constructor(options: D<SavitzkyGolaySmoothOptions>) {
    super('SavitzkyGolaySmoothd', options, SavitzkyGolaySmooth.OPTIONS, (o) => new SavitzkyGolaySmooth(o as unknown as SavitzkyGolaySmoothOptions));
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

export class ComputeHoVerMapsd extends NewKeyWrapd<ComputeHoVerMaps> {
  readonly newKeyPrefix: string | null;
  constructor(options: D<ComputeHoVerMapsOptions & { newKeyPrefix?: string | null }>) {
    super('ComputeHoVerMapsd', options, ComputeHoVerMaps.OPTIONS, (o) => new ComputeHoVerMaps(o), ['newKeyPrefix']);
    this.newKeyPrefix = options.newKeyPrefix === undefined ? 'hover_' : options.newKeyPrefix;
  }
}

export class ForegroundMaskd extends NewKeyWrapd<ForegroundMask> {
  readonly newKeyPrefix: string | null;
  constructor(options: D<ForegroundMaskOptions & { newKeyPrefix?: string | null }>) {
    super('ForegroundMaskd', options, ForegroundMask.OPTIONS, (o) => new ForegroundMask(o), ['newKeyPrefix']);
    this.newKeyPrefix = options.newKeyPrefix ?? null;
  }
}

export class MedianSmoothd extends Wrapd<MedianSmooth> {
  constructor(options: D<MedianSmoothOptions>) {
    super('MedianSmoothd', options, MedianSmooth.OPTIONS, (o) => new MedianSmooth(o));
  }
}

// MONAI's aliases: XxxD and XxxDict name the same class as Xxxd.
export { RandGaussianNoised as RandGaussianNoiseD, RandGaussianNoised as RandGaussianNoiseDict };
export { RandRicianNoised as RandRicianNoiseD, RandRicianNoised as RandRicianNoiseDict };
export { ShiftIntensityd as ShiftIntensityD, ShiftIntensityd as ShiftIntensityDict };
export { RandShiftIntensityd as RandShiftIntensityD, RandShiftIntensityd as RandShiftIntensityDict };
export { StdShiftIntensityd as StdShiftIntensityD, StdShiftIntensityd as StdShiftIntensityDict };
export { RandStdShiftIntensityd as RandStdShiftIntensityD, RandStdShiftIntensityd as RandStdShiftIntensityDict };
export { ScaleIntensityd as ScaleIntensityD, ScaleIntensityd as ScaleIntensityDict };
export { RandScaleIntensityd as RandScaleIntensityD, RandScaleIntensityd as RandScaleIntensityDict };
export { ScaleIntensityFixedMeand as ScaleIntensityFixedMeanD, ScaleIntensityFixedMeand as ScaleIntensityFixedMeanDict };
export { RandScaleIntensityFixedMeand as RandScaleIntensityFixedMeanD, RandScaleIntensityFixedMeand as RandScaleIntensityFixedMeanDict };
export { RandBiasFieldd as RandBiasFieldD, RandBiasFieldd as RandBiasFieldDict };
export { NormalizeIntensityd as NormalizeIntensityD, NormalizeIntensityd as NormalizeIntensityDict };
export { ThresholdIntensityd as ThresholdIntensityD, ThresholdIntensityd as ThresholdIntensityDict };
export { ScaleIntensityRanged as ScaleIntensityRangeD, ScaleIntensityRanged as ScaleIntensityRangeDict };
export { ClipIntensityPercentilesd as ClipIntensityPercentilesD, ClipIntensityPercentilesd as ClipIntensityPercentilesDict };
export { AdjustContrastd as AdjustContrastD, AdjustContrastd as AdjustContrastDict };
export { RandAdjustContrastd as RandAdjustContrastD, RandAdjustContrastd as RandAdjustContrastDict };
export { ScaleIntensityRangePercentilesd as ScaleIntensityRangePercentilesD, ScaleIntensityRangePercentilesd as ScaleIntensityRangePercentilesDict };
export { MaskIntensityd as MaskIntensityD, MaskIntensityd as MaskIntensityDict };
export { GaussianSmoothd as GaussianSmoothD, GaussianSmoothd as GaussianSmoothDict };
export { RandGaussianSmoothd as RandGaussianSmoothD, RandGaussianSmoothd as RandGaussianSmoothDict };
export { GaussianSharpend as GaussianSharpenD, GaussianSharpend as GaussianSharpenDict };
export { RandGaussianSharpend as RandGaussianSharpenD, RandGaussianSharpend as RandGaussianSharpenDict };
export { RandHistogramShiftd as RandHistogramShiftD, RandHistogramShiftd as RandHistogramShiftDict };
export { GibbsNoised as GibbsNoiseD, GibbsNoised as GibbsNoiseDict };
export { RandGibbsNoised as RandGibbsNoiseD, RandGibbsNoised as RandGibbsNoiseDict };
export { KSpaceSpikeNoised as KSpaceSpikeNoiseD, KSpaceSpikeNoised as KSpaceSpikeNoiseDict };
export { RandKSpaceSpikeNoised as RandKSpaceSpikeNoiseD, RandKSpaceSpikeNoised as RandKSpaceSpikeNoiseDict };
export { RandCoarseDropoutd as RandCoarseDropoutD, RandCoarseDropoutd as RandCoarseDropoutDict };
export { RandCoarseShuffled as RandCoarseShuffleD, RandCoarseShuffled as RandCoarseShuffleDict };
export { HistogramNormalized as HistogramNormalizeD, HistogramNormalized as HistogramNormalizeDict };
export { IntensityStatsd as IntensityStatsD, IntensityStatsd as IntensityStatsDict };
export { SavitzkyGolaySmoothd as SavitzkyGolaySmoothD, SavitzkyGolaySmoothd as SavitzkyGolaySmoothDict };
export { ComputeHoVerMapsd as ComputeHoVerMapsD, ComputeHoVerMapsd as ComputeHoVerMapsDict };
export { ForegroundMaskd as ForegroundMaskD, ForegroundMaskd as ForegroundMaskDict };
export { MedianSmoothd as MedianSmoothD, MedianSmoothd as MedianSmoothDict };

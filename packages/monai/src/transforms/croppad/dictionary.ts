/**
 * Dictionary crop and pad transforms (MONAI's monai/transforms/croppad/dictionary.py). Each holds its
 * array counterpart and applies it to every key; random ones draw once per call (from the array
 * cropper's RandomState, as MONAI) so all keys get the same region. Multi-sample ones return one
 * dictionary per sample, other entries copied per sample (tensors cloned) as MONAI's deepcopy.
 */
import { Tensor } from '@monai-ts/torch';
import { copyMeta } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { MAX_SEED, MapTransform, RandomizableMapTransform, checkDict, perKey, type DataDict } from '../transform.js';
import type { RandomState } from '../../utils/random_state.js';
import { BorderPad, BoundingRect, CenterScaleCrop, CenterSpatialCrop, Crop, CropForeground, DivisiblePad, Pad, ResizeWithPadOrCrop, SpatialCrop, SpatialPad, type CropForegroundOptions, type PadOptions, type RoiOptions } from './array.js';
import { RandCropByLabelClasses, RandCropByPosNegLabel, RandScaleCrop, RandSpatialCrop, RandSpatialCropSamples, RandWeightedCrop, type RandCropByLabelClassesOptions, type RandCropByPosNegLabelOptions, type RandSpatialCropOptions } from './array_random.js';
import { callOpts } from './checks.js';
import { checkPadMode, pendingShape, type PadMode } from './functional.js';

interface KeysOptions {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
}

type LazyArg = { lazy?: boolean | null } | boolean | null | undefined;

function split<T extends KeysOptions>(who: string, options: T, allowed: readonly string[], required: readonly string[] = []): Omit<T, 'keys' | 'allowMissingKeys'> {
  checkOptions(who, options, ['keys', 'allowMissingKeys', ...allowed], ['keys', ...required]);
  const { keys: _k, allowMissingKeys: _a, ...rest } = options;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Pads

/** Applies a pad transform to each key, with a pad mode per key (MONAI's Padd). */
export class Padd extends MapTransform {
  override readonly supportsLazy: boolean = true;
  readonly padder: Pad | ResizeWithPadOrCrop;
  readonly mode: PadMode[];

  constructor(options: KeysOptions & { padder: Pad | ResizeWithPadOrCrop; mode?: PadMode | readonly PadMode[]; lazy?: boolean }) {
    super(options.keys, options.allowMissingKeys ?? false);
    if (new.target === Padd) checkOptions(this.name, options, ['keys', 'allowMissingKeys', 'padder', 'mode', 'lazy'], ['keys', 'padder']);
    this.padder = options.padder;
    this.mode = perKey(options.mode ?? 'constant', this.keys.length, this.name, 'mode').map((m) => checkPadMode(this.name, m));
    this.lazy = options.lazy ?? false;
  }

  override call(data: DataDict, options?: LazyArg): DataDict {
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const d = { ...data };
    for (const [key, m] of this.keyIterator<[PadMode]>(d, this.mode)) d[key] = this.padder.call(d[key] as Tensor, { mode: m, lazy: o.lazy ?? this.lazy });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.padder.inverse(d[key] as Tensor);
    return d;
  }
}

type PadArrayOptions = Omit<PadOptions, 'mode' | 'toPad'> & { mode?: PadMode | readonly PadMode[] };

/** SpatialPad on each key (MONAI's SpatialPadd). */
export class SpatialPadd extends Padd {
  constructor(options: KeysOptions & PadArrayOptions & { spatialSize: number | readonly number[]; method?: 'symmetric' | 'end' }) {
    const rest = split('SpatialPadd', options, ['spatialSize', 'method', 'mode', 'value', 'lazy'], ['spatialSize']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, mode: rest.mode, lazy: rest.lazy, padder: new SpatialPad({ spatialSize: rest.spatialSize, method: rest.method, value: rest.value, lazy: rest.lazy }) });
  }
}

/** BorderPad on each key (MONAI's BorderPadd). */
export class BorderPadd extends Padd {
  constructor(options: KeysOptions & PadArrayOptions & { spatialBorder: number | readonly number[] }) {
    const rest = split('BorderPadd', options, ['spatialBorder', 'mode', 'value', 'lazy'], ['spatialBorder']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, mode: rest.mode, lazy: rest.lazy, padder: new BorderPad({ spatialBorder: rest.spatialBorder, value: rest.value, lazy: rest.lazy }) });
  }
}

/** DivisiblePad on each key (MONAI's DivisiblePadd). */
export class DivisiblePadd extends Padd {
  constructor(options: KeysOptions & PadArrayOptions & { k: number | readonly number[]; method?: 'symmetric' | 'end' }) {
    const rest = split('DivisiblePadd', options, ['k', 'method', 'mode', 'value', 'lazy'], ['k']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, mode: rest.mode, lazy: rest.lazy, padder: new DivisiblePad({ k: rest.k, method: rest.method, value: rest.value, lazy: rest.lazy }) });
  }
}

/** ResizeWithPadOrCrop on each key (MONAI's ResizeWithPadOrCropd). */
export class ResizeWithPadOrCropd extends Padd {
  constructor(options: KeysOptions & { spatialSize: number | readonly number[]; mode?: PadMode | readonly PadMode[]; method?: 'symmetric' | 'end'; value?: number; lazy?: boolean }) {
    const rest = split('ResizeWithPadOrCropd', options, ['spatialSize', 'mode', 'method', 'value', 'lazy'], ['spatialSize']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, mode: rest.mode, lazy: rest.lazy, padder: new ResizeWithPadOrCrop({ spatialSize: rest.spatialSize, method: rest.method, value: rest.value, lazy: rest.lazy }) });
  }
}

// ---------------------------------------------------------------------------------------------
// Crops

/** Applies a crop transform to each key (MONAI's Cropd). */
export class Cropd extends MapTransform {
  override readonly supportsLazy: boolean = true;
  readonly cropper: Crop;

  constructor(options: KeysOptions & { cropper: Crop; lazy?: boolean }) {
    super(options.keys, options.allowMissingKeys ?? false);
    if (new.target === Cropd) checkOptions(this.name, options, ['keys', 'allowMissingKeys', 'cropper', 'lazy'], ['keys', 'cropper']);
    this.cropper = options.cropper;
    this.lazy = options.lazy ?? false;
  }

  override call(data: DataDict, options?: LazyArg): DataDict {
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.call(d[key] as Tensor, { lazy: o.lazy ?? this.lazy } as never);
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.inverse(d[key] as Tensor);
    return d;
  }
}

/** SpatialCrop on each key (MONAI's SpatialCropd). */
export class SpatialCropd extends Cropd {
  constructor(options: KeysOptions & RoiOptions & { lazy?: boolean }) {
    const rest = split('SpatialCropd', options, ['roiCenter', 'roiSize', 'roiStart', 'roiEnd', 'roiSlices', 'lazy']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, lazy: rest.lazy, cropper: new SpatialCrop(rest) });
  }
}

/** CenterSpatialCrop on each key (MONAI's CenterSpatialCropd). */
export class CenterSpatialCropd extends Cropd {
  constructor(options: KeysOptions & { roiSize: number | readonly number[]; lazy?: boolean }) {
    const rest = split('CenterSpatialCropd', options, ['roiSize', 'lazy'], ['roiSize']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, lazy: rest.lazy, cropper: new CenterSpatialCrop(rest) });
  }
}

/** CenterScaleCrop on each key (MONAI's CenterScaleCropd). */
export class CenterScaleCropd extends Cropd {
  constructor(options: KeysOptions & { roiScale: number | readonly number[]; lazy?: boolean }) {
    const rest = split('CenterScaleCropd', options, ['roiScale', 'lazy'], ['roiScale']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, lazy: rest.lazy, cropper: new CenterScaleCrop(rest) });
  }
}

/**
 * A random crop drawn once from the first key's shape and applied to every key (MONAI's RandCropd);
 * seeding seeds the array cropper too.
 */
export class RandCropd extends RandomizableMapTransform {
  override readonly supportsLazy: boolean = true;
  readonly cropper: RandSpatialCrop;

  constructor(options: KeysOptions & { cropper: RandSpatialCrop; lazy?: boolean }) {
    super(options.keys, options.allowMissingKeys ?? false);
    if (new.target === RandCropd) checkOptions(this.name, options, ['keys', 'allowMissingKeys', 'cropper', 'lazy'], ['keys', 'cropper']);
    this.cropper = options.cropper;
    this.lazy = options.lazy ?? false;
  }

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    super.setRandomState(options);
    this.cropper?.setRandomState(options);
    return this;
  }

  override randomize(imgSize?: unknown): void {
    this.cropper.randomize(imgSize);
  }

  override call(data: DataDict, options?: LazyArg): DataDict {
    checkDict(data, this.name);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const d = { ...data };
    const first = this.firstKey(d);
    if (first === undefined) return d;
    this.randomize(pendingShape(d[first] as Tensor));
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.call(d[key] as Tensor, { randomize: false, lazy: o.lazy ?? this.lazy });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.inverse(d[key] as Tensor);
    return d;
  }
}

/** RandSpatialCrop on each key, one draw per call (MONAI's RandSpatialCropd). */
export class RandSpatialCropd extends RandCropd {
  constructor(options: KeysOptions & RandSpatialCropOptions) {
    const rest = split('RandSpatialCropd', options, ['roiSize', 'maxRoiSize', 'randomCenter', 'randomSize', 'lazy'], ['roiSize']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, lazy: rest.lazy, cropper: new RandSpatialCrop(rest) });
  }
}

/** RandScaleCrop on each key, one draw per call (MONAI's RandScaleCropd). */
export class RandScaleCropd extends RandCropd {
  constructor(options: KeysOptions & { roiScale: number | readonly number[]; maxRoiScale?: number | readonly number[] | null; randomCenter?: boolean; randomSize?: boolean; lazy?: boolean }) {
    const rest = split('RandScaleCropd', options, ['roiScale', 'maxRoiScale', 'randomCenter', 'randomSize', 'lazy'], ['roiScale']);
    super({ keys: options.keys, allowMissingKeys: options.allowMissingKeys, lazy: rest.lazy, cropper: new RandScaleCrop(rest) });
  }
}

/** Copies of `data` for `n` samples: entries outside `keys` are deep-copied (tensors cloned), as MONAI's deepcopy. */
function sampleDicts(data: DataDict, keys: readonly string[], n: number): DataDict[] {
  return Array.from({ length: n }, () => {
    const d: DataDict = {};
    for (const [k, v] of Object.entries(data)) d[k] = keys.includes(k) ? v : v instanceof Tensor ? v.clone() : copyMeta(v);
    return d;
  });
}

/** RandSpatialCropSamples on each key with the same draws (MONAI's RandSpatialCropSamplesd: a sub-seed per call). */
export class RandSpatialCropSamplesd extends RandomizableMapTransform {
  override readonly supportsLazy: boolean = true;
  readonly cropper: RandSpatialCropSamples;
  subSeed = 0;

  constructor(options: KeysOptions & RandSpatialCropOptions & { numSamples: number }) {
    super(options.keys, options.allowMissingKeys ?? false);
    const rest = split(this.name, options, ['roiSize', 'numSamples', 'maxRoiSize', 'randomCenter', 'randomSize', 'lazy'], ['roiSize', 'numSamples']);
    this.cropper = new RandSpatialCropSamples(rest);
    this.lazy = rest.lazy ?? false;
  }

  override randomize(): void {
    this.subSeed = this.R.randint(0, MAX_SEED);
  }

  override call(data: DataDict, options?: LazyArg): DataDict[] {
    checkDict(data, this.name);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const out = sampleDicts(data, this.keys, this.cropper.numSamples);
    this.randomize();
    for (const [key] of this.keyIterator(data)) {
      this.cropper.setRandomState({ seed: this.subSeed });
      this.cropper.call(data[key] as Tensor, { lazy: o.lazy ?? this.lazy }).forEach((p, i) => (out[i][key] = p));
    }
    return out;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.inverse(d[key] as Tensor);
    return d;
  }
}

/** CropForeground with the box from `sourceKey`, applied to every key (MONAI's CropForegroundd). */
export class CropForegroundd extends MapTransform {
  /** the box or centres come from the current data, so pending lazy operations are applied first (MONAI's requires_current_data) */
  get requiresCurrentData(): boolean {
    return true;
  }

  override readonly supportsLazy: boolean = true;
  readonly cropper: CropForeground;
  readonly sourceKey: string;
  readonly startCoordKey: string | null;
  readonly endCoordKey: string | null;
  readonly mode: PadMode[];

  constructor(options: KeysOptions & Omit<CropForegroundOptions, 'mode' | 'returnCoords'> & { sourceKey: string; mode?: PadMode | readonly PadMode[]; startCoordKey?: string | null; endCoordKey?: string | null }) {
    super(options.keys, options.allowMissingKeys ?? false);
    const rest = split(this.name, options, ['sourceKey', 'selectFn', 'channelIndices', 'margin', 'allowSmaller', 'kDivisible', 'mode', 'value', 'startCoordKey', 'endCoordKey', 'lazy'], ['sourceKey']);
    if (typeof rest.sourceKey !== 'string') throw new TypeError(`${this.name}: sourceKey must be a string, got ${String(rest.sourceKey)}`);
    this.sourceKey = rest.sourceKey;
    this.startCoordKey = rest.startCoordKey === undefined ? 'foreground_start_coord' : rest.startCoordKey;
    this.endCoordKey = rest.endCoordKey === undefined ? 'foreground_end_coord' : rest.endCoordKey;
    this.cropper = new CropForeground({ selectFn: rest.selectFn, channelIndices: rest.channelIndices, margin: rest.margin, allowSmaller: rest.allowSmaller, kDivisible: rest.kDivisible, value: rest.value, lazy: rest.lazy });
    this.mode = perKey(rest.mode ?? 'constant', this.keys.length, this.name, 'mode').map((m) => checkPadMode(this.name, m));
    this.lazy = rest.lazy ?? false;
  }

  override call(data: DataDict, options?: LazyArg): DataDict {
    checkDict(data, this.name);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    if (!(this.sourceKey in data)) throw new TypeError(`${this.name}: sourceKey '${this.sourceKey}' is not in the data (keys: ${Object.keys(data).join(', ')})`);
    const d = { ...data };
    const [bs, be] = this.cropper.computeBoundingBox(d[this.sourceKey] as Tensor);
    if (this.startCoordKey !== null) d[this.startCoordKey] = bs;
    if (this.endCoordKey !== null) d[this.endCoordKey] = be;
    for (const [key, m] of this.keyIterator<[PadMode]>(d, this.mode)) d[key] = this.cropper.cropPad(d[key] as Tensor, bs, be, { mode: m, lazy: o.lazy ?? this.lazy });
    return d;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.inverse(d[key] as Tensor);
    return d;
  }
}

/** Multi-sample random croppers share this dictionary shape: seeding reaches the array cropper. */
abstract class MultiSampled<C extends { setRandomState(o: object): unknown; inverse(t: Tensor): Tensor }> extends RandomizableMapTransform {
  override readonly supportsLazy: boolean = true;
  abstract readonly cropper: C;

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    super.setRandomState(options);
    this.cropper?.setRandomState(options);
    return this;
  }

  inverse(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) d[key] = this.cropper.inverse(d[key] as Tensor);
    return d;
  }
}

/** RandWeightedCrop with the weights from `wKey`, applied to every key (MONAI's RandWeightedCropd). */
export class RandWeightedCropd extends MultiSampled<RandWeightedCrop> {
  readonly cropper: RandWeightedCrop;
  readonly wKey: string;

  constructor(options: KeysOptions & { wKey: string; spatialSize: number | readonly number[]; numSamples?: number; lazy?: boolean }) {
    super(options.keys, options.allowMissingKeys ?? false);
    const rest = split(this.name, options, ['wKey', 'spatialSize', 'numSamples', 'lazy'], ['wKey', 'spatialSize']);
    this.wKey = rest.wKey;
    this.cropper = new RandWeightedCrop({ spatialSize: rest.spatialSize, numSamples: rest.numSamples, lazy: rest.lazy });
    this.lazy = rest.lazy ?? false;
  }

  override randomize(weightMap?: unknown): void {
    this.cropper.randomize(weightMap);
  }

  override call(data: DataDict, options?: LazyArg): DataDict[] {
    checkDict(data, this.name);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    if (!(this.wKey in data)) throw new TypeError(`${this.name}: wKey '${this.wKey}' is not in the data (keys: ${Object.keys(data).join(', ')})`);
    const out = sampleDicts(data, this.keys, this.cropper.numSamples);
    this.randomize(data[this.wKey]);
    for (const [key] of this.keyIterator(data)) this.cropper.call(data[key] as Tensor, { randomize: false, lazy: o.lazy ?? this.lazy }).forEach((p, i) => (out[i][key] = p));
    return out;
  }
}

/** RandCropByPosNegLabel with label/image/indices from keys, applied to every key (MONAI's RandCropByPosNegLabeld). */
export class RandCropByPosNegLabeld extends MultiSampled<RandCropByPosNegLabel> {
  /** the box or centres come from the current data, so pending lazy operations are applied first (MONAI's requires_current_data) */
  get requiresCurrentData(): boolean {
    return true;
  }

  readonly cropper: RandCropByPosNegLabel;
  readonly labelKey: string;
  readonly imageKey: string | null;
  readonly fgIndicesKey: string | null;
  readonly bgIndicesKey: string | null;

  constructor(options: KeysOptions & Omit<RandCropByPosNegLabelOptions, 'label' | 'image' | 'fgIndices' | 'bgIndices'> & { labelKey: string; imageKey?: string | null; fgIndicesKey?: string | null; bgIndicesKey?: string | null }) {
    super(options.keys, options.allowMissingKeys ?? false);
    const rest = split(this.name, options, ['labelKey', 'spatialSize', 'pos', 'neg', 'numSamples', 'imageKey', 'imageThreshold', 'fgIndicesKey', 'bgIndicesKey', 'allowSmaller', 'lazy'], ['labelKey', 'spatialSize']);
    this.labelKey = rest.labelKey;
    this.imageKey = rest.imageKey ?? null;
    this.fgIndicesKey = rest.fgIndicesKey ?? null;
    this.bgIndicesKey = rest.bgIndicesKey ?? null;
    this.cropper = new RandCropByPosNegLabel({ spatialSize: rest.spatialSize, pos: rest.pos, neg: rest.neg, numSamples: rest.numSamples, imageThreshold: rest.imageThreshold, allowSmaller: rest.allowSmaller, lazy: rest.lazy });
    this.lazy = rest.lazy ?? false;
  }

  override randomize(label?: unknown, fg?: Tensor | ArrayLike<number> | null, bg?: Tensor | ArrayLike<number> | null, image?: Tensor | null): void {
    this.cropper.randomize(label, fg, bg, image);
  }

  override call(data: DataDict, options?: LazyArg): DataDict[] {
    checkDict(data, this.name);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const d = { ...data };
    const take = (k: string | null) => {
      if (k === null || !(k in d)) return null;
      const v = d[k];
      delete d[k];
      return v as Tensor | ArrayLike<number>;
    };
    const fg = take(this.fgIndicesKey);
    const bg = take(this.bgIndicesKey);
    const get = (k: string | null) => (k !== null && k in d ? (d[k] as Tensor) : null);
    this.randomize(get(this.labelKey), fg, bg, get(this.imageKey));
    const out = sampleDicts(d, this.keys, this.cropper.numSamples);
    for (const [key] of this.keyIterator(d)) this.cropper.call(d[key] as Tensor, { randomize: false, lazy: o.lazy ?? this.lazy }).forEach((p, i) => (out[i][key] = p));
    return out;
  }
}

/** RandCropByLabelClasses with label/image/indices from keys, applied to every key (MONAI's RandCropByLabelClassesd). */
export class RandCropByLabelClassesd extends MultiSampled<RandCropByLabelClasses> {
  /** the box or centres come from the current data, so pending lazy operations are applied first (MONAI's requires_current_data) */
  get requiresCurrentData(): boolean {
    return true;
  }

  readonly cropper: RandCropByLabelClasses;
  readonly labelKey: string;
  readonly imageKey: string | null;
  readonly indicesKey: string | null;

  constructor(options: KeysOptions & Omit<RandCropByLabelClassesOptions, 'label' | 'image' | 'indices'> & { labelKey: string; imageKey?: string | null; indicesKey?: string | null }) {
    super(options.keys, options.allowMissingKeys ?? false);
    const rest = split(this.name, options, ['labelKey', 'spatialSize', 'ratios', 'numClasses', 'numSamples', 'imageKey', 'imageThreshold', 'indicesKey', 'allowSmaller', 'warn', 'maxSamplesPerClass', 'lazy'], ['labelKey', 'spatialSize']);
    this.labelKey = rest.labelKey;
    this.imageKey = rest.imageKey ?? null;
    this.indicesKey = rest.indicesKey ?? null;
    const { labelKey: _l, imageKey: _i, indicesKey: _x, ...arr } = rest;
    this.cropper = new RandCropByLabelClasses(arr);
    this.lazy = rest.lazy ?? false;
  }

  override randomize(label?: unknown, indices?: readonly (Tensor | ArrayLike<number>)[] | null, image?: Tensor | null): void {
    this.cropper.randomize(label, indices, image);
  }

  override call(data: DataDict, options?: LazyArg): DataDict[] {
    checkDict(data, this.name);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const d = { ...data };
    let indices: readonly (Tensor | ArrayLike<number>)[] | null = null;
    if (this.indicesKey !== null && this.indicesKey in d) {
      indices = d[this.indicesKey] as (Tensor | ArrayLike<number>)[];
      delete d[this.indicesKey];
    }
    const get = (k: string | null) => (k !== null && k in d ? (d[k] as Tensor) : null);
    this.randomize(get(this.labelKey), indices, get(this.imageKey));
    const out = sampleDicts(d, this.keys, this.cropper.numSamples);
    for (const [key] of this.keyIterator(d)) this.cropper.call(d[key] as Tensor, { randomize: false, lazy: o.lazy ?? this.lazy }).forEach((p, i) => (out[i][key] = p));
    return out;
  }
}

/** Adds `${key}_${bboxKeyPostfix}` with each key's per-channel bounding boxes (MONAI's BoundingRectd). */
export class BoundingRectd extends MapTransform {
  readonly bbox: BoundingRect;
  readonly bboxKeyPostfix: string;

  constructor(options: KeysOptions & { bboxKeyPostfix?: string; selectFn?: (img: Tensor) => Tensor }) {
    super(options.keys, options.allowMissingKeys ?? false);
    const rest = split(this.name, options, ['bboxKeyPostfix', 'selectFn']);
    this.bbox = new BoundingRect({ selectFn: rest.selectFn });
    this.bboxKeyPostfix = rest.bboxKeyPostfix ?? 'bbox';
  }

  override call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key] of this.keyIterator(d)) {
      const k = `${key}_${this.bboxKeyPostfix}`;
      if (k in d) throw new TypeError(`${this.name}: bounding box key '${k}' already exists in the data`);
      d[k] = this.bbox.call(d[key] as Tensor);
    }
    return d;
  }
}

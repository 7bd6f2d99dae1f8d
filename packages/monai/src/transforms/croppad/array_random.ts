/**
 * Random array croppers (MONAI's croppad/array.py, random part): RandSpatialCrop, RandScaleCrop,
 * RandSpatialCropSamples, RandWeightedCrop, RandCropByPosNegLabel, RandCropByLabelClasses.
 *
 * Parameters are drawn from the transform's RandomState in MONAI 1.4's order, so the same seed gives
 * the same crops as MONAI. The multi-sample croppers record each patch as themselves (MONAI replaces the
 * inner SpatialCrop record and keeps it as extra_info); their `inverse` (an addition: MONAI 1.4 has none)
 * pads a patch back to the source image's shape and affine from that record.
 */
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaValue } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { Randomizable, RandomizableTransform, TraceKeys, type Transform } from '../transform.js';
import type { RandomState } from '../../utils/random_state.js';
import {
  fallBackTuple, generateLabelClassesCropCenters, generatePosNegLabelCropCenters, getRandomPatch, getValidPatchSize, mapBinaryToMaskIndices, mapClassesToIndices, weightedPatchSamples, type MaskIndices,
} from '../utils.js';
import { CenterSpatialCrop, Crop, SpatialCrop, undoCrop } from './array.js';
import { callOpts, checkImage } from './checks.js';
import { extraInfoOf, pendingShape, type SliceRange } from './functional.js';

function sizeList(v: number | readonly number[]): number | number[] {
  return typeof v === 'number' ? v : [...v];
}

function perDimFor(who: string, option: string, v: number | readonly number[], n: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length === n) return [...v];
  if (v.length === 1) return new Array<number>(n).fill(v[0]);
  throw new RangeError(`${who}: ${option} must hold 1 or ${n} values for a ${n}-d image, got [${v.join(', ')}]`);
}

export interface RandSpatialCropOptions {
  /** crop size, or the minimum size with randomSize (-1 or 0 keeps a dim) */
  roiSize: number | readonly number[];
  /** maximum size with randomSize (default the image size) */
  maxRoiSize?: number | readonly number[] | null;
  /** random position (default true); false crops the centre */
  randomCenter?: boolean;
  /** random size between roiSize and maxRoiSize (default false) */
  randomSize?: boolean;
  lazy?: boolean;
}

export interface RandCropCallOptions {
  /** draw new parameters first (default true; dictionary transforms draw once for all keys) */
  randomize?: boolean;
  lazy?: boolean | null;
}

/** Crops a random region (MONAI's RandSpatialCrop: sizes by R.randint per dim, then corners by R.randint per dim). */
export class RandSpatialCrop extends Randomizable(Crop) {
  roiSize: number | number[];
  maxRoiSize: number | number[] | null;
  readonly randomCenter: boolean;
  readonly randomSize: boolean;
  /** the size drawn by the latest randomize */
  size: number[] | null = null;
  /** the slices drawn by the latest randomize (randomCenter) */
  slices: SliceRange[] = [];

  constructor(options: RandSpatialCropOptions) {
    super(options);
    checkOptions(this.name, options, this.optionKeys(), this.requiredKeys());
    this.roiSize = sizeList(options.roiSize ?? -1);
    this.maxRoiSize = options.maxRoiSize === undefined || options.maxRoiSize === null ? null : sizeList(options.maxRoiSize);
    this.randomCenter = options.randomCenter ?? true;
    this.randomSize = options.randomSize ?? false;
  }

  protected optionKeys(): string[] {
    return ['roiSize', 'maxRoiSize', 'randomCenter', 'randomSize', 'lazy'];
  }

  protected requiredKeys(): string[] {
    return ['roiSize'];
  }

  override randomize(imgSize?: unknown): void {
    const size = imgSize as number[];
    let s = fallBackTuple(perDimFor(this.name, 'roiSize', this.roiSize, size.length), size);
    if (this.randomSize) {
      const max = this.maxRoiSize === null ? size : fallBackTuple(perDimFor(this.name, 'maxRoiSize', this.maxRoiSize, size.length), size);
      if (s.some((v, i) => v > max[i])) throw new RangeError(`${this.name}: min ROI size [${s.join(', ')}] is larger than max ROI size [${max.join(', ')}]`);
      s = s.map((v, i) => this.R.randint(v, max[i] + 1));
    }
    this.size = s;
    if (this.randomCenter) this.slices = getRandomPatch(size, getValidPatchSize(size, s), this.R);
  }

  override call(img: Tensor, options?: RandCropCallOptions | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<RandCropCallOptions>(this.name, options, ['randomize', 'lazy']);
    const size = pendingShape(img);
    if (o.randomize ?? true) this.randomize(size);
    if (this.size === null) throw new Error(`${this.name}: call randomize first (randomize: false before any draw)`);
    const lazy = o.lazy ?? this.lazy;
    if (this.randomCenter) return this.cropSlices(img, this.slices, lazy);
    return this.cropSlices(img, new CenterSpatialCrop({ roiSize: this.size }).computeSlicesFor(size), lazy);
  }
}

/** RandSpatialCrop with sizes as fractions of the image (MONAI's RandScaleCrop: ceil(scale * size)). */
export class RandScaleCrop extends RandSpatialCrop {
  readonly roiScale: number | number[];
  readonly maxRoiScale: number | number[] | null;

  constructor(options: { roiScale: number | readonly number[]; maxRoiScale?: number | readonly number[] | null; randomCenter?: boolean; randomSize?: boolean; lazy?: boolean }) {
    super({ roiSize: -1, randomCenter: options.randomCenter, randomSize: options.randomSize, lazy: options.lazy });
    checkOptions(this.name, options, ['roiScale', 'maxRoiScale', 'randomCenter', 'randomSize', 'lazy'], ['roiScale']);
    this.roiScale = sizeList(options.roiScale);
    this.maxRoiScale = options.maxRoiScale === undefined || options.maxRoiScale === null ? null : sizeList(options.maxRoiScale);
  }

  protected override optionKeys(): string[] {
    return ['roiSize', 'randomCenter', 'randomSize', 'lazy'];
  }

  protected override requiredKeys(): string[] {
    return [];
  }

  private scaleSizes(size: readonly number[]): void {
    this.roiSize = perDimFor(this.name, 'roiScale', this.roiScale, size.length).map((r, i) => Math.ceil(r * size[i]));
    this.maxRoiSize = this.maxRoiScale === null ? null : perDimFor(this.name, 'maxRoiScale', this.maxRoiScale, size.length).map((r, i) => Math.ceil(r * size[i]));
  }

  override randomize(imgSize?: unknown): void {
    this.scaleSizes(imgSize as number[]);
    super.randomize(imgSize);
  }

  override call(img: Tensor, options?: RandCropCallOptions | boolean | null): Tensor {
    checkImage(this.name, img);
    this.scaleSizes(pendingShape(img));
    return super.call(img, options);
  }
}

/**
 * Re-records the most recent crop record of `patch` as `self`, keeping the crop record as extra_info
 * (MONAI's push_transform(..., replace=True)).
 */
function replaceRecord(self: Transform, patch: Tensor): void {
  if (!(patch instanceof MetaTensor) || !self.tracing) return;
  const inner = patch.appliedOperations.pop()!;
  self.pushTransform(patch, { origSize: inner[TraceKeys.ORIG_SIZE] as number[], extraInfo: inner as Record<string, MetaValue> });
}

/** Pads a patch back from its replaced record (the inverse the multi-sample croppers add). */
function undoSample(self: RandomizableTransform, patch: Tensor): Tensor {
  const rec = self.popTransform(patch);
  return undoCrop(patch, extraInfoOf(rec, self.name) as AppliedOperation, self.name);
}

/** `numSamples` random crops of one image (MONAI's RandSpatialCropSamples), each recorded as this class. */
export class RandSpatialCropSamples extends RandomizableTransform {
  override readonly supportsLazy: boolean = true;
  readonly numSamples: number;
  readonly cropper: RandSpatialCrop;

  constructor(options: RandSpatialCropOptions & { numSamples: number }) {
    super();
    checkOptions(this.name, options, ['roiSize', 'numSamples', 'maxRoiSize', 'randomCenter', 'randomSize', 'lazy'], ['roiSize', 'numSamples']);
    if (!Number.isInteger(options.numSamples) || options.numSamples < 1) throw new RangeError(`${this.name}: numSamples must be a positive integer, got ${options.numSamples}`);
    this.numSamples = options.numSamples;
    const { numSamples: _n, ...rest } = options;
    this.cropper = new RandSpatialCrop(rest);
    this.lazy = options.lazy ?? false;
  }

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    super.setRandomState(options);
    this.cropper.setRandomState(options);
    return this;
  }

  override randomize(): void {}

  override call(img: Tensor, options?: { lazy?: boolean | null } | boolean | null): Tensor[] {
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const out: Tensor[] = [];
    for (let i = 0; i < this.numSamples; i++) {
      const patch = this.cropper.call(img, { lazy: o.lazy ?? this.lazy });
      if (patch instanceof MetaTensor) patch.meta.patch_index = i;
      replaceRecord(this, patch);
      out.push(patch);
    }
    return out;
  }

  inverse(patch: Tensor): Tensor {
    return undoSample(this, patch);
  }
}

/** Crops centred where the spatial crop is placed for each centre, recording patch index and centre. */
function cropAtCenters(self: RandomizableTransform, img: Tensor, centers: readonly number[][], spatialSize: number | readonly number[], lazy: boolean): Tensor[] {
  const roi = fallBackTuple(typeof spatialSize === 'number' ? spatialSize : [...spatialSize], pendingShape(img));
  return centers.map((c, i) => {
    const patch = new SpatialCrop({ roiCenter: c, roiSize: roi }).call(img, { lazy });
    if (patch instanceof MetaTensor) {
      patch.meta.patch_index = i;
      patch.meta.crop_center = [...c];
    }
    replaceRecord(self, patch);
    return patch;
  });
}

/** Samples patches with probability proportional to a weight map (MONAI's RandWeightedCrop). */
export class RandWeightedCrop extends RandomizableTransform {
  override readonly supportsLazy: boolean = true;
  readonly spatialSize: number | number[];
  readonly numSamples: number;
  weightMap: Tensor | null;
  centers: number[][] = [];

  constructor(options: { spatialSize: number | readonly number[]; numSamples?: number; weightMap?: Tensor | null; lazy?: boolean }) {
    super();
    checkOptions(this.name, options, ['spatialSize', 'numSamples', 'weightMap', 'lazy'], ['spatialSize']);
    this.spatialSize = sizeList(options.spatialSize);
    this.numSamples = Math.trunc(options.numSamples ?? 1);
    this.weightMap = options.weightMap ?? null;
    this.lazy = options.lazy ?? false;
  }

  /** Draws the centres from the first channel of `weightMap`. */
  override randomize(weightMap?: unknown): void {
    const w = weightMap as Tensor;
    checkImage(this.name, w, 'weightMap');
    const first = w.select(0, 0);
    try {
      this.centers = weightedPatchSamples(this.spatialSize, first, this.numSamples, this.R);
    } finally {
      first.dispose();
    }
  }

  override call(img: Tensor, options?: { weightMap?: Tensor | null; randomize?: boolean; lazy?: boolean | null } | boolean | null): Tensor[] {
    checkImage(this.name, img);
    const o = callOpts<{ weightMap?: Tensor | null; randomize?: boolean }>(this.name, options, ['weightMap', 'randomize', 'lazy']);
    if (o.randomize ?? true) {
      const w = o.weightMap ?? this.weightMap;
      if (!w) throw new TypeError(`${this.name}: a weight map must be given (option weightMap) for weighted patch sampling`);
      const ws = pendingShape(w);
      const is = pendingShape(img);
      if (ws.join() !== is.join()) process.emitWarning(`${this.name}: image and weight map spatial shape mismatch: [${is.join(', ')}] vs [${ws.join(', ')}]`);
      this.randomize(w);
    }
    return cropAtCenters(this, img, this.centers, this.spatialSize, o.lazy ?? this.lazy);
  }

  inverse(patch: Tensor): Tensor {
    return undoSample(this, patch);
  }
}

export interface RandCropByPosNegLabelOptions {
  spatialSize: number | readonly number[];
  label?: Tensor | null;
  /** relative weight of foreground centres (default 1) */
  pos?: number;
  /** relative weight of background centres (default 1) */
  neg?: number;
  numSamples?: number;
  /** background only where image > imageThreshold (any channel) */
  image?: Tensor | null;
  imageThreshold?: number;
  fgIndices?: Tensor | ArrayLike<number> | null;
  bgIndices?: Tensor | ArrayLike<number> | null;
  /** allow a crop larger than the image (cropped smaller) */
  allowSmaller?: boolean;
  lazy?: boolean;
}

/** Crops centred on foreground or background voxels at a pos:neg ratio (MONAI's RandCropByPosNegLabel). */
export class RandCropByPosNegLabel extends RandomizableTransform {
  override readonly supportsLazy: boolean = true;
  readonly spatialSize: number | number[];
  label: Tensor | null;
  readonly posRatio: number;
  readonly numSamples: number;
  image: Tensor | null;
  readonly imageThreshold: number;
  fgIndices: Tensor | ArrayLike<number> | null;
  bgIndices: Tensor | ArrayLike<number> | null;
  readonly allowSmaller: boolean;
  centers: number[][] | null = null;

  constructor(options: RandCropByPosNegLabelOptions) {
    super();
    checkOptions(this.name, options, ['spatialSize', 'label', 'pos', 'neg', 'numSamples', 'image', 'imageThreshold', 'fgIndices', 'bgIndices', 'allowSmaller', 'lazy'], ['spatialSize']);
    const { pos = 1, neg = 1 } = options;
    if (!(pos >= 0) || !(neg >= 0)) throw new RangeError(`${this.name}: pos and neg must be non-negative, got pos=${pos} neg=${neg}`);
    if (pos + neg === 0) throw new RangeError(`${this.name}: pos and neg can't both be 0`);
    this.spatialSize = sizeList(options.spatialSize);
    this.label = options.label ?? null;
    this.posRatio = pos / (pos + neg);
    this.numSamples = options.numSamples ?? 1;
    this.image = options.image ?? null;
    this.imageThreshold = options.imageThreshold ?? 0;
    this.fgIndices = options.fgIndices ?? null;
    this.bgIndices = options.bgIndices ?? null;
    this.allowSmaller = options.allowSmaller ?? false;
    this.lazy = options.lazy ?? false;
  }

  override randomize(label?: unknown, fgIndices?: Tensor | ArrayLike<number> | null, bgIndices?: Tensor | ArrayLike<number> | null, image?: Tensor | null): void {
    const lab = (label ?? null) as Tensor | null;
    const fg = fgIndices ?? this.fgIndices;
    const bg = bgIndices ?? this.bgIndices;
    let owned: MaskIndices[] = [];
    if (fg === null || bg === null) {
      if (lab === null) throw new TypeError(`${this.name}: a label must be given (or fgIndices and bgIndices)`);
      checkImage(this.name, lab, 'label');
      // the same index sets as mapBinaryToIndices, without materialising millions of indices
      owned = mapBinaryToMaskIndices(lab, image ?? null, this.imageThreshold);
    }
    const shape = lab !== null ? pendingShape(lab) : image ? pendingShape(image) : null;
    try {
      if (shape === null) throw new TypeError(`${this.name}: a label or image must be given to know the spatial shape`);
      this.centers = generatePosNegLabelCropCenters(this.spatialSize, this.numSamples, this.posRatio, shape, owned.length ? owned[0] : fg!, owned.length ? owned[1] : bg!, this.R, this.allowSmaller);
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  override call(img: Tensor, options?: { label?: Tensor | null; image?: Tensor | null; fgIndices?: Tensor | ArrayLike<number> | null; bgIndices?: Tensor | ArrayLike<number> | null; randomize?: boolean; lazy?: boolean | null } | boolean | null): Tensor[] {
    checkImage(this.name, img);
    const o = callOpts<{ label?: Tensor | null; image?: Tensor | null; fgIndices?: Tensor | ArrayLike<number> | null; bgIndices?: Tensor | ArrayLike<number> | null; randomize?: boolean }>(this.name, options, ['label', 'image', 'fgIndices', 'bgIndices', 'randomize', 'lazy']);
    const image = o.image ?? this.image;
    if (o.randomize ?? true) this.randomize(o.label ?? this.label, o.fgIndices ?? null, o.bgIndices ?? null, image);
    if (this.centers === null) return [];
    return cropAtCenters(this, img, this.centers, this.spatialSize, o.lazy ?? this.lazy);
  }

  inverse(patch: Tensor): Tensor {
    return undoSample(this, patch);
  }
}

export interface RandCropByLabelClassesOptions {
  spatialSize: number | readonly number[];
  /** relative weights of the classes (default equal) */
  ratios?: readonly number[] | null;
  label?: Tensor | null;
  /** number of classes of a one-channel (argmax) label */
  numClasses?: number | null;
  numSamples?: number;
  image?: Tensor | null;
  imageThreshold?: number;
  /** precomputed voxel indices per class */
  indices?: readonly (Tensor | ArrayLike<number>)[] | null;
  allowSmaller?: boolean;
  /** warn when a class has no voxels (default true) */
  warn?: boolean;
  maxSamplesPerClass?: number | null;
  lazy?: boolean;
}

/** Crops centred on voxels of classes drawn by ratio (MONAI's RandCropByLabelClasses). */
export class RandCropByLabelClasses extends RandomizableTransform {
  override readonly supportsLazy: boolean = true;
  readonly spatialSize: number | number[];
  readonly ratios: number[] | null;
  label: Tensor | null;
  readonly numClasses: number | null;
  readonly numSamples: number;
  image: Tensor | null;
  readonly imageThreshold: number;
  indices: readonly (Tensor | ArrayLike<number>)[] | null;
  readonly allowSmaller: boolean;
  readonly warn: boolean;
  readonly maxSamplesPerClass: number | null;
  centers: number[][] | null = null;

  constructor(options: RandCropByLabelClassesOptions) {
    super();
    checkOptions(this.name, options, ['spatialSize', 'ratios', 'label', 'numClasses', 'numSamples', 'image', 'imageThreshold', 'indices', 'allowSmaller', 'warn', 'maxSamplesPerClass', 'lazy'], ['spatialSize']);
    this.spatialSize = sizeList(options.spatialSize);
    this.ratios = options.ratios ? [...options.ratios] : null;
    this.label = options.label ?? null;
    this.numClasses = options.numClasses ?? null;
    this.numSamples = options.numSamples ?? 1;
    this.image = options.image ?? null;
    this.imageThreshold = options.imageThreshold ?? 0;
    this.indices = options.indices ?? null;
    this.allowSmaller = options.allowSmaller ?? false;
    this.warn = options.warn ?? true;
    this.maxSamplesPerClass = options.maxSamplesPerClass ?? null;
    this.lazy = options.lazy ?? false;
  }

  override randomize(label?: unknown, indices?: readonly (Tensor | ArrayLike<number>)[] | null, image?: Tensor | null): void {
    const lab = (label ?? null) as Tensor | null;
    let ind = indices ?? this.indices;
    let owned: Tensor[] = [];
    if (ind === null) {
      if (lab === null) throw new TypeError(`${this.name}: a label must be given (or indices)`);
      checkImage(this.name, lab, 'label');
      owned = mapClassesToIndices(lab, { numClasses: this.numClasses, image: image ?? null, imageThreshold: this.imageThreshold, maxSamplesPerClass: this.maxSamplesPerClass });
      ind = owned;
    }
    const shape = lab !== null ? pendingShape(lab) : image ? pendingShape(image) : null;
    try {
      if (shape === null) throw new TypeError(`${this.name}: a label or image must be given to know the spatial shape`);
      this.centers = generateLabelClassesCropCenters(this.spatialSize, this.numSamples, shape, ind, this.ratios, this.R, this.allowSmaller, this.warn);
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  override call(img: Tensor, options?: { label?: Tensor | null; image?: Tensor | null; indices?: readonly (Tensor | ArrayLike<number>)[] | null; randomize?: boolean; lazy?: boolean | null } | boolean | null): Tensor[] {
    checkImage(this.name, img);
    const o = callOpts<{ label?: Tensor | null; image?: Tensor | null; indices?: readonly (Tensor | ArrayLike<number>)[] | null; randomize?: boolean }>(this.name, options, ['label', 'image', 'indices', 'randomize', 'lazy']);
    const image = o.image ?? this.image;
    if (o.randomize ?? true) this.randomize(o.label ?? this.label, o.indices ?? null, image);
    if (this.centers === null) return [];
    return cropAtCenters(this, img, this.centers, this.spatialSize, o.lazy ?? this.lazy);
  }

  inverse(patch: Tensor): Tensor {
    return undoSample(this, patch);
  }
}

/**
 * Array crop and pad transforms (MONAI's monai/transforms/croppad/array.py), deterministic part: Pad,
 * SpatialPad, BorderPad, DivisiblePad, Crop, SpatialCrop, CenterSpatialCrop, CenterScaleCrop,
 * CropForeground, ResizeWithPadOrCrop, BoundingRect. Random croppers are in array_random.ts.
 *
 * Every crop and pad translates a MetaTensor's affine and records itself; `inverse` pads back what a
 * crop removed and crops away what a pad added, restoring shape and affine.
 */
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaValue } from '../../data/meta_tensor.js';
import { checkChoice, checkOptions } from '../../data/options.js';
import { Transform, TraceKeys, describeValue } from '../transform.js';
import { computeDivisibleSpatialSize, ensureTupleRep, fallBackTuple, generateSpatialBoundingBox, isPositive } from '../utils.js';
import { callOpts, checkImage } from './checks.js';
import { checkPadMode, cropFunc, extraInfoOf, padFunc, pendingShape, type PadMode, type SliceRange } from './functional.js';

/** A number list of the spatial rank, naming the transform and option when it does not fit. */
function perDim(who: string, option: string, v: number | readonly number[], n: number): number[] {
  if (Array.isArray(v) && v.length !== n && v.length !== 1) throw new RangeError(`${who}: ${option} must hold 1 or ${n} values for a ${n}-d image, got [${v.join(', ')}]`);
  return ensureTupleRep(Array.isArray(v) && v.length === 1 ? v[0] : v, n, who, option);
}

function checkInts(who: string, option: string, v: unknown, allowNull = false): void {
  if (allowNull && (v === null || v === undefined)) return;
  const ok = typeof v === 'number' ? Number.isInteger(v) : Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x));
  if (!ok) throw new TypeError(`${who}: ${option} must be an integer or a list of integers, got ${JSON.stringify(v)}`);
}

// ---------------------------------------------------------------------------------------------
// Pads

export type PadWidth = readonly (readonly [number, number])[];

export interface PadOptions {
  /** pad pairs per dim, the channel first ([[0, 0], [lo, hi], ...]); null: computed by the subclass */
  toPad?: PadWidth | null;
  /** 'constant' (default), 'edge'/'replicate', 'reflect', 'symmetric', 'wrap'/'circular', 'minimum', 'maximum', 'mean' */
  mode?: PadMode;
  /** constant value for mode 'constant' (torch's `value`, numpy's `constant_values`; default 0) */
  value?: number;
  lazy?: boolean;
}

export interface PadCallOptions {
  toPad?: PadWidth | null;
  mode?: PadMode | null;
  value?: number;
  lazy?: boolean | null;
}

const PAD_KEYS = ['toPad', 'mode', 'value', 'lazy'];

/** Pads by given or computed widths (MONAI's Pad). */
export class Pad extends Transform {
  override readonly supportsLazy: boolean = true;
  toPad: PadWidth | null;
  mode: PadMode;
  value: number;

  constructor(options: PadOptions = {}) {
    super();
    checkOptions(this.name, options, this.optionKeys());
    const { toPad = null, mode = 'constant', value = 0, lazy = false } = options;
    this.toPad = toPad;
    this.mode = checkPadMode(this.name, mode);
    this.value = value;
    this.lazy = lazy;
  }

  /** Option keys the constructor accepts (subclasses extend). */
  protected optionKeys(): string[] {
    return PAD_KEYS;
  }

  /** Pad pairs (channel first) for an image of `spatialShape`. */
  computePadWidth(_spatialShape: readonly number[]): [number, number][] {
    throw new Error(`${this.name}: give toPad, or use a subclass that computes it`);
  }

  override call(img: Tensor, options?: PadCallOptions | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<PadCallOptions>(this.name, options, PAD_KEYS);
    const toPad = o.toPad ?? this.toPad ?? this.computePadWidth(pendingShape(img));
    const mode = o.mode === undefined || o.mode === null ? this.mode : checkPadMode(this.name, o.mode);
    if (toPad.length > img.dim()) throw new RangeError(`${this.name}: toPad has ${toPad.length} pairs for a ${img.dim()}-d image (channel + ${img.dim() - 1} spatial dims)`);
    return padFunc(img, toPad, this, mode, o.lazy ?? this.lazy, o.value ?? this.value);
  }

  /** Crops away what the recorded pad added (channel padding included). */
  inverse(img: Tensor): Tensor {
    const rec = this.popTransform(img);
    return undoPad(img, rec, this.name);
  }
}

/** Crops back a pad record's padding (MONAI's Pad.inverse body). */
export function undoPad(img: Tensor, rec: AppliedOperation, who: string): Tensor {
  const padded = extraInfoOf(rec, who).padded as number[][];
  let x = img;
  let tmp: Tensor | null = null;
  if (padded[0] && (padded[0][0] > 0 || padded[0][1] > 0)) {
    const s = padded[0][0];
    const e = Math.min(Math.max(padded[0][1], s + 1), img.shape[0]);
    tmp = x.narrow(0, s, img.shape[0] - e - s);
    x = img instanceof MetaTensor ? img.withTensor(tmp) : tmp;
  }
  const sp = x.shape.slice(1);
  const slices = sp.map((n, i) => [padded[i + 1]?.[0] ?? 0, n - (padded[i + 1]?.[1] ?? 0)] as const);
  const out = cropFunc(x, slices, null);
  if (x !== img) x.dispose();
  return out;
}

/** Pads each spatial dim up to `spatialSize` (MONAI's SpatialPad; -1 or 0 keeps a dim). */
export class SpatialPad extends Pad {
  readonly spatialSize: number | number[];
  readonly method: 'symmetric' | 'end';

  constructor(options: PadOptions & { spatialSize: number | readonly number[]; method?: 'symmetric' | 'end' }) {
    super(options);
    checkOptions(this.name, options, this.optionKeys(), ['spatialSize']);
    checkInts(this.name, 'spatialSize', options.spatialSize);
    this.spatialSize = typeof options.spatialSize === 'number' ? options.spatialSize : [...options.spatialSize];
    this.method = checkChoice(this.name, 'method', options.method ?? 'symmetric', ['symmetric', 'end'] as const);
  }

  protected override optionKeys(): string[] {
    return [...PAD_KEYS, 'spatialSize', 'method'];
  }

  override computePadWidth(spatialShape: readonly number[]): [number, number][] {
    const size = fallBackTuple(perDim(this.name, 'spatialSize', this.spatialSize, spatialShape.length), spatialShape);
    const pads = size.map((s, i) => {
      const w = Math.max(s - spatialShape[i], 0);
      return (this.method === 'symmetric' ? [Math.floor(w / 2), w - Math.floor(w / 2)] : [0, w]) as [number, number];
    });
    return [[0, 0], ...pads];
  }
}

/** Pads every border by fixed amounts (MONAI's BorderPad: 1, nSpatial or 2*nSpatial values). */
export class BorderPad extends Pad {
  readonly spatialBorder: number | number[];

  constructor(options: PadOptions & { spatialBorder: number | readonly number[] }) {
    super(options);
    checkOptions(this.name, options, this.optionKeys(), ['spatialBorder']);
    checkInts(this.name, 'spatialBorder', options.spatialBorder);
    this.spatialBorder = typeof options.spatialBorder === 'number' ? options.spatialBorder : [...options.spatialBorder];
  }

  protected override optionKeys(): string[] {
    return [...PAD_KEYS, 'spatialBorder'];
  }

  override computePadWidth(spatialShape: readonly number[]): [number, number][] {
    return [[0, 0], ...borderPairs(this.name, this.spatialBorder, spatialShape.length)];
  }
}

function borderPairs(who: string, border: number | readonly number[], n: number): [number, number][] {
  const b = (typeof border === 'number' ? [border] : border).map((v) => Math.max(0, v));
  if (b.length === 1) return Array.from({ length: n }, () => [b[0], b[0]] as [number, number]);
  if (b.length === n) return b.map((v) => [v, v] as [number, number]);
  if (b.length === 2 * n) return Array.from({ length: n }, (_, i) => [b[2 * i], b[2 * i + 1]] as [number, number]);
  throw new RangeError(`${who}: spatialBorder must hold 1, ${n} (per dim) or ${2 * n} (per side) values for a ${n}-d image, got ${b.length}`);
}

/** Pads each spatial dim up to a multiple of k (MONAI's DivisiblePad). */
export class DivisiblePad extends Pad {
  readonly k: number | number[];
  readonly method: 'symmetric' | 'end';

  constructor(options: PadOptions & { k: number | readonly number[]; method?: 'symmetric' | 'end' }) {
    super(options);
    checkOptions(this.name, options, this.optionKeys(), ['k']);
    checkInts(this.name, 'k', options.k);
    this.k = typeof options.k === 'number' ? options.k : [...options.k];
    this.method = checkChoice(this.name, 'method', options.method ?? 'symmetric', ['symmetric', 'end'] as const);
  }

  protected override optionKeys(): string[] {
    return [...PAD_KEYS, 'k', 'method'];
  }

  override computePadWidth(spatialShape: readonly number[]): [number, number][] {
    const size = computeDivisibleSpatialSize(spatialShape, perDim(this.name, 'k', this.k, spatialShape.length));
    return new SpatialPad({ spatialSize: size, method: this.method }).computePadWidth(spatialShape);
  }
}

// ---------------------------------------------------------------------------------------------
// Crops

export interface CropCallOptions {
  slices?: readonly SliceRange[];
  lazy?: boolean | null;
}

/** MONAI's Crop.compute_slices inputs: a centre and size, a start and end, or explicit slices. */
export interface RoiOptions {
  roiCenter?: number | readonly number[] | null;
  roiSize?: number | readonly number[] | null;
  roiStart?: number | readonly number[] | null;
  roiEnd?: number | readonly number[] | null;
  roiSlices?: readonly SliceRange[] | null;
}

/** Crops to slices given per call (MONAI's Crop); the base of every cropper. */
export class Crop extends Transform {
  override readonly supportsLazy: boolean = true;

  constructor(options: { lazy?: boolean } = {}) {
    super();
    this.lazy = options.lazy ?? false;
  }

  /**
   * Slices from a centre and size (start = max(centre - size//2, 0)), from start/end (start clamped to 0,
   * end to at least start), or explicit slices (MONAI's compute_slices).
   */
  static computeSlices(roi: RoiOptions, who = 'Crop'): SliceRange[] {
    const { roiCenter = null, roiSize = null, roiStart = null, roiEnd = null, roiSlices = null } = roi;
    if (roiSlices && roiSlices.length) return roiSlices.map((s) => [s[0] ?? null, s[1] ?? null] as const);
    const list = (v: number | readonly number[]) => (typeof v === 'number' ? [v] : [...v]).map((x) => int16(Number(x)));
    let start: number[];
    let end: number[];
    if (roiCenter !== null && roiSize !== null) {
      const c = list(roiCenter);
      const s = list(roiSize);
      const n = Math.max(c.length, s.length);
      const cc = c.length === 1 ? new Array<number>(n).fill(c[0]) : c;
      const ss = s.length === 1 ? new Array<number>(n).fill(s[0]) : s;
      if (cc.length !== ss.length) throw new RangeError(`${who}: roiCenter and roiSize must have the same length, got [${cc.join(', ')}] and [${ss.join(', ')}]`);
      start = cc.map((v, i) => Math.max(v - Math.floor(ss[i] / 2), 0));
      end = start.map((v, i) => Math.max(v + ss[i], v));
    } else {
      if (roiStart === null || roiEnd === null) throw new TypeError(`${who}: give roiCenter and roiSize, or roiStart and roiEnd, or roiSlices`);
      const s0 = list(roiStart);
      const e0 = list(roiEnd);
      const n = Math.max(s0.length, e0.length);
      const ss = s0.length === 1 ? new Array<number>(n).fill(s0[0]) : s0;
      const ee = e0.length === 1 ? new Array<number>(n).fill(e0[0]) : e0;
      if (ss.length !== ee.length) throw new RangeError(`${who}: roiStart and roiEnd must have the same length, got [${ss.join(', ')}] and [${ee.join(', ')}]`);
      start = ss.map((v) => Math.max(v, 0));
      end = ee.map((v, i) => Math.max(v, start[i]));
    }
    return start.map((s, i) => [s, end[i]] as const);
  }

  override call(img: Tensor, options?: CropCallOptions | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<CropCallOptions>(this.name, options, ['slices', 'lazy']);
    if (!o.slices) throw new TypeError(`${this.name}.call: slices are required`);
    return this.cropSlices(img, o.slices, o.lazy ?? this.lazy);
  }

  /** Crops `img` to `slices` (fewer slices than spatial dims leave the rest whole) and records it as this transform. */
  protected cropSlices(img: Tensor, slices: readonly SliceRange[], lazy: boolean): Tensor {
    const sd = pendingShape(img).length;
    const s = [...slices.slice(0, sd)];
    while (s.length < sd) s.push([null, null]);
    return cropFunc(img, s, this, lazy);
  }

  /** Pads back what the recorded crop removed (constant 0), restoring shape and affine. */
  inverse(img: Tensor): Tensor {
    const rec = this.popTransform(img);
    return undoCrop(img, rec, this.name);
  }
}

/** Pads back a crop record's removed borders (MONAI's Crop.inverse body). */
export function undoCrop(img: Tensor, rec: AppliedOperation, who: string): Tensor {
  const cropped = extraInfoOf(rec, who).cropped as number[];
  const n = img.dim() - 1;
  return padFunc(img, [[0, 0], ...borderPairs(who, cropped, n)], null, 'constant');
}

/** numpy/torch int16 conversion as MONAI's compute_slices does (wraps outside [-32768, 32767]). */
function int16(v: number): number {
  const t = Math.trunc(v);
  return ((((t + 32768) % 65536) + 65536) % 65536) - 32768;
}

/** Crops a fixed region (MONAI's SpatialCrop). */
export class SpatialCrop extends Crop {
  readonly slices: SliceRange[];

  constructor(options: RoiOptions & { lazy?: boolean }) {
    super(options);
    checkOptions(this.name, options, ['roiCenter', 'roiSize', 'roiStart', 'roiEnd', 'roiSlices', 'lazy']);
    this.slices = Crop.computeSlices(options, this.name);
  }

  override call(img: Tensor, options?: { lazy?: boolean | null } | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    return this.cropSlices(img, this.slices, o.lazy ?? this.lazy);
  }
}

/** Crops the centre `roiSize` (MONAI's CenterSpatialCrop; -1 or 0 keeps a dim). */
export class CenterSpatialCrop extends Crop {
  readonly roiSize: number | number[];

  constructor(options: { roiSize: number | readonly number[]; lazy?: boolean }) {
    super(options);
    checkOptions(this.name, options, ['roiSize', 'lazy'], ['roiSize']);
    checkInts(this.name, 'roiSize', options.roiSize);
    this.roiSize = typeof options.roiSize === 'number' ? options.roiSize : [...options.roiSize];
  }

  computeSlicesFor(spatialSize: readonly number[]): SliceRange[] {
    const size = fallBackTuple(perDim(this.name, 'roiSize', this.roiSize, spatialSize.length), spatialSize);
    return Crop.computeSlices({ roiCenter: spatialSize.map((s) => Math.floor(s / 2)), roiSize: size }, this.name);
  }

  override call(img: Tensor, options?: { lazy?: boolean | null } | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    return this.cropSlices(img, this.computeSlicesFor(pendingShape(img)), o.lazy ?? this.lazy);
  }
}

/** Crops the centre, sized as a fraction of the image (MONAI's CenterScaleCrop: ceil(scale * size)). */
export class CenterScaleCrop extends Crop {
  readonly roiScale: number | number[];

  constructor(options: { roiScale: number | readonly number[]; lazy?: boolean }) {
    super(options);
    checkOptions(this.name, options, ['roiScale', 'lazy'], ['roiScale']);
    this.roiScale = typeof options.roiScale === 'number' ? options.roiScale : [...options.roiScale];
  }

  override call(img: Tensor, options?: { lazy?: boolean | null } | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<{ lazy?: boolean | null }>(this.name, options, ['lazy']);
    const size = pendingShape(img);
    const scale = perDim(this.name, 'roiScale', this.roiScale, size.length);
    const roi = size.map((s, i) => Math.ceil(scale[i] * s));
    const slices = new CenterSpatialCrop({ roiSize: roi }).computeSlicesFor(size);
    return this.cropSlices(img, slices, o.lazy ?? this.lazy);
  }
}

/**
 * Replaces the two pending records of a lazy crop then pad by one record of `self` (MONAI's lazy
 * CropForeground / ResizeWithPadOrCrop): the crop's input size, the pad's output shape, the product of
 * their matrices, and `extraInfo`.
 */
function combinePending(self: Transform, ret: MetaTensor, extraInfo: (crop: AppliedOperation, pad: AppliedOperation) => Record<string, MetaValue>): void {
  const pending = ret.pendingOperations;
  const pad = pending.pop()!;
  const crop = pending.pop()!;
  const a = crop.lazy_affine as ArrayLike<number> | null;
  const b = pad.lazy_affine as ArrayLike<number> | null;
  let m: number[] | null = null;
  if (a && b) {
    const n = Math.round(Math.sqrt(a.length));
    m = new Array<number>(n * n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) m[i * n + j] += a[i * n + k] * b[k * n + j];
  } else m = a ? Array.from(a) : b ? Array.from(b) : null;
  self.pushTransform(ret, { origSize: crop[TraceKeys.ORIG_SIZE] as number[], spSize: pad.lazy_shape as number[], affine: m, lazy: true, extraInfo: extraInfo(crop, pad) });
}

// ---------------------------------------------------------------------------------------------
// Foreground

export interface CropForegroundOptions {
  /** voxel selector (default: value > 0) */
  selectFn?: (img: Tensor) => Tensor;
  /** channels the selector looks at (default all) */
  channelIndices?: number | readonly number[] | null;
  /** margin added around the box per dim */
  margin?: number | readonly number[];
  /** clip the box to the image (MONAI 1.4 default true); false pads where the margin leaves it */
  allowSmaller?: boolean;
  /** return [cropped, boxStart, boxEnd] instead of the cropped image */
  returnCoords?: boolean;
  /** grow the box to multiples of k (centred) */
  kDivisible?: number | readonly number[];
  /** pad mode where the box leaves the image */
  mode?: PadMode;
  /** constant value of mode 'constant' */
  value?: number;
  lazy?: boolean;
}

/** Crops to the bounding box of the foreground (MONAI's CropForeground). */
export class CropForeground extends Crop {
  readonly selectFn: (img: Tensor) => Tensor;
  readonly channelIndices: number[] | null;
  readonly margin: number | number[];
  readonly allowSmaller: boolean;
  readonly returnCoords: boolean;
  readonly kDivisible: number | number[];
  readonly padder: Pad;

  constructor(options: CropForegroundOptions = {}) {
    super(options);
    checkOptions(this.name, options, ['selectFn', 'channelIndices', 'margin', 'allowSmaller', 'returnCoords', 'kDivisible', 'mode', 'value', 'lazy']);
    const { selectFn = isPositive, channelIndices = null, margin = 0, allowSmaller = true, returnCoords = false, kDivisible = 1, mode = 'constant', value = 0 } = options;
    if (typeof selectFn !== 'function') throw new TypeError(`${this.name}: selectFn must be a function, got ${describeValue(selectFn)}`);
    checkInts(this.name, 'margin', margin);
    checkInts(this.name, 'kDivisible', kDivisible);
    checkInts(this.name, 'channelIndices', channelIndices, true);
    this.selectFn = selectFn;
    this.channelIndices = channelIndices === null ? null : typeof channelIndices === 'number' ? [channelIndices] : [...channelIndices];
    this.margin = typeof margin === 'number' ? margin : [...margin];
    this.allowSmaller = allowSmaller;
    this.returnCoords = returnCoords;
    this.kDivisible = typeof kDivisible === 'number' ? kDivisible : [...kDivisible];
    this.padder = new Pad({ mode, value, lazy: options.lazy ?? false });
  }

  /** The (k-divisible, centred) box [start, end) of the foreground of `img`. */
  computeBoundingBox(img: Tensor): [number[], number[]] {
    checkImage(this.name, img);
    const n = img.dim() - 1;
    const [s0, e0] = generateSpatialBoundingBox(img, { selectFn: this.selectFn, channelIndices: this.channelIndices, margin: perDim(this.name, 'margin', this.margin, n), allowSmaller: this.allowSmaller });
    const start = s0.map(int16);
    const end = e0.map(int16);
    const orig = end.map((e, i) => e - start[i]);
    const size = computeDivisibleSpatialSize(orig, perDim(this.name, 'kDivisible', this.kDivisible, n));
    const bs = start.map((s, i) => s - Math.floor((size[i] - orig[i]) / 2));
    return [bs, bs.map((s, i) => s + size[i])];
  }

  /** Crops to [boxStart, boxEnd), padding where the box leaves the image; one record holding the pad's as pad_info. */
  cropPad(img: Tensor, boxStart: readonly number[], boxEnd: readonly number[], options: { mode?: PadMode | null; value?: number; lazy?: boolean } = {}): Tensor {
    const lazy = options.lazy ?? this.lazy;
    const slices = Crop.computeSlices({ roiStart: [...boxStart], roiEnd: [...boxEnd] }, this.name);
    const cropped = this.cropSlices(img, slices, lazy);
    const shape = pendingShape(img);
    const border: number[] = [];
    boxStart.forEach((s, i) => border.push(Math.max(-s, 0), Math.max(boxEnd[i] - shape[i], 0)));
    const toPad: [number, number][] = [[0, 0], ...borderPairs(this.name, border, shape.length)];
    const ret = this.padder.call(cropped, { toPad, mode: options.mode ?? null, value: options.value, lazy });
    if (ret !== cropped) cropped.dispose();
    if (ret instanceof MetaTensor && this.tracing) {
      if (lazy) {
        combinePending(this, ret, (crop, pad) => ({ ...extraInfoOf(crop, this.name), pad_info: pad as MetaValue }));
      } else {
        const padInfo = ret.appliedOperations.pop()!;
        extraInfoOf(ret.appliedOperations[ret.appliedOperations.length - 1], this.name).pad_info = padInfo as MetaValue;
      }
    }
    return ret;
  }

  override call(img: Tensor, options?: { mode?: PadMode | null; value?: number; lazy?: boolean | null } | boolean | null): Tensor {
    const o = callOpts<{ mode?: PadMode | null; value?: number }>(this.name, options, ['mode', 'value', 'lazy']);
    const [bs, be] = this.computeBoundingBox(img);
    const out = this.cropPad(img, bs, be, { mode: o.mode ?? null, value: o.value, lazy: o.lazy ?? this.lazy });
    return this.returnCoords ? ([out, bs, be] as unknown as Tensor) : out;
  }

  /** Undoes the pad (from the record's pad_info), then the crop. */
  override inverse(img: Tensor): Tensor {
    const rec = this.popTransform(img);
    const padInfo = extraInfoOf(rec, this.name).pad_info as AppliedOperation | undefined;
    if (padInfo === undefined) throw new Error(`${this.name}.inverse: the record has no pad_info (was it made by CropForeground?)`);
    const unpadded = undoPad(img, padInfo, this.name);
    const out = undoCrop(unpadded, rec, this.name);
    unpadded.dispose();
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Resize with pad or crop, bounding rectangles

/** Centre-crops then pads to `spatialSize` (MONAI's ResizeWithPadOrCrop); one record holding both. */
export class ResizeWithPadOrCrop extends Transform {
  override readonly supportsLazy: boolean = true;
  readonly padder: SpatialPad;
  readonly cropper: CenterSpatialCrop;

  constructor(options: { spatialSize: number | readonly number[]; method?: 'symmetric' | 'end'; mode?: PadMode; value?: number; lazy?: boolean }) {
    super();
    checkOptions(this.name, options, ['spatialSize', 'method', 'mode', 'value', 'lazy'], ['spatialSize']);
    this.padder = new SpatialPad({ spatialSize: options.spatialSize, method: options.method, mode: options.mode, value: options.value, lazy: options.lazy });
    this.cropper = new CenterSpatialCrop({ roiSize: options.spatialSize, lazy: options.lazy });
    this.lazy = options.lazy ?? false;
  }

  override call(img: Tensor, options?: { mode?: PadMode | null; value?: number; lazy?: boolean | null } | boolean | null): Tensor {
    checkImage(this.name, img);
    const o = callOpts<{ mode?: PadMode | null; value?: number }>(this.name, options, ['mode', 'value', 'lazy']);
    const lazy = o.lazy ?? this.lazy;
    const c = this.cropper.call(img, { lazy });
    const ret = this.padder.call(c, { mode: o.mode ?? null, value: o.value, lazy });
    if (ret !== c) c.dispose();
    if (ret instanceof MetaTensor && this.tracing) {
      if (lazy) {
        combinePending(this, ret, (crop, pad) => ({ pad_info: pad as MetaValue, crop_info: crop as MetaValue }));
      } else {
        const padInfo = ret.appliedOperations.pop()!;
        const cropInfo = ret.appliedOperations.pop()!;
        this.pushTransform(ret, { origSize: cropInfo[TraceKeys.ORIG_SIZE] as number[], extraInfo: { pad_info: padInfo as MetaValue, crop_info: cropInfo as MetaValue } });
      }
    }
    return ret;
  }

  inverse(img: Tensor): Tensor {
    const rec = this.popTransform(img);
    const extra = extraInfoOf(rec, this.name);
    const unpadded = undoPad(img, extra.pad_info as AppliedOperation, this.name);
    const out = undoCrop(unpadded, extra.crop_info as AppliedOperation, this.name);
    unpadded.dispose();
    return out;
  }
}

/** Per channel, the bounding box [start0, end0, start1, end1, ...] of the selected voxels (MONAI's BoundingRect). */
export class BoundingRect extends Transform {
  readonly selectFn: (img: Tensor) => Tensor;

  constructor(options: { selectFn?: (img: Tensor) => Tensor } = {}) {
    super();
    checkOptions(this.name, options, ['selectFn']);
    this.selectFn = options.selectFn ?? isPositive;
  }

  override call(img: Tensor): number[][] {
    checkImage(this.name, img);
    const out: number[][] = [];
    for (let c = 0; c < img.shape[0]; c++) {
      const [s, e] = generateSpatialBoundingBox(img, { selectFn: this.selectFn, channelIndices: c });
      out.push(s.flatMap((v, i) => [v, e[i]]));
    }
    return out;
  }
}

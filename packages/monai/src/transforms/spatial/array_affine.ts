/**
 * Grid-based spatial transforms (MONAI's AffineGrid, RandAffineGrid, RandDeformGrid, Resample, Affine,
 * RandAffine, Rand2DElastic, Rand3DElastic). Grids are (sr+1, *spatial) tensors of centred voxel
 * coordinates; affines act on centred coordinates, in float32 as MONAI builds them (torch float32
 * matrices), so grids match MONAI's bit for bit where the ops do.
 */
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { GaussianFilter } from '../../networks/layers/simplelayers.js';
import { RandomizableTransform, Transform, TraceKeys, checkProb, composeAffine } from '../transform.js';
import { RandomState } from '../../utils/random_state.js';
import { adoptMeta, peekPendingRank, peekPendingShape, shallowCopy } from '../lazy/utils.js';
import { createRotate, createScale, createShear, createTranslate, flatten, inv, toAffineNd, toMat, type Mat } from './matrix.js';
import { createControlGrid, createGrid, gridResample } from './resample.js';
import { gridPaddingMode, gridSampleMode } from './modes.js';
import * as fn from './functional.js';
import { checkBool, checkDtype, checkImage, extraOf, type FloatDType } from './array.js';
import { replaceRecord } from './array_random.js';

type Params = number | readonly number[] | null | undefined;

function paramList(who: string, option: string, v: Params): number[] | null {
  if (v === null || v === undefined) return null;
  const l = typeof v === 'number' ? [v] : [...v];
  if (l.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new TypeError(`${who}: ${option} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
  return l;
}

/** A float32 (n x n) tensor of a Mat. */
function f32(m: Mat): Tensor {
  return torch.fromTypedArray(Float32Array.from(flatten(m)), [m.length, m.length], 'float32');
}

/** Reads a small float tensor back as a Mat (float64 values of its elements). */
function readMat(t: Tensor): Mat {
  const n = t.shape[0];
  const v = t.to({ dtype: 'float64' });
  const data = v.toTypedArray() as Float64Array;
  v.dispose();
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * n, (i + 1) * n)));
}

/**
 * MONAI's AffineGrid affine: eye @ rotate @ shear @ translate @ scale, computed in float32 as MONAI
 * does with torch (sin/cos of float32 angles).
 */
function paramsAffine(dims: number, rot: number[] | null, shear: number[] | null, trans: number[] | null, scale: number[] | null, who: string): Mat {
  return torch.tidy(() => {
    let a = torch.eye(dims + 1, { dtype: 'float32' });
    if (rot && rot.length) {
      const th = torch.tensor(rot, { dtype: 'float32' });
      const s = th.sin().toTypedArray() as Float32Array;
      const c = th.cos().toTypedArray() as Float32Array;
      if (dims !== 2 && dims !== 3) createRotate(dims, rot, who); // throws the dimension error
      a = a.matmul(f32(rotateFromSinCos(dims, Array.from(s), Array.from(c), rot.length)));
    }
    if (shear && shear.length) a = a.matmul(f32(createShear(dims, shear, who)));
    if (trans && trans.length) a = a.matmul(f32(createTranslate(dims, trans)));
    if (scale && scale.length) a = a.matmul(torch.fromTypedArray(Float32Array.from(flatten(createScale(dims, scale))), [dims + 1, dims + 1], 'float32'));
    return readMat(a);
  });
}

function rotateFromSinCos(dims: number, s: number[], c: number[], n: number): Mat {
  if (dims === 2)
    return [
      [c[0], -s[0], 0],
      [s[0], c[0], 0],
      [0, 0, 1],
    ];
  // 3D: Rx @ Ry @ Rz in float32
  const mats: Mat[] = [];
  mats.push([
    [1, 0, 0, 0],
    [0, c[0], -s[0], 0],
    [0, s[0], c[0], 0],
    [0, 0, 0, 1],
  ]);
  if (n >= 2)
    mats.push([
      [c[1], 0, s[1], 0],
      [0, 1, 0, 0],
      [-s[1], 0, c[1], 0],
      [0, 0, 0, 1],
    ]);
  if (n >= 3)
    mats.push([
      [c[2], -s[2], 0, 0],
      [s[2], c[2], 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  return torch.tidy(() => readMat(mats.map(f32).reduce((x, y) => x.matmul(y))));
}

export interface AffineGridOptions {
  rotateParams?: Params;
  shearParams?: Params;
  translateParams?: Params;
  scaleParams?: Params;
  dtype?: FloatDType | null;
  alignCorners?: boolean;
  affine?: Mat | Float64Array | null;
  lazy?: boolean;
}

/** Builds an affine (centred coordinates) and applies it to a grid (MONAI's AffineGrid). */
export class AffineGrid extends Transform {
  override readonly supportsLazy = true;
  readonly rotateParams: number[] | null;
  readonly shearParams: number[] | null;
  readonly translateParams: number[] | null;
  readonly scaleParams: number[] | null;
  readonly dtype: FloatDType;
  readonly alignCorners: boolean;
  readonly affine: Mat | null;

  constructor(options: AffineGridOptions = {}) {
    super();
    const who = 'AffineGrid';
    checkOptions(who, options, ['rotateParams', 'shearParams', 'translateParams', 'scaleParams', 'dtype', 'alignCorners', 'affine', 'lazy']);
    this.rotateParams = paramList(who, 'rotateParams', options.rotateParams);
    this.shearParams = paramList(who, 'shearParams', options.shearParams);
    this.translateParams = paramList(who, 'translateParams', options.translateParams);
    this.scaleParams = paramList(who, 'scaleParams', options.scaleParams);
    const d = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.dtype = d === 'float16' || d === 'float64' ? d : 'float32';
    this.alignCorners = checkBool(who, 'alignCorners', options.alignCorners ?? false);
    this.affine = options.affine ? toMat(options.affine as Mat) : null;
    this.lazy = options.lazy ?? false;
  }

  /** Returns [grid (null when lazy), affine]. The grid is a new tensor the caller owns. */
  call(spatialSize?: number[] | null, grid?: Tensor | null, lazy?: boolean | null): [Tensor | null, Mat] {
    const who = this.name;
    const lazy_ = lazy ?? this.lazy;
    let dims: number;
    if (!lazy_) {
      if (!grid && !spatialSize) throw new TypeError(`${who}: grid or spatialSize is required`);
      dims = grid ? grid.dim() - 1 : spatialSize!.length;
    } else {
      if (!spatialSize) throw new TypeError(`${who}: spatialSize is required in lazy mode`);
      dims = spatialSize.length;
    }
    let affine: Mat;
    if (this.affine === null) affine = paramsAffine(dims, this.rotateParams, this.shearParams, this.translateParams, this.scaleParams, who);
    else affine = this.affine;
    affine = toAffineNd(dims, affine);
    if (lazy_) return [null, affine];
    const out = torch.tidy(() => {
      const g = (grid ?? createGrid(spatialSize!)).to({ dtype: this.dtype });
      let a = torch.fromTypedArray(Float64Array.from(flatten(affine)), [dims + 1, dims + 1], 'float64').to({ dtype: this.dtype });
      if (this.alignCorners) {
        const sc = createScale(
          dims,
          g.shape.slice(1).map((d) => Math.max(d, 2) / (Math.max(d, 2) - 1)),
        );
        a = a.matmul(torch.fromTypedArray(Float32Array.from(flatten(sc)), [dims + 1, dims + 1], 'float32').to({ dtype: this.dtype }));
      }
      return a.matmul(g.reshape([g.shape[0], -1])).reshape([-1, ...g.shape.slice(1)]);
    });
    return [out, affine];
  }
}

export type RandRange = number | readonly (number | readonly [number, number] | null)[] | null | undefined;

function rangeList(who: string, option: string, v: RandRange): (number | [number, number] | null)[] {
  if (v === null || v === undefined) return [null];
  if (typeof v === 'number') return [v];
  return v.map((f) => {
    if (f === null || typeof f === 'number') return f;
    if (Array.isArray(f) && f.length === 2 && f.every((x) => typeof x === 'number')) return [f[0], f[1]];
    throw new TypeError(`${who}: ${option} entries must be a number or a [min, max] pair, got ${JSON.stringify(f)}`);
  });
}

export interface RandAffineGridOptions {
  rotateRange?: RandRange;
  shearRange?: RandRange;
  translateRange?: RandRange;
  scaleRange?: RandRange;
  dtype?: FloatDType | null;
  lazy?: boolean;
}

/** AffineGrid with parameters drawn uniformly from ranges (MONAI's RandAffineGrid). */
export class RandAffineGrid extends RandomizableTransform {
  override readonly supportsLazy = true;
  readonly rotateRange: (number | [number, number] | null)[];
  readonly shearRange: (number | [number, number] | null)[];
  readonly translateRange: (number | [number, number] | null)[];
  readonly scaleRange: (number | [number, number] | null)[];
  readonly dtype: FloatDType | null;
  rotateParams: number[] | null = null;
  shearParams: number[] | null = null;
  translateParams: number[] | null = null;
  scaleParams: number[] | null = null;
  /** the affine of the latest call (identity 4x4 before any) */
  affine: Mat | null = toMat(flatten([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ]));

  constructor(options: RandAffineGridOptions = {}) {
    super();
    const who = 'RandAffineGrid';
    checkOptions(who, options, ['rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'dtype', 'lazy']);
    this.rotateRange = rangeList(who, 'rotateRange', options.rotateRange);
    this.shearRange = rangeList(who, 'shearRange', options.shearRange);
    this.translateRange = rangeList(who, 'translateRange', options.translateRange);
    this.scaleRange = rangeList(who, 'scaleRange', options.scaleRange);
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float32' : options.dtype);
    this.lazy = options.lazy ?? false;
  }

  private draw(range: (number | [number, number] | null)[], add = 0): number[] {
    const out: number[] = [];
    for (const f of range) {
      if (Array.isArray(f)) out.push((this.R.uniform(f[0], f[1]) as number) + add);
      else if (f !== null) out.push((this.R.uniform(-f, f) as number) + add);
    }
    return out;
  }

  /** Draws rotate, shear, translate then scale parameters (no probability draw, as MONAI). */
  override randomize(): void {
    this.rotateParams = this.draw(this.rotateRange);
    this.shearParams = this.draw(this.shearRange);
    this.translateParams = this.draw(this.translateRange);
    this.scaleParams = this.draw(this.scaleRange, 1.0);
  }

  call(spatialSize?: number[] | null, grid?: Tensor | null, options: { randomize?: boolean; lazy?: boolean | null } = {}): Tensor | null {
    if (options.randomize ?? true) this.randomize();
    const lazy_ = options.lazy ?? this.lazy;
    const ag = new AffineGrid({
      rotateParams: this.rotateParams,
      shearParams: this.shearParams,
      translateParams: this.translateParams,
      scaleParams: this.scaleParams,
      dtype: this.dtype,
      lazy: lazy_,
    });
    const [g, a] = ag.call(spatialSize, grid, lazy_);
    this.affine = a;
    return g;
  }

  getTransformationMatrix(): Mat | null {
    return this.affine;
  }
}

/** A random deformation of a control-point grid (MONAI's RandDeformGrid). */
export class RandDeformGrid extends RandomizableTransform {
  spacing: number | number[];
  readonly magnitude: [number, number];
  randMag = 1;
  randomOffset: Float32Array = new Float32Array(0);
  offsetShape: number[] = [];

  constructor(options: { spacing: number | readonly number[]; magnitudeRange: readonly [number, number] | readonly number[] }) {
    super();
    const who = 'RandDeformGrid';
    checkOptions(who, options, ['spacing', 'magnitudeRange'], ['spacing', 'magnitudeRange']);
    this.spacing = typeof options.spacing === 'number' ? options.spacing : [...options.spacing];
    if (options.magnitudeRange.length !== 2) throw new TypeError(`${who}: magnitudeRange must be [min, max], got ${JSON.stringify(options.magnitudeRange)}`);
    this.magnitude = [options.magnitudeRange[0], options.magnitudeRange[1]];
  }

  /** Draws normal offsets of shape [dims, *gridSize] then the magnitude. */
  override randomize(gridSize?: unknown): void {
    const gs = gridSize as number[];
    this.offsetShape = [gs.length, ...gs];
    this.randomOffset = Float32Array.from(this.R.normal(0, 1, this.offsetShape) as Float64Array);
    this.randMag = this.R.uniform(this.magnitude[0], this.magnitude[1]) as number;
  }

  call(spatialSize: number[]): Tensor {
    const sp = fn.fallBack(this.spacing, spatialSize.map(() => 1), this.name, 'spacing');
    this.spacing = sp;
    return torch.tidy(() => {
      const cg = createControlGrid(spatialSize, sp);
      this.randomize(cg.shape.slice(1));
      const off = torch.fromTypedArray(this.randomOffset, this.offsetShape, 'float32').mul(this.randMag).to({ dtype: cg.dtype });
      const n = spatialSize.length;
      return torch.cat([cg.narrow(0, 0, n).add(off), cg.narrow(0, n, cg.shape[0] - n)], { dim: 0 });
    });
  }
}

// ---------------------------------------------------------------------------------------------

export interface ResampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  normCoords?: boolean;
  alignCorners?: boolean;
  dtype?: FloatDType | null;
}

/** Samples an image at a grid of centred voxel coordinates (MONAI's Resample). */
export class Resample extends Transform {
  readonly mode: string;
  readonly paddingMode: string;
  readonly normCoords: boolean;
  readonly alignCorners: boolean;
  readonly dtype: FloatDType | null;

  constructor(options: ResampleOptions = {}) {
    super();
    const who = 'Resample';
    checkOptions(who, options, ['mode', 'paddingMode', 'normCoords', 'alignCorners', 'dtype']);
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'border';
    gridPaddingMode(who, this.paddingMode);
    this.normCoords = checkBool(who, 'normCoords', options.normCoords ?? true);
    this.alignCorners = checkBool(who, 'alignCorners', options.alignCorners ?? false);
    this.dtype = checkDtype(who, options.dtype === undefined ? 'float64' : options.dtype);
  }

  /** Resamples `img` at `grid` (null: the input, as float32 copy-free). Returns a new tensor with img's metadata. */
  call(img: Tensor, grid: Tensor | null = null, mode?: unknown, paddingMode?: unknown, options: { dtype?: FloatDType | null; alignCorners?: boolean | null } = {}): Tensor {
    const who = this.name;
    checkImage(who, img);
    if (!grid) return shallowCopy(img);
    const dtype = options.dtype ?? this.dtype ?? (img.dtype === 'float64' ? 'float64' : 'float32');
    const src = img instanceof MetaTensor ? img.asTensor() : img.alias();
    try {
      const out = gridResample(
        src,
        grid,
        {
          mode: gridSampleMode(who, mode ?? this.mode),
          paddingMode: gridPaddingMode(who, paddingMode ?? this.paddingMode),
          alignCorners: options.alignCorners ?? this.alignCorners,
          dtype,
          normCoords: this.normCoords,
        },
        who,
      );
      return adoptMeta(img, out);
    } finally {
      src.dispose();
    }
  }
}

// ---------------------------------------------------------------------------------------------

export interface AffineOptions {
  rotateParams?: Params;
  shearParams?: Params;
  translateParams?: Params;
  scaleParams?: Params;
  affine?: Mat | Float64Array | null;
  spatialSize?: number | readonly number[] | null;
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  normalized?: boolean;
  dtype?: FloatDType | null;
  alignCorners?: boolean;
  imageOnly?: boolean;
  lazy?: boolean;
}

/** Applies an affine (parameters or a matrix, centred coordinates) by grid resampling (MONAI's Affine). */
export class Affine extends Transform {
  override readonly supportsLazy = true;
  readonly affineGrid: AffineGrid;
  readonly resampler: Resample;
  readonly imageOnly: boolean;
  readonly spatialSize: number | number[] | null;
  readonly mode: string;
  readonly paddingMode: string;

  constructor(options: AffineOptions = {}) {
    super();
    const who = 'Affine';
    checkOptions(who, options, ['rotateParams', 'shearParams', 'translateParams', 'scaleParams', 'affine', 'spatialSize', 'mode', 'paddingMode', 'normalized', 'dtype', 'alignCorners', 'imageOnly', 'lazy']);
    const dtype = options.dtype === undefined ? 'float32' : options.dtype;
    const ac = options.alignCorners ?? false;
    this.affineGrid = new AffineGrid({ rotateParams: options.rotateParams, shearParams: options.shearParams, translateParams: options.translateParams, scaleParams: options.scaleParams, affine: options.affine, dtype, alignCorners: ac });
    this.imageOnly = checkBool(who, 'imageOnly', options.imageOnly ?? false);
    this.resampler = new Resample({ normCoords: !(options.normalized ?? false), dtype, alignCorners: ac });
    const s = options.spatialSize ?? null;
    this.spatialSize = s === null ? null : typeof s === 'number' ? s : [...s];
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'reflection';
    gridPaddingMode(who, this.paddingMode);
    this.lazy = options.lazy ?? false;
  }

  /** Returns the image, or [image, affine] when imageOnly is false (as MONAI). */
  call(img: Tensor, lazy?: boolean | null, options: { spatialSize?: number | number[] | null; mode?: string | null; paddingMode?: string | null } = {}): Tensor | [Tensor, Mat] {
    const who = this.name;
    checkImage(who, img);
    checkOptions(who, options, ['spatialSize', 'mode', 'paddingMode']);
    const imgSize = peekPendingShape(img);
    const sp = fn.fallBack(options.spatialSize ?? this.spatialSize, imgSize, who, 'spatialSize');
    const lazy_ = lazy ?? this.lazy;
    const rank = peekPendingRank(img);
    const [grid, affine] = this.affineGrid.call(sp, null, lazy_);
    try {
      const out = fn.affineFunc(img, affine, grid, this.resampler, sp, options.mode ?? this.mode, options.paddingMode ?? this.paddingMode, true, lazy_, this);
      return this.imageOnly ? out : [out, fn.computeWAffine(rank, affine, imgSize, sp)];
    } finally {
      grid?.dispose();
    }
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    return affineInverse(data, rec, this.resampler, true, this.name);
  }
}

/** Undoes an Affine/RandAffine record: resample with the inverse affine to the original size, compose the affine. */
function affineInverse(data: Tensor, rec: Record<string, unknown>, resampler: Resample, useAlign: boolean, who: string): Tensor {
  const ex = extraOf(rec as never);
  const orig = fn.fallBack(rec[TraceKeys.ORIG_SIZE] as number[], data.shape.slice(1), who, 'orig_size');
  const invAffine = inv(toMat(ex.affine as Mat), who);
  const ac = useAlign ? (ex.align_corners as boolean) : false;
  const [grid] = new AffineGrid({ affine: invAffine, alignCorners: ac }).call(orig, null, false);
  let out: Tensor;
  try {
    out = resampler.call(data, grid, ex.mode, ex.padding_mode, useAlign ? { alignCorners: ac } : {});
  } finally {
    grid?.dispose();
  }
  if (out instanceof MetaTensor) composeAffine(out, flatten(fn.computeWAffine(3, invAffine, data.shape.slice(1), orig)), who);
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface RandAffineOptions {
  prob?: number;
  rotateRange?: RandRange;
  shearRange?: RandRange;
  translateRange?: RandRange;
  scaleRange?: RandRange;
  spatialSize?: number | readonly number[] | null;
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  cacheGrid?: boolean;
  lazy?: boolean;
}

/** Affine with random parameters, with probability `prob` (MONAI's RandAffine). */
export class RandAffine extends RandomizableTransform {
  override readonly supportsLazy = true;
  readonly randAffineGrid: RandAffineGrid;
  readonly resampler: Resample;
  readonly spatialSize: number | number[] | null;
  readonly cacheGrid: boolean;
  readonly mode: string;
  readonly paddingMode: string;
  private cachedGrid: Tensor | null = null;

  constructor(options: RandAffineOptions = {}) {
    super();
    const who = 'RandAffine';
    checkOptions(who, options, ['prob', 'rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'spatialSize', 'mode', 'paddingMode', 'cacheGrid', 'lazy']);
    this.prob = checkProb(options.prob ?? 0.1, who);
    this.randAffineGrid = new RandAffineGrid({ rotateRange: options.rotateRange, shearRange: options.shearRange, translateRange: options.translateRange, scaleRange: options.scaleRange });
    this.resampler = new Resample({});
    const s = options.spatialSize ?? null;
    this.spatialSize = s === null ? null : typeof s === 'number' ? s : [...s];
    this.cacheGrid = checkBool(who, 'cacheGrid', options.cacheGrid ?? false);
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'reflection';
    gridPaddingMode(who, this.paddingMode);
    this.lazy = options.lazy ?? false;
    if (this.cacheGrid) {
      const sp = this.spatialSize === null ? null : typeof this.spatialSize === 'number' ? [this.spatialSize] : this.spatialSize;
      if (sp === null || sp.some((x) => x <= 0)) process.emitWarning(`${who}: cacheGrid=true needs a static spatialSize (all positive), got ${JSON.stringify(this.spatialSize)}; not caching`);
      else if (!this.lazy) this.cachedGrid = torch.keep(createGrid(sp));
    }
  }

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    this.randAffineGrid.setRandomState(options);
    return super.setRandomState(options);
  }

  /** Draws whether to apply, then (if so) the affine parameters. */
  override randomize(): void {
    super.randomize();
    if (!this.doTransform) return;
    this.randAffineGrid.randomize();
  }

  /** The identity grid for `spatialSize` (the cached one when it fits); the caller disposes a non-cached grid. */
  getIdentityGrid(spatialSize: number[]): Tensor {
    if (spatialSize.some((x) => x <= 0)) throw new RangeError(`${this.name}: spatialSize should not be dynamic, got [${spatialSize.join(', ')}]`);
    const c = this.cachedGrid;
    if (c && c.shape.length - 1 === spatialSize.length && c.shape.slice(1).every((s, i) => s === spatialSize[i])) return c;
    return createGrid(spatialSize);
  }

  call(img: Tensor, lazy?: boolean | null, options: { spatialSize?: number | number[] | null; mode?: string | null; paddingMode?: string | null; randomize?: boolean; grid?: Tensor | null } = {}): Tensor {
    const who = this.name;
    checkImage(who, img);
    checkOptions(who, options, ['spatialSize', 'mode', 'paddingMode', 'randomize', 'grid']);
    const randomize = options.randomize ?? true;
    if (randomize) this.randomize();
    const ori = peekPendingShape(img);
    const sp = fn.fallBack(options.spatialSize ?? this.spatialSize, ori, who, 'spatialSize');
    const doResampling = this.doTransform || sp.some((s, i) => s !== ori[i]) || sp.length !== ori.length;
    const lazy_ = lazy ?? this.lazy;
    let grid: Tensor | null = options.grid ?? null;
    let owned: Tensor | null = null;
    let affine: Mat | null;
    try {
      if (lazy_) {
        if (this.doTransform) {
          if (!grid) this.randAffineGrid.call(sp, null, { randomize, lazy: true });
          affine = this.randAffineGrid.getTransformationMatrix();
        } else affine = toAffineNd(sp.length, [[1]]);
      } else {
        if (!grid) {
          const id = this.getIdentityGrid(sp);
          grid = id;
          if (id !== this.cachedGrid) owned = id;
          if (this.doTransform) {
            const g = this.randAffineGrid.call(null, grid, { randomize, lazy: false })!;
            owned?.dispose();
            owned = g;
            grid = g;
          }
        }
        affine = this.randAffineGrid.getTransformationMatrix();
      }
      return fn.affineFunc(img, affine ?? toAffineNd(sp.length, [[1]]), grid, this.resampler, sp, options.mode ?? this.mode, options.paddingMode ?? this.paddingMode, doResampling, lazy_, this);
    } finally {
      owned?.dispose();
    }
  }

  inverse(data: Tensor): Tensor {
    const rec = this.popTransform(data);
    if (!extraOf(rec).do_resampling) return data;
    return affineInverse(data, rec, this.resampler, false, this.name);
  }

  /** Frees the cached identity grid. */
  dispose(): void {
    if (this.cachedGrid) {
      this.cachedGrid.dispose();
      this.cachedGrid = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------

export interface Rand2DElasticOptions {
  spacing: number | readonly number[];
  magnitudeRange: readonly [number, number] | readonly number[];
  prob?: number;
  rotateRange?: RandRange;
  shearRange?: RandRange;
  translateRange?: RandRange;
  scaleRange?: RandRange;
  spatialSize?: number | readonly number[] | null;
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
}

/** MONAI's CenterSpatialCrop of a (C, *spatial) tensor to `roi`. */
export function centerCrop(x: Tensor, roi: readonly number[]): Tensor {
  return torch.tidy(() => {
    let y = x;
    roi.forEach((r, i) => {
      const n = y.shape[i + 1];
      const start = Math.max(Math.floor(n / 2) - Math.floor(r / 2), 0);
      const end = Math.min(start + r, n);
      if (start !== 0 || end !== n) y = y.narrow(i + 1, start, end - start);
    });
    return y === x ? x.alias() : y.contiguous();
  });
}

/** 2D elastic deformation (smooth random control-point grid) plus a random affine (MONAI's Rand2DElastic). */
export class Rand2DElastic extends RandomizableTransform {
  readonly deformGrid: RandDeformGrid;
  readonly randAffineGrid: RandAffineGrid;
  readonly resampler: Resample;
  readonly spatialSize: number | number[] | null;
  readonly mode: string;
  readonly paddingMode: string;

  constructor(options: Rand2DElasticOptions) {
    super();
    const who = 'Rand2DElastic';
    checkOptions(who, options, ['spacing', 'magnitudeRange', 'prob', 'rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'spatialSize', 'mode', 'paddingMode'], ['spacing', 'magnitudeRange']);
    this.prob = checkProb(options.prob ?? 0.1, who);
    this.deformGrid = new RandDeformGrid({ spacing: options.spacing, magnitudeRange: options.magnitudeRange });
    this.randAffineGrid = new RandAffineGrid({ rotateRange: options.rotateRange, shearRange: options.shearRange, translateRange: options.translateRange, scaleRange: options.scaleRange });
    this.resampler = new Resample({});
    const s = options.spatialSize ?? null;
    this.spatialSize = s === null ? null : typeof s === 'number' ? s : [...s];
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'reflection';
    gridPaddingMode(who, this.paddingMode);
  }

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    this.deformGrid.setRandomState(options);
    this.randAffineGrid.setRandomState(options);
    return super.setRandomState(options);
  }

  override randomize(spatialSize?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    this.deformGrid.randomize(spatialSize as number[]);
    this.randAffineGrid.randomize();
  }

  /** The deformation grid (the identity grid when not firing); the caller disposes it. */
  makeGrid(sp: number[]): Tensor {
    if (!this.doTransform) return createGrid(sp);
    return torch.tidy(() => {
      const cg = this.deformGrid.call(sp);
      const g = this.randAffineGrid.call(null, cg)!;
      const spacing = this.deformGrid.spacing as number[];
      const up = torch.nn.functional.interpolate(g.unsqueeze(0), { scaleFactor: fn.tupleRep(spacing, 2, this.name, 'spacing'), recomputeScaleFactor: true, mode: 'bicubic', alignCorners: false });
      return centerCrop(up.squeeze(0), sp);
    });
  }

  call(img: Tensor, options: { spatialSize?: number | number[] | null; mode?: string | null; paddingMode?: string | null; randomize?: boolean } = {}): Tensor {
    const who = this.name;
    checkImage(who, img, 2);
    checkOptions(who, options, ['spatialSize', 'mode', 'paddingMode', 'randomize']);
    const sp = fn.fallBack(options.spatialSize ?? this.spatialSize, img.shape.slice(1), who, 'spatialSize');
    if (sp.length !== 2) throw new RangeError(`${who}: expects a 2D image (C, H, W), got shape [${img.shape.join(', ')}]`);
    if (options.randomize ?? true) this.randomize(sp);
    const grid = this.makeGrid(sp);
    try {
      return this.resampler.call(img, grid, options.mode ?? this.mode, options.paddingMode ?? this.paddingMode);
    } finally {
      grid.dispose();
    }
  }
}

export interface Rand3DElasticOptions {
  sigmaRange: readonly [number, number] | readonly number[];
  magnitudeRange: readonly [number, number] | readonly number[];
  prob?: number;
  rotateRange?: RandRange;
  shearRange?: RandRange;
  translateRange?: RandRange;
  scaleRange?: RandRange;
  spatialSize?: number | readonly number[] | null;
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
}

/** 3D elastic deformation (Gaussian-smoothed random offsets) plus a random affine (MONAI's Rand3DElastic). */
export class Rand3DElastic extends RandomizableTransform {
  readonly randAffineGrid: RandAffineGrid;
  readonly resampler: Resample;
  readonly sigmaRange: [number, number];
  readonly magnitudeRange: [number, number];
  readonly spatialSize: number | number[] | null;
  readonly mode: string;
  readonly paddingMode: string;
  randOffset: Float32Array = new Float32Array(0);
  offsetShape: number[] = [];
  magnitude = 1;
  sigma = 1;

  constructor(options: Rand3DElasticOptions) {
    super();
    const who = 'Rand3DElastic';
    checkOptions(who, options, ['sigmaRange', 'magnitudeRange', 'prob', 'rotateRange', 'shearRange', 'translateRange', 'scaleRange', 'spatialSize', 'mode', 'paddingMode'], ['sigmaRange', 'magnitudeRange']);
    this.prob = checkProb(options.prob ?? 0.1, who);
    this.randAffineGrid = new RandAffineGrid({ rotateRange: options.rotateRange, shearRange: options.shearRange, translateRange: options.translateRange, scaleRange: options.scaleRange });
    this.resampler = new Resample({});
    if (options.sigmaRange.length !== 2 || options.magnitudeRange.length !== 2) throw new TypeError(`${who}: sigmaRange and magnitudeRange must be [min, max] pairs`);
    this.sigmaRange = [options.sigmaRange[0], options.sigmaRange[1]];
    this.magnitudeRange = [options.magnitudeRange[0], options.magnitudeRange[1]];
    const s = options.spatialSize ?? null;
    this.spatialSize = s === null ? null : typeof s === 'number' ? s : [...s];
    this.mode = options.mode ?? 'bilinear';
    gridSampleMode(who, this.mode);
    this.paddingMode = options.paddingMode ?? 'reflection';
    gridPaddingMode(who, this.paddingMode);
  }

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    this.randAffineGrid.setRandomState(options);
    return super.setRandomState(options);
  }

  override randomize(gridSize?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    const gs = gridSize as number[];
    this.offsetShape = [3, ...gs];
    this.randOffset = Float32Array.from(this.R.uniform(-1, 1, this.offsetShape) as Float64Array);
    this.magnitude = this.R.uniform(this.magnitudeRange[0], this.magnitudeRange[1]) as number;
    this.sigma = this.R.uniform(this.sigmaRange[0], this.sigmaRange[1]) as number;
    this.randAffineGrid.randomize();
  }

  /** The deformation grid (the identity grid when not firing); the caller disposes it. */
  makeGrid(sp: number[]): Tensor {
    const grid = createGrid(sp);
    if (!this.doTransform) return grid;
    const filt = new GaussianFilter({ spatialDims: 3, sigma: this.sigma, truncated: 3.0 });
    try {
      return torch.tidy(() => {
        const off = torch.fromTypedArray(this.randOffset, this.offsetShape, 'float32').unsqueeze(0);
        const sm = filt.forward(off).squeeze(0).mul(this.magnitude);
        const g = torch.cat([grid.narrow(0, 0, 3).add(sm), grid.narrow(0, 3, grid.shape[0] - 3)], { dim: 0 });
        return this.randAffineGrid.call(null, g)!;
      });
    } finally {
      filt.dispose();
      grid.dispose();
    }
  }

  call(img: Tensor, options: { spatialSize?: number | number[] | null; mode?: string | null; paddingMode?: string | null; randomize?: boolean } = {}): Tensor {
    const who = this.name;
    checkImage(who, img, 3);
    checkOptions(who, options, ['spatialSize', 'mode', 'paddingMode', 'randomize']);
    const sp = fn.fallBack(options.spatialSize ?? this.spatialSize, img.shape.slice(1), who, 'spatialSize');
    if (sp.length !== 3) throw new RangeError(`${who}: expects a 3D image (C, D, H, W), got shape [${img.shape.join(', ')}]`);
    if (options.randomize ?? true) this.randomize(sp);
    const grid = this.makeGrid(sp);
    try {
      return this.resampler.call(img, grid, options.mode ?? this.mode, options.paddingMode ?? this.paddingMode);
    } finally {
      grid.dispose();
    }
  }
}

export { replaceRecord, createGrid };

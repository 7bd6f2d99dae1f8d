/** RandCoarseDropout and RandCoarseShuffle (MONAI's RandCoarseTransform family): random boxes, MONAI's draw order. */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { RandomizableTransform } from '../../transform.js';
import { bool, checkOptions, checkProb, fallBackTuple, int } from '../args.js';
import { checkImage, withMeta } from '../functional.js';

/** One box: [start, size] per spatial dimension (all channels). */
export type Hole = [number, number][];

export interface RandCoarseOptions {
  /** number of boxes (the minimum when maxHoles is set) */
  holes: number;
  /** box size (the minimum when maxSpatialSize is set); non-positive entries take the image's size */
  spatialSize: number | number[];
  maxHoles?: number | null;
  maxSpatialSize?: number | number[] | null;
  prob?: number;
}

function checkSize(who: string, option: string, v: unknown): number | number[] {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x))) return [...v];
  throw new TypeError(`${who}: ${option} must be an integer or a list of integers, got ${JSON.stringify(v)}`);
}

/** Base of the coarse transforms: draws the boxes as MONAI's RandCoarseTransform.randomize. */
export abstract class RandCoarseTransform extends RandomizableTransform {
  static readonly BASE_OPTIONS = ['holes', 'spatialSize', 'maxHoles', 'maxSpatialSize', 'prob'] as const;
  readonly holes: number;
  readonly spatialSize: number | number[];
  readonly maxHoles: number | null;
  readonly maxSpatialSize: number | number[] | null;
  holeCoords: Hole[] = [];
  constructor(who: string, options: RandCoarseOptions) {
    super();
    this.holes = int(who, 'holes', options.holes, 1);
    this.spatialSize = checkSize(who, 'spatialSize', options.spatialSize);
    this.maxHoles = options.maxHoles == null ? null : int(who, 'maxHoles', options.maxHoles, this.holes);
    this.maxSpatialSize = options.maxSpatialSize == null ? null : checkSize(who, 'maxSpatialSize', options.maxSpatialSize);
    this.prob = checkProb(options.prob === undefined ? 0.1 : options.prob, who);
  }
  /** Draws the boxes for an image of spatial size `imgSize`. */
  override randomize(imgSize?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    if (!Array.isArray(imgSize)) throw new TypeError(`${this.name}.randomize: expected the spatial size (a list of numbers), got ${JSON.stringify(imgSize)}`);
    const dims = imgSize as number[];
    let size = fallBackTuple(this.name, 'spatialSize', this.spatialSize, dims);
    this.holeCoords = [];
    const n = this.maxHoles === null ? this.holes : this.R.randint(this.holes, this.maxHoles + 1);
    for (let h = 0; h < n; h++) {
      if (this.maxSpatialSize !== null) {
        const maxSize = fallBackTuple(this.name, 'maxSpatialSize', this.maxSpatialSize, dims);
        // MONAI draws each box from the previous box's size up to the maximum
        size = dims.map((_, i) => this.R.randint(size[i], maxSize[i] + 1));
      }
      const valid = dims.map((d, i) => Math.min(d, size[i] || d));
      this.holeCoords.push(dims.map((d, i) => [d > valid[i] ? this.R.randint(0, d - valid[i] + 1) : 0, valid[i]]));
    }
  }
  /** A view of x's box (all channels). */
  protected box(x: Tensor, hole: Hole): Tensor {
    let v = x;
    hole.forEach(([start, len], i) => { v = v.narrow(i + 1, start, len); });
    return v;
  }
  protected abstract transformHoles(x: Tensor): Tensor;
  call(img: Tensor, options: { randomize?: boolean } = {}): Tensor {
    checkImage(img, this.name);
    checkOptions(`${this.name}.call`, options, ['randomize']);
    if (options.randomize ?? true) this.randomize(img.shape.slice(1));
    if (!this.doTransform) return img;
    return withMeta(img, (x) => this.transformHoles(x));
  }
}

export interface RandCoarseDropoutOptions extends RandCoarseOptions {
  /** fill the boxes (default true); false keeps the boxes and fills the rest */
  dropoutHoles?: boolean;
  /** a constant, or [min, max) for uniform random values; null: the image's [min, max) */
  fillValue?: number | [number, number] | null;
}

/** Fills random boxes (or everything outside them) with a constant or uniform random values. */
export class RandCoarseDropout extends RandCoarseTransform {
  static readonly OPTIONS = [...RandCoarseTransform.BASE_OPTIONS, 'dropoutHoles', 'fillValue'] as const;
  readonly dropoutHoles: boolean;
  readonly fillValue: number | [number, number] | null;
  constructor(options: RandCoarseDropoutOptions) {
    checkOptions('RandCoarseDropout', options, RandCoarseDropout.OPTIONS, ['holes', 'spatialSize']);
    super('RandCoarseDropout', options);
    this.dropoutHoles = bool(this.name, 'dropoutHoles', options.dropoutHoles, true);
    const f = options.fillValue ?? null;
    if (f !== null && typeof f !== 'number' && !(Array.isArray(f) && f.length === 2 && f.every((v) => typeof v === 'number'))) throw new TypeError(`${this.name}: fillValue must be a number, a pair [min, max] or null, got ${JSON.stringify(f)}`);
    this.fillValue = f;
  }
  protected transformHoles(x: Tensor): Tensor {
    const fill: number | [number, number] = this.fillValue ?? [x.min().item(), x.max().item()];
    const random = (shape: number[]) => {
      const t = this.R.uniformTensor((fill as number[])[0], (fill as number[])[1], shape, { dtype: x.dtype === 'float32' ? 'float32' : 'float64' });
      return t.dtype === x.dtype && x.device === 'cpu' ? t : t.to({ dtype: x.dtype, device: x.device });
    };
    if (this.dropoutHoles) {
      const out = x.clone();
      for (const h of this.holeCoords) {
        const view = this.box(out, h);
        if (typeof fill === 'number') view.fill_(fill);
        else view.copy_(random(view.shape));
      }
      return out;
    }
    const out = typeof fill === 'number' ? torch.fullLike(x, fill) : random(x.shape);
    for (const h of this.holeCoords) this.box(out, h).copy_(this.box(x, h));
    return out;
  }
}

export type RandCoarseShuffleOptions = RandCoarseOptions;

/** Shuffles the voxels inside each random box, channel by channel. */
export class RandCoarseShuffle extends RandCoarseTransform {
  static readonly OPTIONS = RandCoarseTransform.BASE_OPTIONS;
  constructor(options: RandCoarseShuffleOptions) {
    checkOptions('RandCoarseShuffle', options, RandCoarseShuffle.OPTIONS, ['holes', 'spatialSize']);
    super('RandCoarseShuffle', options);
  }
  protected transformHoles(x: Tensor): Tensor {
    const out = x.clone();
    for (const h of this.holeCoords) {
      const view = this.box(out, h);
      for (let c = 0; c < view.shape[0]; c++) {
        const chan = view.select(0, c);
        // the permutation numpy's in-place shuffle applies (same draws), applied by one gather
        const perm = this.R.permutation(chan.numel());
        const idx = torch.fromTypedArray(perm, [perm.length], 'float64').to({ dtype: 'int64', device: x.device });
        chan.copy_(chan.reshape([-1]).indexSelect(0, idx).reshape(chan.shape));
      }
    }
    return out;
  }
}

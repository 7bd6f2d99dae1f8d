/**
 * Regular-grid patches (MONAI's monai/data/grid_dataset.py and iter_patch in data/utils.py): `iterPatch`
 * walks a channel-first array patch by patch, `PatchIter`/`PatchIterd` wrap it as callables yielding
 * [patch, coords], and `GridPatchDataset` is an iterable dataset of the patches of every image, each
 * optionally transformed. Coordinates are [[start, stop] per dim, channel first] in the unpadded array;
 * with a pad mode the grid runs on over the far border into the padding (MONAI's behaviour).
 */
import * as torch from '@monai-ts/torch';
import { Compose } from '../transforms/compose.js';
import { padNd, PAD_MODES, type PadMode } from '../transforms/croppad/functional.js';
import type { TransformLike } from '../transforms/transform.js';
import { deepCopyItem } from './item_codec.js';
import { checkChoice, checkOptions } from './options.js';

/** [[start, stop] per dim], channel dim first. */
export type PatchCoords = number[][];

export interface IterPatchOptions {
  /** patch size per dim (channel first); 0/null or a missing entry takes the whole dim */
  patchSize?: number | readonly (number | null)[];
  /** start of the grid per dim, channel first (default 0); may be negative, into the padding, by up to the patch size */
  startPos?: readonly number[];
  /** overlap of neighbouring patches as a fraction of the patch size, one for all dims or one per dim (default 0) */
  overlap?: number | readonly number[];
  /** how the array is padded by one patch size at both ends of each patched dim (default 'wrap'); null: no padding */
  mode?: PadMode | null;
  /** the value of the 'constant' mode (numpy's constant_values, default 0) */
  constantValues?: number;
}

const ITER_OPTIONS = ['patchSize', 'startPos', 'overlap', 'mode', 'constantValues'];

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Yields [patch, coords] over a regular grid of `arr` (MONAI's iter_patch without copy_back). Each patch
 * is a new tensor the caller owns; the padded copy is freed when the iteration ends or is abandoned.
 */
export function* iterPatch(arr: torch.Tensor, options: IterPatchOptions = {}, who = 'iterPatch'): Generator<[torch.Tensor, PatchCoords]> {
  checkOptions(who, options, ITER_OPTIONS);
  if (!(arr instanceof torch.Tensor)) throw new TypeError(`${who}: expected a tensor, found ${arr === null ? 'null' : typeof arr}`);
  const shape = arr.shape;
  const nd = shape.length;
  const given = typeof options.patchSize === 'number' ? [options.patchSize] : [...(options.patchSize ?? [])];
  if (given.length > nd) throw new RangeError(`${who}: patchSize has ${given.length} entries for a ${nd}-d array`);
  const isValid = shape.map((_, d) => Boolean(given[d]));
  const patch = shape.map((s, d) => Math.min(s, given[d] || s));
  if (patch.some((p, d) => !Number.isInteger(p) || p < 0 || (isValid[d] && p < 1))) throw new RangeError(`${who}: patchSize entries must be positive integers (or 0/null), got ${JSON.stringify(given)}`);
  const start = shape.map((_, d) => options.startPos?.[d] ?? 0);
  if ((options.startPos?.length ?? 0) > nd) throw new RangeError(`${who}: startPos has ${options.startPos!.length} entries for a ${nd}-d array`);
  const ov = typeof options.overlap === 'number' || options.overlap === undefined ? shape.map(() => (options.overlap as number | undefined) ?? 0) : shape.map((_, d) => (options.overlap as number[])[d] ?? 0);
  const mode = options.mode === undefined ? 'wrap' : options.mode;
  if (mode !== null) checkChoice(who, 'mode', mode, PAD_MODES);
  const padded = mode !== null;
  const pad = patch.map((p, d) => (isValid[d] && padded ? p : 0));
  const steps = patch.map((p, d) => {
    const o = isValid[d] ? ov[d] : 0;
    if (!(o >= 0 && o < 1)) throw new RangeError(`${who}: overlap must be in [0, 1), got ${o} for dim ${d}`);
    return roundHalfEven(p * (1 - o));
  });
  steps.forEach((s, d) => {
    if (s < 1) throw new RangeError(`${who}: overlap ${ov[d]} leaves no step for patch size ${patch[d]} in dim ${d}`);
  });
  start.forEach((s, d) => {
    if (!Number.isInteger(s) || s + pad[d] < 0 || s > shape[d]) throw new RangeError(`${who}: startPos[${d}] must be an integer in [${-pad[d]}, ${shape[d]}], got ${s}`);
  });
  const from = start.map((s, d) => s + pad[d]);
  const end = shape.map((s, d) => (padded ? s + pad[d] : s - patch[d] + 1));
  const ranges = from.map((f, d) => {
    const r: number[] = [];
    for (let x = f; x < end[d]; x += steps[d]) r.push(x);
    return r;
  });
  if (ranges.some((r) => r.length === 0)) return;
  const source = padded ? padNd(arr, pad.map((p) => [p, p] as [number, number]), mode!, options.constantValues ?? 0) : arr;
  try {
    const idx = ranges.map(() => 0);
    for (;;) {
      const pos = idx.map((k, d) => ranges[d][k]);
      const out = torch.tidy(() => {
        let v = source;
        pos.forEach((p, d) => {
          if (patch[d] !== shape[d] + 2 * pad[d]) v = v.narrow(d, p, patch[d]);
        });
        return v.clone();
      });
      yield [out, pos.map((p, d) => [p - pad[d], p - pad[d] + patch[d]])];
      // itertools.product order: the last dim moves fastest
      let d = nd - 1;
      while (d >= 0 && ++idx[d] === ranges[d].length) idx[d--] = 0;
      if (d < 0) break;
    }
  } finally {
    if (source !== arr) source.dispose();
  }
}

export interface PatchIterOptions {
  /** spatial patch size (the channel dim is always whole); 0/null takes the whole dim */
  patchSize: readonly (number | null)[];
  /** grid start per dim of the array, channel dim FIRST (MONAI applies start_pos to the channel dim too) */
  startPos?: readonly number[];
  /** pad mode (default 'wrap'); null: no padding, only patches inside the image */
  mode?: PadMode | null;
  /** the value of the 'constant' mode (default 0) */
  constantValues?: number;
}

/** A callable that yields [patch, coords] of a channel-first array over a regular grid (MONAI's PatchIter). */
export class PatchIter {
  readonly patchSize: (number | null)[];
  readonly startPos: number[];
  readonly mode: PadMode | null;
  readonly constantValues: number;

  constructor(options: PatchIterOptions) {
    checkOptions('PatchIter', options, ['patchSize', 'startPos', 'mode', 'constantValues'], ['patchSize']);
    if (!Array.isArray(options.patchSize)) throw new TypeError(`PatchIter: patchSize must be a list of sizes, got ${JSON.stringify(options.patchSize)}`);
    this.patchSize = [null, ...options.patchSize];
    this.startPos = [...(options.startPos ?? [])];
    this.mode = options.mode === undefined ? 'wrap' : options.mode;
    if (this.mode !== null) checkChoice('PatchIter', 'mode', this.mode, PAD_MODES);
    this.constantValues = options.constantValues ?? 0;
  }

  call(array: torch.Tensor): Generator<[torch.Tensor, PatchCoords]> {
    return iterPatch(array, { patchSize: this.patchSize, startPos: this.startPos, mode: this.mode, constantValues: this.constantValues }, 'PatchIter');
  }
}

export interface PatchIterdOptions extends PatchIterOptions {
  /** keys of the arrays to patch (all of the same shape) */
  keys: string | readonly string[];
}

/**
 * PatchIter on several keys of a dict at once (MONAI's PatchIterd): yields [dict, coords] where the dict
 * holds the patches, copies of the other entries, and `patch_coords`, `original_spatial_shape`, `start_pos`.
 */
export class PatchIterd {
  static readonly coordsKey = 'patch_coords';
  static readonly originalSpatialShapeKey = 'original_spatial_shape';
  static readonly startPosKey = 'start_pos';
  readonly keys: string[];
  readonly patchIter: PatchIter;

  constructor(options: PatchIterdOptions) {
    checkOptions('PatchIterd', options, ['keys', 'patchSize', 'startPos', 'mode', 'constantValues'], ['keys', 'patchSize']);
    this.keys = typeof options.keys === 'string' ? [options.keys] : [...options.keys];
    if (this.keys.length === 0) throw new TypeError('PatchIterd: keys must name at least one entry');
    const { keys: _k, ...rest } = options;
    this.patchIter = new PatchIter(rest);
  }

  *call(data: Record<string, unknown>): Generator<[Record<string, unknown>, PatchCoords]> {
    for (const k of this.keys) if (!(data[k] instanceof torch.Tensor)) throw new TypeError(`PatchIterd: data['${k}'] must be a tensor, found ${data[k] === undefined ? 'nothing' : typeof data[k]}`);
    const first = data[this.keys[0]] as torch.Tensor;
    const shapes = this.keys.map((k) => (data[k] as torch.Tensor).shape.join('x'));
    if (new Set(shapes).size > 1) throw new RangeError(`PatchIterd: the keys ${this.keys.join(', ')} must have one shape, found ${shapes.join(', ')}`);
    const iters = this.keys.map((k) => this.patchIter.call(data[k] as torch.Tensor));
    try {
      for (;;) {
        const steps = iters.map((it) => it.next());
        if (steps.some((s) => s.done)) {
          steps.forEach((s) => !s.done && s.value[0].dispose());
          return;
        }
        const coords = (steps[0].value as [torch.Tensor, PatchCoords])[1];
        const out: Record<string, unknown> = {};
        this.keys.forEach((k, i) => (out[k] = (steps[i].value as [torch.Tensor, PatchCoords])[0]));
        for (const k of Object.keys(data)) if (!this.keys.includes(k)) out[k] = deepCopyItem(data[k]);
        out[PatchIterd.coordsKey] = coords;
        out[PatchIterd.originalSpatialShapeKey] = first.shape.slice(1);
        out[PatchIterd.startPosKey] = [...this.patchIter.startPos];
        yield [out, coords];
      }
    } finally {
      iters.forEach((it) => it.return(undefined));
    }
  }
}

export interface GridPatchDatasetOptions {
  /** yields [patch, coords, ...] for one item: a PatchIter, a PatchIterd or a generator function */
  patchIter: { call(item: never): Iterable<[unknown, PatchCoords?, ...unknown[]]> } | ((item: never) => Iterable<[unknown, PatchCoords?, ...unknown[]]>);
  /** applied to each patch */
  transform?: TransformLike | readonly TransformLike[] | null;
  /** yield [patch, coords] (default true) or the patch alone */
  withCoordinates?: boolean;
}

/**
 * An iterable dataset of the patches of every item of `data` (MONAI's GridPatchDataset, without its
 * optional cache). Breaking out of a `for...of` frees the iterator's padded copy.
 */
export class GridPatchDataset implements Iterable<unknown> {
  readonly data: Iterable<unknown>;
  readonly patchIter: (item: unknown) => Iterable<[unknown, PatchCoords?, ...unknown[]]>;
  readonly patchTransform: Compose | null;
  readonly withCoordinates: boolean;

  constructor(data: Iterable<unknown>, options: GridPatchDatasetOptions) {
    checkOptions('GridPatchDataset', options, ['patchIter', 'transform', 'withCoordinates'], ['patchIter']);
    if (data === null || typeof (data as Iterable<unknown>)[Symbol.iterator] !== 'function') throw new TypeError('GridPatchDataset: data must be an array or another iterable');
    this.data = data;
    const pi = options.patchIter as unknown;
    if (typeof pi === 'function') this.patchIter = pi as (item: unknown) => Iterable<[unknown, PatchCoords?]>;
    else if (pi !== null && typeof (pi as { call?: unknown }).call === 'function') this.patchIter = (item) => (pi as { call(x: unknown): Iterable<[unknown, PatchCoords?]> }).call(item);
    else throw new TypeError('GridPatchDataset: patchIter must be a PatchIter, a PatchIterd or a function yielding [patch, coords]');
    this.patchTransform = options.transform === undefined || options.transform === null ? null : options.transform instanceof Compose ? options.transform : new Compose(options.transform as TransformLike | TransformLike[]);
    this.withCoordinates = options.withCoordinates ?? true;
  }

  *[Symbol.iterator](): Generator<unknown> {
    for (const item of this.data) {
      for (const [patch, ...others] of this.patchIter(item)) {
        let out = patch;
        if (this.patchTransform) {
          const t = this.patchTransform;
          out = torch.tidy(() => t.call(patch));
          if (out !== patch && patch instanceof torch.Tensor) patch.dispose();
        }
        yield this.withCoordinates && others.length > 0 ? [out, others[0]] : out;
      }
    }
  }
}

/**
 * MONAI's patch-grid helpers of monai.data.utils: iterPatchPosition and iterPatchSlices. Pure index
 * arithmetic on the sizes (no tensors): a slice is [start, stop).
 */
import { getValidPatchSize, roundHalfEven } from '../transforms/utils.js';

export interface IterPatchPositionOptions {
  /** first position per dim (default 0; missing entries 0) */
  startPos?: readonly number[];
  /**
   * overlap of neighbouring patches, one for all dims or one per dim: a fraction in [0, 1) of the patch
   * size, or an integer >= 1 counting voxels (MONAI tells them apart by float vs int; default 0)
   */
  overlap?: number | readonly number[];
  /** positions run to the image end, patches past it to be padded (iterPatchPosition default false, iterPatchSlices true) */
  padded?: boolean;
}

function* positions(who: string, imageSize: readonly number[], patch: number[], options: IterPatchPositionOptions, paddedDefault: boolean): Generator<number[]> {
  for (const k of Object.keys(options)) if (!['startPos', 'overlap', 'padded'].includes(k)) throw new TypeError(`${who}: unknown option '${k}' (known: startPos, overlap, padded)`);
  const nd = imageSize.length;
  const start = imageSize.map((_, d) => options.startPos?.[d] ?? 0);
  const ov = imageSize.map((_, d) => (typeof options.overlap === 'object' && options.overlap !== null ? options.overlap[d] ?? 0 : options.overlap ?? 0));
  const steps = patch.map((p, d) => {
    const o = ov[d];
    if (!(o >= 0) || (o >= 1 && !Number.isInteger(o))) throw new RangeError(`${who}: overlap must be a fraction in [0, 1) or a whole number of voxels, found ${o} for dim ${d}`);
    const step = o < 1 ? roundHalfEven(p * (1 - o)) : p - o;
    if (step < 1) throw new RangeError(`${who}: overlap ${o} leaves no step for patch size ${p} in dim ${d}`);
    return step;
  });
  const padded = options.padded ?? paddedDefault;
  const end = imageSize.map((s, d) => (padded ? s : s - patch[d] + 1));
  const ranges = start.map((f, d) => {
    const r: number[] = [];
    for (let x = f; x < end[d]; x += steps[d]) r.push(x);
    return r;
  });
  if (nd === 0 || ranges.some((r) => r.length === 0)) return;
  const idx = ranges.map(() => 0);
  for (;;) {
    yield idx.map((k, d) => ranges[d][k]);
    let d = nd - 1; // itertools.product order: the last dim moves fastest
    while (d >= 0 && ++idx[d] === ranges[d].length) idx[d--] = 0;
    if (d < 0) return;
  }
}

/** MONAI's iter_patch_position: the start of each patch of a regular grid, last dim fastest. */
export function iterPatchPosition(imageSize: readonly number[], patchSize: number | readonly (number | null)[], options: IterPatchPositionOptions = {}): Generator<number[]> {
  return positions('iterPatchPosition', imageSize, getValidPatchSize(imageSize, patchSize), options, false);
}

/** MONAI's iter_patch_slices: each patch of the grid as one [start, stop) pair per dim (padded by default). */
export function* iterPatchSlices(imageSize: readonly number[], patchSize: number | readonly (number | null)[], options: IterPatchPositionOptions = {}): Generator<[number, number][]> {
  const patch = getValidPatchSize(imageSize, patchSize);
  for (const pos of positions('iterPatchSlices', imageSize, patch, options, true)) yield pos.map((s, d) => [s, s + patch[d]] as [number, number]);
}

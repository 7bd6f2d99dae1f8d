// Shared metric helpers (MONAI monai/metrics/utils.py): background removal, the nan-aware reductions,
// mask edges and surface distances. Edges come from a cross-shaped binary erosion done with tensor
// ops; distances from the native transforms torch.ops.distanceTransformEdt / distanceTransformCdt.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkChoice } from '../data/options.js';
import { subvoxelMeasureTable } from './surface_tables.js';

export const METRIC_REDUCTIONS = ['none', 'mean', 'sum', 'mean_batch', 'sum_batch', 'mean_channel', 'sum_channel'] as const;
/** MONAI's MetricReduction values. */
export type MetricReduction = (typeof METRIC_REDUCTIONS)[number];

export const DISTANCE_METRICS = ['euclidean', 'chessboard', 'taxicab'] as const;
export type DistanceMetric = (typeof DISTANCE_METRICS)[number];

/** Spacing per call: one number, one number per spatial dimension, or one such entry per batch item. */
export type Spacing = number | number[] | (number | number[])[] | null;

export function checkReduction(owner: string, value: unknown): MetricReduction {
  return checkChoice(owner, 'reduction', value, METRIC_REDUCTIONS);
}

/** Drops channel 0 of both (when they have more than one channel): views, not copies. */
export function ignoreBackground(yPred: Tensor, y: Tensor): [Tensor, Tensor] {
  const yy = y.shape[1] > 1 ? y.narrow(1, 1, y.shape[1] - 1) : y;
  const pp = yPred.shape[1] > 1 ? yPred.narrow(1, 1, yPred.shape[1] - 1) : yPred;
  return [pp, yy];
}

/**
 * Reduces per-sample, per-class values [B, C, ...] over the non-NaN entries, as MONAI's
 * do_metric_reduction: 'mean' averages over classes then over batch items (each counting only
 * non-NaN entries, 0 where none), 'sum' adds them, '*_batch' / '*_channel' reduce one dimension,
 * 'none' returns the input. Returns [values, notNans] (new tensors; float32 except for 'none').
 */
export function doMetricReduction(f: Tensor, reduction: MetricReduction = 'mean'): [Tensor, Tensor] {
  const r = checkReduction('doMetricReduction', reduction);
  return torch.tidy(() => {
    const nans = f.isnan();
    let notNans = nans.logicalNot();
    if (r === 'none') return [f.clone(), notNans.float()] as [Tensor, Tensor];
    let v = f.maskedFill(nans, 0);
    const zero = torch.zeros([1], { dtype: 'float32', device: f.device });
    const mean = (dim: number) => {
      const n = notNans.sum(dim).float();
      v = torch.where(n.gt(0), v.sum(dim).float().div(n), zero);
      notNans = n;
    };
    switch (r) {
      case 'mean': {
        mean(1);
        const n = notNans.gt(0).sum(0).float();
        v = torch.where(n.gt(0), v.sum(0).float().div(n), zero);
        notNans = n;
        break;
      }
      case 'sum':
        notNans = notNans.sum([0, 1]).float();
        v = v.sum([0, 1]);
        break;
      case 'mean_batch':
        mean(0);
        break;
      case 'sum_batch':
        notNans = notNans.sum(0).float();
        v = v.sum(0).float();
        break;
      case 'mean_channel':
        mean(1);
        break;
      case 'sum_channel':
        notNans = notNans.sum(1).float();
        v = v.sum(1).float();
        break;
    }
    return [v, notNans] as [Tensor, Tensor];
  });
}

/** The values of a (small) tensor as numbers, in row-major order. */
export function tensorValues(t: Tensor): number[] {
  return torch.tidy(() => Array.from(t.detach().to('float64').contiguous().data() as Float64Array));
}

/** Emits a MONAI-style warning once per owner object and message. */
export class MetricWarner {
  private readonly seen = new Set<string>();
  warn(msg: string): void {
    if (this.seen.has(msg)) return;
    this.seen.add(msg);
    process.emitWarning(msg, { type: 'UserWarning' });
  }
}

/** Warns (UserWarning) when `input` holds values other than 0 and 1, as MONAI's is_binary_tensor. */
export function isBinaryTensor(input: Tensor, name: string): void {
  if (!(input instanceof torch.Tensor)) throw new TypeError(`${name} must be a Tensor`);
  const binary = torch.tidy(() => Boolean(input.eq(0).logicalOr(input.eq(1)).all().item()));
  if (!binary) process.emitWarning(`${name} should be a binarized tensor.`, { type: 'UserWarning' });
}

/**
 * `spacing` as one entry per batch item (MONAI's prepare_spacing): null or a number is repeated, a
 * list of `imgDim` numbers is repeated, a list of `batchSize` lists is checked and kept.
 */
export function prepareSpacing(spacing: Spacing | undefined, batchSize: number, imgDim: number): (number | number[] | null)[] {
  if (spacing === null || spacing === undefined || typeof spacing === 'number') return Array.from({ length: batchSize }, () => spacing ?? null);
  if (!Array.isArray(spacing)) throw new TypeError(`spacing should be a number, a list of numbers or a list of lists, found ${typeof spacing}`);
  const isNum = typeof spacing[0] === 'number';
  if (spacing.some((s) => (typeof s === 'number') !== isNum)) throw new TypeError(`if spacing is a list, its elements should be of one type, found ${JSON.stringify(spacing)}`);
  if (!isNum) {
    if (spacing.length !== batchSize)
      throw new RangeError(`if spacing is a list of lists, the outer list should have the batch size (${batchSize}) entries, found ${spacing.length}`);
    for (const s of spacing as number[][])
      if (s.length !== imgDim) throw new RangeError(`each entry of spacing should have the image dimension (${imgDim}) values, found ${s.length}`);
    return (spacing as number[][]).map((s) => [...s]);
  }
  if (spacing.length !== imgDim) throw new RangeError(`if spacing is a list of numbers, it should have the image dimension (${imgDim}) values, found ${spacing.length}`);
  return Array.from({ length: batchSize }, () => [...(spacing as number[])]);
}

/** First and last index along each axis where `mask` (bool) is true; null when it is all false. */
function boundingBox(mask: Tensor): [number, number][] | null {
  return torch.tidy(() => {
    // the profile of axis a is the max over every other axis: reduce the leading axes one at a time
    // (an outer reduction) and the trailing ones as one flattened inner reduction
    let cur = mask.to('uint8');
    const box: [number, number][] = [];
    for (let a = 0; a < mask.dim(); a++) {
      const profile = tensorValues(cur.dim() > 1 ? cur.flatten(1).amax(1) : cur);
      const first = profile.indexOf(1);
      if (first < 0) return null;
      box.push([first, profile.lastIndexOf(1)]);
      if (cur.dim() > 1) cur = cur.amax(0);
    }
    return box;
  });
}

/** The box [first - 1, last + 1] of each axis, zero-padded where it leaves the array (CropForeground, margin 1). */
function cropWithMargin(x: Tensor, box: [number, number][]): Tensor {
  let t = torch.constantPadNd(x, box.flatMap(() => [1, 1]), 0);
  box.forEach(([first, last], a) => (t = t.narrow(a, first, last - first + 3)));
  return t.contiguous();
}

/** Voxels of `m` (bool) with a face neighbour outside `m` or outside the array: m minus its cross-shaped erosion. */
function maskEdges(m: Tensor): Tensor {
  const nd = m.dim();
  const p = torch.constantPadNd(m, Array(2 * nd).fill(1), false);
  let inner = m;
  for (let a = 0; a < nd; a++) {
    for (const start of [0, 2]) {
      let s = p;
      for (let d = 0; d < nd; d++) s = s.narrow(d, d === a ? start : 1, m.shape[d]);
      inner = inner.bitwiseAnd(s);
    }
  }
  return m.bitwiseAnd(inner.logicalNot());
}

export interface GetMaskEdgesOptions {
  /** For label fields: the label that is foreground (`seg == labelIdx`). Default 1. */
  labelIdx?: number;
  /** Crop both to the bounding box of their union, with a margin of 1. Default true. */
  crop?: boolean;
  /** With a spacing, also return the sub-voxel areas (3D) or contour lengths (2D) of the edges. */
  spacing?: number[] | null;
}

/**
 * Edges of two binary (or label-field) masks of one shape, as MONAI's get_mask_edges: [edgesPred,
 * edgesGt] (bool), or with `spacing` the sub-voxel form [edgesPred, edgesGt, areasPred, areasGt]
 * computed on the 2^d-voxel neighbourhood codes. New tensors, owned by the caller.
 */
export function getMaskEdges(segPred: Tensor, segGt: Tensor, options: GetMaskEdgesOptions = {}): Tensor[] {
  if (segPred.shape.join() !== segGt.shape.join())
    throw new RangeError(`getMaskEdges: segPred and segGt should have the same shape, found [${segPred.shape}] and [${segGt.shape}]`);
  const labelIdx = options.labelIdx ?? 1;
  const crop = options.crop ?? true;
  const spacing = options.spacing ?? null;
  return torch.tidy(() => {
    let p = segPred.dtype === 'bool' ? segPred : segPred.eq(labelIdx);
    let g = segGt.dtype === 'bool' ? segGt : segGt.eq(labelIdx);
    if (crop) {
      const box = boundingBox(p.bitwiseOr(g));
      if (box === null) {
        const z = torch.zeros(p.shape, { dtype: 'bool', device: p.device });
        return spacing === null ? [z, z.clone()] : [z, z.clone(), z.clone(), z.clone()];
      }
      p = cropWithMargin(p, box);
      g = cropWithMargin(g, box);
    }
    if (spacing === null) return [maskEdges(p), maskEdges(g)];
    const nd = spacing.length;
    if (nd !== 2 && nd !== 3) throw new RangeError(`getMaskEdges: spacing must have 2 or 3 values (sub-voxel edges are 2D or 3D), found ${nd}`);
    if (p.dim() !== nd) throw new RangeError(`getMaskEdges: spacing has ${nd} values but the masks have ${p.dim()} dimensions`);
    const { table, kernel } = subvoxelMeasureTable(spacing, p.device);
    const vol = torch.stack([p.unsqueeze(0), g.unsqueeze(0)], 0).float();
    const codes = (nd === 3 ? torch.conv3d(vol, kernel) : torch.conv2d(vol, kernel)).to('int64');
    const allOnes = table.shape[0] - 1;
    const edges = codes.ne(0).bitwiseAnd(codes.ne(allOnes));
    const areas = table.indexSelect(0, codes.flatten()).reshape(codes.shape);
    return [edges.select(0, 0).select(0, 0), edges.select(0, 1).select(0, 0), areas.select(0, 0).select(0, 0), areas.select(0, 1).select(0, 0)];
  });
}

export interface SurfaceDistanceOptions {
  distanceMetric?: DistanceMetric;
  /** Voxel spacing for the euclidean metric (one number for all axes). Default 1. */
  spacing?: number | number[] | null;
}

/**
 * Distances (float32, one per true voxel of `segPred`) from the edge voxels of `segPred` to the
 * nearest edge voxel of `segGt`, as MONAI's get_surface_distance: infinite when `segGt` is empty;
 * when `segPred` is empty, one infinite distance per true voxel of `segGt` (as MONAI returns).
 */
export function getSurfaceDistance(segPred: Tensor, segGt: Tensor, options: SurfaceDistanceOptions = {}): Tensor {
  const metric = checkChoice('getSurfaceDistance', 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
  return torch.tidy(() => {
    const pred = segPred.dtype === 'bool' ? segPred : segPred.ne(0);
    const gt = segGt.dtype === 'bool' ? segGt : segGt.ne(0);
    return surfaceDistance(pred, gt, Boolean(pred.any().item()), Boolean(gt.any().item()), metric, options.spacing ?? null);
  });
}

/** getSurfaceDistance on bool masks whose emptiness is known. */
function surfaceDistance(pred: Tensor, gt: Tensor, predAny: boolean, gtAny: boolean, metric: DistanceMetric, spacing: number | number[] | null): Tensor {
  const inf = Number.POSITIVE_INFINITY;
  if (!gtAny) return torch.full(gt.shape, inf, { dtype: 'float32', device: gt.device }).maskedSelect(pred);
  // MONAI's quirk: an empty segPred gives one infinite distance per true voxel of segGt
  if (!predAny) return torch.full([Number(gt.sum().item())], inf, { dtype: 'float32', device: gt.device });
  const notGt = gt.logicalNot();
  const dis = metric === 'euclidean'
    ? torch.ops.distanceTransformEdt(notGt, { sampling: spacing ?? undefined }).distances!.to('float32')
    : torch.ops.distanceTransformCdt(notGt, { metric }).to('float32');
  return dis.maskedSelect(pred);
}

export interface EdgeSurfaceDistanceOptions extends SurfaceDistanceOptions {
  /** Use the sub-voxel edges and return their areas (needs `spacing` or uses 1). Default false. */
  useSubvoxels?: boolean;
  /** Also the distances from `y`'s edges to `yPred`'s. Default false. */
  symmetric?: boolean;
  /** The class named in the empty-mask warnings (-1: 'Unknown'). */
  classIndex?: number;
  /** Where the warnings go (default: process.emitWarning each time). */
  warn?: (msg: string) => void;
}

export interface EdgeSurfaceDistance {
  edges: [Tensor, Tensor];
  /** [pred to gt] or, when symmetric, [pred to gt, gt to pred]. */
  distances: Tensor[];
  /** [areasPred, areasGt] with useSubvoxels, else empty. */
  areas: Tensor[];
}

/**
 * Edges of `yPred` and `y` (spatial shape, binary or label 1) and the surface distances between
 * them, as MONAI's get_edge_surface_distance, warning when either has no edge.
 */
export function getEdgeSurfaceDistance(yPred: Tensor, y: Tensor, options: EdgeSurfaceDistanceOptions = {}): EdgeSurfaceDistance {
  const warn = options.warn ?? ((m: string) => process.emitWarning(m, { type: 'UserWarning' }));
  const metric = checkChoice('getEdgeSurfaceDistance', 'distanceMetric', options.distanceMetric ?? 'euclidean', DISTANCE_METRICS);
  const cls = options.classIndex === undefined || options.classIndex === -1 ? 'Unknown' : String(options.classIndex);
  return torch.tidy(() => {
    let edgesSpacing: number[] | null = null;
    if (options.useSubvoxels) {
      const s = options.spacing;
      edgesSpacing = s === null || s === undefined ? Array(yPred.dim()).fill(1) : typeof s === 'number' ? Array(yPred.dim()).fill(s) : s;
    }
    const [edgesPred, edgesGt, ...areas] = getMaskEdges(yPred, y, { crop: true, spacing: edgesSpacing });
    const gtAny = Boolean(edgesGt.any().item());
    const predAny = Boolean(edgesPred.any().item());
    if (!gtAny) warn(`the ground truth of class ${cls} is all 0, this may result in nan/inf distance.`);
    if (!predAny) warn(`the prediction of class ${cls} is all 0, this may result in nan/inf distance.`);
    const spacing = options.spacing ?? null;
    const distances = [surfaceDistance(edgesPred, edgesGt, predAny, gtAny, metric, spacing)];
    if (options.symmetric) distances.push(surfaceDistance(edgesGt, edgesPred, gtAny, predAny, metric, spacing));
    return { edges: [edgesPred, edgesGt] as [Tensor, Tensor], distances, areas };
  });
}

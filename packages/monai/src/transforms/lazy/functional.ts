/**
 * Lazy resampling (MONAI's monai/transforms/lazy/functional.py and utils.resample): pending spatial
 * operations compose into one matrix and are applied by one resample; a matrix that only permutes,
 * flips and shifts by whole voxels is applied by permute/flip/pad/crop without interpolation.
 * Importing this module installs the hook through which applyTransform resolves pending operations
 * before a transform that is not lazy (MONAI's apply_pending_transforms_in_order).
 */
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation } from '../../data/meta_tensor.js';
import { checkOptions } from '../../data/options.js';
import { Transform, setPendingOperationsHook, type TransformLike } from '../transform.js';
import { AFFINE_TOL, affineMat, allClose, eye, flatten, matmul, toAffineNd, type Mat } from '../spatial/matrix.js';
import { SpatialResample, type FloatDType } from '../spatial/array.js';
import { LazyAttr, pendingMatrix, requiresInterp } from './utils.js';

/** Keys `overrides` may hold (MONAI's apply_pending override keywords, camelCase). */
export const OVERRIDE_KEYS = ['mode', 'paddingMode', 'dtype', 'alignCorners', 'resampleMode', 'device'] as const;

export interface LazyOverrides {
  mode?: string;
  paddingMode?: string;
  dtype?: FloatDType | null;
  alignCorners?: boolean;
  resampleMode?: 'auto' | string;
  device?: string;
}

interface ResampleKwargs {
  interp?: string | null;
  padding?: string | null;
  shape?: number[];
  dtype?: string | null;
  alignCorners?: boolean;
  resampleMode?: string;
}

function kwargsFromPending(p: AppliedOperation): ResampleKwargs {
  const out: ResampleKwargs = {
    interp: (p[LazyAttr.INTERP_MODE] as string | undefined) ?? null,
    padding: (p[LazyAttr.PADDING_MODE] as string | undefined) ?? null,
  };
  if (p[LazyAttr.SHAPE] !== undefined) out.shape = [...(p[LazyAttr.SHAPE] as number[])];
  if (p[LazyAttr.DTYPE] !== undefined) out.dtype = p[LazyAttr.DTYPE] as string;
  return out;
}

function pendingList(t: MetaTensor): AppliedOperation[] {
  const p = (t as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations;
  if (p === undefined) throw new Error('lazy resampling needs MetaTensor.pendingOperations');
  return p;
}

function as4(m: Mat): Mat {
  return m.length === 3 ? toAffineNd(3, m) : m;
}

/** torch pad mode nearest to a resampling padding name (MONAI's _convert_pt_pad_mode). */
function ptPadMode(m: string | null | undefined): nn.functional.PadMode {
  if (m === null || m === undefined || m === 'zeros' || m === 'constant' || m === 'grid-constant') return 'constant';
  if (m === 'reflection' || m === 'reflect' || m === 'mirror' || m === 'grid-mirror') return 'reflect';
  if (m === 'wrap' || m === 'grid-wrap') return 'circular';
  return 'replicate';
}

/** MONAI's crop_or_pad_nd: applies an integer translation by padding and cropping. */
function cropOrPadNd(img: Tensor, m: Mat, size: readonly number[], mode: string | null | undefined): Tensor {
  const ndim = img.dim() - 1;
  const mat = toAffineNd(size.length, toAffineNd(ndim, m).map((r) => r.map((v) => Math.round(v))));
  const n = size.length;
  const corners: number[][] = [];
  const rec = (i: number, cur: number[]) => {
    if (i === n) return void corners.push([...cur, 1]);
    for (const v of [0.5, size[i] - 0.5]) rec(i + 1, [...cur, v]);
  };
  rec(0, []);
  const src = corners.map((c) => mat.slice(0, n).map((row) => Math.floor(row.reduce((s, v, k) => s + v * c[k], 0))));
  const toPad: [number, number][] = [];
  const toCrop: [number, number][] = [];
  let doPad = false;
  let doCrop = false;
  for (let i = 0; i < n; i++) {
    const s = Math.min(...src.map((c) => c[i]));
    const e = Math.max(...src.map((c) => c[i]));
    const sp = img.shape[i + 1];
    doPad = doPad || s < 0 || e > sp - 1;
    doCrop = doCrop || s > 0 || e < sp - 1;
    const p: [number, number] = [s >= 0 ? 0 : -s, e < sp - 1 ? 0 : e - sp + 1];
    toPad.push(p);
    toCrop.push([Math.max(s, 0), e + 1 + p[0]]);
  }
  return torch.tidy(() => {
    let y = img;
    if (doPad) y = nn.functional.pad(y.unsqueeze(0), [...toPad].reverse().flatMap(([a, b]) => [a, b]), { mode: ptPadMode(mode) }).squeeze(0);
    if (doCrop) toCrop.forEach(([s, e], i) => (y = y.narrow(i + 1, s, e - s)));
    return y === img ? img.alias() : y.contiguous();
  });
}

/**
 * Applies a composed matrix to `data` (MONAI's lazy resample): without interpolation when the matrix
 * permutes/flips/shifts by whole voxels (resampleMode 'auto', alignCorners false), else one
 * SpatialResample to `affine @ matrix`. Returns a new float32 MetaTensor.
 */
function resample(data: MetaTensor, matrix: Mat, kw: ResampleKwargs): Tensor {
  const atol = AFFINE_TOL;
  const mode = kw.resampleMode ?? 'auto';
  const alignCorners = kw.alignCorners ?? false;
  const ndim = matrix.length - 1;
  const initAffine = toAffineNd(ndim, affineMat(data.affine));
  const outSize = kw.shape ?? data.shape.slice(1);
  const dstAffine = matmul(initAffine, matrix);
  const axes = requiresInterp(matrix, atol);
  if (axes !== null && mode === 'auto' && !alignCorners) {
    if (outSize.some((s) => !(s > 0))) throw new RangeError(`applyPending: resampling output size should be positive, got [${outSize.join(', ')}]`);
    const m = matrix.map((r) => r.map((v) => Math.round(v)));
    const perm = axes
      .map((_, i) => i)
      .sort((a, b) => axes[a] - axes[b]);
    const out = torch.tidy(() => {
      let x: Tensor = data.asTensor();
      const full = [...perm, ...Array.from({ length: x.dim() - perm.length }, (_, i) => perm.length + i)];
      if (!perm.every((p, i) => p === i)) x = x.permute(full.slice(0, x.dim()));
      const inShape = x.shape.slice(1, ndim + 1);
      const rows = perm.slice(1).map((p) => m[p - 1]);
      for (let i = 0; i < ndim; i++) m[i] = rows[i];
      const flips = m.slice(0, ndim).flatMap((row, i) => (row[i] === -1 ? [i + 1] : []));
      if (flips.length) {
        x = x.flip(flips);
        for (const f of flips) {
          m[f - 1][f - 1] = 1;
          m[f - 1][ndim] = inShape[f - 1] - 1 - m[f - 1][ndim];
        }
      }
      const same = allClose(m, eye(ndim + 1), atol) && inShape.length === outSize.length && allClose(inShape, outSize);
      const y = same ? x : cropOrPadNd(x, m, outSize, kw.padding);
      return y.to({ dtype: 'float32' }).contiguous();
    });
    const r = data.withTensor(out === data ? data.alias() : out);
    r.affine = flatten(toAffineNd(3, dstAffine));
    return r;
  }
  const rs = new SpatialResample({ dtype: (kw.dtype as FloatDType | null | undefined) ?? (data.dtype as FloatDType), alignCorners });
  rs.tracing = false;
  return rs.call(data, false, { dstAffine, spatialSize: outSize, mode: (kw.interp ?? undefined) as 'bilinear' | undefined, paddingMode: (kw.padding ?? undefined) as 'border' | undefined });
}

/**
 * Applies the pending operations of `data` (MONAI's apply_pending): composes their matrices, resamples
 * once, and moves the records to `appliedOperations`. Returns [result, the applied records]; `data`
 * itself is left as is (its pending list is emptied).
 */
export function applyPending(data: Tensor, pending?: AppliedOperation[] | null, overrides: LazyOverrides | null = null): [Tensor, AppliedOperation[]] {
  const ov = overrides ?? {};
  checkOptions('applyPending', ov, OVERRIDE_KEYS);
  let ops: AppliedOperation[];
  if (data instanceof MetaTensor && (pending === undefined || pending === null)) {
    const list = pendingList(data);
    ops = list.splice(0, list.length);
  } else ops = pending ?? [];
  if (!ops.length) return [data, []];
  if (!(data instanceof MetaTensor)) throw new TypeError('applyPending: pending operations need a MetaTensor');
  const first = pendingMatrix(ops[0]);
  let xf = as4(first ?? eye(4));
  const cur = kwargsFromPending(ops[0]);
  const over: ResampleKwargs = {};
  if (ov.mode !== undefined) over.interp = ov.mode;
  if (ov.paddingMode !== undefined) over.padding = ov.paddingMode;
  if (ov.alignCorners !== undefined) over.alignCorners = ov.alignCorners;
  if (ov.resampleMode !== undefined) over.resampleMode = ov.resampleMode;
  over.dtype = ov.dtype === undefined ? 'float64' : ov.dtype === null ? data.dtype : ov.dtype;
  for (const p of ops.slice(1)) {
    const m = pendingMatrix(p);
    if (m) xf = matmul(xf, as4(m));
    Object.assign(cur, kwargsFromPending(p));
  }
  Object.assign(cur, over);
  let src: Tensor = data;
  if (ov.device !== undefined) src = data.to({ device: ov.device });
  try {
    const out = resample(src as MetaTensor, xf, cur);
    if (out instanceof MetaTensor) {
      pendingList(out).length = 0;
      for (const p of ops) out.appliedOperations.push(p);
    }
    return [out, ops];
  } finally {
    if (src !== data) src.dispose();
  }
}

function hasPending(v: unknown): v is MetaTensor {
  return v instanceof MetaTensor && ((v as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations?.length ?? 0) > 0;
}

/**
 * Resolves pending operations of `data`: a MetaTensor, an array (each element), or a dictionary (the
 * values under `keys`, all keys when null). `overrides` may be per key for dictionaries
 * ({ image: {...}, label: {...} }), as MONAI. Returns new containers; values without pending operations
 * are passed through.
 */
export function applyPendingTransforms(data: unknown, keys: readonly string[] | null = null, overrides: Record<string, unknown> | null = null): unknown {
  if (Array.isArray(data)) return data.map((d) => applyPendingTransforms(d, keys, overrides));
  if (data instanceof Tensor) return hasPending(data) ? applyPending(data, null, overrides as LazyOverrides | null)[0] : data;
  if (data !== null && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    const todo = Object.keys(d).filter((k) => (keys === null || keys.includes(k)) && hasPending(d[k]));
    if (!todo.length) return data;
    const out = { ...d };
    for (const k of todo) {
      const o = overrides === null ? null : ((overrides as Record<string, unknown>)[k] as LazyOverrides | undefined) ?? null;
      out[k] = applyPending(d[k] as MetaTensor, null, o)[0];
    }
    return out;
  }
  return data;
}

/**
 * Before running `t`: resolve pending operations unless `t` is lazy capable, runs lazily (the call's
 * `lazy`, else its own) and does not need the current data (MONAI's apply_pending_transforms_in_order).
 */
export function applyPendingTransformsInOrder(t: TransformLike, data: unknown, lazy: boolean | null | undefined, overrides: Record<string, unknown> | null | undefined): unknown {
  let must = true;
  if (t instanceof Transform && t.supportsLazy && !(t as { requiresCurrentData?: boolean }).requiresCurrentData) must = !(lazy ?? t.lazy);
  return must ? applyPendingTransforms(data, null, overrides ?? null) : data;
}

setPendingOperationsHook(applyPendingTransformsInOrder);

/**
 * Pending (lazy) operation helpers shared by spatial transforms and lazy resampling: what the image
 * will be once its pending operations are applied (shape, affine, rank), without touching the data;
 * plain tensors answer with their own shape and an identity affine, as MONAI's functionals do.
 */
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor, copyMeta, type AppliedOperation } from '../../data/meta_tensor.js';
import { AFFINE_TOL, affineMat, eye, matmul, toAffineNd, toMat, type Mat } from '../spatial/matrix.js';

/** MONAI's LazyAttr: keys of a pending operation record. */
export const LazyAttr = {
  SHAPE: 'lazy_shape',
  AFFINE: 'lazy_affine',
  PADDING_MODE: 'lazy_padding_mode',
  INTERP_MODE: 'lazy_interpolation_mode',
  DTYPE: 'lazy_dtype',
  ALIGN_CORNERS: 'lazy_align_corners',
  RESAMPLE_MODE: 'lazy_resample_mode',
} as const;

/** The pending operations of `img` (an empty list for plain tensors). */
export function pendingOf(img: Tensor): AppliedOperation[] {
  if (!(img instanceof MetaTensor)) return [];
  return (img as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations ?? [];
}

/** Spatial shape once the pending operations are applied (MONAI's peek_pending_shape). */
export function peekPendingShape(img: Tensor): number[] {
  const p = pendingOf(img);
  const s = p.length ? (p[p.length - 1][LazyAttr.SHAPE] as number[] | undefined) : undefined;
  return s ? [...s] : img.shape.slice(1);
}

/** The pending operation's matrix (null when it has none). */
export function pendingMatrix(op: AppliedOperation): Mat | null {
  const a = op[LazyAttr.AFFINE];
  if (a === null || a === undefined) return null;
  return toMat(a as ArrayLike<number> | Mat);
}

/** The affine once the pending operations are applied (MONAI's peek_pending_affine), 4x4 for MetaTensors, identity for plain tensors. */
export function peekPendingAffine(img: Tensor): Mat {
  if (!(img instanceof MetaTensor)) return eye(4);
  let res = affineMat(img.affine);
  const r = res.length - 1;
  for (const p of pendingOf(img)) {
    const m = pendingMatrix(p);
    if (m) res = matmul(res, toAffineNd(r, m));
  }
  return res;
}

/** MONAI's peek_pending_rank: the rank of the last pending matrix, else of the affine (3 for plain tensors). */
export function peekPendingRank(img: Tensor): number {
  if (!(img instanceof MetaTensor)) return 3;
  const p = pendingOf(img);
  const m = p.length ? pendingMatrix(p[p.length - 1]) : affineMat(img.affine);
  return m ? Math.max(1, m.length - 1) : 1;
}

/**
 * A new tensor for the result `t` of transforming `img`: a MetaTensor with a copy of img's metadata,
 * applied and pending operations when img is one; `t` itself otherwise. Takes `t` over.
 */
export function adoptMeta(img: Tensor, t: Tensor): Tensor {
  if (!(img instanceof MetaTensor)) return t;
  const out = img.withTensor(t);
  const pend = (img as unknown as { pendingOperations?: AppliedOperation[] }).pendingOperations;
  if (pend !== undefined) (out as unknown as { pendingOperations: AppliedOperation[] }).pendingOperations = copyMeta(pend);
  return out;
}

/** A new handle on img's data (no copy), carrying a copy of its metadata (MONAI's _maybe_new_metatensor). */
export function shallowCopy(img: Tensor, dtype?: 'float32'): Tensor {
  const plain = img instanceof MetaTensor ? img.asTensor() : img.alias();
  if (dtype && plain.dtype !== dtype) {
    const c = plain.to({ dtype });
    plain.dispose();
    return adoptMeta(img, c);
  }
  return adoptMeta(img, plain);
}

/** Whether `m` is (within atol) an axis permutation with flips and an integer shift; returns MONAI's axes (channel first) or null. */
export function requiresInterp(m: Mat, atol = AFFINE_TOL): number[] | null {
  const n = m.length - 1;
  for (let i = 0; i < n; i++) if (Math.abs(m[i][n] - Math.round(m[i][n])) > atol + 1e-5 * Math.abs(Math.round(m[i][n]))) return null;
  const ox: number[] = [];
  const oy: number[] = [0];
  const close = (a: number, b: number) => Math.abs(a - b) <= atol + 1e-5 * Math.abs(b);
  for (let x = 0; x < n; x++)
    for (let y = 0; y < n; y++) {
      const c = m[x][y];
      if (close(c, -1) || close(c, 1)) {
        if (ox.includes(x) || oy.includes(y + 1)) return null;
        ox.push(x);
        oy.push(y + 1);
      } else if (!close(c, 0)) return null;
    }
  return oy;
}


/**
 * MONAI's affine helpers of monai.data.utils (to_affine_nd, zoom_affine, compute_shape_offset) with its
 * signatures. The math lives in transforms/spatial/matrix.ts (Spacing, Resample use it); these are thin
 * adapters for MONAI's argument forms and return shapes.
 */
import {
  computeShapeOffset as shapeOffset,
  toAffineNd as affineNd,
  zoomAffine as zoom,
  type Mat,
} from '../transforms/spatial/matrix.js';

export type { Mat };

function checkMat(who: string, name: string, a: Mat): void {
  if (!Array.isArray(a) || a.length === 0 || !a.every((r) => Array.isArray(r) && r.length === a[0].length))
    throw new TypeError(`${who}: ${name} must be a 2-D matrix (array of equal-length rows), got ${JSON.stringify(a)}`);
}

/**
 * MONAI's to_affine_nd: `r` is a spatial rank (gives an (r+1)x(r+1) identity to fill) or a matrix to fill;
 * the top-left k x k block and, for k > 1, the translation come from `affine` (k = min of the two ranks).
 */
export function toAffineNd(r: number | Mat, affine: Mat): Mat {
  checkMat('toAffineNd', 'affine', affine);
  if (typeof r === 'number') {
    if (!Number.isInteger(r) || r < 0) throw new RangeError(`toAffineNd: r must be a non-negative integer, got ${r}`);
    return affineNd(r, affine);
  }
  checkMat('toAffineNd', 'r', r);
  const rank = r.length - 1;
  const filled = affineNd(rank, affine);
  const out = r.map((row) => row.slice());
  const d = Math.max(Math.min(rank, affine.length - 1), 1);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) out[i][j] = filled[i][j];
    if (d > 1) out[i][rank] = filled[i][rank];
  }
  return out;
}

/**
 * MONAI's zoom_affine: the affine with voxel sizes `scale` (missing or non-positive entries keep the
 * input's spacing), diagonal (default, as MONAI) or keeping the input's rotation; zero translation.
 */
export function zoomAffine(affine: Mat, scale: readonly number[], diagonal = true): Mat {
  checkMat('zoomAffine', 'affine', affine);
  if (affine.length !== affine[0].length) throw new RangeError(`zoomAffine: affine must be n x n, got ${affine.length} x ${affine[0].length}`);
  return zoom(affine, scale, diagonal);
}

/**
 * MONAI's compute_shape_offset: `[outShape, offset]` — the output spatial shape holding the input's field
 * of view under `outAffine`, and the world offset of the output's first voxel.
 */
export function computeShapeOffset(spatialShape: readonly number[], inAffine: Mat, outAffine: Mat, scaleExtent = false): [number[], number[]] {
  checkMat('computeShapeOffset', 'inAffine', inAffine);
  checkMat('computeShapeOffset', 'outAffine', outAffine);
  const { shape, offset } = shapeOffset(spatialShape, inAffine, outAffine, scaleExtent);
  return [shape, offset];
}

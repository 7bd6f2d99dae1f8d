/**
 * The two resampling kernels of MONAI's spatial transforms, both on libtorch's affine_grid/grid_sample:
 * - `affineResample`: MONAI's AffineTransform(normalized=False, reverse_indexing=True): an index-space
 *   matrix (output voxel -> input voxel) turned into grid_sample's normalized [-1, 1] convention;
 * - `gridResample`: MONAI's Resample: a dense grid of centred voxel coordinates ((sr+1, *spatial),
 *   homogeneous row optional), scaled to grid_sample's convention when `normCoords`.
 * Inputs are plain channel-first tensors (C, *spatial); outputs are float32 plain tensors.
 */
import * as torch from '@monai-ts/torch';
import { nn, type Tensor, type DType } from '@monai-ts/torch';
import type { Mat } from './matrix.js';

const F = nn.functional;

/** MONAI's normalize_transform with align_corners=False, zero_centered=False: index -> [-1, 1]. */
function normalizeTransform(shape: readonly number[]): Mat {
  const r = shape.length;
  const m: Mat = Array.from({ length: r + 1 }, (_, i) => Array.from({ length: r + 1 }, (_, j) => (i === j ? 1 : 0)));
  for (let i = 0; i < r; i++) {
    const n = shape[i] <= 0 ? 2 : shape[i];
    m[i][i] = 2 / n;
    m[i][r] = 1 / shape[i] - 1;
  }
  return m;
}

/**
 * MONAI's to_norm_affine + reverse indexing, in the precision MONAI computes it (the image dtype):
 * src_norm @ theta @ inv(dst_norm) as batched matmuls, the inverse as LAPACK gives it for this
 * diagonal-plus-translation matrix (1/d and -t/d, rounded once). Returns (1, sr, sr+1).
 */
function normalizedTheta(theta: Mat, inSize: readonly number[], outSize: readonly number[], dtype: 'float32' | 'float64'): Tensor {
  const r = inSize.length;
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const src = normalizeTransform(inSize).map((row) => row.map(round));
  const dst = normalizeTransform(outSize).map((row) => row.map(round));
  const dinv: Mat = dst.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  for (let i = 0; i < r; i++) {
    dinv[i][i] = round(1 / dst[i][i]);
    dinv[i][r] = round(-dst[i][r] / dst[i][i]);
  }
  const t = (m: Mat) => torch.fromTypedArray(Float64Array.from(m.flat()), [1, r + 1, r + 1], 'float64').to({ dtype });
  return torch.tidy(() => {
    const n = t(src).matmul(t(theta)).matmul(t(dinv)).squeeze(0);
    // reverse indexing: grid_sample's last grid component indexes the first spatial axis
    const rev = torch.tensor([...Array.from({ length: r }, (_, i) => r - 1 - i), r], { dtype: 'int64' });
    const m = n.indexSelect(0, rev).indexSelect(1, rev);
    return m.narrow(0, 0, r).unsqueeze(0).contiguous();
  });
}

/** How many affine resamples took the separable path and how many grid_sample (tests read it). */
export const resampleStats = { separable: 0, gridSample: 0 };

export interface SampleOptions {
  /** allow the separable path for axis-aligned maps (default true; false forces grid_sample) */
  separable?: boolean;
  mode: nn.functional.GridSampleMode;
  paddingMode: nn.functional.GridPaddingMode;
  alignCorners: boolean;
  /** computation dtype (the input's when null) */
  dtype: DType | null;
}

/**
 * Resamples `img` (C, *spatial; 2 or 3 spatial dims) to `outSize` with the index-space map `theta`
 * ((sr+1)x(sr+1), output index -> input index), as MONAI's AffineTransform. Returns float32.
 */
export function affineResample(img: Tensor, theta: Mat, outSize: readonly number[], o: SampleOptions, who: string): Tensor {
  const sr = img.dim() - 1;
  if (sr !== 2 && sr !== 3) throw new RangeError(`${who}: resampling supports 2 or 3 spatial dimensions, got input shape [${img.shape.join(', ')}]`);
  if (theta.length !== sr + 1) throw new RangeError(`${who}: the ${theta.length - 1}D transform does not match the ${sr}D image`);
  if (outSize.length !== sr || outSize.some((s) => !Number.isInteger(s) || s <= 0))
    throw new RangeError(`${who}: output spatial size must be ${sr} positive integers, got [${outSize.join(', ')}]`);
  const inSize = img.shape.slice(1);
  const dtype0 = o.dtype ?? (img.dtype === 'float64' ? 'float64' : img.dtype === 'float16' ? 'float16' : 'float32');
  if (dtype0 === 'float64' && o.separable !== false) {
    const fast = separableResample(img, theta, outSize, o);
    if (fast) {
      resampleStats.separable++;
      return fast;
    }
  }
  resampleStats.gridSample++;
  return torch.tidy(() => {
    const dtype = dtype0;
    const x = img.to({ dtype }).unsqueeze(0).contiguous();
    const th = normalizedTheta(theta, inSize, outSize, dtype === 'float64' ? 'float64' : 'float32').to({ dtype });
    const grid = F.affineGrid(th, [1, img.shape[0], ...outSize], { alignCorners: o.alignCorners });
    const out = F.gridSample(x, grid, { mode: o.mode, paddingMode: o.paddingMode, alignCorners: o.alignCorners });
    return out.squeeze(0).to({ dtype: 'float32' });
  });
}

/**
 * grid_sample's source coordinate along one axis for each output index, for an axis-aligned map
 * (normalized scale `a`, shift `b`), with its base-grid and unnormalization conventions.
 */
function axisCoords(a: number, b: number, n: number, size: number, alignCorners: boolean): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = n <= 1 ? 0 : -1 + (2 * i) / (n - 1);
    if (!alignCorners && n > 1) x = (x * (n - 1)) / n;
    const xin = a * x + b;
    out[i] = alignCorners ? ((xin + 1) / 2) * (size - 1) : ((xin + 1) * size - 1) / 2;
  }
  return out;
}

/**
 * Axis-aligned resampling (the index map is diagonal plus a shift, as Spacing after Orientation) done as
 * separable 1D interpolation along each axis: the same values as grid_sample's bilinear/nearest with
 * 'border' or 'zeros' padding (to float64 rounding), without building a dense grid. Only in float64,
 * and nearest only when no source coordinate lies on a rounding tie; returns null otherwise.
 */
function separableResample(img: Tensor, theta: Mat, outSize: readonly number[], o: SampleOptions): Tensor | null {
  const r = outSize.length;
  if (o.mode === 'bicubic' || o.paddingMode === 'reflection') return null;
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) if (i !== j && theta[i][j] !== 0) return null;
  const inSize = img.shape.slice(1);
  // normalized per-axis scale and shift, as normalizedTheta computes them (align_corners=False normalization)
  const axes = Array.from({ length: r }, (_, i) => {
    const si = inSize[i] <= 0 ? 2 : inSize[i];
    const so = outSize[i] <= 0 ? 2 : outSize[i];
    const src = [2 / si, 1 / inSize[i] - 1];
    const dst = [2 / so, 1 / outSize[i] - 1];
    const dinv = [1 / dst[0], -dst[1] / dst[0]];
    const m = theta[i][i];
    const t = theta[i][r];
    // src @ [m t] @ dinv
    const a = src[0] * m * dinv[0];
    const b = src[0] * (m * dinv[1] + t) + src[1];
    return axisCoords(a, b, outSize[i], inSize[i], o.alignCorners);
  });
  const plans = axes.map((c, i) => {
    const size = inSize[i];
    const n = c.length;
    if (o.mode === 'nearest') {
      const idx = new BigInt64Array(n);
      const mask = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        let x = c[k];
        if (o.paddingMode === 'border') x = Math.min(Math.max(x, 0), size - 1);
        const f = x - Math.floor(x);
        if (Math.abs(f - 0.5) < 1e-9) return null; // a tie: leave it to grid_sample's own rounding
        const j = Math.round(x);
        const inb = j >= 0 && j <= size - 1;
        idx[k] = BigInt(inb ? j : 0);
        mask[k] = inb ? 1 : 0;
      }
      return { idx0: idx, idx1: idx, w0: mask, w1: null as Float64Array | null };
    }
    const i0 = new BigInt64Array(n);
    const i1 = new BigInt64Array(n);
    const w0 = new Float64Array(n);
    const w1 = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let x = c[k];
      if (o.paddingMode === 'border') x = Math.min(Math.max(x, 0), size - 1);
      const f = Math.floor(x);
      const hi = x - f;
      const in0 = f >= 0 && f <= size - 1;
      const in1 = f + 1 >= 0 && f + 1 <= size - 1;
      i0[k] = BigInt(in0 ? f : 0);
      i1[k] = BigInt(in1 ? f + 1 : in0 ? f : 0);
      w0[k] = in0 ? 1 - hi : 0;
      w1[k] = in1 ? hi : 0;
    }
    return { idx0: i0, idx1: i1, w0, w1 };
  });
  if (plans.some((p) => p === null)) return null;
  // shrink first: axes in order of output/input size
  const order = Array.from({ length: r }, (_, i) => i).sort((p, q) => outSize[p] / inSize[p] - outSize[q] / inSize[q]);
  // intermediates are freed as soon as the next axis has read them (large blocks go back to the pool)
  let x: Tensor = img;
  let first = true;
  const drop = (t: Tensor) => {
    if (t !== img) t.dispose();
  };
  try {
    for (const ax of order) {
      const p = plans[ax]!;
      const dim = ax + 1;
      const last = dim === x.dim() - 1;
      const shape = x.shape.map((_, k) => (k === dim ? -1 : 1));
      const vec = (v: Float64Array, dtype: 'float64' | DType = 'float64') => torch.tidy(() => torch.fromTypedArray(v, [v.length], 'float64').reshape(shape).to({ dtype }));
      // index_select along the innermost axis is a slow path in libtorch; gather is not
      const sel = (idx: BigInt64Array): Tensor =>
        torch.tidy(() => {
          const it = torch.fromTypedArray(idx, [idx.length], 'int64');
          const s = last ? x.gather(dim, it.reshape(shape).expand(x.shape.map((d, k) => (k === dim ? idx.length : d)))) : x.indexSelect(dim, it);
          // nearest only selects (and zeroes): the values need no float64 round trip
          return first && o.mode !== 'nearest' ? s.to({ dtype: 'float64' }) : s;
        });
      let y: Tensor;
      if (p.w1 === null) {
        y = sel(p.idx0);
        if (!p.w0.every((m) => m === 1)) {
          const w = vec(p.w0, y.dtype);
          y.mul_(w);
          w.dispose();
        }
      } else {
        y = sel(p.idx0);
        const b = sel(p.idx1);
        const w1 = vec(p.w1);
        if (o.paddingMode === 'border') y.lerp_(b, w1); // border: w0 = 1 - w1 everywhere, one fused lerp
        else {
          const w0 = vec(p.w0);
          y.mul_(w0).addcmul_(b, w1);
          w0.dispose();
        }
        torch.dispose([b, w1]);
      }
      drop(x);
      x = y;
      first = false;
    }
    const out = x.to({ dtype: 'float32' });
    if (out !== x) drop(x);
    return out;
  } catch (e) {
    drop(x);
    throw e;
  }
}

/**
 * MONAI's Resample (torch backend): samples `img` at `grid` ((>=sr, *outSpatial), centred voxel
 * coordinates in index order; a homogeneous last row is ignored). Returns float32.
 */
export function gridResample(img: Tensor, grid: Tensor, o: SampleOptions & { normCoords: boolean }, who: string): Tensor {
  const sr = Math.min(img.dim() - 1, 3);
  if (sr !== 2 && sr !== 3) throw new RangeError(`${who}: resampling supports 2 or 3 spatial dimensions, got input shape [${img.shape.join(', ')}]`);
  if (grid.dim() !== sr + 1 || grid.shape[0] < sr)
    throw new RangeError(`${who}: grid must have shape (${sr} or ${sr + 1}, *spatial) for a ${sr}D image, got [${grid.shape.join(', ')}]`);
  return torch.tidy(() => {
    const dtype = o.dtype ?? (img.dtype === 'float64' ? 'float64' : 'float32');
    const x = img.to({ dtype });
    const order = torch.tensor(Array.from({ length: sr }, (_, i) => sr - 1 - i), { dtype: 'int64' });
    let g = grid.indexSelect(0, order).movedim(0, -1).to({ dtype });
    if (o.normCoords) {
      const dims = x.shape.slice(1, sr + 1).reverse();
      const scale = torch.tensor(dims.map((d) => 2 / Math.max(2, d)), { dtype: 'float64' }).to({ dtype });
      g = g.mul(scale);
    }
    const out = F.gridSample(x.unsqueeze(0).contiguous(), g.unsqueeze(0).contiguous(), { mode: o.mode, paddingMode: o.paddingMode, alignCorners: o.alignCorners });
    return out.squeeze(0).to({ dtype: 'float32' });
  });
}

/** MONAI's create_grid (torch backend): centred coordinates (homogeneous row last), float64 unless said otherwise (MONAI's default dtype=float). */
export function createGrid(spatialSize: readonly number[], options: { spacing?: readonly number[] | null; homogeneous?: boolean; dtype?: DType } = {}): Tensor {
  const spacing = options.spacing ?? spatialSize.map(() => 1);
  const dtype = options.dtype ?? 'float64';
  return torch.tidy(() => {
    const ranges = spatialSize.map((d, i) => torch.linspace((-(d - 1) / 2) * spacing[i], ((d - 1) / 2) * spacing[i], Math.trunc(d), { dtype }));
    const coords = torch.meshgrid(ranges, 'ij');
    if (options.homogeneous === false) return torch.stack(coords);
    return torch.stack([...coords, torch.onesLike(coords[0])]);
  });
}

/** MONAI's create_control_grid: a grid of control points `spacing` apart that covers `spatialShape`. */
export function createControlGrid(spatialShape: readonly number[], spacing: readonly number[], options: { homogeneous?: boolean; dtype?: DType } = {}): Tensor {
  const shape = spatialShape.map((d, i) => {
    const s = spacing[i];
    return d % 2 === 0 ? Math.ceil((d - 1) / (2 * s) + 0.5) * 2 + 2 : Math.ceil((d - 1) / (2 * s)) * 2 + 3;
  });
  return createGrid(shape, { spacing, homogeneous: options.homogeneous, dtype: options.dtype });
}

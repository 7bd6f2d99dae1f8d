/**
 * Numerical helpers of the intensity transforms (MONAI's rescale_array, soft_clip, percentile, equalize_hist,
 * Fourier, the bias-field polynomials and np.interp), all in libtorch ops on whole tensors.
 */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { MetaTensor } from '../../data/meta_tensor.js';
import { describeValue } from '../transform.js';
import { likeInput } from '../utils.js';

const DTYPE_NAMES: readonly string[] = torch.DTYPES;

/** Checks an image argument: a Tensor with a channel axis and at least one spatial axis. */
export function checkImage(img: unknown, who: string, what = 'img'): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${who}: ${what} must be a channel-first Tensor or MetaTensor, got ${describeValue(img)}`);
  if (img.dim() < 2) throw new RangeError(`${who}: ${what} must be channel-first with at least one spatial dimension (C, spatial...), got shape [${img.shape.join(', ')}]`);
}

/** Checks a dtype option: a torch dtype name, or null/undefined (keep the input's). */
export function checkDtype(dtype: unknown, who: string, option = 'dtype'): DType | null {
  if (dtype === null) return null;
  if (typeof dtype !== 'string' || !DTYPE_NAMES.includes(dtype)) throw new TypeError(`${who}: ${option} must be a torch dtype name ('float32', 'float64', ...) or null for the input's dtype, got ${JSON.stringify(dtype)}`);
  return dtype as DType;
}

export function isFloatingDtype(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

/**
 * Runs `fn` on a metadata-free view of `img` inside a tidy and gives the result `img`'s metadata:
 * a MetaTensor in gives a MetaTensor out (meta and applied operations copied), a Tensor gives a Tensor.
 */
export function withMeta(img: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  // asTensor makes an alias: inside the tidy so that it is freed with the intermediates
  return likeInput(torch.tidy(() => fn(img instanceof MetaTensor ? img.asTensor() : img)), img);
}

/** `x` converted to `dtype` (a no-op when null or equal). */
export function toDtype(x: Tensor, dtype: DType | null): Tensor {
  return dtype === null || x.dtype === dtype ? x : x.to({ dtype });
}

/** A float tensor on x's device holding `values` with `shape` (one copy from the typed array). */
export function fromValues(values: Float64Array, shape: number[], like: Tensor, dtype: DType): Tensor {
  return torch.tidy(() => torch.fromTypedArray(values, shape, 'float64').to({ dtype, device: like.device }));
}

/** Value range of a dtype, for MONAI's safe conversion (clamp before cast). */
function dtypeRange(d: DType): [number, number] | null {
  switch (d) {
    case 'uint8': return [0, 255];
    case 'int8': return [-128, 127];
    case 'int16': return [-32768, 32767];
    case 'int32': return [-2147483648, 2147483647];
    case 'int64': return [-9223372036854775808, 9223372036854775807];
    case 'bool': return [0, 1];
    default: return null;
  }
}

/** Converts `x` to `dtype`, clamping to the dtype's range first when `safe` (MONAI's convert_data_type(safe=True)). */
export function convertDtype(x: Tensor, dtype: DType, safe = false): Tensor {
  if (safe) {
    const r = dtypeRange(dtype);
    if (r !== null && !(x.dtype === dtype)) x = x.clamp({ min: r[0], max: r[1] });
  }
  return toDtype(x, dtype);
}

/**
 * MONAI's rescale_array: (x - min) / (max - min), then to [minv, maxv] when both are given; a constant
 * image becomes x * minv (or x when minv is null). `dtype` converts first (null keeps x's dtype).
 */
export function rescaleArray(x: Tensor, minv: number | null, maxv: number | null, dtype: DType | null = 'float32'): Tensor {
  return torch.tidy(() => {
    const a = toDtype(x, dtype);
    const mina = a.min();
    const maxa = a.max();
    if (mina.item() === maxa.item()) return minv !== null ? a.mul(minv) : a;
    const norm = a.sub(mina).div(maxa.sub(mina));
    if (minv === null || maxv === null) return norm;
    return norm.mul(maxv - minv).add(minv);
  });
}

/** MONAI's softplus: logaddexp(0, x). */
function softplus(x: Tensor): Tensor {
  return torch.tidy(() => torch.logaddexp(torch.zerosLike(x), x));
}

/** MONAI's soft_clip: x + softplus(-c (x - minv)) / c - softplus(c (x - maxv)) / c (either side optional). */
export function softClip(x: Tensor, sharpness: number, minv: Tensor | number | null, maxv: Tensor | number | null, dtype: DType | null = 'float32'): Tensor {
  return torch.tidy(() => {
    const a = toDtype(x, dtype);
    let v = a;
    if (minv !== null) v = v.add(softplus(a.sub(minv).mul(-sharpness)).div(sharpness));
    if (maxv !== null) v = v.sub(softplus(a.sub(maxv).mul(sharpness)).div(sharpness));
    return v;
  });
}

/**
 * numpy's percentile with 'linear' interpolation over all of `x`, as MONAI's `percentile`: torch.quantile
 * (q in x's dtype) up to 1e6 elements, beyond that (where torch.quantile fails or is slow) two kthvalue
 * selections interpolated in float64 as numpy does. Returns a 0-dim tensor of x's float dtype.
 */
export function percentile(x: Tensor, q: number): Tensor {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100], got ${q}`);
  return torch.tidy(() => {
    const fx = isFloatingDtype(x.dtype) ? x : x.to({ dtype: 'float64' });
    const flat = fx.reshape([-1]);
    const n = flat.numel();
    if (n === 0) throw new RangeError('percentile: the input is empty');
    if (n <= 1_000_000) return flat.quantile(torch.tensor(q / 100, { dtype: fx.dtype, device: fx.device }));
    // numpy: index = q/100 * (n - 1); lerp between the two neighbours (numpy's _lerp form)
    const idx = (q / 100) * (n - 1);
    const lo = Math.floor(idx);
    const hi = Math.min(lo + 1, n - 1);
    const t = idx - lo;
    const a = flat.kthvalue(lo + 1)[0].to({ dtype: 'float64' }).item();
    const b = hi === lo ? a : flat.kthvalue(hi + 1)[0].to({ dtype: 'float64' }).item();
    const diff = b - a;
    const v = t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    return torch.tensor(v, { dtype: fx.dtype, device: fx.device });
  });
}

/**
 * np.interp(x, xp, fp) on tensors (xp increasing, 1-D): the linear piece containing each x, fp[0] left of
 * xp[0] and fp[-1] right of xp[-1]; a point equal to a knot takes that knot's value, as numpy does.
 */
export function interp(x: Tensor, xp: Tensor, fp: Tensor): Tensor {
  return torch.tidy(() => {
    const n = xp.numel();
    const flat = x.reshape([-1]);
    if (n === 1) return torch.fullLike(x, fp.item());
    // j with xp[j] <= x < xp[j+1]
    const j = torch.searchsorted(xp.contiguous(), flat.contiguous(), { right: true }).sub(1).clamp({ min: 0, max: n - 2 });
    return interpAt(flat, xp, fp, j).reshape(x.shape);
  });
}

/** numpy's linspace(start, stop, num) values (float64, last value exactly stop). */
export function npLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < num; i++) out[i] = div > 0 ? i * step + start : start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * MONAI's equalize_hist on a float image: a `numBins` histogram of the (masked) values over their own range
 * (numpy's binning, in the image's float dtype), its cumulative sum rescaled to [min, max] in float32, and
 * every value mapped through np.interp at the bin centres (float64). Returns float64.
 */
export function equalizeHist(img: Tensor, mask: Tensor | null, numBins: number, min: number, max: number): Tensor {
  return torch.tidy(() => {
    const x = isFloatingDtype(img.dtype) ? img : img.to({ dtype: 'float64' });
    const vals = (mask ? x.maskedSelect(mask.to({ dtype: 'bool' })) : x).reshape([-1]);
    if (vals.numel() === 0) throw new RangeError('HistogramNormalize: the mask selects no voxels');
    const { counts, centres } = floatHistogram(vals, numBins);
    const cum = rescaleArray(counts.cumsum(0), min, max, 'float32');
    return torch.ops.interp(x, centres, cum); // np.interp exactly, in one native pass
  });
}

/**
 * np.histogram(values, bins) over the values' own range: numpy's edges (a float64 linspace cast to the
 * values' dtype) and its rule edges[k] <= v < edges[k+1] (the last bin closed), by torch.histogram with
 * those edges (counted in float64 beyond 2**24 values, where float32 counts would round). Returns the
 * counts (float) and the bin centres in the values' dtype.
 */
export function floatHistogram(vals: Tensor, numBins: number): { counts: Tensor; centres: Tensor } {
  return torch.tidy(() => {
    let lo = vals.min().item();
    let hi = vals.max().item();
    if (lo === hi) {
      // numpy widens an empty range to [lo - 0.5, hi + 0.5]
      lo -= 0.5;
      hi += 0.5;
    }
    const edges = fromValues(npLinspace(lo, hi, numBins + 1), [numBins + 1], vals, vals.dtype);
    const wide = vals.numel() >= 16777216 && vals.dtype !== 'float64';
    const c64 = torch.ops.histogramCounts(vals, edges); // numpy's rule in one native pass, counted exactly
    const counts = wide ? c64 : c64.to({ dtype: vals.dtype });
    const centres = edges.narrow(0, 0, numBins).add(edges.narrow(0, 1, numBins)).div(2);
    return { counts, centres };
  });
}

/**
 * np.interp(x, xp, fp) for evenly spaced xp (bin centres): values are clamped to [xp[0], xp[-1]] and each
 * one's segment is computed from the spacing instead of searched. Within rounding of a knot (float32 centres
 * are evenly spaced only to ~1e-7) the neighbouring segment may be used; the two lines meet at the knot, so
 * the value differs from numpy's by under 1e-8 relative (tested against `interp`); about 10 passes over the
 * data instead of 30. `nearlyUniform: false`
 * falls back to `interp`.
 */
export function interpSorted(x: Tensor, xp: Tensor, fp: Tensor, nearlyUniform: boolean): Tensor {
  if (!nearlyUniform) return interp(x, xp, fp);
  return torch.tidy(() => {
    const n = xp.numel();
    if (n < 3) return interp(x, xp, fp);
    const x0 = xp.select(0, 0).item();
    const x1 = xp.select(0, n - 1).item();
    const xc = x.reshape([-1]).clamp({ min: x0, max: x1 });
    const j = xc.sub(x0).mul_((n - 1) / (x1 - x0)).floor_().clamp_({ min: 0, max: n - 2 }).to({ dtype: 'int64' });
    const slope = fp.narrow(0, 1, n - 1).sub(fp.narrow(0, 0, n - 1)).div(xp.narrow(0, 1, n - 1).sub(xp.narrow(0, 0, n - 1)));
    // fp[j] + slope[j] * (x - xp[j]); the top end exactly fp[-1], as numpy
    const out = torch.addcmul(fp.gather(0, j), slope.gather(0, j), xc.sub(xp.gather(0, j)));
    return out.maskedFill_(xc.ge(x1), fp.select(0, n - 1).item()).reshape(x.shape);
  });
}

/** The np.interp value of each flat x on segment j (xp[j] <= x < xp[j+1] inside the range). */
function interpAt(flat: Tensor, xp: Tensor, fp: Tensor, j: Tensor): Tensor {
  const n = xp.numel();
  const slope = fp.narrow(0, 1, n - 1).sub(fp.narrow(0, 0, n - 1)).div(xp.narrow(0, 1, n - 1).sub(xp.narrow(0, 0, n - 1)));
  const xj = xp.gather(0, j);
  const fj = fp.gather(0, j);
  let out = slope.gather(0, j).mul(flat.sub(xj)).add(fj);
  out = torch.where(flat.eq(xj), fj, out);
  out = torch.where(flat.lt(xp.narrow(0, 0, 1)), fp.narrow(0, 0, 1), out);
  return torch.where(flat.ge(xp.narrow(0, n - 1, 1)), fp.narrow(0, n - 1, 1), out);
}

/** fftshift(fftn(x)) over the last `spatialDims` dimensions (MONAI's Fourier.shift_fourier). */
export function shiftFourier(x: Tensor, spatialDims: number): Tensor {
  const dims = Array.from({ length: spatialDims }, (_, i) => i - spatialDims);
  return torch.tidy(() => torch.fftFftshift(torch.fftFftn(x, { dim: dims }), { dim: dims }));
}

/** real(ifftn(ifftshift(k))) over the last `spatialDims` dimensions (MONAI's Fourier.inv_shift_fourier). */
export function invShiftFourier(k: Tensor, spatialDims: number): Tensor {
  const dims = Array.from({ length: spatialDims }, (_, i) => i - spatialDims);
  return torch.tidy(() => torch.fftIfftn(torch.fftIfftshift(k, { dim: dims }), { dim: dims, norm: 'backward' }).real().contiguous());
}

/** Legendre polynomials P_0..P_degree at `coords` as a (degree + 1, n) float64 tensor (Bonnet's recursion). */
function legendreTable(coords: Tensor, degree: number): Tensor {
  return torch.tidy(() => {
    const rows: Tensor[] = [torch.onesLike(coords), coords];
    for (let n = 1; n < degree; n++) rows.push(coords.mul(rows[n]).mul(2 * n + 1).sub(rows[n - 1].mul(n)).div(n + 1));
    return torch.stack(rows.slice(0, degree + 1));
  });
}

/**
 * MONAI's RandBiasField field: sum of coeff * P_i(x) P_j(y) (P_k(z)) over the lower-triangular index set
 * (2D: np.tril_indices order; 3D: i, j, k with i + j + k <= degree), on float32 linspace(-1, 1) coordinates,
 * evaluated in float64.
 */
export function biasField(spatialShape: number[], degree: number, coeff: readonly number[], device: string): Tensor {
  const rank = spatialShape.length;
  if (rank !== 2 && rank !== 3) throw new RangeError(`RandBiasField: only 2D and 3D images have a bias field, got ${rank} spatial dimensions`);
  const n = degree + 1;
  const mat = new Float64Array(n ** rank);
  let c = 0;
  if (rank === 2) {
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) mat[i * n + j] = coeff[c++];
  } else {
    for (let i = 0; i < n; i++) for (let j = 0; j < n - i; j++) for (let k = 0; k < n - i - j; k++) mat[(i * n + j) * n + k] = coeff[c++];
  }
  return torch.tidy(() => {
    const tables = spatialShape.map((s) => {
      const lin = Float64Array.from(npLinspace(-1, 1, s), (v) => Math.fround(v)); // numpy's float32 linspace
      return legendreTable(torch.fromTypedArray(lin, [s], 'float64').to({ device }), degree);
    });
    let field = torch.fromTypedArray(mat, Array(rank).fill(n), 'float64').to({ device });
    // contract each coefficient axis with its polynomial table: (n, ...) x (n, s) -> (..., s)
    for (let d = 0; d < rank; d++) field = torch.tensordot(field, tables[d], [0], [0]);
    return field;
  });
}

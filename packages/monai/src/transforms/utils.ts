/**
 * Transform helpers (MONAI's monai/transforms/utils.py and the patch helpers of monai/data/utils.py):
 * bounding boxes, divisible sizes, label-to-index maps and the crop-centre samplers of the random
 * croppers. The samplers draw from a RandomState in MONAI's order so seeds reproduce MONAI's centres.
 */
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import type { RandomState } from '../utils/random_state.js';
import { MetaTensor } from '../data/meta_tensor.js';

/** `out` with `like`'s metadata when `like` is a MetaTensor and `out` is not (takes `out` over); else `out`. */
export function likeInput(out: Tensor, like: unknown): Tensor {
  if (like instanceof MetaTensor && !(out instanceof MetaTensor)) return like.withTensor(out);
  return out;
}

/** MONAI's fall_back_tuple: per dim, the user's value when it is a positive number, else the default. */
export function fallBackTuple(user: number | null | undefined | readonly (number | null | undefined)[], defaults: readonly number[], valid: (v: number | null | undefined) => boolean = (v) => typeof v === 'number' && v > 0): number[] {
  const u = ensureTupleRep(user, defaults.length, 'fallBackTuple');
  return defaults.map((d, i) => (valid(u[i]) ? (u[i] as number) : d));
}

/** MONAI's ensure_tuple_rep: a scalar repeated `n` times, or a list of exactly `n` values. */
export function ensureTupleRep<T>(v: T | readonly T[], n: number, who: string, what = 'value'): T[] {
  if (Array.isArray(v)) {
    if (v.length === n) return [...v];
    throw new RangeError(`${who}: ${what} must hold 1 or ${n} values (one per spatial dim), got ${v.length}: [${v.join(', ')}]`);
  }
  return new Array<T>(n).fill(v as T);
}

/** MONAI's is_positive (the default foreground selector). */
export function isPositive(img: Tensor): Tensor {
  return img.gt(0);
}

/** MONAI's compute_divisible_spatial_size: each size rounded up to a multiple of k (k <= 0 keeps it). */
export function computeDivisibleSpatialSize(spatialShape: readonly number[], k: number | readonly number[]): number[] {
  const kk = fallBackTuple(k, spatialShape.map(() => 1));
  return spatialShape.map((d, i) => (kk[i] > 0 ? Math.ceil(d / kk[i]) * kk[i] : d));
}

/**
 * MONAI's generate_spatial_bounding_box: [start, end) of the voxels where `selectFn` holds in any of the
 * chosen channels, widened by `margin`; clipped to the image when `allowSmaller`. All zeros when
 * nothing is selected.
 */
export function generateSpatialBoundingBox(img: Tensor, options: { selectFn?: (t: Tensor) => Tensor; channelIndices?: number | readonly number[] | null; margin?: number | readonly number[]; allowSmaller?: boolean } = {}): [number[], number[]] {
  const { selectFn = isPositive, channelIndices = null, margin = 0, allowSmaller = true } = options;
  const spatial = img.shape.slice(1);
  const nd = spatial.length;
  const m = ensureTupleRep(margin, nd, 'generateSpatialBoundingBox', 'margin');
  if (m.some((v) => v < 0)) throw new RangeError(`generateSpatialBoundingBox: margin must not be negative, got [${m.join(', ')}]`);
  return torch.tidy(() => {
    let data = img;
    if (channelIndices !== null) {
      const ch = typeof channelIndices === 'number' ? [channelIndices] : [...channelIndices];
      data = img.indexSelect(0, torch.tensor(ch, { dtype: 'int64' }));
    }
    let sel = selectFn(data);
    if (sel.dtype !== 'bool') sel = sel.ne(0);
    const mask = sel.shape[0] === 1 ? sel.select(0, 0) : sel.any(0);
    const start = new Array<number>(nd).fill(0);
    const end = new Array<number>(nd).fill(0);
    // two full passes in all: the mask reduced over its last axis serves every other axis' profile
    const noLast = nd > 1 ? mask.any(nd - 1) : null;
    const noFirst = nd > 1 ? mask.any(0) : null;
    for (let d = 0; d < nd; d++) {
      let prof: Tensor;
      if (nd === 1) prof = mask;
      else if (d < nd - 1) {
        prof = noLast!;
        for (let a = nd - 2; a >= 0; a--) if (a !== d) prof = prof.any(a);
      } else {
        prof = noFirst!;
        for (let a = nd - 2; a >= 1; a--) prof = prof.any(a - 1);
      }
      const idx = torch.nonzero(prof).flatten();
      if (idx.shape[0] === 0) return [new Array<number>(nd).fill(0), new Array<number>(nd).fill(0)];
      const first = Number(idx.select(0, 0).item());
      const last = Number(idx.select(0, idx.shape[0] - 1).item());
      let lo = first - m[d];
      let hi = last + m[d] + 1;
      if (allowSmaller) {
        lo = Math.max(lo, 0);
        hi = Math.min(hi, spatial[d]);
      }
      start[d] = lo;
      end[d] = hi;
    }
    return [start, end] as [number[], number[]];
  });
}

/** Flattened index -> coordinates (C order), as MONAI's unravel_index. */
export function unravelIndex(idx: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = idx % shape[i];
    idx = Math.floor(idx / shape[i]);
  }
  return out;
}

/**
 * MONAI's map_binary_to_indices: flat indices of foreground (any non-zero label channel, background
 * channel dropped for one-hot labels) and background (optionally only where `image > imageThreshold`
 * in any channel). Returns int64 CPU tensors.
 */
export function mapBinaryToIndices(label: Tensor, image: Tensor | null = null, imageThreshold = 0): [Tensor, Tensor] {
  return torch.tidy(() => {
    const lab = label.shape[0] > 1 ? label.narrow(0, 1, label.shape[0] - 1) : label;
    const fgMask = (lab.dtype === 'bool' ? lab : lab.ne(0)).any(0).flatten();
    const fg = torch.nonzero(fgMask).flatten();
    let bgMask = fgMask.logicalNot();
    if (image !== null) bgMask = image.gt(imageThreshold).any(0).flatten().logicalAnd(bgMask);
    const bg = torch.nonzero(bgMask).flatten();
    return [fg.cpu(), bg.cpu()] as [Tensor, Tensor];
  });
}

/**
 * The flat indices of the true voxels of a bool mask, without materialising them: `length` and `at(k)`
 * (the k-th index of `nonzero(mask)`) from per-chunk counts, so a sampler that needs a few indices out
 * of millions costs one counting pass instead of a full nonzero. Owns `mask`; dispose() frees it.
 */
export class MaskIndices {
  readonly length: number;
  private readonly mask: Tensor;
  private readonly chunk: number;
  private readonly prefix: number[];

  constructor(mask: Tensor, chunk = 4096) {
    if (mask.dtype !== 'bool') throw new TypeError(`MaskIndices: expected a bool mask, got ${mask.dtype}`);
    this.mask = mask.flatten();
    if (this.mask !== mask) mask.dispose();
    this.chunk = chunk;
    const n = this.mask.shape[0];
    const full = Math.floor(n / chunk);
    const counts: number[] = torch.tidy(() => {
      // counting on a uint8 view of the bools is about twice as fast as summing the bools themselves
      const c: number[] = full ? Array.from(this.mask.narrow(0, 0, full * chunk).view('uint8').view([full, chunk]).sum(1, { dtype: 'int32' }).toTypedArray() as Int32Array) : [];
      if (n > full * chunk) c.push(Number(this.mask.narrow(0, full * chunk, n - full * chunk).sum({ dtype: 'int64' }).item()));
      return c;
    });
    this.prefix = [0];
    for (const c of counts) this.prefix.push(this.prefix[this.prefix.length - 1] + c);
    this.length = this.prefix[this.prefix.length - 1];
  }

  /** The k-th flat index where the mask is true (0 <= k < length). */
  at(k: number): number {
    if (!(k >= 0 && k < this.length)) throw new RangeError(`MaskIndices.at: index ${k} out of range [0, ${this.length})`);
    let lo = 0;
    let hi = this.prefix.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.prefix[mid] <= k) lo = mid;
      else hi = mid;
    }
    const startIdx = lo * this.chunk;
    const len = Math.min(this.chunk, this.mask.shape[0] - startIdx);
    return torch.tidy(() => startIdx + Number(torch.nonzero(this.mask.narrow(0, startIdx, len)).select(0, k - this.prefix[lo]).item()));
  }

  dispose(): void {
    this.mask.dispose();
  }
}

/**
 * mapBinaryToIndices as MaskIndices (same indices, same order): the foreground and background sets
 * for a sampler, computed with elementwise ops and one counting pass each.
 */
export function mapBinaryToMaskIndices(label: Tensor, image: Tensor | null = null, imageThreshold = 0): [MaskIndices, MaskIndices] {
  const [fgMask, bgMask] = torch.tidy(() => {
    const lab = label.shape[0] > 1 ? label.narrow(0, 1, label.shape[0] - 1) : label;
    const anyNz = (t: Tensor) => (t.shape[0] === 1 ? (t.dtype === 'bool' ? t.select(0, 0) : t.select(0, 0).ne(0)) : (t.dtype === 'bool' ? t : t.ne(0)).any(0));
    const fg = anyNz(lab);
    // bg = inImage & !fg; on bools, a > b is exactly a & !b (one pass instead of two)
    const bg = image === null ? fg.logicalNot() : (image.shape[0] === 1 ? image.select(0, 0).gt(imageThreshold) : image.gt(imageThreshold).any(0)).gt(fg);
    return [fg.contiguous(), bg.contiguous()];
  });
  return [new MaskIndices(fgMask), new MaskIndices(bgMask)];
}

/**
 * MONAI's map_classes_to_indices: for each class, the flat indices where the label is that class
 * (one-hot: channel c non-zero; else label == c, needing `numClasses`), optionally only where the
 * image exceeds `imageThreshold`, and thinned to `maxSamplesPerClass` evenly spaced indices.
 */
export function mapClassesToIndices(label: Tensor, options: { numClasses?: number | null; image?: Tensor | null; imageThreshold?: number; maxSamplesPerClass?: number | null } = {}): Tensor[] {
  const { numClasses = null, image = null, imageThreshold = 0, maxSamplesPerClass = null } = options;
  const channels = label.shape[0];
  let n = channels;
  if (channels === 1) {
    if (numClasses === null) throw new TypeError('mapClassesToIndices: a one-channel label is not one-hot; numClasses is required');
    n = numClasses;
  }
  return torch.tidy(() => {
    const imgFlat = image !== null ? image.gt(imageThreshold).any(0).flatten() : null;
    const out: Tensor[] = [];
    for (let c = 0; c < n; c++) {
      let flat = channels > 1 ? label.select(0, c).ne(0).flatten() : label.eq(c).flatten();
      if (imgFlat) flat = imgFlat.logicalAnd(flat);
      let idx = torch.nonzero(flat).flatten();
      const len = idx.shape[0];
      if (maxSamplesPerClass && len > maxSamplesPerClass && len > 1) {
        // np.round(np.linspace(0, len - 1, k)): round half to even, as numpy
        const pick = numpyLinspace(0, len - 1, maxSamplesPerClass).map(roundHalfEven);
        idx = idx.indexSelect(0, torch.tensor(pick, { dtype: 'int64' }));
      }
      out.push(idx.cpu());
    }
    return out;
  });
}

/** numpy.linspace(start, stop, num) values (endpoint included), computed as numpy does. */
export function numpyLinspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const div = num - 1;
  const step = (stop - start) / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(step === 0 ? start + (i / div) * (stop - start) : start + i * step);
  out[num - 1] = stop;
  return out;
}

/** numpy's round (half to even). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * MONAI's correct_crop_centers: moves each centre so that a `spatialSize` box around it stays inside
 * the label (smaller boxes allowed only with `allowSmaller`).
 */
export function correctCropCenters(centers: readonly number[], spatialSize: number | readonly number[], labelShape: readonly number[], allowSmaller = false): number[] {
  let size = fallBackTuple(spatialSize, labelShape);
  if (labelShape.some((l, i) => l - size[i] < 0)) {
    if (!allowSmaller) throw new RangeError(`The size of the proposed random crop ROI is larger than the image size, got ROI size [${size.join(', ')}] and label image size [${labelShape.join(', ')}]; set allowSmaller to crop smaller`);
    size = size.map((s, i) => Math.min(labelShape[i], s));
  }
  const validStart = size.map((s) => Math.floor(s / 2));
  // numpy: (label_shape + 1 - size / 2).astype(uint16), a truncation
  const validEnd = size.map((s, i) => Math.trunc(labelShape[i] + 1 - s / 2));
  for (let i = 0; i < validStart.length; i++) if (validStart[i] === validEnd[i]) validEnd[i] += 1;
  return centers.map((c, i) => Math.min(Math.max(c, validStart[i]), validEnd[i] - 1));
}

type IndexSet = Tensor | ArrayLike<number> | MaskIndices;

function indexAt(indices: IndexSet, i: number): number {
  if (indices instanceof MaskIndices) return indices.at(i);
  if (!(indices instanceof torch.Tensor)) return Number(indices[i]);
  if (indices.dim() === 0) return Number(indices.item());
  const t = indices.select(0, i);
  const v = Number(t.item());
  t.dispose();
  return v;
}

function lengthOf(indices: IndexSet): number {
  if (indices instanceof MaskIndices) return indices.length;
  return indices instanceof torch.Tensor ? (indices.dim() === 0 ? 1 : indices.shape[0]) : indices.length;
}

/**
 * MONAI's generate_pos_neg_label_crop_centers: per sample, `R.rand() < posRatio` picks foreground or
 * background, then `R.randint(len)` picks a voxel, whose coordinates (corrected to keep the box
 * inside) become the centre.
 */
export function generatePosNegLabelCropCenters(spatialSize: number | readonly number[], numSamples: number, posRatio: number, labelShape: readonly number[], fgIndices: IndexSet, bgIndices: IndexSet, R: RandomState, allowSmaller = false): number[][] {
  const nf = lengthOf(fgIndices);
  const nb = lengthOf(bgIndices);
  if (nf === 0 && nb === 0) throw new RangeError('No sampling location available (no foreground and no background indices)');
  if (nf === 0 || nb === 0) {
    posRatio = nf === 0 ? 0 : 1;
    process.emitWarning(`Num foregrounds ${nf}, Num backgrounds ${nb}, unable to generate class balanced samples, setting pos_ratio to ${posRatio}.`);
  }
  const centers: number[][] = [];
  for (let s = 0; s < numSamples; s++) {
    const use = R.rand() < posRatio ? fgIndices : bgIndices;
    const k = R.randint(lengthOf(use));
    const center = unravelIndex(indexAt(use, k), labelShape);
    centers.push(correctCropCenters(center, spatialSize, labelShape, allowSmaller));
  }
  return centers;
}

/**
 * MONAI's generate_label_classes_crop_centers: classes drawn at once by `R.choice(nClasses, numSamples,
 * p=ratios/sum)`, then a voxel of each by `R.randint(len)`. Classes without voxels get ratio 0.
 */
export function generateLabelClassesCropCenters(spatialSize: number | readonly number[], numSamples: number, labelShape: readonly number[], indices: readonly (Tensor | ArrayLike<number>)[], ratios: readonly number[] | null, R: RandomState, allowSmaller = false, warn = true): number[][] {
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new RangeError(`numSamples must be an integer greater than 0, got ${numSamples}`);
  const r = ratios === null ? indices.map(() => 1) : [...ratios];
  if (r.length !== indices.length) throw new RangeError(`random crop ratios must match the number of indices of classes, got ${r.length} and ${indices.length}`);
  if (r.some((v) => v < 0)) throw new RangeError(`ratios should not contain negative numbers, got [${r.join(', ')}]`);
  indices.forEach((ind, i) => {
    if (lengthOf(ind) === 0 && r[i] !== 0) {
      r[i] = 0;
      if (warn) process.emitWarning(`no available indices of class ${i} to crop, setting the crop ratio of this class to zero.`);
    }
  });
  const total = numpySumSmall(r);
  const classes = R.choice(r.length, { size: numSamples, p: r.map((v) => v / total) }) as number[];
  return classes.map((c) => {
    const use = indices[c];
    const k = R.randint(lengthOf(use));
    return correctCropCenters(unravelIndex(indexAt(use, k), labelShape), spatialSize, labelShape, allowSmaller);
  });
}

/** np.sum for short float lists (numpy sums fewer than 8 values left to right). */
function numpySumSmall(v: readonly number[]): number {
  if (v.length >= 8) {
    const r = v.slice(0, 8);
    let i = 8;
    for (; i < v.length - (v.length % 8); i += 8) for (let k = 0; k < 8; k++) r[k] += v[i + k];
    let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < v.length; i++) s += v[i];
    return s;
  }
  let s = 0;
  for (const x of v) s += x;
  return s;
}

/**
 * MONAI's weighted_patch_samples: centres drawn with probability proportional to the weight map `w`
 * (spatial, no channel) over the positions where a `spatialSize` window fits; uniform when the weights
 * sum to zero or are not finite.
 */
export function weightedPatchSamples(spatialSize: number | readonly number[], w: Tensor, nSamples: number, R: RandomState): number[][] {
  const imgSize = w.shape;
  const win = fallBackTuple(spatialSize, imgSize);
  return torch.tidy(() => {
    let v: Tensor = w;
    imgSize.forEach((m, d) => {
      const ws = win[d];
      const [s, e] = m > ws ? [Math.floor(ws / 2), m - ws + Math.floor(ws / 2)] : [Math.floor(m / 2), Math.floor(m / 2) + 1];
      v = v.narrow(d, s, e - s);
    });
    const vSize = v.shape;
    let flat = v.flatten().clone();
    if (flat.lt(0).any().item()) flat = flat.sub(flat.min());
    const cum = torch.cumsum(flat, 0);
    const last = cum.select(0, cum.shape[0] - 1);
    const lastV = Number(last.item());
    let idx: number[];
    if (!lastV || !Number.isFinite(lastV) || lastV < 0) {
      idx = Array.from(R.randint(0, cum.shape[0], nSamples));
    } else {
      const r = torch.tensor(Array.from(R.random(nSamples)), { dtype: 'float64' });
      const found = torch.searchsorted(cum, r.mul(last), { right: true });
      idx = Array.from(found.toTypedArray() as BigInt64Array, Number);
    }
    const diff = win.map((ws, d) => Math.floor(Math.min(ws, imgSize[d]) / 2));
    return idx.map((i) => unravelIndex(i, vSize).map((c, d) => c + diff[d]));
  });
}

/** MONAI's get_valid_patch_size: the patch size clipped to the image (0 or null: the image size). */
export function getValidPatchSize(imageSize: readonly number[], patchSize: number | readonly (number | null)[]): number[] {
  // as MONAI (ensure_tuple + zip_longest), a single number is the first dim's size; the others take the whole dim
  const list = typeof patchSize === 'number' ? [patchSize] : patchSize;
  return imageSize.map((s, d) => {
    const p = list[d] || s;
    if (!Number.isInteger(p) || p < 0) throw new RangeError(`getValidPatchSize: patchSize entries must be non-negative integers (or null), found ${JSON.stringify(patchSize)}`);
    return Math.min(s, p);
  });
}

/** MONAI's get_random_patch: per dim, a random start (`R.randint(0, dim - patch + 1)` where the patch is smaller). */
export function getRandomPatch(dims: readonly number[], patchSize: readonly number[], R: RandomState): [number, number][] {
  return dims.map((ms, i) => {
    const ps = patchSize[i];
    const mc = ms > ps ? R.randint(0, ms - ps + 1) : 0;
    return [mc, mc + ps] as [number, number];
  });
}

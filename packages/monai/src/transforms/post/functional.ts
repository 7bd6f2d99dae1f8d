/**
 * Math of the post-processing transforms (MONAI's monai/transforms/utils.py helpers they use):
 * connected components, small-object removal, hole filling, label sets, one-hot. Labelling runs in the
 * native kernels (torch.ops.connectedComponents, skimage.measure.label semantics); everything else is
 * libtorch ops on whole volumes.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../data/meta_tensor.js';
import { numpyArgsort } from '../../utils/numpy_sort.js';
import { oneHot } from '../../networks/utils.js';
import { likeInput } from '../utils.js';

/** MONAI's networks.utils.one_hot with the transforms' argument order. */
export function oneHotLabels(labels: Tensor, numClasses: number, dim = 1, dtype: torch.DType = 'float32'): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  return oneHot(labels, numClasses, { dim, dtype });
}

function spatialCc(mask: Tensor, connectivity: number | null | undefined, who: string): { labels: Tensor; count: number } {
  const nd = mask.dim();
  if (nd < 1 || nd > 3) throw new RangeError(`${who}: connected components need 1 to 3 spatial dimensions, found shape [${mask.shape.join(', ')}]`);
  const c = connectivity ?? nd;
  if (!Number.isInteger(c) || c < 1 || c > nd) throw new RangeError(`${who}: connectivity must be an integer in [1, ${nd}], got ${String(connectivity)}`);
  const { labels, counts } = torch.ops.connectedComponents(mask, { connectivity: c, spatialDims: nd });
  return { labels, count: counts[0] ?? 0 };
}

/**
 * MONAI's get_largest_connected_component_mask: a bool mask of the `numComponents` largest components
 * of `img` (spatial dims only); ties in size resolve as numpy's argsort does.
 */
export function getLargestConnectedComponentMask(img: Tensor, connectivity?: number | null, numComponents = 1): Tensor {
  return torch.tidy(() => {
    const fg = img.bool();
    const { labels, count } = spatialCc(fg, connectivity, 'getLargestConnectedComponentMask');
    if (count <= numComponents) return fg;
    // np.argsort(np.bincount(nonzero labels))[::-1][:n], ties broken exactly as numpy's introsort
    const sizes = torch.bincount(labels.flatten(), { minlength: count + 1 });
    sizes.narrow(0, 0, 1).zero_(); // the background is not a component
    const order = numpyArgsort(sizes.double().toTypedArray() as Float64Array).reverse().subarray(0, numComponents);
    const keep = torch.tensor(Array.from(order), { dtype: 'int64' });
    return torch.isin(labels, keep).logicalAnd(labels.ne(0));
  });
}

/** Distinct non-background labels: channels with any voxel (one-hot) or distinct values (label map). */
export function getUniqueLabels(img: Tensor, isOnehot: boolean, discard: number | readonly number[] | null = null, who = 'getUniqueLabels'): number[] {
  let labels: number[];
  if (isOnehot) {
    labels = torch.tidy(() => {
      const any = img.flatten(1).sum(1).gt(0);
      return (any.toArray() as boolean[]).flatMap((v, i) => (v ? [i] : []));
    });
  } else {
    if (img.shape[0] !== 1) throw new RangeError(`${who}: a label map (not one-hot) must have 1 channel, found ${img.shape[0]}`);
    labels = uniqueValues(img);
  }
  const drop = discard === null ? [] : typeof discard === 'number' ? [discard] : discard;
  return labels.filter((l) => !drop.includes(l));
}

/** Sorted distinct values of a tensor (one pass in libtorch). */
export function uniqueValues(t: Tensor): number[] {
  return torch.tidy(() => {
    const [u] = torch.ops._unique(t.flatten(), { sorted: true, returnInverse: false });
    return (u.double().toArray() as number[]).slice();
  });
}

/**
 * skimage.morphology.remove_small_objects as MONAI calls it on the whole (C, spatial...) array: a binary
 * array is labelled with the channel axis counted as one more axis; an integer array is taken as
 * already labelled (each value one object).
 */
export function removeSmallObjects(
  img: Tensor,
  options: { minSize?: number; connectivity?: number; independentChannels?: boolean; byMeasure?: boolean; pixdim?: number | readonly number[] | null },
  who = 'RemoveSmallObjects',
): Tensor {
  const { connectivity = 1, independentChannels = true, byMeasure = false, pixdim = null } = options;
  let minSize = options.minSize ?? 64;
  if (uniqueValues(img).length === 1) return img;
  if (byMeasure) {
    const sr = img.dim() - 1;
    let pd: number[];
    if (img instanceof MetaTensor) pd = img.pixdim.slice(0, sr);
    else if (pixdim !== null) pd = typeof pixdim === 'number' ? new Array<number>(sr).fill(pixdim) : [...pixdim];
    else {
      process.emitWarning(`${who}: the image is not a MetaTensor and pixdim is null; assuming an identity affine`);
      pd = new Array<number>(sr).fill(1);
    }
    let vol = pd.reduce((a, b) => a * b, 1);
    if (vol === 0) {
      process.emitWarning(`${who}: invalid pixdim (volume 0), using 1`);
      vol = 1;
    }
    minSize = Math.ceil(minSize / vol);
  } else if (pixdim !== null) {
    process.emitWarning(`${who}: pixdim is given but not used (byMeasure is false)`);
  }
  return torch.tidy(() => {
    let arr: Tensor;
    if (!independentChannels) arr = img.gt(0);
    else arr = torch.max(img).item() <= 1 ? img.bool() : img.to({ dtype: 'int64' });
    if (minSize === 0) return likeInput(independentChannels ? arr.to({ dtype: img.dtype }) : img.mul(arr), img);
    let ccs: Tensor;
    if (arr.dtype === 'bool') {
      // label over all axes, the channel axis included (skimage sees one N-d array)
      const squeezed = img.shape[0] === 1 ? arr.squeeze(0) : arr;
      const nd = squeezed.dim();
      if (nd > 3) throw new RangeError(`${who}: ${img.shape[0]} channels of ${img.dim() - 1}-D images make a ${nd}-D array; labelling supports up to 3-D (use 1 channel or independentChannels false)`);
      const c = Math.min(connectivity, nd);
      ccs = spatialCc(squeezed, c, who).labels.reshape(arr.shape);
    } else {
      if (torch.min(arr).item() < 0) throw new RangeError(`${who}: negative labels cannot be measured (skimage requires non-negative integer labels)`);
      ccs = arr;
    }
    const sizes = torch.bincount(ccs.flatten());
    if (sizes.size(0) === 2 && arr.dtype !== 'bool') process.emitWarning(`${who}: only one label was provided; did you mean to use a boolean array?`);
    const tooSmall = sizes.lt(minSize);
    const smallMask = torch.take(tooSmall, ccs);
    const out = arr.maskedFill(smallMask, 0).to({ dtype: img.dtype });
    return likeInput(independentChannels ? out : img.mul(out), img);
  });
}

/**
 * MONAI's fill_holes: for each label, background regions not connected (with `connectivity`) to the
 * image border are set to the label. Works on a copy; returns a new tensor of the input's dtype.
 */
export function fillHoles(img: Tensor, appliedLabels: readonly number[] | null = null, connectivity: number | null = null, who = 'FillHoles'): Tensor {
  const nch = img.shape[0];
  const isOnehot = nch > 1;
  const nd = img.dim() - 1;
  const labels = (appliedLabels ? [...new Set(appliedLabels)] : getUniqueLabels(img, isOnehot, null, who)).filter((l) => l !== 0);
  let out = img.clone();
  for (const label of labels) {
    const next = tidyOrDispose(out, () => {
      if (isOnehot && (label < 0 || label >= nch || !Number.isInteger(label))) throw new RangeError(`${who}: applied label ${label} is not a channel of the one-hot image (${nch} channels)`);
      const mask = isOnehot ? out.select(0, label).eq(0) : out.select(0, 0).ne(label);
      const { labels: cc } = spatialCc(mask, connectivity ?? nd, who);
      const open = torch.isin(cc, borderLabels(cc)).logicalAnd(cc.ne(0));
      const fill = open.logicalNot();
      if (isOnehot) {
        const ch = fill.to({ dtype: out.dtype }).unsqueeze(0);
        return torch.cat([out.narrow(0, 0, label), ch, out.narrow(0, label + 1, nch - label - 1)], 0);
      }
      return out.maskedFill(fill.unsqueeze(0), label);
    });
    out.dispose();
    out = next;
  }
  return out;
}

/** torch.tidy(f), disposing `owned` when f throws (the running result of a loop). */
function tidyOrDispose(owned: Tensor, f: () => Tensor): Tensor {
  try {
    return torch.tidy(f);
  } catch (e) {
    owned.dispose();
    throw e;
  }
}

/** Distinct component labels on the faces of a labelled volume (always includes 0 when present). */
function borderLabels(cc: Tensor): Tensor {
  const faces: Tensor[] = [];
  for (let d = 0; d < cc.dim(); d++) {
    const n = cc.size(d);
    faces.push(cc.narrow(d, 0, 1).flatten(), cc.narrow(d, n - 1, 1).flatten());
  }
  return torch.ops._unique(torch.cat(faces, 0), { sorted: true, returnInverse: false })[0];
}

/** MONAI's apply_filter: convolves each channel of x (B, C, spatial...) with one kernel, 'same' zero padding. */
export function applyFilter(x: Tensor, kernel: Tensor): Tensor {
  return torch.tidy(() => {
    const [b, c, ...sp] = x.shape;
    const nd = sp.length;
    if (nd < 1 || nd > 3) throw new RangeError(`applyFilter: only 1 to 3 spatial dimensions are supported, found shape [${x.shape.join(', ')}]`);
    const k = kernel.to({ dtype: x.dtype, device: x.device }).expand([b, c, ...kernel.shape.slice(kernel.dim() - nd)]).reshape([-1, 1, ...kernel.shape.slice(kernel.dim() - nd)]);
    const xv = x.reshape([1, b * c, ...sp]);
    const pad = k.shape.slice(2).map((s) => (s - 1) >> 1);
    const conv = nd === 1 ? torch.conv1d : nd === 2 ? torch.conv2d : torch.conv3d;
    const y = conv(xv, k, { padding: pad, groups: b * c });
    return y.reshape([b, c, ...y.shape.slice(2)]);
  });
}

const INTERP_MODES = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'];

/**
 * MONAI's convert_applied_interp_mode: a copy of an applied-operation stack with every recorded
 * interpolation `mode` set to `mode` and `align_corners` to `alignCorners` ('none' for null), recursing
 * into nested records (e.g. a Compose's).
 */
export function convertAppliedInterpMode<T>(transInfo: T, mode = 'nearest', alignCorners: boolean | null = null): T {
  if (Array.isArray(transInfo)) return transInfo.map((x) => convertAppliedInterpMode(x, mode, alignCorners)) as T;
  if (transInfo === null || typeof transInfo !== 'object' || ArrayBuffer.isView(transInfo) || transInfo instanceof Tensor) return transInfo;
  const info: Record<string, unknown> = { ...(transInfo as Record<string, unknown>) };
  const hasMode = 'mode' in info;
  const hasAlign = 'align_corners' in info;
  if (hasMode) {
    const cur = info.mode;
    if (typeof cur === 'number' || (typeof cur === 'string' && INTERP_MODES.includes(cur))) info.mode = mode;
    else if (Array.isArray(cur) && cur.length > 0 && (typeof cur[0] === 'number' || INTERP_MODES.includes(cur[0] as string))) info.mode = cur.map(() => mode);
  }
  if (hasAlign) {
    const a = alignCorners === null ? 'none' : alignCorners;
    info.align_corners = Array.isArray(info.align_corners) ? (info.align_corners as unknown[]).map(() => a) : a;
  }
  if (!hasMode && !hasAlign) {
    for (const k of Object.keys(info)) info[k] = convertAppliedInterpMode(info[k], mode, alignCorners);
  }
  return info as T;
}

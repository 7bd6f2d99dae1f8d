// Network utilities (MONAI's monai/networks/utils.py): oneHot, predictSegmentation, pixelshuffle,
// icnrInit, normalizeTransform, toNormAffine, evalMode / trainMode, copyModelState.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import type { DType } from '@monai-ts/torch';

/**
 * One-hot encoding of integer labels along `dim` (default 1): labels has size 1 there (missing
 * trailing dimensions are added), the result has `numClasses`.
 */
export function oneHot(labels: Tensor, numClasses: number, options: { dtype?: DType; dim?: number } = {}): Tensor {
  const dim = options.dim ?? 1;
  return torch.tidy(() => {
    let l = labels;
    if (l.dim() < dim + 1) l = l.reshape([...l.shape, ...Array(dim + 1 - l.dim()).fill(1)]);
    const sh = l.shape.slice();
    if (sh[dim] !== 1) throw new RangeError(`oneHot: labels must have size 1 along dim ${dim}, found shape [${l.shape.join(', ')}]`);
    sh[dim] = numClasses;
    return torch.zeros(sh, { dtype: options.dtype ?? 'float32', device: l.device }).scatter_(dim, l.long(), 1);
  });
}

/**
 * Segmentation from logits: without mutuallyExclusive each channel is thresholded (>= threshold, int32);
 * with it, the argmax over channels (B, 1, ...) (a single channel falls back to thresholding, with a warning).
 */
export function predictSegmentation(logits: Tensor, options: { mutuallyExclusive?: boolean; threshold?: number } = {}): Tensor {
  const threshold = options.threshold ?? 0.0;
  if (options.mutuallyExclusive && logits.size(1) !== 1) return logits.argmax({ dim: 1, keepdim: true });
  if (options.mutuallyExclusive) process.emitWarning('predictSegmentation: single channel prediction, mutuallyExclusive ignored, thresholding instead');
  return torch.tidy(() => logits.ge(threshold).int());
}

/** MONAI's N-D pixel shuffle: (B, C * r^d, D1, ...) -> (B, C, D1 * r, ...). */
export function pixelshuffle(x: Tensor, spatialDims: number, scaleFactor: number): Tensor {
  const [b, c, ...sp] = x.shape;
  const div = scaleFactor ** spatialDims;
  if (c % div !== 0) throw new RangeError(`pixelshuffle: channels (${c}) must be divisible by scaleFactor ** spatialDims (${scaleFactor}^${spatialDims}=${div})`);
  const perm = [0, 1];
  for (let i = 0; i < spatialDims; i++) perm.push(2 + spatialDims + i, 2 + i);
  return torch.tidy(() =>
    x.reshape([b, c / div, ...Array(spatialDims).fill(scaleFactor), ...sp]).permute(perm).reshape([b, c / div, ...sp.map((s) => s * scaleFactor)]),
  );
}

/** ICNR initialisation of a convolution followed by pixel shuffle: sub-kernels start identical (no checkerboard). */
export function icnrInit(conv: nn.ConvNd, upsampleFactor: number, init: (t: Tensor) => Tensor = (t) => nn.init.kaimingNormal_(t)): void {
  const [out, inp, ...dims] = conv.weight.shape;
  const scale = upsampleFactor ** dims.length;
  const oc2 = Math.floor(out / scale);
  torch.noGrad(() =>
    torch.tidy(() => {
      const k = torch.zeros([oc2, inp, ...dims]);
      init(k);
      const w = k.transpose(0, 1).reshape([oc2, inp, -1]).repeat([1, 1, scale]).reshape([inp, out, ...dims]).transpose(0, 1);
      conv.weight.copy_(w);
    }),
  );
}

/**
 * The (1, d+1, d+1) float64 (or `dtype`) affine from pixel coordinates of `shape` to the [-1, 1]
 * coordinates of grid sampling, for alignCorners and zeroCentered as MONAI's normalize_transform.
 */
export function normalizeTransform(shape: number[], options: { device?: string; dtype?: DType; alignCorners?: boolean; zeroCentered?: boolean } = {}): Tensor {
  const d = shape.length;
  const align = options.alignCorners ?? false;
  const zc = options.zeroCentered ?? false;
  const m: number[][] = Array.from({ length: d + 1 }, (_, i) => Array.from({ length: d + 1 }, (_, j) => (i === j ? 1 : 0)));
  shape.forEach((s, i) => {
    let n = s;
    if (align) {
      if (n <= 1) n = 2;
      m[i][i] = 2 / (zc ? n : n - 1);
      if (!zc) m[i][d] = -1;
    } else {
      if (n <= 0) n = 2;
      m[i][i] = 2 / (zc ? n - 1 : n);
      if (!zc) m[i][d] = 1 / s - 1;
    }
  });
  return torch.tensor([m], { dtype: options.dtype ?? 'float64', device: options.device ?? 'cpu' });
}

/**
 * Converts a batch of (N, d+1, d+1) affines between pixel coordinates of srcSize and dstSize into
 * the normalised coordinates of affineGrid/gridSample.
 */
export function toNormAffine(affine: Tensor, srcSize: number[], dstSize: number[], options: { alignCorners?: boolean; zeroCentered?: boolean } = {}): Tensor {
  if (!(affine instanceof Tensor)) throw new TypeError('toNormAffine: affine must be a Tensor');
  if (affine.dim() !== 3 || affine.size(1) !== affine.size(2)) throw new RangeError(`toNormAffine: affine must be N x d x d, found [${affine.shape.join(', ')}]`);
  const sr = affine.size(1) - 1;
  if (sr !== srcSize.length || sr !== dstSize.length)
    throw new RangeError(`toNormAffine: affine suggests ${sr}D, found srcSize of ${srcSize.length}D and dstSize of ${dstSize.length}D`);
  return torch.tidy(() => {
    const src = normalizeTransform(srcSize, { ...options, device: affine.device, dtype: affine.dtype });
    const dst = normalizeTransform(dstSize, { ...options, dtype: 'float64' }).inverse().to({ dtype: affine.dtype, device: affine.device });
    return src.matmul(affine).matmul(dst);
  });
}

type Nets = nn.Module | nn.Module[];
const asList = (n: Nets) => (Array.isArray(n) ? n : [n]);

/**
 * Runs fn with the networks in eval mode and gradients off, then puts back the ones that were
 * training (MONAI's `with eval_mode(net):`). fn must be synchronous.
 */
export function evalMode<T>(nets: Nets, fn: () => T): T {
  const list = asList(nets);
  const training = list.filter((n) => n.training);
  try {
    for (const n of list) n.eval();
    return torch.noGrad(fn);
  } finally {
    for (const n of training) n.train();
  }
}

/** Runs fn with the networks in training mode and gradients on, then puts back the ones that were in eval mode. */
export function trainMode<T>(nets: Nets, fn: () => T): T {
  const list = asList(nets);
  const evaluating = list.filter((n) => !n.training);
  try {
    for (const n of list) n.train();
    return torch.enableGrad(fn);
  } finally {
    for (const n of evaluating) n.eval();
  }
}

export interface CopyModelStateOptions {
  /** Prefix added to source keys to find the destination key. */
  dstPrefix?: string;
  /** Source key -> destination key (without prefix), copied even when shapes differ (with a warning). */
  mapping?: Record<string, string> | null;
  /** Source keys matching this pattern are not copied. */
  excludeVars?: string | RegExp | null;
  /** Load the result into dst when it is a module (default true). */
  inplace?: boolean;
  /** Returns a [dstKey, value] pair to copy, or null, for each source entry. */
  filterFunc?: ((key: string, value: Tensor) => [string, Tensor] | null) | null;
}

/**
 * Copies matching entries (same key after dstPrefix, same shape) of src's state dict into dst's
 * (MONAI's copy_model_state). Returns the merged state dict and the updated and unchanged keys; the
 * state dict's tensors are new handles the caller disposes (torch.dispose(Object.values(dict))).
 */
export function copyModelState(dst: nn.Module | Record<string, Tensor>, src: nn.Module | Record<string, Tensor>, options: CopyModelStateOptions = {}): { stateDict: Record<string, Tensor>; updatedKeys: string[]; unchangedKeys: string[] } {
  const srcDict = src instanceof nn.Module ? src.stateDict() : src;
  const dstOwn = dst instanceof nn.Module ? dst.stateDict() : null;
  const dstDict: Record<string, Tensor> = { ...(dstOwn ?? (dst as Record<string, Tensor>)) };
  const prefix = options.dstPrefix ?? '';
  const ex = options.excludeVars ? (options.excludeVars instanceof RegExp ? options.excludeVars : new RegExp(options.excludeVars)) : null;
  const skip = new Set(Object.keys(srcDict).filter((k) => ex !== null && ex.test(k)));
  const updated = new Set<string>();
  const sameShape = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  for (const [s, v] of Object.entries(srcDict)) {
    const k = prefix + s;
    if (k in dstDict && !skip.has(k) && sameShape(dstDict[k], v)) {
      dstDict[k] = v;
      updated.add(k);
    }
  }
  for (const [s, d] of Object.entries(options.mapping ?? {})) {
    const k = prefix + d;
    if (k in dstDict && !skip.has(k)) {
      if (!sameShape(dstDict[k], srcDict[s])) process.emitWarning(`copyModelState: shape of '${k}' changed from [${dstDict[k].shape}] to [${srcDict[s].shape}]`);
      dstDict[k] = srcDict[s];
      updated.add(k);
    }
  }
  if (options.filterFunc) {
    for (const [key, value] of Object.entries(srcDict)) {
      const pair = options.filterFunc(key, value);
      if (pair !== null && !skip.has(pair[0])) {
        dstDict[pair[0]] = pair[1];
        updated.add(pair[0]);
      }
    }
  }
  const updatedKeys = [...updated].sort();
  const unchangedKeys = Object.keys(dstDict).filter((k) => !updated.has(k)).sort();
  if ((options.inplace ?? true) && dst instanceof nn.Module) dst.loadStateDict(dstDict);
  // Handles made here (module state dicts) that are not returned are freed now.
  const kept = new Set(Object.values(dstDict));
  if (dstOwn) for (const t of Object.values(dstOwn)) if (!kept.has(t)) t.dispose();
  if (src instanceof nn.Module) for (const t of Object.values(srcDict)) if (!kept.has(t)) t.dispose();
  return { stateDict: dstDict, updatedKeys, unchangedKeys };
}

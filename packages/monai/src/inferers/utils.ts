// slidingWindowInference (MONAI monai/inferers/utils.py): runs a network over overlapping windows of
// an N-D batch, swBatchSize windows per call, and blends the window outputs into full-size outputs
// weighted by an importance map (constant or Gaussian), normalised by the summed weights.
//
// Networks may return a tensor, an array of tensors or a record of tensors; each output may have its
// own spatial scale relative to the window (a decoder returning half-resolution features, say): the
// window positions and the importance map are scaled to it, as MONAI does.
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { isMetaTensor, type MetaTensor } from '../data/meta_tensor.js';
import { getValidPatchSize } from '../transforms/utils.js';
import { type BlendMode, BLEND_MODES, computeImportanceMap, densePatchSlices, ensureTupleRep } from './patch_utils.js';

/** What a network may return: one tensor, an array of tensors (outputs of several scales), or a record of them. */
export type NetworkOutput = Tensor | Tensor[] | Record<string, Tensor>;
/** A network: a module (its forward is called) or a function. */
export type Predictor = ((x: Tensor, ...args: never[]) => NetworkOutput) | { forward(x: Tensor, ...args: never[]): NetworkOutput };
type Callable = (x: Tensor, ...args: unknown[]) => NetworkOutput;
/** Window coordinates given to a predictor with withCoord: per window, [batch index, then [start, stop) per spatial dim]. */
export type WindowCoords = { batch: number; slices: [number, number][] }[];
/** Post-processes each window's outputs and may return its own weights: (outputs, window data, importance map) => [outputs, weights]. */
export type ProcessFn = (outputs: Tensor[], windowData: Tensor, importanceMap: Tensor) => [Tensor[], Tensor];

export type PaddingMode = 'constant' | 'reflect' | 'replicate' | 'circular';
export const PADDING_MODES = ['constant', 'reflect', 'replicate', 'circular'] as const;

export interface SlidingWindowOptions {
  /** Fraction of overlap between neighbouring windows, per spatial dim or one for all, in [0, 1). Default 0.25. */
  overlap?: number | number[];
  /** How overlapping window outputs blend: 'constant' (equal weights, default) or 'gaussian'. */
  mode?: BlendMode;
  /** Gaussian sigma as a fraction of the window size, per spatial dim or one for all. Default 0.125. */
  sigmaScale?: number | number[];
  /** Padding when the image is smaller than the window. Default 'constant'. */
  paddingMode?: PaddingMode;
  /** Fill value of 'constant' padding. Default 0. */
  cval?: number;
  /** Device the windows go to (where the network runs). Default: the input's. */
  swDevice?: string | null;
  /** Device of the stitched outputs. Default: the input's. */
  device?: string | null;
  /** Print progress to stderr. */
  progress?: boolean;
  /** A precomputed importance map for the window (used when the window fits the image). */
  roiWeightMap?: Tensor | null;
  processFn?: ProcessFn | null;
  /** Call the predictor as predictor(windowData, coords, ...args). */
  withCoord?: boolean;
  /** Extra arguments passed to the predictor after the window data. */
  predictorArgs?: unknown[];
}

export const SLIDING_WINDOW_KEYS = [
  'overlap', 'mode', 'sigmaScale', 'paddingMode', 'cval', 'swDevice', 'device', 'progress', 'roiWeightMap', 'processFn', 'withCoord', 'predictorArgs',
] as const;

const NAME = 'slidingWindowInference';

/** roiSize: a number for every dim or one per dim; null or non-positive entries take the image's size. */
export function fallBackRoi(roiSize: number | readonly (number | null)[], imageSize: readonly number[]): number[] {
  if (typeof roiSize === 'number') return imageSize.map((d) => (roiSize > 0 ? roiSize : d));
  if (!Array.isArray(roiSize) || roiSize.length !== imageSize.length)
    throw new TypeError(`${NAME}: roiSize must be a number or ${imageSize.length} numbers (one per spatial dimension of the input), found ${JSON.stringify(roiSize)}`);
  return imageSize.map((d, i) => {
    const r = roiSize[i];
    return r !== null && r !== undefined && r > 0 ? Math.trunc(r) : d;
  });
}

/** The step between windows: (1 - overlap) * roi (at least 1), or the roi when it spans the image. */
export function getScanInterval(imageSize: readonly number[], roiSize: readonly number[], overlap: readonly number[]): number[] {
  return imageSize.map((img, i) => (roiSize[i] === img ? roiSize[i] : Math.max(Math.trunc(roiSize[i] * (1 - overlap[i])), 1)));
}

/** Python's round(): halves to even. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function callPredictor(p: Predictor, x: Tensor, args: unknown[]): NetworkOutput {
  return typeof p === 'function' ? (p as Callable)(x, ...args) : (p.forward as Callable).call(p, x, ...args);
}

function flatten(out: NetworkOutput): { keys: string[] | null; list: Tensor[] } {
  if (out instanceof Tensor) return { keys: null, list: [out] };
  if (Array.isArray(out)) {
    if (out.length === 0 || out.some((t) => !(t instanceof Tensor))) throw new TypeError(`${NAME}: the network returned an array that is empty or holds non-tensors`);
    return { keys: null, list: out };
  }
  if (out !== null && typeof out === 'object') {
    const keys = Object.keys(out).sort();
    const list = keys.map((k) => out[k]);
    if (list.length === 0 || list.some((t) => !(t instanceof Tensor))) throw new TypeError(`${NAME}: the network returned a record that is empty or holds non-tensors`);
    return { keys, list };
  }
  throw new TypeError(`${NAME}: the network must return a tensor, an array or a record of tensors, found ${out === null ? 'null' : typeof out}`);
}

/**
 * One view of t: item `batch` (all items when null), all channels, [start, stop) per spatial dim. A
 * single as_strided keeps it to one tensor handle: handles on a large tensor each count its whole
 * storage as external memory for V8, so chains of narrow() views over the full-size output would
 * trigger garbage collections (measured: ~0.8 ms per view on a 64 MB output).
 */
function region(t: Tensor, batch: number | null, ranges: readonly (readonly [number, number])[]): Tensor {
  const stride = t.stride() as number[];
  let offset = t.storageOffset() + (batch ?? 0) * stride[0];
  const size = [batch === null ? t.shape[0] : 1, t.shape[1]];
  ranges.forEach(([a, b], i) => {
    offset += a * stride[2 + i];
    size.push(b - a);
  });
  return t.asStrided(size, stride, offset);
}

/**
 * Views of the large tensors (input, outputs, count maps) at window positions. Without autograd one
 * view handle per tensor is re-pointed in place (as_strided_) for every window, so the loop creates
 * no handle on them at all; with autograd each window gets its own view, freed at once.
 */
class Windows {
  private readonly cache = new Map<Tensor, Tensor>();
  private readonly reuse = !torch.isGradEnabled();

  /** Runs fn on target's view at (batch, ranges); the view is valid only inside fn. */
  with<T>(target: Tensor, batch: number | null, ranges: readonly (readonly [number, number])[], fn: (v: Tensor) => T): T {
    if (!this.reuse) {
      const v = region(target, batch, ranges);
      try {
        return fn(v);
      } finally {
        v.dispose();
      }
    }
    const stride = target.stride() as number[];
    let offset = target.storageOffset() + (batch ?? 0) * stride[0];
    const size = [batch === null ? target.shape[0] : 1, target.shape[1]];
    ranges.forEach(([a, b], i) => {
      offset += a * stride[2 + i];
      size.push(b - a);
    });
    let v = this.cache.get(target);
    if (v === undefined) {
      v = torch.keep(target.asStrided(size, stride, offset));
      this.cache.set(target, v);
    } else v.asStrided_(size, stride, offset);
    return fn(v);
  }

  /** Frees the view kept for target (a per-batch tensor). */
  drop(target: Tensor): void {
    this.cache.get(target)?.dispose();
    this.cache.delete(target);
  }

  dispose(): void {
    for (const v of this.cache.values()) v.dispose();
    this.cache.clear();
  }
}

/** t on `device` (t itself when it is there already: no extra handle). */
function onDevice(t: Tensor, device: string): Tensor {
  return t.device === device ? t : t.to({ device });
}

/**
 * Sliding-window inference of `inputs` [B, C, *spatial] with windows of `roiSize`, `swBatchSize`
 * windows per network call. Returns what the network returns (a tensor, an array or a record), at
 * the input's spatial size (scaled for outputs at other scales), dtype of the input, on `device`.
 */
export function slidingWindowInference(
  inputs: Tensor,
  roiSize: number | (number | null)[],
  swBatchSize: number,
  predictor: Predictor,
  options: SlidingWindowOptions = {},
): NetworkOutput {
  checkOptions(NAME, options, SLIDING_WINDOW_KEYS);
  if (!(inputs instanceof Tensor)) throw new TypeError(`${NAME}: inputs must be a Tensor [B, C, *spatial]`);
  if (inputs.dim() < 3) throw new RangeError(`${NAME}: inputs must have shape [B, C, *spatial] (at least 3 dims), found [${inputs.shape.join(', ')}]`);
  if (!Number.isInteger(swBatchSize) || swBatchSize < 1) throw new RangeError(`${NAME}: swBatchSize must be a positive integer, found ${swBatchSize}`);
  if (typeof predictor !== 'function' && typeof (predictor as { forward?: unknown })?.forward !== 'function')
    throw new TypeError(`${NAME}: predictor must be a module (with forward) or a function`);
  const nsd = inputs.dim() - 2;
  const overlap = ensureTupleRep(NAME, 'overlap', options.overlap ?? 0.25, nsd);
  for (const o of overlap) if (!(o >= 0 && o < 1)) throw new RangeError(`${NAME}: overlap must be >= 0 and < 1, found ${JSON.stringify(options.overlap)}`);
  const mode = checkChoice(NAME, 'mode', options.mode ?? 'constant', BLEND_MODES);
  const paddingMode = checkChoice(NAME, 'paddingMode', options.paddingMode ?? 'constant', PADDING_MODES);
  const cval = options.cval ?? 0;
  const computeDtype: DType = inputs.dtype;
  const device = options.device ?? inputs.device;
  const swDevice = options.swDevice ?? inputs.device;
  const args = options.predictorArgs ?? [];
  const [B, , ...imageSize0] = inputs.shape;
  const roi = fallBackRoi(roiSize, imageSize0);
  const imageSize = imageSize0.map((d, i) => Math.max(d, roi[i]));
  // F.pad order: last spatial dim first, [before, after] each
  const pad: number[] = [];
  for (let d = nsd - 1; d >= 0; d--) {
    const diff = Math.max(roi[d] - imageSize0[d], 0);
    pad.push(Math.floor(diff / 2), diff - Math.floor(diff / 2));
  }
  const padded = pad.some((p) => p > 0);
  const slices = densePatchSlices(imageSize, roi, getScanInterval(imageSize, roi, overlap));
  const numWin = slices.length;
  const total = numWin * B;
  const meta = isMetaTensor(inputs) ? (inputs as MetaTensor) : null;

  const result = torch.tidy(() => {
    let x = meta ? meta.asTensor() : inputs;
    if (padded) x = torch.nn.functional.pad(x, pad, paddingMode === 'constant' ? { mode: paddingMode, value: cval } : { mode: paddingMode });
    const validPatch = getValidPatchSize(imageSize, roi);
    let importance: Tensor;
    if (options.roiWeightMap && validPatch.every((v, i) => v === roi[i])) importance = options.roiWeightMap;
    else importance = computeImportanceMap(validPatch, { mode, sigmaScale: options.sigmaScale ?? 0.125, device: swDevice, dtype: computeDtype });
    importance = importance.to({ device: swDevice, dtype: computeDtype });
    if (importance.dim() === nsd && !options.processFn) importance = importance.view([1, 1, ...importance.shape]);

    const outputs: Tensor[] = [];
    const counts: Tensor[] = [];
    let keys: string[] | null = null;
    const steps = Math.ceil(total / swBatchSize);
    const views = new Windows();
    try {
      for (let g = 0, step = 0; g < total; g += swBatchSize, step++) {
        using sc = torch.scope();
        const wins: WindowCoords = [];
        for (let idx = g; idx < Math.min(g + swBatchSize, total); idx++) wins.push({ batch: Math.floor(idx / numWin), slices: slices[idx % numWin] });
        const gathered = torch.empty([wins.length, x.shape[1], ...roi], { dtype: x.dtype, device: x.device });
        const whole = roi.map((n) => [0, n] as [number, number]);
        wins.forEach((w, i) => views.with(x, w.batch, w.slices, (v) => views.with(gathered, i, whole, (dst) => dst.copy_(v))));
        views.drop(gathered);
        const winData = onDevice(gathered, swDevice);
        const out = options.withCoord ? callPredictor(predictor, winData, [wins, ...args]) : callPredictor(predictor, winData, args);
        const flat = flatten(out);
        keys = flat.keys;
        let segs = flat.list;
        let wt = importance;
        if (options.processFn) [segs, wt] = options.processFn(segs, winData, importance);
        if (wt.dim() === nsd) wt = wt.view([1, 1, ...wt.shape]);
        wt = wt.to({ dtype: computeDtype, device: swDevice });
        const windowWeights = wt;
        segs.forEach((seg, ss) => {
          if (seg.dim() !== nsd + 2 || seg.shape[0] !== wins.length)
            throw new RangeError(`${NAME}: network output ${keys ? `'${keys[ss]}'` : ss} must have shape [${wins.length}, C, ...${nsd} spatial dims] for ${wins.length} windows, found [${seg.shape.join(', ')}]`);
          const segShape = seg.shape.slice(2);
          let zScale: number[] | null = null;
          if (segShape.some((v, i) => v !== roi[i])) {
            zScale = segShape.map((v, i) => v / roi[i]);
            // resized from the previous output's map, as MONAI does (the results differ from resizing the
            // window's map directly when several outputs are at smaller scales)
            wt = torch.nn.functional.interpolate(wt, { size: segShape, mode: 'nearest-exact' });
          } else if (wt.shape.slice(2).some((v, i) => v !== roi[i])) {
            // a window-scale output after a resized one: MONAI 1.4 fails on the size mismatch here
            wt = windowWeights;
          }
          const scaled = (r: readonly [number, number][]) => (zScale ? r.map(([a, b], i) => [Math.trunc(a * zScale![i]), Math.trunc(b * zScale![i])] as [number, number]) : r);
          if (outputs.length <= ss) {
            const outSize = zScale ? imageSize.map((v, i) => Math.trunc(v * zScale![i])) : imageSize;
            const o = sc.keep(torch.zeros([B, seg.shape[1], ...outSize], { dtype: computeDtype, device }));
            const cnt = sc.keep(torch.zeros([1, 1, ...outSize], { dtype: computeDtype, device }));
            const wd = onDevice(wt, device);
            for (const s of slices) views.with(cnt, 0, scaled(s), (v) => v.add_(wd));
            outputs.push(o);
            counts.push(cnt);
          }
          // weighted in place without autograd, as MONAI does (the network's output is not kept)
          const weighted = onDevice(torch.isGradEnabled() ? seg.mul(wt) : seg.mul_(wt), device);
          const outRoi = weighted.shape.slice(2).map((n) => [0, n] as [number, number]);
          wins.forEach((w, i) =>
            views.with(weighted, i, outRoi, (item) => views.with(outputs[ss], w.batch, scaled(w.slices), (v) => v.add_(item))),
          );
          views.drop(weighted);
        });
        if (options.progress) process.stderr.write(`\r${NAME}: ${step + 1}/${steps} window batches${step + 1 === steps ? '\n' : ''}`);
      }
    } finally {
      views.dispose();
    }
    let finals = outputs.map((o, ss) => o.div_(counts[ss]));
    if (padded) {
      finals = finals.map((o) => {
        const ranges: [number, number][] = [];
        for (let d = 0; d < nsd; d++) {
          const zoom = o.shape[2 + d] / roi[d];
          const before = pad[(nsd - 1 - d) * 2];
          // zoom is relative to the window, not the image (as MONAI): where the image is larger than the
          // window the end overshoots and, like a Python slice, is clipped to the output
          const size = o.shape[2 + d];
          const a = Math.min(pyRound(before * zoom), size);
          ranges.push([a, Math.max(a, Math.min(pyRound((before + imageSize0[d]) * zoom), size))]);
        }
        return region(o, null, ranges);
      });
    }
    return { finals, keys };
  });

  const wrap = (t: Tensor): Tensor => (meta ? meta.withTensor(t) : t);
  const { finals, keys } = result;
  if (keys !== null) return Object.fromEntries(keys.map((k, i) => [k, wrap(finals[i])]));
  // as MONAI: a single output comes back as a tensor, even from a network that returned a 1-element array
  if (finals.length === 1) return wrap(finals[0]);
  return finals.map(wrap);
}

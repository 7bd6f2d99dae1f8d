/**
 * Post-processing transforms (MONAI's monai/transforms/post/array.py) for channel-first model outputs:
 * activations, discretisation, connected-component clean-up, hole filling, contours, ensembles, NMS,
 * Sobel gradients, distance transforms and inversion of a preprocessing pipeline.
 * Outputs are new tensors (MONAI edits some inputs in place; we never do) carrying the input's metadata.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../data/meta_tensor.js';
import { checkChoice, checkOptions } from '../../data/options.js';
import { Transform, describeValue, isInvertible, type InvertibleTransform } from '../transform.js';
import { separableFiltering, GaussianFilter } from '../../networks/layers/simplelayers.js';
import { applyFilter, convertAppliedInterpMode, fillHoles, getLargestConnectedComponentMask, getUniqueLabels, oneHotLabels, removeSmallObjects } from './functional.js';
import { likeInput } from '../utils.js';

function checkTensor(img: unknown, who: string, minDim = 1): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${who}: expected a Tensor, got ${describeValue(img)}`);
  if (img.dim() < minDim) throw new RangeError(`${who}: expected a channel-first tensor with at least ${minDim} dimensions, found shape [${img.shape.join(', ')}]`);
}

function isFloating(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

function asLabelList(v: number | readonly number[] | null | undefined, who: string, option: string): number[] | null {
  if (v === undefined || v === null) return null;
  const list = typeof v === 'number' ? [v] : [...v];
  if (list.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new TypeError(`${who}: ${option} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
  return list;
}

export type ActivationFn = (t: Tensor) => Tensor;

export interface ActivationsOptions {
  sigmoid?: boolean;
  softmax?: boolean;
  /** any other activation, e.g. `(t) => torch.tanh(t)` */
  other?: ActivationFn | null;
  /** softmax dimension (default 0, the channel of an item) */
  dim?: number;
}

/** Sigmoid, softmax or a custom activation on a channel-first item; the output is float32 (or the input's float type). */
export class Activations extends Transform {
  readonly sigmoid: boolean;
  readonly softmax: boolean;
  readonly other: ActivationFn | null;
  readonly dim: number;

  constructor(options: ActivationsOptions = {}) {
    super();
    checkOptions('Activations', options, ['sigmoid', 'softmax', 'other', 'dim']);
    this.sigmoid = options.sigmoid ?? false;
    this.softmax = options.softmax ?? false;
    if (options.other !== undefined && options.other !== null && typeof options.other !== 'function') throw new TypeError(`Activations: other must be a function or null, got ${describeValue(options.other)}`);
    this.other = options.other ?? null;
    this.dim = options.dim ?? 0;
  }

  call(img: Tensor, overrides: { sigmoid?: boolean | null; softmax?: boolean | null; other?: ActivationFn | null } = {}): Tensor {
    checkTensor(img, this.name);
    const { sigmoid = null, softmax = null, other = null } = overrides;
    if (sigmoid && softmax) throw new Error(`${this.name}: sigmoid and softmax cannot both be true`);
    if (other !== null && typeof other !== 'function') throw new TypeError(`${this.name}: other must be a function or null, got ${describeValue(other)}`);
    const out = torch.tidy(() => {
      let t = isFloating(img.dtype) ? img : img.float();
      if (sigmoid || this.sigmoid) t = torch.sigmoid(t);
      if (softmax || this.softmax) t = torch.softmax(t, this.dim);
      const act = other ?? this.other;
      if (act) t = act(t);
      return t === img ? img.alias() : t.to({ dtype: isFloating(img.dtype) ? img.dtype : 'float32' });
    });
    return likeInput(out, img);
  }
}

export interface AsDiscreteOptions {
  argmax?: boolean;
  /** number of classes for one-hot output (null: none) */
  toOnehot?: number | null;
  /** values >= threshold become 1, others 0 (null: no threshold) */
  threshold?: number | null;
  /** 'torchrounding' rounds to the nearest integer */
  rounding?: 'torchrounding' | null;
  /** argmax/one-hot dimension (default 0) */
  dim?: number;
  keepdim?: boolean;
  /** output dtype (default float32) */
  dtype?: torch.DType;
}

/** Argmax, one-hot, threshold and/or rounding of a channel-first item (MONAI's AsDiscrete). */
export class AsDiscrete extends Transform {
  readonly argmax: boolean;
  readonly toOnehot: number | null;
  readonly threshold: number | null;
  readonly rounding: 'torchrounding' | null;
  readonly dim: number;
  readonly keepdim: boolean;
  readonly dtype: torch.DType;

  constructor(options: AsDiscreteOptions = {}) {
    super();
    checkOptions('AsDiscrete', options, ['argmax', 'toOnehot', 'threshold', 'rounding', 'dim', 'keepdim', 'dtype']);
    if (typeof options.toOnehot === 'boolean') throw new TypeError('AsDiscrete: toOnehot=true/false is not supported; give the number of classes (toOnehot: N)');
    this.argmax = options.argmax ?? false;
    this.toOnehot = checkClasses(options.toOnehot ?? null, 'AsDiscrete');
    this.threshold = options.threshold ?? null;
    this.rounding = options.rounding === undefined || options.rounding === null ? null : checkChoice('AsDiscrete', 'rounding', options.rounding, ['torchrounding'] as const);
    this.dim = options.dim ?? 0;
    this.keepdim = options.keepdim ?? true;
    this.dtype = options.dtype ?? 'float32';
  }

  call(img: Tensor, overrides: { argmax?: boolean | null; toOnehot?: number | null; threshold?: number | null; rounding?: 'torchrounding' | null } = {}): Tensor {
    checkTensor(img, this.name);
    if (typeof overrides.toOnehot === 'boolean') throw new TypeError(`${this.name}: toOnehot=true/false is not supported; give the number of classes`);
    const argmax = overrides.argmax ?? this.argmax;
    const toOnehot = overrides.toOnehot === undefined || overrides.toOnehot === null ? this.toOnehot : checkClasses(overrides.toOnehot, this.name);
    const threshold = overrides.threshold ?? this.threshold;
    const rounding = overrides.rounding === undefined || overrides.rounding === null ? this.rounding : checkChoice(this.name, 'rounding', overrides.rounding, ['torchrounding'] as const);
    const out = torch.tidy(() => {
      let t: Tensor = img;
      if (argmax) t = torch.argmax(t, { dim: this.dim, keepdim: this.keepdim });
      if (toOnehot !== null) t = oneHotLabels(t, toOnehot, this.dim, this.dtype);
      if (threshold !== null) t = t.ge(threshold);
      if (rounding !== null) t = torch.round(t.dtype === 'bool' ? t.float() : t);
      return t.to({ dtype: this.dtype }).clone();
    });
    return likeInput(out, img);
  }
}

function checkClasses(n: unknown, who: string): number | null {
  if (n === null) return null;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new TypeError(`${who}: toOnehot must be a positive integer number of classes, got ${String(n)}`);
  return n;
}

export interface KeepLargestConnectedComponentOptions {
  /** labels (label map) or channels (one-hot) to clean; null: every non-zero label */
  appliedLabels?: number | readonly number[] | null;
  /** null: multi-channel input is one-hot, single-channel is a label map */
  isOnehot?: boolean | null;
  /** clean each label on its own (true) or their union (false) */
  independent?: boolean;
  /** neighbourhood: 1 .. spatial dims (null: full) */
  connectivity?: number | null;
  /** how many of the largest components to keep */
  numComponents?: number;
}

/** Keeps the largest connected component(s) of the applied labels and zeroes the rest of them. */
export class KeepLargestConnectedComponent extends Transform {
  readonly appliedLabels: number[] | null;
  readonly isOnehot: boolean | null;
  readonly independent: boolean;
  readonly connectivity: number | null;
  readonly numComponents: number;

  constructor(options: KeepLargestConnectedComponentOptions = {}) {
    super();
    checkOptions('KeepLargestConnectedComponent', options, ['appliedLabels', 'isOnehot', 'independent', 'connectivity', 'numComponents']);
    this.appliedLabels = asLabelList(options.appliedLabels, 'KeepLargestConnectedComponent', 'appliedLabels');
    this.isOnehot = options.isOnehot ?? null;
    this.independent = options.independent ?? true;
    this.connectivity = options.connectivity ?? null;
    this.numComponents = options.numComponents ?? 1;
    if (!Number.isInteger(this.numComponents) || this.numComponents < 1) throw new RangeError(`KeepLargestConnectedComponent: numComponents must be a positive integer, got ${this.numComponents}`);
  }

  call(img: Tensor): Tensor {
    checkTensor(img, this.name, 2);
    const isOnehot = this.isOnehot ?? img.shape[0] > 1;
    const labels = this.appliedLabels ?? getUniqueLabels(img, isOnehot, 0, this.name);
    if (isOnehot) for (const l of labels) if (!Number.isInteger(l) || l < 0 || l >= img.shape[0]) throw new RangeError(`${this.name}: applied label ${l} is not a channel of the one-hot image (${img.shape[0]} channels)`);
    let out = img.clone();
    const step = (f: () => Tensor) => {
      let next: Tensor;
      try {
        next = torch.tidy(f);
      } catch (e) {
        out.dispose();
        throw e;
      }
      out.dispose();
      out = next;
    };
    const conn = this.connectivity;
    if (this.independent) {
      for (const l of labels) {
        step(() => {
          const fg = isOnehot ? out.select(0, l).gt(0) : out.select(0, 0).eq(l);
          const mask = getLargestConnectedComponentMask(fg, conn, this.numComponents);
          const drop = fg.logicalXor(mask);
          return isOnehot ? zeroChannelWhere(out, l, drop) : out.maskedFill(drop.unsqueeze(0), 0);
        });
      }
    } else if (!isOnehot) {
      step(() => {
        const lt = torch.tensor(labels, { dtype: 'float64' });
        const fg = torch.isin(out.select(0, 0).double(), lt);
        const mask = getLargestConnectedComponentMask(fg, conn, this.numComponents);
        return out.maskedFill(fg.logicalXor(mask).unsqueeze(0), 0);
      });
    } else {
      step(() => {
        const idx = torch.tensor(labels, { dtype: 'int64' });
        const fg = out.indexSelect(0, idx).eq(1).any(0);
        const mask = getLargestConnectedComponentMask(fg, conn, this.numComponents);
        const drop = fg.logicalXor(mask);
        const chan = torch.zeros([img.shape[0]], { dtype: 'bool' }).indexFill(0, idx, true).reshape([img.shape[0], ...new Array<number>(img.dim() - 1).fill(1)]);
        return out.maskedFill(drop.unsqueeze(0).logicalAnd(chan), 0);
      });
    }
    return likeInput(out, img);
  }
}

function laplaceKernel(nd: 2 | 3): Tensor {
  const n = nd === 2 ? 9 : 27;
  const k = new Float32Array(n).fill(-1);
  k[(n - 1) / 2] = n - 1;
  return torch.fromTypedArray(k, nd === 2 ? [3, 3] : [3, 3, 3]);
}

function zeroChannelWhere(t: Tensor, ch: number, where: Tensor): Tensor {
  const chan = torch.zeros([t.shape[0]], { dtype: 'bool' });
  chan.narrow(0, ch, 1).fill_(true);
  return t.maskedFill(where.unsqueeze(0).logicalAnd(chan.reshape([t.shape[0], ...new Array<number>(t.dim() - 1).fill(1)])), 0);
}

export interface RemoveSmallObjectsOptions {
  /** objects smaller than this (voxels, or volume units with byMeasure) are removed; default 64 */
  minSize?: number;
  connectivity?: number;
  independentChannels?: boolean;
  byMeasure?: boolean;
  pixdim?: number | readonly number[] | null;
}

/** skimage's remove_small_objects on a channel-first image (MONAI's RemoveSmallObjects). */
export class RemoveSmallObjects extends Transform {
  readonly options: Required<Omit<RemoveSmallObjectsOptions, 'pixdim'>> & { pixdim: number | readonly number[] | null };

  constructor(options: RemoveSmallObjectsOptions = {}) {
    super();
    checkOptions('RemoveSmallObjects', options, ['minSize', 'connectivity', 'independentChannels', 'byMeasure', 'pixdim']);
    this.options = {
      minSize: options.minSize ?? 64,
      connectivity: options.connectivity ?? 1,
      independentChannels: options.independentChannels ?? true,
      byMeasure: options.byMeasure ?? false,
      pixdim: options.pixdim ?? null,
    };
    if (!(this.options.minSize >= 0)) throw new RangeError(`RemoveSmallObjects: minSize must be >= 0, got ${this.options.minSize}`);
  }

  call(img: Tensor): Tensor {
    checkTensor(img, this.name, 2);
    const out = removeSmallObjects(img, this.options, this.name);
    return out === img ? img.clone() : out;
  }
}

/** Keeps only the given labels (others become 0). */
export class LabelFilter extends Transform {
  readonly appliedLabels: number[];

  constructor(options: { appliedLabels: number | readonly number[] }) {
    super();
    checkOptions('LabelFilter', options, ['appliedLabels'], ['appliedLabels']);
    this.appliedLabels = asLabelList(options.appliedLabels, 'LabelFilter', 'appliedLabels')!;
  }

  call(img: Tensor): Tensor {
    checkTensor(img, this.name);
    const out = torch.tidy(() => {
      const keep = torch.isin(img.double(), torch.tensor(this.appliedLabels, { dtype: 'float64', device: img.device }));
      return img.maskedFill(keep.logicalNot(), 0);
    });
    return likeInput(out, img);
  }
}

/** Fills enclosed holes of each label (label map or one-hot), MONAI's FillHoles. */
export class FillHoles extends Transform {
  readonly appliedLabels: number[] | null;
  readonly connectivity: number | null;

  constructor(options: { appliedLabels?: number | readonly number[] | null; connectivity?: number | null } = {}) {
    super();
    checkOptions('FillHoles', options, ['appliedLabels', 'connectivity']);
    const l = asLabelList(options.appliedLabels, 'FillHoles', 'appliedLabels');
    this.appliedLabels = l && l.length ? l : null;
    this.connectivity = options.connectivity ?? null;
  }

  call(img: Tensor): Tensor {
    checkTensor(img, this.name, 2);
    return likeInput(fillHoles(img, this.appliedLabels, this.connectivity, this.name), img);
  }
}

/** Contour of a binary channel-first image by a Laplace kernel, clamped to [0, 1]. */
export class LabelToContour extends Transform {
  readonly kernelType = 'Laplace';

  constructor(options: { kernelType?: 'Laplace' } = {}) {
    super();
    checkOptions('LabelToContour', options, ['kernelType']);
    checkChoice('LabelToContour', 'kernelType', options.kernelType ?? 'Laplace', ['Laplace'] as const);
  }

  call(img: Tensor): Tensor {
    checkTensor(img, this.name);
    const nd = (img.dim() - 1) as 2 | 3;
    if (nd !== 2 && nd !== 3) throw new RangeError(`${this.name}: only 2D or 3D channel-first images are supported, found shape [${img.shape.join(', ')}]`);
    const out = torch.tidy(() => {
      const kernel = laplaceKernel(nd);
      const x = isFloating(img.dtype) ? img : img.float();
      const y = applyFilter(x.unsqueeze(0), kernel).clamp(0, 1).squeeze(0);
      return y.to({ dtype: img.dtype });
    });
    return likeInput(out, img);
  }
}

/** Stacks a list of model outputs (or takes an already stacked [E, ...] tensor). */
function stacked(img: Tensor | readonly Tensor[], who: string): Tensor {
  if (img instanceof Tensor) return img;
  if (!Array.isArray(img) || img.length === 0 || !img.every((t) => t instanceof Tensor)) throw new TypeError(`${who}: expected a Tensor [E, C, ...] or a non-empty list of Tensors, got ${describeValue(img)}`);
  return torch.stack(img as Tensor[], 0);
}

function firstOf(img: Tensor | readonly Tensor[]): Tensor {
  return img instanceof Tensor ? img : img[0];
}

/** Mean of several model outputs, optionally weighted per model (and per class). */
export class MeanEnsemble extends Transform {
  readonly weights: number[] | number[][] | null;

  constructor(options: { weights?: readonly number[] | readonly (readonly number[])[] | null } = {}) {
    super();
    checkOptions('MeanEnsemble', options, ['weights']);
    this.weights = options.weights ? (options.weights.map((w) => (Array.isArray(w) ? [...w] : w)) as number[] | number[][]) : null;
  }

  call(img: Tensor | readonly Tensor[]): Tensor {
    const out = torch.tidy(() => {
      let x = stacked(img, this.name);
      if (this.weights !== null) {
        const w = torch.tensor(this.weights, { dtype: 'float32', device: x.device });
        const shape = [...w.shape, ...new Array<number>(Math.max(0, x.dim() - w.dim())).fill(1)];
        const wr = w.reshape(shape);
        x = x.mul(wr).div(wr.mean([0], true));
      }
      return torch.mean(x, [0]);
    });
    return likeOutput(out, firstOf(img));
  }
}

/** Majority vote over several discrete model outputs (one-hot, or label maps with numClasses). */
export class VoteEnsemble extends Transform {
  readonly numClasses: number | null;

  constructor(options: { numClasses?: number | null } = {}) {
    super();
    checkOptions('VoteEnsemble', options, ['numClasses']);
    this.numClasses = options.numClasses ?? null;
  }

  call(img: Tensor | readonly Tensor[]): Tensor {
    const out = torch.tidy(() => {
      let x = stacked(img, this.name);
      let hasCh = true;
      if (this.numClasses !== null) {
        if (x.dim() > 1 && x.shape[1] > 1) process.emitWarning(`${this.name}: numClasses is not needed for one-hot data`);
        else {
          if (x.dim() === 1) hasCh = false;
          x = oneHotLabels(x, this.numClasses, 1);
        }
      }
      const m = torch.mean(x.float(), [0]);
      return this.numClasses !== null ? torch.argmax(m, { dim: 0, keepdim: hasCh }) : torch.round(m);
    });
    return likeOutput(out, firstOf(img));
  }
}

/** The ensemble result in the first input's dtype, with its metadata. */
function likeOutput(out: Tensor, first: Tensor): Tensor {
  if (out.dtype === first.dtype) return likeInput(out, first);
  const cast = out.to({ dtype: first.dtype });
  out.dispose();
  return likeInput(cast, first);
}

export interface ProbNMSOptions {
  spatialDims?: number;
  /** Gaussian smoothing before the search (0: none) */
  sigma?: number | readonly number[];
  probThreshold?: number;
  boxSize?: number | readonly number[];
}

/** Probability-map non-maximum suppression: [[prob, i, j(, k)], ...] in order of selection. */
export class ProbNMS extends Transform {
  readonly spatialDims: number;
  readonly sigma: number | number[];
  readonly probThreshold: number;
  readonly boxSize: number[];
  private readonly filter: GaussianFilter | null;

  constructor(options: ProbNMSOptions = {}) {
    super();
    checkOptions('ProbNMS', options, ['spatialDims', 'sigma', 'probThreshold', 'boxSize']);
    this.spatialDims = options.spatialDims ?? 2;
    this.sigma = typeof options.sigma === 'object' ? [...options.sigma] : (options.sigma ?? 0);
    this.probThreshold = options.probThreshold ?? 0.5;
    if (!(this.probThreshold >= 0)) throw new RangeError(`ProbNMS: probThreshold must be >= 0, got ${this.probThreshold}`);
    const bs = options.boxSize ?? 48;
    if (typeof bs === 'number') this.boxSize = new Array<number>(this.spatialDims).fill(bs);
    else if (bs.length !== this.spatialDims) throw new RangeError(`ProbNMS: boxSize must hold spatialDims (${this.spatialDims}) values, got ${bs.length}`);
    else this.boxSize = [...bs];
    if (Math.min(...this.boxSize) <= 0) throw new RangeError(`ProbNMS: boxSize must be > 0, got [${this.boxSize.join(', ')}]`);
    const hasSigma = Array.isArray(this.sigma) ? this.sigma.some((s) => s !== 0) : this.sigma !== 0;
    this.filter = hasSigma ? new GaussianFilter({ spatialDims: this.spatialDims, sigma: this.sigma }) : null;
  }

  call(probMap: Tensor): number[][] {
    checkTensor(probMap, this.name);
    const outputs: number[][] = [];
    let map = torch.tidy(() => {
      if (!this.filter) return probMap.clone();
      // GaussianFilter takes (B, C, spatial...): add them around a bare (spatial...) map
      const lead = probMap.dim() - this.spatialDims;
      let x = probMap.float();
      for (let i = lead; i < 2; i++) x = x.unsqueeze(0);
      let y = this.filter.forward(x) as Tensor;
      for (let i = lead; i < 2; i++) y = y.squeeze(0);
      return y;
    });
    try {
      const shape = map.shape;
      const lower = this.boxSize.map((b) => Math.floor(b / 2));
      const upper = this.boxSize.map((b, i) => b - lower[i]);
      for (;;) {
        const [maxVal, flatIdx] = torch.tidy(() => [torch.max(map).item(), torch.argmax(map).item()]);
        if (!(maxVal > this.probThreshold)) break;
        const idx: number[] = [];
        let rem = flatIdx;
        for (let d = shape.length - 1; d >= 0; d--) {
          idx.unshift(rem % shape[d]);
          rem = Math.floor(rem / shape[d]);
        }
        outputs.push([maxVal, ...idx]);
        const next = torch.tidy(() => {
          let view = map;
          for (let d = 0; d < this.spatialDims; d++) {
            const lo = Math.max(0, idx[d] - lower[d]);
            const hi = Math.min(shape[d], idx[d] + upper[d]);
            view = view.narrow(d, lo, hi - lo);
          }
          view.fill_(0);
          return map;
        });
        map = next;
      }
    } finally {
      map.dispose();
    }
    return outputs;
  }
}

export interface InvertOptions {
  transform: InvertibleTransform;
  /** invert spatial transforms with nearest interpolation (default true) */
  nearestInterp?: boolean;
  device?: string | null;
  postFunc?: ((t: Tensor) => Tensor) | null;
  toTensor?: boolean;
}

/** Applies `transform.inverse` to a MetaTensor using its applied operations (MONAI's Invert). */
export class Invert extends Transform {
  readonly transform: InvertibleTransform;
  readonly nearestInterp: boolean;
  readonly device: string | null;
  readonly postFunc: ((t: Tensor) => Tensor) | null;
  readonly toTensor: boolean;

  constructor(options: InvertOptions) {
    super();
    checkOptions('Invert', options, ['transform', 'nearestInterp', 'device', 'postFunc', 'toTensor'], ['transform']);
    if (!isInvertible(options.transform)) throw new TypeError(`Invert: transform must be invertible (a transform with an inverse method), got ${describeValue(options.transform)}`);
    this.transform = options.transform;
    this.nearestInterp = options.nearestInterp ?? true;
    this.device = options.device ?? null;
    this.postFunc = options.postFunc ?? null;
    this.toTensor = options.toTensor ?? true;
  }

  call(data: Tensor): Tensor {
    if (!(data instanceof MetaTensor)) return data;
    const input = data.detach() as Tensor;
    const meta = likeInput(input, data) as MetaTensor;
    if (this.nearestInterp) meta.appliedOperations = convertAppliedInterpMode(meta.appliedOperations, 'nearest', null);
    let inv: Tensor;
    try {
      inv = this.transform.inverse(meta) as Tensor;
    } finally {
      if (inv! !== meta) meta.dispose(); // our detached copy; the caller's tensor is untouched
    }
    if (this.device !== null && inv instanceof Tensor) {
      const moved = inv.to({ device: this.device });
      if (moved !== inv) inv.dispose();
      inv = moved;
    }
    return this.postFunc ? this.postFunc(inv) : inv;
  }
}

export interface SobelGradientsOptions {
  kernelSize?: number;
  spatialAxes?: number | readonly number[] | null;
  normalizeKernels?: boolean;
  normalizeGradients?: boolean;
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
  dtype?: torch.DType;
}

/** Sobel gradients along each spatial axis, stacked as channels (MONAI's SobelGradients). */
export class SobelGradients extends Transform {
  readonly spatialAxes: number[] | null;
  readonly normalizeGradients: boolean;
  readonly paddingMode: 'zeros' | 'reflect' | 'replicate' | 'circular';
  private readonly diff: Float64Array;
  private readonly smooth: Float64Array;
  readonly dtype: torch.DType;

  constructor(options: SobelGradientsOptions = {}) {
    super();
    checkOptions('SobelGradients', options, ['kernelSize', 'spatialAxes', 'normalizeKernels', 'normalizeGradients', 'paddingMode', 'dtype']);
    const size = options.kernelSize ?? 3;
    if (!Number.isInteger(size) || size < 3) throw new RangeError(`SobelGradients: kernelSize must be at least 3, got ${size}`);
    if (size % 2 === 0) throw new RangeError(`SobelGradients: kernelSize must be odd, got ${size}`);
    this.spatialAxes = options.spatialAxes === undefined || options.spatialAxes === null ? null : typeof options.spatialAxes === 'number' ? [options.spatialAxes] : [...options.spatialAxes];
    this.normalizeGradients = options.normalizeGradients ?? false;
    this.paddingMode = checkChoice('SobelGradients', 'paddingMode', options.paddingMode ?? 'reflect', ['zeros', 'reflect', 'replicate', 'circular'] as const);
    this.dtype = options.dtype ?? 'float32';
    const normalize = options.normalizeKernels ?? true;
    if (normalize && !isFloating(this.dtype)) throw new TypeError(`SobelGradients: dtype must be floating point when normalizeKernels is true, got ${this.dtype}`);
    let diff = [-1, 0, 1];
    let smooth = [1, 2, 1];
    let expansion = [1, 2, 1];
    if (normalize) {
      diff = diff.map((v) => v / 2);
      smooth = smooth.map((v) => v / 4);
      expansion = expansion.map((v) => v / 4);
    }
    for (let i = 0; i < (size - 3) / 2; i++) {
      diff = fullConvolve(diff, expansion);
      smooth = fullConvolve(smooth, expansion);
    }
    this.diff = Float64Array.from(diff);
    this.smooth = Float64Array.from(smooth);
  }

  call(image: Tensor): Tensor {
    checkTensor(image, this.name, 2);
    const n = image.dim() - 1;
    let axes = [...Array(n).keys()];
    if (this.spatialAxes !== null) {
      const bad = this.spatialAxes.filter((a) => !Number.isInteger(a) || a < -n || a >= n);
      if (bad.length) throw new RangeError(`${this.name}: spatialAxes ${JSON.stringify(bad)} are not valid for an image with ${n} spatial dimensions (use 0..${n - 1} or -${n}..-1)`);
      axes = this.spatialAxes.map((a) => (a < 0 ? a + n : a));
    }
    const out = torch.tidy(() => {
      const x = image.unsqueeze(0).to({ dtype: this.dtype });
      const kd = torch.fromTypedArray(this.diff.slice(), [this.diff.length], 'float64').to({ dtype: this.dtype, device: x.device });
      const ks = torch.fromTypedArray(this.smooth.slice(), [this.smooth.length], 'float64').to({ dtype: this.dtype, device: x.device });
      const grads = axes.map((ax) => {
        const kernels = Array.from({ length: n }, (_, i) => (i === ax ? kd : ks));
        let g = separableFiltering(x, kernels, this.paddingMode);
        if (this.normalizeGradients) {
          const mn = torch.min(g).item();
          if (mn !== torch.max(g).item()) g = g.sub(mn);
          const mx = torch.max(g).item();
          if (mx > 0) g = g.div(mx);
        }
        return g;
      });
      return torch.cat(grads, 1).squeeze(0);
    });
    return likeInput(out, image);
  }
}

/** Full 1-D convolution of two short kernels (numpy's np.convolve 'full'; both are symmetric or antisymmetric here). */
function fullConvolve(a: number[], b: number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
  return out;
}

/** Euclidean distance transform of each channel (distance of every non-zero voxel to the nearest zero), float64. */
export class DistanceTransformEDT extends Transform {
  readonly sampling: number | number[] | null;

  constructor(options: { sampling?: number | readonly number[] | null } = {}) {
    super();
    checkOptions('DistanceTransformEDT', options, ['sampling']);
    const s = options.sampling ?? null;
    this.sampling = s === null || typeof s === 'number' ? s : [...s];
  }

  call(img: Tensor): Tensor {
    checkTensor(img, this.name, 2);
    const nd = img.dim() - 1;
    if (Array.isArray(this.sampling) && this.sampling.length !== nd) throw new RangeError(`${this.name}: sampling must hold one value per spatial dimension (${nd}), got ${this.sampling.length}`);
    const { distances } = torch.ops.distanceTransformEdt(img, { spatialDims: nd, ...(this.sampling === null ? {} : { sampling: this.sampling }) });
    return likeInput(distances!, img);
  }
}

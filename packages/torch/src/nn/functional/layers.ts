// nn.functional: linear, convolution, pooling, normalization, dropout and embedding.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { checkP, checkOptions } from './util.js';

type IntOrList = number | number[];

// ---------------------------------------------------------------- linear

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return torch.linear(input, weight, { bias });
}
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return torch.bilinear(input1, input2, weight, { bias });
}

// ---------------------------------------------------------------- convolution

export interface ConvOptions {
  bias?: Tensor | null;
  stride?: IntOrList;
  /** Zero padding: a number per side, or 'valid' / 'same'. */
  padding?: IntOrList | 'valid' | 'same';
  dilation?: IntOrList;
  groups?: number;
}
function convOpts(o: ConvOptions) {
  return { bias: o.bias ?? null, stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups: o.groups ?? 1 } as any;
}
export function conv1d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  checkOptions(options, ['bias', 'stride', 'padding', 'dilation', 'groups'], 'conv1d');
  return torch.conv1d(input, weight, convOpts(options));
}
export function conv2d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  checkOptions(options, ['bias', 'stride', 'padding', 'dilation', 'groups'], 'conv2d');
  return torch.conv2d(input, weight, convOpts(options));
}
export function conv3d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  checkOptions(options, ['bias', 'stride', 'padding', 'dilation', 'groups'], 'conv3d');
  return torch.conv3d(input, weight, convOpts(options));
}

export interface ConvTransposeOptions {
  bias?: Tensor | null;
  stride?: IntOrList;
  padding?: IntOrList;
  outputPadding?: IntOrList;
  groups?: number;
  dilation?: IntOrList;
}
function convTOpts(o: ConvTransposeOptions) {
  return { bias: o.bias ?? null, stride: o.stride ?? 1, padding: o.padding ?? 0, outputPadding: o.outputPadding ?? 0, groups: o.groups ?? 1, dilation: o.dilation ?? 1 };
}
export function convTranspose1d(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  checkOptions(options, ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'], 'convTranspose1d');
  return torch.convTranspose1d(input, weight, convTOpts(options));
}
export function convTranspose2d(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  checkOptions(options, ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'], 'convTranspose2d');
  return convTransposeAsGradient(input, weight, options, 2) ?? torch.convTranspose2d(input, weight, convTOpts(options));
}
export function convTranspose3d(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  checkOptions(options, ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'], 'convTranspose3d');
  return convTransposeAsGradient(input, weight, options, 3) ?? torch.convTranspose3d(input, weight, convTOpts(options));
}

const perDim = (v: IntOrList | undefined, d: number, unset: number): number => (v === undefined ? unset : Array.isArray(v) ? (v.length === 1 ? v[0] : v[d]) : v);

// libtorch 1.13 has no oneDNN transposed convolution: on the CPU it runs im2col + gemm
// (slow_conv_transpose2d/3d), about 3x the CPU time of oneDNN. A transposed convolution is the input
// gradient of the matching convolution, which oneDNN has: aten::convolution_backward computes it, and
// autograd differentiates that (input and weight gradients as oneDNN convolutions too), which halves
// forward + backward of the spleen UNet's up-sampling layers. Only batched float32 CPU input with
// groups 1; everything else (and any argument libtorch would reject) takes the plain op. Null: not taken.
function convTransposeAsGradient(input: Tensor, weight: Tensor, o: ConvTransposeOptions, dims: number): Tensor | null {
  const bias = o.bias ?? null;
  if ((o.groups ?? 1) !== 1 || input.device !== 'cpu' || weight.device !== 'cpu' || input.dtype !== 'float32' || weight.dtype !== 'float32') return null;
  if (bias !== null && (bias.dtype !== 'float32' || bias.device !== 'cpu' || bias.dim() !== 1)) return null;
  const xs = input.shape;
  const ws = weight.shape;
  if (xs.length !== dims + 2 || ws.length !== dims + 2 || ws[0] !== xs[1] || (bias !== null && bias.shape[0] !== ws[1])) return null;
  for (const v of [o.stride, o.padding, o.outputPadding, o.dilation])
    if (Array.isArray(v) && v.length !== 1 && v.length !== dims) return null;
  const stride: number[] = [], padding: number[] = [], dilation: number[] = [], out = [xs[0], ws[1]];
  for (let d = 0; d < dims; d++) {
    const s = perDim(o.stride, d, 1);
    const p = perDim(o.padding, d, 0);
    const op = perDim(o.outputPadding, d, 0);
    const dl = perDim(o.dilation, d, 1);
    // Anything unusual (libtorch's errors for bad arguments included) stays with the plain op.
    if (![s, p, op, dl].every(Number.isInteger) || !(s >= 1 && dl >= 1 && p >= 0 && op >= 0 && op < s)) return null;
    const size = (xs[d + 2] - 1) * s - 2 * p + dl * (ws[d + 2] - 1) + op + 1;
    if (!(size >= 1) || xs[d + 2] < 1) return null;
    stride.push(s);
    padding.push(p);
    dilation.push(dl);
    out.push(size);
  }
  if (xs[0] < 1 || ws[1] < 1) return null;
  // Only the shape of the convolution's input is read, so one zero broadcast to it stands in (autograd
  // saves it for the backward; a full tensor would hold an output-sized block until then).
  const one = torch.zeros([1]);
  const shapeOnly = one.expand(out);
  one.dispose();
  const [y, unusedWeight, unusedBias] = torch.ops.convolutionBackward(input, shapeOnly, weight, null, stride, padding, dilation, false, new Array(dims).fill(0), 1, [true, false, false]);
  torch.dispose([shapeOnly, unusedWeight, unusedBias]);
  if (bias === null) return y;
  const withBias = y.add(bias.view([-1, ...new Array(dims).fill(1)]));
  y.dispose();
  return withBias;
}

// ---------------------------------------------------------------- pooling

export interface MaxPoolOptions {
  stride?: IntOrList | null;
  padding?: IntOrList;
  dilation?: IntOrList;
  ceilMode?: boolean;
}
function poolOpts(kernelSize: IntOrList, o: MaxPoolOptions) {
  // An empty stride list means "same as the kernel" to ATen, as PyTorch's stride=None.
  return { stride: o.stride ?? [], padding: o.padding ?? 0, dilation: o.dilation ?? 1, ceilMode: o.ceilMode ?? false };
}
const MAXPOOL = {
  1: [torch.maxPool1d, torch.maxPool1dWithIndices],
  2: [torch.maxPool2d, torch.maxPool2dWithIndices],
  3: [torch.maxPool3d, torch.maxPool3dWithIndices],
} as const;

function maxPoolN(n: 1 | 2 | 3, input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices?: boolean }): any {
  const o = poolOpts(kernelSize, options);
  if (options.returnIndices) return (MAXPOOL[n][1] as any)(input, kernelSize, o);
  return (MAXPOOL[n][0] as any)(input, kernelSize, o);
}
/** Max pooling; with returnIndices, [output, indices]. */
export function maxPool1d(input: Tensor, kernelSize: IntOrList, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices?: boolean } = {}): any {
  checkOptions(options, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], 'maxPool1d');
  return maxPoolN(1, input, kernelSize, options);
}
export function maxPool2d(input: Tensor, kernelSize: IntOrList, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices?: boolean } = {}): any {
  checkOptions(options, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], 'maxPool2d');
  return maxPoolN(2, input, kernelSize, options);
}
export function maxPool3d(input: Tensor, kernelSize: IntOrList, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool3d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices?: boolean } = {}): any {
  checkOptions(options, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], 'maxPool3d');
  return maxPoolN(3, input, kernelSize, options);
}

export interface AvgPoolOptions {
  stride?: IntOrList | null;
  padding?: IntOrList;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
export function avgPool1d(input: Tensor, kernelSize: IntOrList, options: Omit<AvgPoolOptions, 'divisorOverride'> = {}): Tensor {
  checkOptions(options, ['stride', 'padding', 'ceilMode', 'countIncludePad'], 'avgPool1d');
  return torch.avgPool1d(input, kernelSize, { stride: options.stride ?? [], padding: options.padding ?? 0, ceilMode: options.ceilMode ?? false, countIncludePad: options.countIncludePad ?? true });
}
export function avgPool2d(input: Tensor, kernelSize: IntOrList, options: AvgPoolOptions = {}): Tensor {
  checkOptions(options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], 'avgPool2d');
  return torch.avgPool2d(input, kernelSize, { stride: options.stride ?? [], padding: options.padding ?? 0, ceilMode: options.ceilMode ?? false, countIncludePad: options.countIncludePad ?? true, divisorOverride: options.divisorOverride ?? null });
}
export function avgPool3d(input: Tensor, kernelSize: IntOrList, options: AvgPoolOptions = {}): Tensor {
  checkOptions(options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], 'avgPool3d');
  return torch.avgPool3d(input, kernelSize, { stride: options.stride ?? [], padding: options.padding ?? 0, ceilMode: options.ceilMode ?? false, countIncludePad: options.countIncludePad ?? true, divisorOverride: options.divisorOverride ?? null });
}

/** Output sizes where null means "the input's size" (PyTorch's _list_with_default). */
function adaptiveSize(outputSize: number | (number | null)[], input: Tensor, n: number): number[] {
  const s = Array.isArray(outputSize) ? outputSize : Array(n).fill(outputSize);
  if (s.length !== n) throw new TypeError(`adaptive pooling: expected ${n} output sizes, found ${s.length}`);
  const shape = input.shape;
  return s.map((v, i) => (v === null || v === undefined ? shape[shape.length - n + i] : v));
}
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | (number | null)[]): Tensor {
  return torch.adaptiveAvgPool1d(input, adaptiveSize(outputSize, input, 1));
}
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | (number | null)[]): Tensor {
  return torch.adaptiveAvgPool2d(input, adaptiveSize(outputSize, input, 2));
}
export function adaptiveAvgPool3d(input: Tensor, outputSize: number | (number | null)[]): Tensor {
  return torch.adaptiveAvgPool3d(input, adaptiveSize(outputSize, input, 3));
}
function adaptiveMax(op: (x: Tensor, s: number[]) => [Tensor, Tensor], input: Tensor, size: number[], returnIndices: boolean): any {
  const [out, idx] = op(input, size);
  if (returnIndices) return [out, idx];
  idx.dispose();
  return out;
}
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | (number | null)[], options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | (number | null)[], options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | (number | null)[], options: { returnIndices?: boolean } = {}): any {
  return adaptiveMax(torch.adaptiveMaxPool1d as any, input, adaptiveSize(outputSize, input, 1), options.returnIndices ?? false);
}
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | (number | null)[], options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | (number | null)[], options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | (number | null)[], options: { returnIndices?: boolean } = {}): any {
  return adaptiveMax(torch.adaptiveMaxPool2d as any, input, adaptiveSize(outputSize, input, 2), options.returnIndices ?? false);
}
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | (number | null)[], options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | (number | null)[], options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | (number | null)[], options: { returnIndices?: boolean } = {}): any {
  return adaptiveMax(torch.adaptiveMaxPool3d as any, input, adaptiveSize(outputSize, input, 3), options.returnIndices ?? false);
}

// ---------------------------------------------------------------- normalization

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  checkOptions(options, ['weight', 'bias', 'training', 'momentum', 'eps'], 'batchNorm');
  const training = options.training ?? false;
  if (training) {
    const s = input.shape;
    let n = s[0];
    for (let i = 2; i < s.length; i++) n *= s[i];
    if (n === 1) throw new RangeError(`Expected more than 1 value per channel when training, got input size [${s.join(', ')}]`);
  }
  return torch.batchNorm(input, options.weight ?? null, options.bias ?? null, runningMean, runningVar, training, options.momentum ?? 0.1, options.eps ?? 1e-5, true);
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}
export function instanceNorm(input: Tensor, options: InstanceNormOptions = {}): Tensor {
  checkOptions(options, ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'], 'instanceNorm');
  const useInputStats = options.useInputStats ?? true;
  if (useInputStats) {
    const s = input.shape;
    let n = 1;
    for (let i = 2; i < s.length; i++) n *= s[i];
    if (n === 1) throw new RangeError(`Expected more than 1 spatial element when training, got input size [${s.join(', ')}]`);
  }
  return torch.instanceNorm(input, options.weight ?? null, options.bias ?? null, options.runningMean ?? null, options.runningVar ?? null,
    useInputStats, options.momentum ?? 0.1, options.eps ?? 1e-5, true);
}

export function layerNorm(input: Tensor, normalizedShape: number | number[], options: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  checkOptions(options, ['weight', 'bias', 'eps'], 'layerNorm');
  return torch.layerNorm(input, normalizedShape, { weight: options.weight ?? null, bias: options.bias ?? null, eps: options.eps ?? 1e-5 });
}

export function groupNorm(input: Tensor, numGroups: number, options: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  checkOptions(options, ['weight', 'bias', 'eps'], 'groupNorm');
  if (input.dim() < 2) throw new RangeError(`Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  return torch.groupNorm(input, numGroups, { weight: options.weight ?? null, bias: options.bias ?? null, eps: options.eps ?? 1e-5 });
}

export function localResponseNorm(input: Tensor, size: number, options: { alpha?: number; beta?: number; k?: number } = {}): Tensor {
  checkOptions(options, ['alpha', 'beta', 'k'], 'localResponseNorm');
  const alpha = options.alpha ?? 1e-4, beta = options.beta ?? 0.75, k = options.k ?? 1.0;
  const dim = input.dim();
  if (dim < 3) throw new RangeError(`Expected 3D or higher dimensionality input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input;
  return torch.tidy(() => {
    let div = input.mul(input).unsqueeze(1);
    if (dim === 3) {
      div = torch.pad(div, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
      div = torch.avgPool2d(div, [size, 1], { stride: 1 }).squeeze(1);
    } else {
      const sizes = input.shape;
      div = div.view([sizes[0], 1, sizes[1], sizes[2], -1]);
      div = torch.pad(div, [0, 0, 0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
      div = torch.avgPool3d(div, [size, 1, 1], { stride: 1 }).squeeze(1);
      div = div.view(sizes);
    }
    div = div.mul(alpha).add(k).pow(beta);
    return input.div(div);
  });
}

/** Lp-normalizes along dim: input / max(||input||_p, eps). */
export function normalize(input: Tensor, options: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  checkOptions(options, ['p', 'dim', 'eps'], 'normalize');
  const p = options.p ?? 2, dim = options.dim ?? 1, eps = options.eps ?? 1e-12;
  return torch.tidy(() => {
    const denom = torch.norm(input, p, dim, { keepdim: true }).clampMin(eps).expandAs(input);
    return input.div(denom);
  });
}

// ---------------------------------------------------------------- dropout

type DropOpts = { p?: number; training?: boolean; inplace?: boolean };

export function dropout(input: Tensor, options: DropOpts = {}): Tensor {
  checkOptions(options, ['p', 'training', 'inplace'], 'dropout');
  const p = options.p ?? 0.5;
  checkP(p, 'dropout');
  const training = options.training ?? true;
  return options.inplace ? torch.dropout_(input, p, training) : torch.dropout(input, p, training);
}
export function alphaDropout(input: Tensor, options: DropOpts = {}): Tensor {
  checkOptions(options, ['p', 'training', 'inplace'], 'alphaDropout');
  const p = options.p ?? 0.5;
  checkP(p, 'alphaDropout');
  const training = options.training ?? false;
  return options.inplace ? torch.alphaDropout_(input, p, training) : torch.alphaDropout(input, p, training);
}
export function featureAlphaDropout(input: Tensor, options: DropOpts = {}): Tensor {
  checkOptions(options, ['p', 'training', 'inplace'], 'featureAlphaDropout');
  const p = options.p ?? 0.5;
  checkP(p, 'featureAlphaDropout');
  const training = options.training ?? false;
  return options.inplace ? torch.featureAlphaDropout_(input, p, training) : torch.featureAlphaDropout(input, p, training);
}
function featureDropoutN(input: Tensor, options: DropOpts, batchedDim: number, fn: string): Tensor {
  const p = options.p ?? 0.5;
  checkP(p, fn);
  const training = options.training ?? true;
  const d = input.dim();
  if (d !== batchedDim && d !== batchedDim - 1)
    throw new RangeError(`${fn}: expected ${batchedDim - 1}-D or ${batchedDim}-D input, found ${d}-D`);
  const batched = d === batchedDim;
  if (options.inplace) {
    if (!batched) input.unsqueeze_(0);
    torch.featureDropout_(input, p, training);
    if (!batched) input.squeeze_(0);
    return input;
  }
  if (batched) return torch.featureDropout(input, p, training);
  return torch.tidy(() => torch.featureDropout(input.unsqueeze(0), p, training).squeeze(0));
}
export function dropout1d(input: Tensor, options: DropOpts = {}): Tensor {
  checkOptions(options, ['p', 'training', 'inplace'], 'dropout1d');
  return featureDropoutN(input, options, 3, 'dropout1d');
}
/** Channel-wise dropout of (N, C, H, W) input. As PyTorch 1.13, 3-D input is treated as (N, C, L). */
export function dropout2d(input: Tensor, options: DropOpts = {}): Tensor {
  checkOptions(options, ['p', 'training', 'inplace'], 'dropout2d');
  const p = options.p ?? 0.5;
  checkP(p, 'dropout2d');
  const training = options.training ?? true;
  return options.inplace ? torch.featureDropout_(input, p, training) : torch.featureDropout(input, p, training);
}
export function dropout3d(input: Tensor, options: DropOpts = {}): Tensor {
  checkOptions(options, ['p', 'training', 'inplace'], 'dropout3d');
  return featureDropoutN(input, options, 5, 'dropout3d');
}

// ---------------------------------------------------------------- embedding and shuffles

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
}
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkOptions(options, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'], 'embedding');
  let paddingIdx = options.paddingIdx ?? null;
  const n = weight.size(0);
  if (paddingIdx !== null) {
    if (paddingIdx > 0 && paddingIdx >= n) throw new RangeError('Padding_idx must be within num_embeddings');
    if (paddingIdx < 0) {
      if (paddingIdx < -n) throw new RangeError('Padding_idx must be within num_embeddings');
      paddingIdx = n + paddingIdx;
    }
  } else {
    paddingIdx = -1;
  }
  if (options.maxNorm !== undefined && options.maxNorm !== null) {
    const maxNorm = options.maxNorm;
    torch.tidy(() => {
      const idx = input.contiguous();
      torch.noGrad(() => torch.embeddingRenorm_(weight, idx, maxNorm, options.normType ?? 2));
    });
  }
  return torch.embedding(weight, input, { paddingIdx, scaleGradByFreq: options.scaleGradByFreq ?? false, sparse: options.sparse ?? false });
}

export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  return torch.pixelShuffle(input, upscaleFactor);
}
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  return torch.pixelUnshuffle(input, downscaleFactor);
}

export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  return torch.oneHot(tensor, { numClasses });
}


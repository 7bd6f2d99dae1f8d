// nn.functional resampling: interpolate, grid sampling, affine grids and padding.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { checkOptions } from './util.js';
import { checkChoice } from '../../options.js';

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area' | 'nearest-exact';
const MODES: readonly InterpolateMode[] = ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'];

export interface InterpolateOptions {
  size?: number | number[] | null;
  scaleFactor?: number | number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  antialias?: boolean;
}

/** Resizes (N, C, spatial...) input, as torch.nn.functional.interpolate (PyTorch 1.13 semantics). */
export function interpolate(input: Tensor, options: InterpolateOptions = {}): Tensor {
  checkOptions(options, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'], 'interpolate');
  const mode = checkChoice('interpolate', 'mode', options.mode ?? 'nearest', MODES);
  let alignCorners = options.alignCorners ?? null;
  if (mode === 'nearest' || mode === 'area' || mode === 'nearest-exact') {
    if (alignCorners !== null)
      throw new TypeError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  } else if (alignCorners === null) {
    alignCorners = false;
  }
  const nd = input.dim();
  const dim = nd - 2;
  if (dim < 1) throw new RangeError(`interpolate: expected input with a batch and a channel dimension, found shape [${input.shape.join(', ')}]`);
  const size = options.size ?? null;
  const scale = options.scaleFactor ?? null;
  let outputSize: number[] | null = null;
  let scaleFactors: number[] | null = null;
  if (size !== null && scale !== null) throw new TypeError('only one of size or scale_factor should be defined');
  if (size !== null) {
    if (Array.isArray(size)) {
      if (size.length !== dim)
        throw new RangeError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(', ')}] and output size of [${size.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
      outputSize = size.slice();
    } else {
      outputSize = Array(dim).fill(size);
    }
  } else if (scale !== null) {
    if (Array.isArray(scale)) {
      if (scale.length !== dim)
        throw new RangeError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(', ')}] and scale_factor of shape [${scale.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
      scaleFactors = scale.slice();
    } else {
      scaleFactors = Array(dim).fill(scale);
    }
  } else {
    throw new TypeError('either size or scale_factor should be defined');
  }
  let recompute = options.recomputeScaleFactor ?? null;
  if (recompute && size !== null) throw new TypeError('recompute_scale_factor is not meaningful with an explicit size.');
  if (mode === 'area' && outputSize === null) recompute = true;
  if (recompute) {
    const shape = input.shape;
    outputSize = scaleFactors!.map((s, i) => Math.floor(shape[i + 2] * s));
    scaleFactors = null;
  }
  const antialias = options.antialias ?? false;
  if (antialias && !((mode === 'bilinear' || mode === 'bicubic') && nd === 4))
    throw new TypeError('Anti-alias option is only supported for bilinear and bicubic modes');

  const t = torch.ops;
  const sf = scaleFactors;
  if (mode === 'nearest') {
    if (nd === 3) return torch.upsampleNearest1d(input, outputSize, sf);
    if (nd === 4) return torch.upsampleNearest2d(input, outputSize, sf);
    if (nd === 5) return torch.upsampleNearest3d(input, outputSize, sf);
  }
  if (mode === 'nearest-exact') {
    if (nd === 3) return t._upsampleNearestExact1d(input, outputSize, sf);
    if (nd === 4) return t._upsampleNearestExact2d(input, outputSize, sf);
    if (nd === 5) return t._upsampleNearestExact3d(input, outputSize, sf);
  }
  if (mode === 'area') {
    if (nd === 3) return torch.adaptiveAvgPool1d(input, outputSize!);
    if (nd === 4) return torch.adaptiveAvgPool2d(input, outputSize!);
    if (nd === 5) return torch.adaptiveAvgPool3d(input, outputSize!);
  }
  const ac = alignCorners as boolean;
  if (nd === 3 && mode === 'linear') return torch.upsampleLinear1d(input, outputSize, ac, sf);
  if (nd === 4 && mode === 'bilinear') {
    if (antialias) return t._upsampleBilinear2dAa(input, outputSize, ac, sf);
    return torch.upsampleBilinear2d(input, outputSize, ac, sf);
  }
  if (nd === 5 && mode === 'trilinear') return torch.upsampleTrilinear3d(input, outputSize, ac, sf);
  if (nd === 4 && mode === 'bicubic') {
    if (antialias) return t._upsampleBicubic2dAa(input, outputSize, ac, sf);
    return torch.upsampleBicubic2d(input, outputSize, ac, sf);
  }
  const need: Record<string, string> = { linear: '3D', bilinear: '4D', trilinear: '5D', bicubic: '4D' };
  if (need[mode]) throw new RangeError(`Got ${nd}D input, but ${mode} mode needs ${need[mode]} input`);
  throw new RangeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
}

/** nn.functional.upsample (deprecated alias of interpolate). */
export function upsample(input: Tensor, options: InterpolateOptions = {}): Tensor {
  return interpolate(input, options);
}

export type GridSampleMode = 'bilinear' | 'nearest' | 'bicubic';
export type GridPaddingMode = 'zeros' | 'border' | 'reflection';

/** Samples input at grid locations in [-1, 1] (torch.nn.functional.grid_sample). */
export function gridSample(input: Tensor, grid: Tensor, options: { mode?: GridSampleMode; paddingMode?: GridPaddingMode; alignCorners?: boolean } = {}): Tensor {
  checkOptions(options, ['mode', 'paddingMode', 'alignCorners'], 'gridSample');
  const mode = checkChoice('gridSample', 'mode', options.mode ?? 'bilinear', ['bilinear', 'nearest', 'bicubic'] as const);
  const pm = checkChoice('gridSample', 'paddingMode', options.paddingMode ?? 'zeros', ['zeros', 'border', 'reflection'] as const);
  if (mode === 'bicubic' && input.dim() !== 4) throw new RangeError(`grid_sample(): bicubic interpolation only supports 4D input, found ${input.dim()}D`);
  const modeEnum = { bilinear: 0, nearest: 1, bicubic: 2 }[mode];
  const padEnum = { zeros: 0, border: 1, reflection: 2 }[pm];
  return torch.gridSampler(input, grid, modeEnum, padEnum, options.alignCorners ?? false);
}

/** Sampling grid of the affine maps theta (N, 2, 3) or (N, 3, 4) for an output of size (N, C, H, W) or (N, C, D, H, W). */
export function affineGrid(theta: Tensor, size: number[], options: { alignCorners?: boolean } = {}): Tensor {
  checkOptions(options, ['alignCorners'], 'affineGrid');
  const dt = theta.dtype;
  if (!(dt === 'float32' || dt === 'float64' || dt === 'float16' || dt === 'bfloat16'))
    throw new TypeError(`Expected theta to have floating point type, but got ${dt}`);
  const ts = theta.shape;
  if (size.length === 4) {
    if (ts.length !== 3 || ts[1] !== 2 || ts[2] !== 3)
      throw new RangeError(`Expected a batch of 2D affine matrices of shape Nx2x3 for size [${size.join(', ')}]. Got [${ts.join(', ')}].`);
  } else if (size.length === 5) {
    if (ts.length !== 3 || ts[1] !== 3 || ts[2] !== 4)
      throw new RangeError(`Expected a batch of 3D affine matrices of shape Nx3x4 for size [${size.join(', ')}]. Got [${ts.join(', ')}].`);
  } else {
    throw new RangeError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size [${size.join(', ')}].`);
  }
  if (Math.min(...size) <= 0) throw new RangeError(`Expected non-zero, positive output size. Got [${size.join(', ')}]`);
  return torch.affineGridGenerator(theta, size, options.alignCorners ?? false);
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Pads the last dimensions: pad = [left, right, top, bottom, front, back] from the last dimension backwards. */
export function pad(input: Tensor, padding: number[], options: { mode?: PadMode; value?: number | null } = {}): Tensor {
  checkOptions(options, ['mode', 'value'], 'pad');
  const mode = checkChoice('pad', 'mode', options.mode ?? 'constant', ['constant', 'reflect', 'replicate', 'circular'] as const);
  if (padding.length % 2 !== 0) throw new RangeError(`Padding length must be divisible by 2, found ${padding.length}`);
  if (padding.length / 2 > input.dim()) throw new RangeError(`Padding length too large: ${padding.length} values for a ${input.dim()}-D input`);
  if (mode !== 'constant' && options.value !== undefined && options.value !== null && options.value !== 0)
    throw new TypeError(`Padding mode "${mode}" doesn't take in value argument`);
  return torch.pad(input, padding, { mode, value: mode === 'constant' ? (options.value ?? null) : null });
}

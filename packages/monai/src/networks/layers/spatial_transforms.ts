// AffineTransform (MONAI's monai/networks/layers/spatial_transforms.py): resamples a batch of images
// by affine matrices through affineGrid + gridSample, differentiably in the image and the matrices.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { toNormAffine } from '../utils.js';

export type GridSampleMode = 'bilinear' | 'nearest' | 'bicubic';
export type GridSamplePadMode = 'zeros' | 'border' | 'reflection';

export interface AffineTransformOptions {
  /** Output spatial size (default: the input's). */
  spatialSize?: number | number[] | null;
  /** theta is already in normalised [-1, 1] coordinates (default false: pixel coordinates). */
  normalized?: boolean;
  mode?: GridSampleMode;
  paddingMode?: GridSamplePadMode;
  alignCorners?: boolean;
  /** theta's rows/columns are in (x, y, z) order, reversed relative to the tensor's axes (default true). */
  reverseIndexing?: boolean;
  /** Pixel coordinates centred on the image (not with normalized). */
  zeroCentered?: boolean | null;
}

export class AffineTransform extends nn.Module {
  readonly spatialSize: number[] | null;
  readonly normalized: boolean;
  readonly mode: GridSampleMode;
  readonly paddingMode: GridSamplePadMode;
  readonly alignCorners: boolean;
  readonly reverseIndexing: boolean;
  readonly zeroCentered: boolean;

  constructor(options: AffineTransformOptions = {}) {
    super();
    const o = 'AffineTransform';
    checkOptions(o, options, ['spatialSize', 'normalized', 'mode', 'paddingMode', 'alignCorners', 'reverseIndexing', 'zeroCentered']);
    const s = options.spatialSize ?? null;
    this.spatialSize = s === null ? null : typeof s === 'number' ? [s] : s.slice();
    this.normalized = options.normalized ?? false;
    this.mode = checkChoice(o, 'mode', options.mode ?? 'bilinear', ['bilinear', 'nearest', 'bicubic'] as const);
    this.paddingMode = checkChoice(o, 'paddingMode', options.paddingMode ?? 'zeros', ['zeros', 'border', 'reflection'] as const);
    this.alignCorners = options.alignCorners ?? true;
    this.reverseIndexing = options.reverseIndexing ?? true;
    if (options.zeroCentered != null && this.normalized) throw new TypeError(`${o}: normalized=true is not compatible with zeroCentered`);
    this.zeroCentered = options.zeroCentered ?? false;
  }

  /**
   * src (B, C, H, W[, D]); theta (B or 1, d+1, d+1) or (d, d+1) rows of it, batched or not.
   * spatialSize overrides the constructor's output size for this call.
   */
  forward(src: Tensor, theta: Tensor, spatialSize: number | number[] | null = null): Tensor {
    const o = 'AffineTransform';
    if (!(theta instanceof Tensor)) throw new TypeError(`${o}: theta must be a Tensor`);
    if (theta.dim() !== 2 && theta.dim() !== 3) throw new RangeError(`${o}: theta must be N x d x d or d x d, found shape [${theta.shape.join(', ')}]`);
    if (!theta.isFloatingPoint()) throw new TypeError(`${o}: theta must be floating point, found ${theta.dtype}`);
    const sr = src.dim() - 2;
    if (sr !== 2 && sr !== 3) throw new RangeError(`${o}: src must have 2 or 3 spatial dimensions, found shape [${src.shape.join(', ')}]`);
    return torch.tidy(() => {
      let t = theta.dim() === 2 ? theta.unsqueeze(0) : theta;
      const [r, c] = t.shape.slice(1);
      if ((r === 2 && c === 3) || (r === 3 && c === 4)) {
        const last = torch.zeros([t.size(0), 1, c], { dtype: t.dtype, device: t.device });
        last.select(2, c - 1).fill_(1);
        t = torch.cat([t, last], 1);
      }
      const [r2, c2] = t.shape.slice(1);
      if (!((r2 === 3 && c2 === 3) || (r2 === 4 && c2 === 4))) throw new RangeError(`${o}: theta must be N x 3 x 3 or N x 4 x 4, found shape [${theta.shape.join(', ')}]`);
      if (r2 - 1 !== sr) throw new RangeError(`${o}: theta of shape [${theta.shape.join(', ')}] is ${r2 - 1}-D but src has ${sr} spatial dimensions`);
      const srcSize = src.shape;
      let dstSpatial = srcSize.slice(2);
      if (this.spatialSize !== null) dstSpatial = this.spatialSize;
      if (spatialSize !== null) dstSpatial = typeof spatialSize === 'number' ? [spatialSize] : spatialSize;
      if (!this.normalized) t = toNormAffine(t, srcSize.slice(2), dstSpatial, { alignCorners: false, zeroCentered: this.zeroCentered });
      if (this.reverseIndexing) {
        const perm = torch.tensor([...Array.from({ length: sr }, (_, i) => sr - 1 - i), sr], { dtype: 'int64', device: t.device });
        t = t.indexSelect(1, perm).indexSelect(2, perm);
      }
      if (t.size(0) === 1 && srcSize[0] > 1) t = t.repeat([srcSize[0], 1, 1]);
      if (t.size(0) !== srcSize[0]) throw new RangeError(`${o}: affine and image batch sizes must match, found affine=${t.size(0)} image=${srcSize[0]}`);
      const grid = nn.functional.affineGrid(t.narrow(1, 0, sr), [srcSize[0], srcSize[1], ...dstSpatial], { alignCorners: this.alignCorners });
      return nn.functional.gridSample(src.contiguous(), grid, { mode: this.mode, paddingMode: this.paddingMode, alignCorners: this.alignCorners });
    });
  }
}

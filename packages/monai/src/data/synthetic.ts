/**
 * MONAI's synthetic test images (monai/data/synthetic.py): random discs or balls on a zero background,
 * with matching integer labels and optional uniform noise. Drawn from a numpy-compatible RandomState in
 * MONAI's order, so a seed gives MONAI's arrays exactly; the shapes are painted with tensor ops.
 */
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { rescaleArray } from '../transforms/intensity/functional.js';
import { RandomState } from '../utils/random_state.js';
import { checkOptions } from './options.js';

export interface CreateTestImageOptions {
  /** number of discs/balls (default 12) */
  numObjs?: number;
  /** radius range [radMin, radMax) (defaults 5 and 30) */
  radMax?: number;
  radMin?: number;
  /** noise drawn uniformly from [0, numSegClasses * noiseMax) (default 0) */
  noiseMax?: number;
  /** objects get ceil(u * numSegClasses) as intensity and label; 1 or less: intensities in [0.5, 1), label 1 (default 5) */
  numSegClasses?: number;
  /** add a channel axis of size 1 here: null (none, default), 0, -1 or the last index */
  channelDim?: number | null;
  /** the generator; null: a fresh unseeded one (MONAI uses numpy's global generator) */
  randomState?: RandomState | null;
}
const KEYS = ['numObjs', 'radMax', 'radMin', 'noiseMax', 'numSegClasses', 'channelDim', 'randomState'];

function createTestImage(who: string, shape: number[], options: CreateTestImageOptions): [Tensor, Tensor] {
  checkOptions(who, options, KEYS);
  const numObjs = options.numObjs ?? 12;
  const radMax = options.radMax ?? 30;
  const radMin = options.radMin ?? 5;
  const noiseMax = options.noiseMax ?? 0;
  const numSegClasses = options.numSegClasses ?? 5;
  const channelDim = options.channelDim ?? null;
  const rs = options.randomState ?? new RandomState();
  const names = shape.length === 2 ? ['height', 'width'] : ['height', 'width', 'depth'];
  shape.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`${who}: ${names[i]} must be a positive integer, found ${s}`);
  });
  if (!Number.isInteger(numObjs) || numObjs < 0) throw new RangeError(`${who}: numObjs must be a non-negative integer, found ${numObjs}`);
  if (!(radMax > radMin)) throw new RangeError(`${who}: radMin (${radMin}) should be less than radMax (${radMax})`);
  if (!(radMin >= 1)) throw new RangeError(`${who}: radMin (${radMin}) should be no less than 1`);
  const minSize = Math.min(...shape);
  if (minSize <= 2 * radMax) throw new RangeError(`${who}: the smallest size ${minSize} of the image should be larger than 2 * radMax (2 x ${radMax})`);
  const last = shape.length;
  if (channelDim !== null && channelDim !== 0 && channelDim !== -1 && channelDim !== last)
    throw new RangeError(`${who}: channelDim must be null, 0, -1 or ${last}, found ${channelDim}`);

  return torch.tidy(() => {
    // squared distance of each voxel from a centre, per axis, shaped to broadcast
    const axes = shape.map((s, i) => torch.arange(s, { dtype: 'float64' }).reshape(shape.map((_, j) => (j === i ? s : 1))));
    let image = torch.zeros(shape, { dtype: 'float64' });
    for (let k = 0; k < numObjs; k++) {
      const centre = shape.map((s) => rs.randint(radMax, s - radMax));
      const rad = rs.randint(radMin, radMax);
      const value = numSegClasses > 1 ? Math.ceil(rs.random() * numSegClasses) : rs.random() * 0.5 + 0.5;
      const next = torch.tidy(() => {
        let d2 = axes[0].sub(centre[0]).square();
        for (let i = 1; i < shape.length; i++) d2 = d2.add(axes[i].sub(centre[i]).square());
        return image.maskedFill(d2.le(rad * rad), value);
      });
      image.dispose();
      image = next;
    }
    let labels = image.ceil().to('int32');
    const noise = rs.uniformTensor(0, numSegClasses * noiseMax, shape, { dtype: 'float64' });
    let noisy = rescaleArray(torch.maximum(image, noise), 0, 1, 'float32');
    if (channelDim !== null) {
      const at = channelDim === 0 ? 0 : last;
      noisy = noisy.unsqueeze(at);
      labels = labels.unsqueeze(at);
    }
    return [noisy, labels] as [Tensor, Tensor];
  });
}

/** MONAI's create_test_image_2d: `[image, labels]`, float32 in [0, 1] and int32, shape [height, width] (plus a channel axis). */
export function createTestImage2d(height: number, width: number, options: CreateTestImageOptions = {}): [Tensor, Tensor] {
  return createTestImage('createTestImage2d', [height, width], options);
}

/** MONAI's create_test_image_3d: as createTestImage2d with balls in a [height, width, depth] volume. */
export function createTestImage3d(height: number, width: number, depth: number, options: CreateTestImageOptions = {}): [Tensor, Tensor] {
  return createTestImage('createTestImage3d', [height, width, depth], options);
}

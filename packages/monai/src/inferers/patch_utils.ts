// Patch geometry and blending weights for sliding-window inference. MONAI keeps these in
// monai/data/utils.py (compute_importance_map, dense_patch_slices); they live with the inferers here,
// their one user (get_valid_patch_size is transforms/utils.ts's getValidPatchSize).
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { checkChoice } from '../data/options.js';
import { getValidPatchSize } from '../transforms/utils.js';

export type BlendMode = 'constant' | 'gaussian';
export const BLEND_MODES = ['constant', 'gaussian'] as const;

/** One number for every dimension, or one per dimension. */
function perDim(owner: string, what: string, v: number | readonly number[], n: number): number[] {
  if (typeof v === 'number') return Array(n).fill(v);
  if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number'))
    throw new TypeError(`${owner}: ${what} must be a number or ${n} numbers (one per spatial dimension), found ${JSON.stringify(v)}`);
  return [...v];
}
export { perDim as ensureTupleRep };

/**
 * Window starts of an image covered by patches `patchSize` every `scanInterval` voxels: per dimension,
 * starts 0, s, 2s, ... up to the first window that reaches the end, that one shifted back to end
 * exactly at the image border; all combinations, first dimension slowest. Returns [start, stop) per
 * dimension for each window.
 */
export function densePatchSlices(imageSize: readonly number[], patchSize: readonly number[], scanInterval: readonly number[]): [number, number][][] {
  const nd = imageSize.length;
  const patch = getValidPatchSize(imageSize, patchSize);
  const starts: number[][] = [];
  for (let d = 0; d < nd; d++) {
    const s = scanInterval[d] ?? 0;
    let n = 1;
    if (s !== 0) {
      const num = Math.ceil(imageSize[d] / s);
      n = 1;
      for (let k = 0; k < num; k++) {
        if (k * s + patch[d] >= imageSize[d]) {
          n = k + 1;
          break;
        }
      }
    }
    const ds: number[] = [];
    for (let k = 0; k < n; k++) {
      const st = k * s;
      ds.push(st - Math.max(st + patch[d] - imageSize[d], 0));
    }
    starts.push(ds);
  }
  const out: [number, number][][] = [];
  const idx = Array(nd).fill(0);
  for (;;) {
    out.push(idx.map((k, d) => [starts[d][k], starts[d][k] + patch[d]] as [number, number]));
    let d = nd - 1;
    while (d >= 0 && ++idx[d] === starts[d].length) idx[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

/**
 * Blending weights of a patch: all ones ('constant'), or a separable Gaussian centred on the patch
 * with sigma = sigmaScale * size per dimension ('gaussian'); weights are floored at their minimum or
 * 1e-3, whichever is larger, so that no voxel gets zero weight.
 */
export function computeImportanceMap(
  patchSize: readonly number[],
  options: { mode?: BlendMode; sigmaScale?: number | readonly number[]; device?: string; dtype?: DType } = {},
): Tensor {
  const mode = checkChoice('computeImportanceMap', 'mode', options.mode ?? 'constant', BLEND_MODES);
  const device = options.device ?? 'cpu';
  const dtype = options.dtype ?? 'float32';
  return torch.tidy(() => {
    let map: Tensor;
    if (mode === 'constant') map = torch.ones([...patchSize], { dtype: 'float32', device });
    else {
      const scale = perDim('computeImportanceMap', 'sigmaScale', options.sigmaScale ?? 0.125, patchSize.length);
      map = torch.empty([0]);
      patchSize.forEach((n, i) => {
        const sigma = n * scale[i];
        const half = (n - 1) / 2;
        const x = torch.arange(-half, half + 1, { dtype: 'float32', device }).pow(2).div(-2 * sigma ** 2).exp();
        map = i === 0 ? x : map.unsqueeze(-1).mul(x.view([...Array(i).fill(1), n]));
      });
    }
    const floor = Math.max(map.min().item(), 1e-3);
    return map.to({ dtype: 'float32' }).clamp_({ min: floor }).to({ dtype });
  });
}

/** ComputeHoVerMaps (MONAI's intensity/array.py, for HoVer-Net): per-instance normalized distances to the centroid. */
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import { Transform } from '../../transform.js';
import { checkOptions } from '../args.js';
import { checkDtype, checkImage, withMeta } from '../functional.js';

export interface ComputeHoVerMapsOptions {
  /** output dtype (default 'float32') */
  dtype?: DType;
}

/**
 * From an instance mask (1, H, W[, D]) with labels > 0, the horizontal (along axis 2) and vertical (axis 1)
 * distances of each voxel to its instance's centroid, negative and positive sides each scaled to [-1, 0]
 * and [0, 1]; background stays 0. Output (2, H, W[, D]): [horizontal, vertical]. Scatter ops, no per-voxel loop.
 */
export class ComputeHoVerMaps extends Transform {
  static readonly OPTIONS = ['dtype'] as const;
  readonly dtype: DType;
  constructor(options: ComputeHoVerMapsOptions = {}) {
    super();
    checkOptions('ComputeHoVerMaps', options, ComputeHoVerMaps.OPTIONS);
    this.dtype = checkDtype(options.dtype ?? 'float32', 'ComputeHoVerMaps') ?? 'float32';
  }
  call(mask: Tensor): Tensor {
    checkImage(mask, this.name, 'mask');
    if (mask.shape[0] !== 1 || mask.dim() < 3) throw new RangeError(`${this.name}: mask must be (1, H, W) or (1, H, W, D), got shape [${mask.shape.join(', ')}]`);
    return withMeta(mask, (m) => {
      const lab = m.reshape([-1]).to({ dtype: 'int64' });
      if (lab.min().item() < 0) throw new RangeError(`${this.name}: instance labels must be non-negative`);
      const n = lab.max().item() + 1;
      const spatial = m.shape.slice(1);
      const grids = torch.meshgrid(spatial.map((s) => torch.arange(s, { dtype: 'float64', device: m.device })), 'ij');
      const counts = torch.zeros([n], { dtype: 'float64', device: m.device }).scatterAdd(0, lab, torch.onesLike(lab, { dtype: 'float64' }));
      const fg = lab.gt(0);
      const axisMap = (axis: number) => {
        const coord = grids[axis].reshape([-1]);
        const centroid = torch.zeros([n], { dtype: 'float64', device: m.device }).scatterAdd(0, lab, coord).div(counts.clamp({ min: 1 }));
        const d = coord.sub(centroid.gather(0, lab));
        const zeros = torch.zeros([n], { dtype: 'float64', device: m.device });
        const lo = zeros.scatterReduce(0, lab, d, 'amin').gather(0, lab);
        const hi = zeros.scatterReduce(0, lab, d, 'amax').gather(0, lab);
        let out = torch.where(d.lt(0), d.div(lo.neg()), torch.where(d.gt(0), d.div(hi), d));
        out = torch.where(fg, out, torch.zerosLike(out));
        return out.reshape(m.shape).to({ dtype: this.dtype });
      };
      return torch.cat([axisMap(1), axisMap(0)], 0);
    });
  }
}

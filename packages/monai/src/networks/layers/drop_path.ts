// DropPath, stochastic depth (MONAI's monai/networks/layers/drop_path.py): in training, zeroes whole
// samples of the batch with probability dropProb (the rest scaled by 1 / keep when scaleByKeep).
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';

export class DropPath extends nn.Module {
  readonly dropProb: number;
  readonly scaleByKeep: boolean;
  constructor(options: { dropProb?: number; scaleByKeep?: boolean } = {}) {
    super();
    checkOptions('DropPath', options, ['dropProb', 'scaleByKeep']);
    this.dropProb = options.dropProb ?? 0.0;
    this.scaleByKeep = options.scaleByKeep ?? true;
    if (!(this.dropProb >= 0 && this.dropProb <= 1)) throw new RangeError(`DropPath: dropProb must be between 0 and 1, found ${this.dropProb}`);
  }
  /** Returns x itself when inactive (eval mode or dropProb 0), as MONAI. */
  forward(x: Tensor): Tensor {
    if (this.dropProb === 0 || !this.training) return x;
    const keep = 1 - this.dropProb;
    return torch.tidy(() => {
      const mask = torch.empty([x.size(0), ...Array(x.dim() - 1).fill(1)], { dtype: x.dtype, device: x.device }).bernoulli_(keep);
      if (keep > 0 && this.scaleByKeep) mask.div_(keep);
      return x.mul(mask);
    });
  }
}

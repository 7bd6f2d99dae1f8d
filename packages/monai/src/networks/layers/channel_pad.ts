// ChannelPad (MONAI's monai/networks/layers/simplelayers.py): widens the channel dimension from
// inChannels to outChannels by zero padding (split evenly, extra at the end) or a 1x1 projection.
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice } from '../../data/options.js';
import { Conv, type TensorModule } from './factories.js';

export type ChannelMatching = 'pad' | 'project';

export class ChannelPad extends nn.Module {
  declare project: TensorModule | undefined;
  /** F.pad widths (last dimension first), or null when no padding is needed. */
  readonly pad: number[] | null = null;

  constructor(options: { spatialDims: number; inChannels: number; outChannels: number; mode?: ChannelMatching }) {
    super();
    const { spatialDims, inChannels, outChannels } = options;
    if (inChannels === outChannels) return;
    const mode = checkChoice('ChannelPad', 'mode', options.mode ?? 'pad', ['pad', 'project'] as const);
    if (mode === 'project') {
      this.project = new (Conv.get('conv', spatialDims))({ inChannels, outChannels, kernelSize: 1 });
      return;
    }
    if (inChannels > outChannels) throw new RangeError(`ChannelPad: mode 'pad' cannot reduce ${inChannels} channels to ${outChannels}; use mode 'project'`);
    const before = Math.floor((outChannels - inChannels) / 2);
    this.pad = [...new Array(2 * spatialDims).fill(0), before, outChannels - inChannels - before, 0, 0];
  }

  forward(x: Tensor): Tensor {
    if (this.project) return this.project.forward(x);
    if (this.pad) return nn.functional.pad(x, this.pad);
    return x;
  }
}

// SimpleASPP (MONAI's monai/networks/blocks/aspp.py): parallel dilated convolutions ('convs.0', ...)
// concatenated and mixed by a 1x1 Convolution ('conv_k1').
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { samePadding } from '../layers/convutils.js';
import { Conv, type TensorModule } from '../layers/factories.js';
import { layerFromOption, type LayerSpec } from '../layers/utils.js';
import { Convolution, checkChannels } from './convolutions.js';

export interface SimpleASPPOptions {
  spatialDims: number;
  inChannels: number;
  /** Output channels of each branch (the block outputs convOutChannels * branches). */
  convOutChannels: number;
  kernelSizes?: number[];
  dilations?: number[];
  /** Default 'batch'. */
  normType?: LayerSpec | null;
  /** Default 'leakyrelu'. */
  actiType?: LayerSpec | null;
  bias?: boolean;
}

export class SimpleASPP extends nn.Module {
  declare convs: nn.ModuleList<TensorModule>;
  declare conv_k1: Convolution;
  constructor(options: SimpleASPPOptions) {
    super();
    const o = 'SimpleASPP';
    checkOptions(o, options, ['spatialDims', 'inChannels', 'convOutChannels', 'kernelSizes', 'dilations', 'normType', 'actiType', 'bias'], ['spatialDims', 'inChannels', 'convOutChannels']);
    const ks = options.kernelSizes ?? [1, 3, 3, 3];
    const ds = options.dilations ?? [1, 2, 4, 6];
    if (ks.length !== ds.length) throw new RangeError(`${o}: kernelSizes and dilations must have the same length, found ${ks.length} and ${ds.length}`);
    const inCh = checkChannels(o, 'inChannels', options.inChannels);
    const outCh = checkChannels(o, 'convOutChannels', options.convOutChannels);
    this.convs = new nn.ModuleList<TensorModule>(ks.map((k, i) =>
      new (Conv.get('conv', options.spatialDims))({ inChannels: inCh, outChannels: outCh, kernelSize: k, dilation: ds[i], padding: samePadding(k, ds[i]) })));
    const total = outCh * ks.length;
    this.conv_k1 = layerFromOption(o, 'normType/actiType', () => new Convolution({
      spatialDims: options.spatialDims, inChannels: total, outChannels: total, kernelSize: 1,
      act: options.actiType === undefined ? 'leakyrelu' : options.actiType, norm: options.normType === undefined ? 'batch' : options.normType, bias: options.bias ?? false,
    }));
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.conv_k1.forward(torch.cat([...this.convs].map((c) => c.forward(x)), 1)));
  }
}

// SegResNet's blocks (MONAI's monai/networks/blocks/segresnet_block.py): the pre-activation ResBlock and
// the conv/upsample helpers SegResNet and SegResNetVAE build from.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { Convolution } from './convolutions.js';
import { UpSample, type UpsampleMode } from './upsample.js';
import type { TensorModule } from '../layers/factories.js';
import { getActLayer, getNormLayer, layerFromOption, type LayerSpec } from '../layers/utils.js';

/** A bare convolution with same padding (MONAI's segresnet_block.get_conv_layer). */
export function segResNetConvLayer(spatialDims: number, inChannels: number, outChannels: number, kernelSize = 3, stride = 1, bias = false): Convolution {
  return new Convolution({ spatialDims, inChannels, outChannels, strides: stride, kernelSize, bias, convOnly: true });
}

/** UpSample keeping the channels: linear interpolation without corner alignment ('nontrainable'), or 'deconv' / 'pixelshuffle'. */
export function segResNetUpsampleLayer(spatialDims: number, inChannels: number, upsampleMode: UpsampleMode = 'nontrainable', scaleFactor = 2): UpSample {
  return new UpSample({ spatialDims, inChannels, outChannels: inChannels, scaleFactor, mode: upsampleMode, interpMode: 'linear', alignCorners: false });
}

/** norm, act, conv, norm, act, conv, plus the input. */
export class ResBlock extends nn.Module {
  declare norm1: TensorModule;
  declare norm2: TensorModule;
  declare act: TensorModule;
  declare conv1: Convolution;
  declare conv2: Convolution;

  constructor(options: { spatialDims: number; inChannels: number; norm: LayerSpec; kernelSize?: number; act?: LayerSpec }) {
    super();
    const kernelSize = options.kernelSize ?? 3;
    if (kernelSize % 2 !== 1) throw new RangeError(`ResBlock: kernelSize must be odd, found ${kernelSize}`);
    const { spatialDims, inChannels } = options;
    this.norm1 = layerFromOption('ResBlock', 'norm', () => getNormLayer(options.norm, spatialDims, inChannels));
    this.norm2 = getNormLayer(options.norm, spatialDims, inChannels);
    this.act = layerFromOption('ResBlock', 'act', () => getActLayer(options.act ?? ['RELU', { inplace: true }]));
    this.conv1 = segResNetConvLayer(spatialDims, inChannels, inChannels, kernelSize);
    this.conv2 = segResNetConvLayer(spatialDims, inChannels, inChannels, kernelSize);
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const h = this.conv1.forward(this.act.forward(this.norm1.forward(x)));
      return this.conv2.forward(this.act.forward(this.norm2.forward(h))).add(x);
    });
  }
}

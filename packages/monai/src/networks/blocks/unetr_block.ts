// UNETR's decoder blocks (MONAI's monai/networks/blocks/unetr_block.py), built from DynUNet's blocks:
// UnetrBasicBlock (layer), UnetrPrUpBlock (transp_conv_init, blocks), UnetrUpBlock (transp_conv, conv_block).
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import type { Convolution } from './convolutions.js';
import { UnetBasicBlock, UnetResBlock, getConvLayer } from './dynunet_block.js';
import { Chain } from '../layers/chain.js';
import type { LayerSpec } from '../layers/utils.js';

type IntOrSeq = number | number[];

function upConv(spatialDims: number, inChannels: number, outChannels: number, upsampleKernelSize: IntOrSeq): Convolution {
  return getConvLayer(spatialDims, inChannels, outChannels, { kernelSize: upsampleKernelSize, stride: upsampleKernelSize, convOnly: true, isTransposed: true });
}

function block(resBlock: boolean, o: { spatialDims: number; inChannels: number; outChannels: number; kernelSize: IntOrSeq; stride: IntOrSeq; normName: LayerSpec }): UnetBasicBlock | UnetResBlock {
  return resBlock ? new UnetResBlock(o) : new UnetBasicBlock(o);
}

export interface UnetrUpBlockOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  kernelSize: IntOrSeq;
  upsampleKernelSize: IntOrSeq;
  normName: LayerSpec;
  resBlock?: boolean;
}

/** Transposed convolution, concatenation with the skip, a (residual) conv block. */
export class UnetrUpBlock extends nn.Module {
  declare transp_conv: Convolution;
  declare conv_block: UnetBasicBlock | UnetResBlock;
  constructor(options: UnetrUpBlockOptions) {
    super();
    checkOptions('UnetrUpBlock', options, ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'upsampleKernelSize', 'normName', 'resBlock'], ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'upsampleKernelSize', 'normName']);
    const { spatialDims, outChannels } = options;
    this.transp_conv = upConv(spatialDims, options.inChannels, outChannels, options.upsampleKernelSize);
    this.conv_block = block(options.resBlock ?? false, { spatialDims, inChannels: 2 * outChannels, outChannels, kernelSize: options.kernelSize, stride: 1, normName: options.normName });
  }
  forward(inp: Tensor, skip: Tensor): Tensor {
    return torch.tidy(() => this.conv_block.forward(torch.cat([this.transp_conv.forward(inp), skip], 1)));
  }
}

export interface UnetrPrUpBlockOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  /** Upsampling steps after the first. */
  numLayer: number;
  kernelSize: IntOrSeq;
  stride: IntOrSeq;
  upsampleKernelSize: IntOrSeq;
  normName: LayerSpec;
  /** Follow each upsampling with a conv block. */
  convBlock?: boolean;
  resBlock?: boolean;
}

/** A transposed convolution, then numLayer more (each optionally followed by a conv block). */
export class UnetrPrUpBlock extends nn.Module {
  declare transp_conv_init: Convolution;
  declare blocks: nn.ModuleList;
  constructor(options: UnetrPrUpBlockOptions) {
    super();
    checkOptions('UnetrPrUpBlock', options, ['spatialDims', 'inChannels', 'outChannels', 'numLayer', 'kernelSize', 'stride', 'upsampleKernelSize', 'normName', 'convBlock', 'resBlock'], ['spatialDims', 'inChannels', 'outChannels', 'numLayer', 'kernelSize', 'stride', 'upsampleKernelSize', 'normName']);
    const { spatialDims, outChannels, upsampleKernelSize } = options;
    this.transp_conv_init = upConv(spatialDims, options.inChannels, outChannels, upsampleKernelSize);
    const layers: nn.Module[] = [];
    for (let i = 0; i < options.numLayer; i++) {
      const up = upConv(spatialDims, outChannels, outChannels, upsampleKernelSize);
      layers.push(options.convBlock
        ? new Chain(up, block(options.resBlock ?? false, { spatialDims, inChannels: outChannels, outChannels, kernelSize: options.kernelSize, stride: options.stride, normName: options.normName }))
        : up);
    }
    this.blocks = new nn.ModuleList(layers);
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let h = this.transp_conv_init.forward(x);
      for (const b of this.blocks) h = b.forward(h) as Tensor;
      return h;
    });
  }
}

/** A (residual) conv block (UNETR's first encoder). */
export class UnetrBasicBlock extends nn.Module {
  declare layer: UnetBasicBlock | UnetResBlock;
  constructor(options: { spatialDims: number; inChannels: number; outChannels: number; kernelSize: IntOrSeq; stride: IntOrSeq; normName: LayerSpec; resBlock?: boolean }) {
    super();
    checkOptions('UnetrBasicBlock', options, ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'stride', 'normName', 'resBlock'], ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'stride', 'normName']);
    const { resBlock, ...o } = options;
    this.layer = block(resBlock ?? false, o);
  }
  forward(inp: Tensor): Tensor {
    return this.layer.forward(inp);
  }
}

// UNETR (MONAI's monai/networks/nets/unetr.py): a ViT encoder (16^d patches, 12 layers) whose 3rd, 6th,
// 9th and last hidden states feed a convolutional decoder, after Hatamizadeh et al.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import { UnetOutBlock } from '../blocks/dynunet_block.js';
import { checkDropoutRate } from '../blocks/mlp.js';
import { repeatToDims } from '../blocks/patchembedding.js';
import { UnetrBasicBlock, UnetrPrUpBlock, UnetrUpBlock } from '../blocks/unetr_block.js';
import type { LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';
import { ViT } from './vit.js';

export interface UNETROptions {
  inChannels: number;
  outChannels: number;
  /** Input spatial size (multiples of 16). */
  imgSize: number | number[];
  featureSize?: number;
  hiddenSize?: number;
  mlpDim?: number;
  numHeads?: number;
  projType?: 'conv' | 'perceptron';
  /** Default 'instance'. */
  normName?: LayerSpec;
  convBlock?: boolean;
  resBlock?: boolean;
  dropoutRate?: number;
  spatialDims?: number;
  qkvBias?: boolean;
  saveAttn?: boolean;
}
const KEYS = ['inChannels', 'outChannels', 'imgSize', 'featureSize', 'hiddenSize', 'mlpDim', 'numHeads', 'projType', 'normName', 'convBlock', 'resBlock', 'dropoutRate', 'spatialDims', 'qkvBias', 'saveAttn'];

export class UNETR extends nn.Module {
  readonly numLayers = 12;
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly imgSize: number[];
  readonly patchSize: number[];
  readonly featSize: number[];
  readonly hiddenSize: number;
  declare vit: ViT;
  declare encoder1: UnetrBasicBlock;
  declare encoder2: UnetrPrUpBlock;
  declare encoder3: UnetrPrUpBlock;
  declare encoder4: UnetrPrUpBlock;
  declare decoder5: UnetrUpBlock;
  declare decoder4: UnetrUpBlock;
  declare decoder3: UnetrUpBlock;
  declare decoder2: UnetrUpBlock;
  declare out: UnetOutBlock;

  constructor(options: UNETROptions) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS, ['inChannels', 'outChannels', 'imgSize']);
    const dims = options.spatialDims ?? 3;
    if (![2, 3].includes(dims)) throw new RangeError(`${name}: spatialDims must be 2 or 3, found ${dims}`);
    this.spatialDims = dims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels);
    const outChannels = checkChannels(name, 'outChannels', options.outChannels);
    const dropoutRate = checkDropoutRate(name, options.dropoutRate ?? 0.0);
    this.hiddenSize = checkChannels(name, 'hiddenSize', options.hiddenSize ?? 768);
    const numHeads = checkChannels(name, 'numHeads', options.numHeads ?? 12);
    if (this.hiddenSize % numHeads !== 0) throw new RangeError(`${name}: hiddenSize (${this.hiddenSize}) must be divisible by numHeads (${numHeads})`);
    const fs = checkChannels(name, 'featureSize', options.featureSize ?? 16);
    this.imgSize = repeatToDims(name, 'imgSize', options.imgSize, dims);
    this.patchSize = new Array(dims).fill(16);
    this.featSize = this.imgSize.map((s, i) => Math.floor(s / this.patchSize[i]));
    const normName = options.normName ?? 'instance';
    const resBlock = options.resBlock ?? true;
    const convBlock = options.convBlock ?? true;
    checkLayerSpecs(name, [{ option: 'normName', kind: 'norm', spec: normName, dims }]);
    const h = this.hiddenSize;
    buildOrDispose(name, this, () => {
      this.vit = new ViT({
        inChannels: this.inChannels, imgSize: this.imgSize, patchSize: this.patchSize, hiddenSize: h, mlpDim: options.mlpDim ?? 3072,
        numLayers: this.numLayers, numHeads, projType: options.projType ?? 'conv', classification: false, dropoutRate, spatialDims: dims,
        qkvBias: options.qkvBias ?? false, saveAttn: options.saveAttn ?? false,
      });
      const up = { spatialDims: dims, kernelSize: 3, upsampleKernelSize: 2, normName, resBlock };
      this.encoder1 = new UnetrBasicBlock({ spatialDims: dims, inChannels: this.inChannels, outChannels: fs, kernelSize: 3, stride: 1, normName, resBlock });
      this.encoder2 = new UnetrPrUpBlock({ ...up, inChannels: h, outChannels: fs * 2, numLayer: 2, stride: 1, convBlock });
      this.encoder3 = new UnetrPrUpBlock({ ...up, inChannels: h, outChannels: fs * 4, numLayer: 1, stride: 1, convBlock });
      this.encoder4 = new UnetrPrUpBlock({ ...up, inChannels: h, outChannels: fs * 8, numLayer: 0, stride: 1, convBlock });
      this.decoder5 = new UnetrUpBlock({ ...up, inChannels: h, outChannels: fs * 8 });
      this.decoder4 = new UnetrUpBlock({ ...up, inChannels: fs * 8, outChannels: fs * 4 });
      this.decoder3 = new UnetrUpBlock({ ...up, inChannels: fs * 4, outChannels: fs * 2 });
      this.decoder2 = new UnetrUpBlock({ ...up, inChannels: fs * 2, outChannels: fs });
      this.out = new UnetOutBlock({ spatialDims: dims, inChannels: fs, outChannels });
    });
  }

  /** Tokens (B, N, hidden) to a feature map (B, hidden, feat...). */
  projFeat(x: Tensor): Tensor {
    const axes = [0, this.spatialDims + 1, ...this.featSize.map((_, d) => d + 1)];
    return x.view([x.size(0), ...this.featSize, this.hiddenSize]).permute(axes).contiguous();
  }

  forward(xIn: Tensor): Tensor {
    checkInputChannels(this.constructor.name, xIn, this.inChannels, this.spatialDims);
    if (xIn.shape.slice(2).some((s, i) => s !== this.imgSize[i]))
      throw new RangeError(`${this.constructor.name}: input spatial size must be imgSize ${JSON.stringify(this.imgSize)}, found shape [${xIn.shape.join(', ')}]`);
    return torch.tidy(() => {
      const [x, hidden] = this.vit.forward(xIn);
      const enc1 = this.encoder1.forward(xIn);
      const enc2 = this.encoder2.forward(this.projFeat(hidden[3]));
      const enc3 = this.encoder3.forward(this.projFeat(hidden[6]));
      const enc4 = this.encoder4.forward(this.projFeat(hidden[9]));
      const dec3 = this.decoder5.forward(this.projFeat(x), enc4);
      const dec2 = this.decoder4.forward(dec3, enc3);
      const dec1 = this.decoder3.forward(dec2, enc2);
      return this.out.forward(this.decoder2.forward(dec1, enc1));
    });
  }
}

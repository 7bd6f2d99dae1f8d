// HighResNet (MONAI's monai/networks/nets/highresnet.py): Li et al.'s network of dilated residual
// blocks for volumetric segmentation. Keys as MONAI's: blocks.<i>.conv.weight, blocks.<i>.adn.N.weight,
// blocks.<i>.layers.<j>.N.weight (pre-activation ADN), blocks.<i>.layers.<j>.conv.weight,
// blocks.<i>.chn_pad.project.weight.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { ADN } from '../blocks/acti_norm.js';
import { Convolution, checkChannels } from '../blocks/convolutions.js';
import { Chain } from '../layers/chain.js';
import { ChannelPad, type ChannelMatching } from '../layers/channel_pad.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';

/** One entry of HighResNet's layerParams: the first, res blocks (kernels, repeat), and two 1x1 layers. */
export interface HighResLayerParams {
  name?: string;
  nFeatures?: number;
  kernelSize?: number;
  kernels?: number[];
  repeat?: number;
}

export const DEFAULT_LAYER_PARAMS_3D: readonly HighResLayerParams[] = [
  { name: 'conv_0', nFeatures: 16, kernelSize: 3 },
  { name: 'res_1', nFeatures: 16, kernels: [3, 3], repeat: 3 },
  { name: 'res_2', nFeatures: 32, kernels: [3, 3], repeat: 3 },
  { name: 'res_3', nFeatures: 64, kernels: [3, 3], repeat: 3 },
  { name: 'conv_1', nFeatures: 80, kernelSize: 1 },
  { name: 'conv_2', kernelSize: 1 },
];

export interface HighResBlockOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  kernels?: number[];
  dilation?: number | number[];
  normType?: LayerSpec;
  actiType?: LayerSpec;
  bias?: boolean;
  channelMatching?: ChannelMatching;
}

/** Norm-activation-convolution per kernel, plus the input widened to outChannels. */
export class HighResBlock extends nn.Module {
  declare chn_pad: ChannelPad;
  declare layers: Chain;

  constructor(options: HighResBlockOptions) {
    super();
    checkOptions('HighResBlock', options, ['spatialDims', 'inChannels', 'outChannels', 'kernels', 'dilation', 'normType', 'actiType', 'bias', 'channelMatching'], ['spatialDims', 'inChannels', 'outChannels']);
    const { spatialDims, inChannels, outChannels } = options;
    this.chn_pad = new ChannelPad({ spatialDims, inChannels, outChannels, mode: options.channelMatching ?? 'pad' });
    this.layers = new Chain();
    let ch = inChannels;
    let i = 0;
    for (const kernelSize of options.kernels ?? [3, 3]) {
      this.layers.registerModule(String(i++), new ADN({ ordering: 'NA', inChannels: ch, act: options.actiType ?? ['relu', { inplace: true }], norm: options.normType ?? ['batch', { affine: true }], normDim: spatialDims }));
      this.layers.registerModule(String(i++), new Convolution({ spatialDims, inChannels: ch, outChannels, kernelSize, dilation: options.dilation ?? 1, bias: options.bias ?? false, convOnly: true }));
      ch = outChannels;
    }
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.layers.forward(x).add(this.chn_pad.forward(x)));
  }
}

export interface HighResNetOptions {
  spatialDims?: number;
  inChannels?: number;
  outChannels?: number;
  /** Default ['batch', { affine: true }]. */
  normType?: LayerSpec;
  /** Default ['relu', { inplace: true }]. */
  actiType?: LayerSpec;
  /** Dropout of the last two layers (default 0.0). */
  dropoutProb?: DropoutSpec | null;
  bias?: boolean;
  layerParams?: readonly HighResLayerParams[];
  /** How residual paths widen channels: 'pad' (default) or 'project'. */
  channelMatching?: ChannelMatching;
}
const KEYS = ['spatialDims', 'inChannels', 'outChannels', 'normType', 'actiType', 'dropoutProb', 'bias', 'layerParams', 'channelMatching'];
const PARAM_KEYS = ['name', 'nFeatures', 'kernelSize', 'kernels', 'repeat'];

export class HighResNet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  declare blocks: Chain;

  constructor(options: HighResNetOptions = {}) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS);
    const spatialDims = options.spatialDims ?? 3;
    if (![1, 2, 3].includes(spatialDims)) throw new RangeError(`${name}: spatialDims must be 1, 2 or 3, found ${spatialDims}`);
    this.spatialDims = spatialDims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels ?? 1);
    this.outChannels = checkChannels(name, 'outChannels', options.outChannels ?? 1);
    const lp = options.layerParams ?? DEFAULT_LAYER_PARAMS_3D;
    if (!Array.isArray(lp) || lp.length < 3) throw new RangeError(`${name}: layerParams must have at least 3 entries (first layer, res blocks, two last layers), found ${JSON.stringify(lp)}`);
    lp.forEach((p, i) => checkOptions(`${name} layerParams[${i}]`, p, PARAM_KEYS));
    const need = (i: number, key: keyof HighResLayerParams) => {
      const v = lp[i][key];
      if (v === undefined) throw new TypeError(`${name}: layerParams[${i}] needs '${key}'`);
      return v as never;
    };
    const channelMatching = checkChoice(name, 'channelMatching', options.channelMatching ?? 'pad', ['pad', 'project'] as const);
    const act = options.actiType ?? ['relu', { inplace: true }];
    const norm = options.normType ?? ['batch', { affine: true }];
    const bias = options.bias ?? false;
    const dropout = options.dropoutProb === undefined ? 0.0 : options.dropoutProb;
    checkLayerSpecs(name, [
      { option: 'normType', kind: 'norm', spec: norm, dims: spatialDims },
      { option: 'actiType', kind: 'act', spec: act },
      { option: 'dropoutProb', kind: 'dropout', spec: dropout, dims: 1 },
    ]);
    buildOrDispose(name, this, () => {
      const blocks: nn.Module[] = [];
      let outCh: number = need(0, 'nFeatures');
      blocks.push(new Convolution({ spatialDims, inChannels: this.inChannels, outChannels: outCh, kernelSize: need(0, 'kernelSize'), adnOrdering: 'NA', act, norm, bias }));
      lp.slice(1, -2).forEach((p, idx) => {
        let inCh = outCh;
        outCh = need(idx + 1, 'nFeatures');
        for (let r = 0; r < need(idx + 1, 'repeat'); r++) {
          blocks.push(new HighResBlock({ spatialDims, inChannels: inCh, outChannels: outCh, kernels: need(idx + 1, 'kernels'), dilation: 2 ** idx, normType: norm, actiType: act, bias, channelMatching }));
          inCh = outCh;
        }
      });
      const inCh = outCh;
      outCh = need(lp.length - 2, 'nFeatures');
      blocks.push(new Convolution({ spatialDims, inChannels: inCh, outChannels: outCh, kernelSize: need(lp.length - 2, 'kernelSize'), adnOrdering: 'NAD', act, norm, bias, dropout }));
      blocks.push(new Convolution({ spatialDims, inChannels: outCh, outChannels: this.outChannels, kernelSize: need(lp.length - 1, 'kernelSize'), adnOrdering: 'NAD', act, norm, bias, dropout }));
      this.blocks = new Chain(...blocks);
    });
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    return this.blocks.forward(x);
  }
}

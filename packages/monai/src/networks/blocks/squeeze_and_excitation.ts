// Squeeze-and-excitation blocks (MONAI's monai/networks/blocks/squeeze_and_excitation.py):
// ChannelSELayer, ResidualSELayer, SEBlock and the SENet bottlenecks. Children named as MONAI
// ('avg_pool', 'fc.0', 'fc.2', 'conv1', 'se_layer', 'project', 'act').
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Chain } from '../layers/chain.js';
import { Conv, Pool, type TensorModule } from '../layers/factories.js';
import { getActLayer, layerFromOption, type LayerSpec } from '../layers/utils.js';
import { Convolution, checkChannels, type ConvolutionOptions } from './convolutions.js';

export interface ChannelSELayerOptions {
  spatialDims: number;
  inChannels: number;
  /** Reduction ratio of the bottleneck (default 2). */
  r?: number;
  /** Default ['relu', { inplace: true }]. */
  actiType1?: LayerSpec;
  /** Default 'sigmoid'. */
  actiType2?: LayerSpec;
  addResidual?: boolean;
}
const SE_KEYS = ['spatialDims', 'inChannels', 'r', 'actiType1', 'actiType2', 'addResidual'];

/** Re-weights channels by a gate computed from their global average (x * gate, plus x with addResidual). */
export class ChannelSELayer extends nn.Module {
  readonly addResidual: boolean;
  declare avg_pool: TensorModule;
  declare fc: Chain;
  constructor(options: ChannelSELayerOptions, owner = 'ChannelSELayer') {
    super();
    checkOptions(owner, options, SE_KEYS, ['spatialDims', 'inChannels']);
    const inCh = checkChannels(owner, 'inChannels', options.inChannels);
    const r = options.r ?? 2;
    this.addResidual = options.addResidual ?? false;
    this.avg_pool = new (Pool.get('adaptiveavg', options.spatialDims))({ outputSize: 1 });
    const ch = Math.floor(inCh / r);
    if (!(ch > 0)) throw new RangeError(`${owner}: r must be positive and smaller than inChannels, found r=${r} with inChannels=${inCh}`);
    const a1 = layerFromOption(owner, 'actiType1', () => getActLayer(options.actiType1 ?? ['relu', { inplace: true }]));
    const a2 = layerFromOption(owner, 'actiType2', () => getActLayer(options.actiType2 ?? 'sigmoid'));
    this.fc = new Chain(new nn.Linear({ inFeatures: inCh, outFeatures: ch }), a1, new nn.Linear({ inFeatures: ch, outFeatures: inCh }), a2);
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const [b, c] = x.shape;
      const y = this.fc.forward(this.avg_pool.forward(x).reshape([b, c])).reshape([b, c, ...Array(x.dim() - 2).fill(1)]);
      const out = x.mul(y);
      return this.addResidual ? out.add_(x) : out;
    });
  }
}

/** ChannelSELayer with a residual connection; activations default to 'leakyrelu' and 'relu'. */
export class ResidualSELayer extends ChannelSELayer {
  constructor(options: Omit<ChannelSELayerOptions, 'addResidual'>) {
    checkOptions('ResidualSELayer', options, ['spatialDims', 'inChannels', 'r', 'actiType1', 'actiType2'], ['spatialDims', 'inChannels']);
    super({ ...options, actiType1: options.actiType1 ?? 'leakyrelu', actiType2: options.actiType2 ?? 'relu', addResidual: true }, 'ResidualSELayer');
  }
}

/** Options of one of SEBlock's convolutions (spatialDims and channels are SEBlock's). */
export type SEConvParams = Omit<ConvolutionOptions, 'spatialDims' | 'inChannels' | 'outChannels'>;

export interface SEBlockOptions {
  spatialDims: number;
  inChannels: number;
  nChns1: number;
  nChns2: number;
  nChns3: number;
  /** Default { kernelSize: 1, norm: 'batch', act: ['relu', { inplace: true }] }. */
  convParam1?: SEConvParams | null;
  /** Default { kernelSize: 3, norm: 'batch', act: ['relu', { inplace: true }] }. */
  convParam2?: SEConvParams | null;
  /** Default { kernelSize: 1, norm: 'batch', act: null }. */
  convParam3?: SEConvParams | null;
  /** Residual projection; default a 1x1 conv when inChannels != nChns3, else identity. */
  project?: nn.Module | null;
  r?: number;
  actiType1?: LayerSpec;
  actiType2?: LayerSpec;
  /** Activation after the residual sum (default ['relu', { inplace: true }]; null for none). */
  actiTypeFinal?: LayerSpec | null;
}
const SEBLOCK_KEYS = ['spatialDims', 'inChannels', 'nChns1', 'nChns2', 'nChns3', 'convParam1', 'convParam2', 'convParam3', 'project', 'r', 'actiType1', 'actiType2', 'actiTypeFinal'];

/** Three convolutions, a ChannelSELayer, a residual (projected) sum and a final activation. */
export class SEBlock extends nn.Module {
  declare conv1: Convolution;
  declare conv2: Convolution;
  declare conv3: Convolution;
  declare se_layer: ChannelSELayer;
  declare project: TensorModule;
  declare act: TensorModule;
  constructor(options: SEBlockOptions, owner = 'SEBlock') {
    super();
    checkOptions(owner, options, SEBLOCK_KEYS, ['spatialDims', 'inChannels', 'nChns1', 'nChns2', 'nChns3']);
    const relu = ['relu', { inplace: true }] as const;
    const p1 = options.convParam1 || { kernelSize: 1, norm: 'batch', act: relu };
    const p2 = options.convParam2 || { kernelSize: 3, norm: 'batch', act: relu };
    const p3 = options.convParam3 || { kernelSize: 1, norm: 'batch', act: null };
    try {
      this.build(options, owner, p1, p2, p3);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  private build(options: SEBlockOptions, owner: string, p1: SEConvParams, p2: SEConvParams, p3: SEConvParams): void {
    const dims = options.spatialDims;
    const relu = ['relu', { inplace: true }] as const;
    const conv = (opt: string, p: SEConvParams, inChannels: number, outChannels: number) =>
      layerFromOption(owner, opt, () => new Convolution({ ...(p as ConvolutionOptions), spatialDims: dims, inChannels, outChannels }));
    this.conv1 = conv('convParam1', p1, options.inChannels, options.nChns1);
    this.conv2 = conv('convParam2', p2, options.nChns1, options.nChns2);
    this.conv3 = conv('convParam3', p3, options.nChns2, options.nChns3);
    this.se_layer = new ChannelSELayer({ spatialDims: dims, inChannels: options.nChns3, r: options.r ?? 2, actiType1: options.actiType1 ?? relu, actiType2: options.actiType2 ?? 'sigmoid' }, owner);
    const project = options.project ?? null;
    if (project === null && options.inChannels !== options.nChns3)
      this.registerModule('project', new (Conv.get('conv', dims))({ inChannels: options.inChannels, outChannels: options.nChns3, kernelSize: 1 }));
    else this.registerModule('project', project ?? new nn.Identity());
    const fin = options.actiTypeFinal === undefined ? relu : options.actiTypeFinal;
    this.registerModule('act', fin === null ? new nn.Identity() : layerFromOption(owner, 'actiTypeFinal', () => getActLayer(fin)));
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const residual = this.project.forward(x);
      const y = this.se_layer.forward(this.conv3.forward(this.conv2.forward(this.conv1.forward(x))));
      return this.act.forward(y.add_(residual));
    });
  }
}

export interface SEBottleneckOptions {
  spatialDims: number;
  inplanes: number;
  planes: number;
  groups: number;
  reduction: number;
  stride?: number;
  downsample?: nn.Module | null;
}
const BOTTLENECK_KEYS = ['spatialDims', 'inplanes', 'planes', 'groups', 'reduction', 'stride', 'downsample'];

type Bottleneck = { n1: number; n2: number; stride1: number; stride2: number };
function bottleneck(owner: string, o: SEBottleneckOptions & { baseWidth?: number }, keys: string[], shape: Bottleneck): SEBlockOptions {
  checkOptions(owner, o, keys, ['spatialDims', 'inplanes', 'planes', 'groups', 'reduction']);
  const relu = ['relu', { inplace: true }] as const;
  return {
    spatialDims: o.spatialDims, inChannels: o.inplanes, nChns1: shape.n1, nChns2: shape.n2, nChns3: o.planes * 4,
    convParam1: { strides: shape.stride1, kernelSize: 1, act: relu, norm: 'batch', bias: false },
    convParam2: { strides: shape.stride2, kernelSize: 3, act: relu, norm: 'batch', groups: o.groups, bias: false },
    convParam3: { strides: 1, kernelSize: 1, act: null, norm: 'batch', bias: false },
    project: o.downsample ?? null, r: o.reduction,
  };
}

/** SENet154's bottleneck: 1x1 (planes*2), grouped strided 3x3 (planes*4), 1x1 (planes*4). */
export class SEBottleneck extends SEBlock {
  static readonly expansion = 4;
  constructor(options: SEBottleneckOptions) {
    const s = options?.stride ?? 1;
    super(bottleneck('SEBottleneck', options, BOTTLENECK_KEYS, { n1: options.planes * 2, n2: options.planes * 4, stride1: 1, stride2: s }), 'SEBottleneck');
  }
}

/** SE-ResNet's bottleneck: strided 1x1 (planes), 3x3 (planes), 1x1 (planes*4). */
export class SEResNetBottleneck extends SEBlock {
  static readonly expansion = 4;
  constructor(options: SEBottleneckOptions) {
    const s = options?.stride ?? 1;
    super(bottleneck('SEResNetBottleneck', options, BOTTLENECK_KEYS, { n1: options.planes, n2: options.planes, stride1: s, stride2: 1 }), 'SEResNetBottleneck');
  }
}

/** SE-ResNeXt's bottleneck: width = floor(planes * baseWidth / 64) * groups; grouped strided 3x3. */
export class SEResNeXtBottleneck extends SEBlock {
  static readonly expansion = 4;
  constructor(options: SEBottleneckOptions & { baseWidth?: number }) {
    const s = options?.stride ?? 1;
    const width = Math.floor(options.planes * ((options.baseWidth ?? 4) / 64)) * options.groups;
    const { baseWidth: _b, ...rest } = options;
    super(bottleneck('SEResNeXtBottleneck', rest, BOTTLENECK_KEYS, { n1: width, n2: width, stride1: 1, stride2: s }), 'SEResNeXtBottleneck');
  }
}

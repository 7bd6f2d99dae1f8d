// DenseNet and DenseNet121/169/201/264 (MONAI's monai/networks/nets/densenet.py) in 1-D, 2-D and 3-D.
// Keys as MONAI's: features.conv0, features.denseblock<i>.denselayer<j>.layers.{norm1,conv1,norm2,conv2},
// features.transition<i>.{norm,conv}, features.norm5, class_layers.out. Pretrained torchvision weights
// are not downloaded here: load a converted state dict with loadStateDict.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import { Chain } from '../layers/chain.js';
import { Conv, Dropout, Pool } from '../layers/factories.js';
import { getActLayer, getNormLayer, type LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';

interface LayerArgs {
  spatialDims: number;
  bnSize: number;
  growthRate: number;
  dropoutProb: number;
  act: LayerSpec;
  norm: LayerSpec;
}

/** Bottleneck (norm, act, 1x1 conv to bnSize * growthRate) then (norm, act, 3x3 conv to growthRate), concatenated to its input. */
export class DenseLayer extends nn.Module {
  declare layers: Chain;
  constructor(inChannels: number, a: LayerArgs) {
    super();
    const ConvN = Conv.get('conv', a.spatialDims);
    const mid = a.bnSize * a.growthRate;
    this.layers = new Chain();
    this.layers.registerModule('norm1', getNormLayer(a.norm, a.spatialDims, inChannels));
    this.layers.registerModule('relu1', getActLayer(a.act));
    this.layers.registerModule('conv1', new ConvN({ inChannels, outChannels: mid, kernelSize: 1, bias: false }));
    this.layers.registerModule('norm2', getNormLayer(a.norm, a.spatialDims, mid));
    this.layers.registerModule('relu2', getActLayer(a.act));
    this.layers.registerModule('conv2', new ConvN({ inChannels: mid, outChannels: a.growthRate, kernelSize: 3, padding: 1, bias: false }));
    if (a.dropoutProb > 0) this.layers.registerModule('dropout', new (Dropout.get('dropout', a.spatialDims))({ p: a.dropoutProb }));
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => torch.cat([x, this.layers.forward(x)], 1));
  }
}

/** `layers` DenseLayers named denselayer1, denselayer2, ..., each adding growthRate channels. */
export class DenseBlock extends Chain {
  constructor(layers: number, inChannels: number, a: LayerArgs) {
    super();
    for (let i = 0; i < layers; i++) this.registerModule(`denselayer${i + 1}`, new DenseLayer(inChannels + i * a.growthRate, a));
  }
}

/** norm, act, 1x1 conv, 2x average pooling. */
export class Transition extends Chain {
  constructor(inChannels: number, outChannels: number, a: LayerArgs) {
    super();
    this.registerModule('norm', getNormLayer(a.norm, a.spatialDims, inChannels));
    this.registerModule('relu', getActLayer(a.act));
    this.registerModule('conv', new (Conv.get('conv', a.spatialDims))({ inChannels, outChannels, kernelSize: 1, bias: false }));
    this.registerModule('pool', new (Pool.get('avg', a.spatialDims))({ kernelSize: 2, stride: 2 }));
  }
}

export interface DenseNetOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  initFeatures?: number;
  growthRate?: number;
  blockConfig?: number[];
  bnSize?: number;
  /** Default ['relu', { inplace: true }]. */
  act?: LayerSpec;
  /** Default 'batch'. */
  norm?: LayerSpec;
  dropoutProb?: number;
}
/** The named variants take the same options and refuse `pretrained: true` (no download here). */
export interface DenseNetVariantOptions extends DenseNetOptions {
  pretrained?: boolean;
  progress?: boolean;
}
const KEYS = ['spatialDims', 'inChannels', 'outChannels', 'initFeatures', 'growthRate', 'blockConfig', 'bnSize', 'act', 'norm', 'dropoutProb'];

export class DenseNet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  declare features: Chain;
  declare class_layers: Chain;

  constructor(options: DenseNetOptions, defaults: Partial<DenseNetOptions> = {}, extraKeys: string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, [...KEYS, ...extraKeys], ['spatialDims', 'inChannels', 'outChannels']);
    const o = { ...defaults, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as DenseNetOptions;
    const { spatialDims } = o;
    if (![1, 2, 3].includes(spatialDims)) throw new RangeError(`${name}: spatialDims must be 1, 2 or 3, found ${spatialDims}`);
    this.spatialDims = spatialDims;
    this.inChannels = checkChannels(name, 'inChannels', o.inChannels);
    this.outChannels = checkChannels(name, 'outChannels', o.outChannels);
    const initFeatures = checkChannels(name, 'initFeatures', o.initFeatures ?? 64);
    const blockConfig = o.blockConfig ?? [6, 12, 24, 16];
    if (!Array.isArray(blockConfig) || !blockConfig.length) throw new RangeError(`${name}: blockConfig must be a non-empty list of layer counts, found ${JSON.stringify(blockConfig)}`);
    const a: LayerArgs = {
      spatialDims, bnSize: checkChannels(name, 'bnSize', o.bnSize ?? 4), growthRate: checkChannels(name, 'growthRate', o.growthRate ?? 32),
      dropoutProb: o.dropoutProb ?? 0.0, act: o.act ?? ['relu', { inplace: true }], norm: o.norm ?? 'batch',
    };
    checkLayerSpecs(name, [
      { option: 'norm', kind: 'norm', spec: a.norm, dims: spatialDims },
      { option: 'act', kind: 'act', spec: a.act },
    ]);
    buildOrDispose(name, this, () => {
      const ConvN = Conv.get('conv', spatialDims);
      this.features = new Chain();
      const f = this.features;
      f.registerModule('conv0', new ConvN({ inChannels: this.inChannels, outChannels: initFeatures, kernelSize: 7, stride: 2, padding: 3, bias: false }));
      f.registerModule('norm0', getNormLayer(a.norm, spatialDims, initFeatures));
      f.registerModule('relu0', getActLayer(a.act));
      f.registerModule('pool0', new (Pool.get('max', spatialDims))({ kernelSize: 3, stride: 2, padding: 1 }));
      let ch = initFeatures;
      blockConfig.forEach((n, i) => {
        f.registerModule(`denseblock${i + 1}`, new DenseBlock(n, ch, a));
        ch += n * a.growthRate;
        if (i === blockConfig.length - 1) {
          f.registerModule('norm5', getNormLayer(a.norm, spatialDims, ch));
        } else {
          const out = Math.floor(ch / 2);
          f.registerModule(`transition${i + 1}`, new Transition(ch, out, a));
          ch = out;
        }
      });
      this.class_layers = new Chain();
      this.class_layers.registerModule('relu', getActLayer(a.act));
      this.class_layers.registerModule('pool', new (Pool.get('adaptiveavg', spatialDims))({ outputSize: 1 }));
      this.class_layers.registerModule('flatten', new nn.Flatten({ startDim: 1 }));
      this.class_layers.registerModule('out', new nn.Linear({ inFeatures: ch, outFeatures: this.outChannels }));
    });
    // MONAI's initialisation: kaiming-normal convolutions, unit batch-norm scales, zero biases.
    const ConvN: unknown = Conv.get('conv', spatialDims);
    for (const m of this.modules()) {
      const isConv = m instanceof (ConvN as typeof nn.Conv2d);
      if (isConv) nn.init.kaimingNormal_((m as nn.Conv2d).weight);
      else if (m instanceof nn.BatchNorm1d || m instanceof nn.BatchNorm2d || m instanceof nn.BatchNorm3d) {
        if (m.weight) nn.init.constant_(m.weight, 1);
        if (m.bias) nn.init.constant_(m.bias, 0);
      } else if (m instanceof nn.Linear && m.bias) nn.init.constant_(m.bias, 0);
    }
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    return torch.tidy(() => this.class_layers.forward(this.features.forward(x)));
  }
}

function variant(cls: string, blockConfig: number[], pretrainedAvailable: boolean) {
  return (options: DenseNetVariantOptions) => {
    if (options.pretrained)
      throw new Error(pretrainedAvailable
        ? `${cls}: pretrained weights are not downloaded by monai-ts; read torchvision's ${cls.toLowerCase()} .pth with torch.load and pass it to loadTorchvisionDenseNet`
        : `${cls}: no pretrained weights exist for this network`);
    const { pretrained: _p, progress: _q, ...rest } = options;
    return [rest, { blockConfig }] as const;
  };
}

const d121 = variant('DenseNet121', [6, 12, 24, 16], true);
const d169 = variant('DenseNet169', [6, 12, 32, 32], true);
const d201 = variant('DenseNet201', [6, 12, 48, 32], true);
const d264 = variant('DenseNet264', [6, 12, 64, 48], false);
const VARIANT_KEYS = ['pretrained', 'progress'];

/** DenseNet with blockConfig [6, 12, 24, 16] by default. */
export class DenseNet121 extends DenseNet {
  constructor(options: DenseNetVariantOptions) {
    checkOptions('DenseNet121', options, [...KEYS, ...VARIANT_KEYS], ['spatialDims', 'inChannels', 'outChannels']);
    super(...d121(options), VARIANT_KEYS);
  }
}
/** DenseNet with blockConfig [6, 12, 32, 32] by default. */
export class DenseNet169 extends DenseNet {
  constructor(options: DenseNetVariantOptions) {
    checkOptions('DenseNet169', options, [...KEYS, ...VARIANT_KEYS], ['spatialDims', 'inChannels', 'outChannels']);
    super(...d169(options), VARIANT_KEYS);
  }
}
/** DenseNet with blockConfig [6, 12, 48, 32] by default. */
export class DenseNet201 extends DenseNet {
  constructor(options: DenseNetVariantOptions) {
    checkOptions('DenseNet201', options, [...KEYS, ...VARIANT_KEYS], ['spatialDims', 'inChannels', 'outChannels']);
    super(...d201(options), VARIANT_KEYS);
  }
}
/** DenseNet with blockConfig [6, 12, 64, 48] by default. */
export class DenseNet264 extends DenseNet {
  constructor(options: DenseNetVariantOptions) {
    checkOptions('DenseNet264', options, [...KEYS, ...VARIANT_KEYS], ['spatialDims', 'inChannels', 'outChannels']);
    super(...d264(options), VARIANT_KEYS);
  }
}

/** MONAI's aliases. */
export const Densenet = DenseNet;
export const Densenet121 = DenseNet121;
export const Densenet169 = DenseNet169;
export const Densenet201 = DenseNet201;
export const Densenet264 = DenseNet264;

/**
 * Loads torchvision DenseNet weights (densenet121/169/201 .pth files, e.g. read with torch.load) into a
 * DenseNet the way MONAI's pretrained=True does: 'denselayerN.norm.1.weight' becomes
 * 'denselayerN.layers.norm1.weight', and only keys the network has with equal shapes are copied (so the
 * classifier and a changed input layer keep their own values). Returns the keys that were loaded.
 */
export function loadTorchvisionDenseNet(net: DenseNet, stateDict: Record<string, Tensor> | Map<string, Tensor>): string[] {
  const entries = stateDict instanceof Map ? [...stateDict.entries()] : Object.entries(stateDict);
  const pattern = /^(.*denselayer\d+)(\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;
  return torch.tidy(() => {
    const own = net.stateDict();
    const picked = new Map<string, Tensor>();
    for (const [key, value] of entries) {
      const m = pattern.exec(key);
      const k = m ? `${m[1]}.layers${m[2]}${m[3]}` : key;
      const mine = own[k];
      if (mine && mine.shape.length === value.shape.length && mine.shape.every((d, i) => d === value.shape[i])) picked.set(k, value);
    }
    net.loadStateDict(picked, { strict: false });
    return [...picked.keys()];
  });
}

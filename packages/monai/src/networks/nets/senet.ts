// SENet and its named variants (MONAI's monai/networks/nets/senet.py): squeeze-and-excitation networks
// (SENet154, SE-ResNet 50/101/152, SE-ResNeXt 50/101) in 1-D, 2-D and 3-D. Keys as MONAI's: layer0.conv1,
// layer<i>.<j>.conv1.conv / .conv1.adn.N / .se_layer.fc.0 / .project.conv, last_linear. Pretrained
// Cadene weights are not downloaded here: load a converted state dict with loadStateDict.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, checkChannels } from '../blocks/convolutions.js';
import { SEBottleneck, SEResNetBottleneck, SEResNeXtBottleneck, type SEBottleneckOptions } from '../blocks/squeeze_and_excitation.js';
import { Chain } from '../layers/chain.js';
import { Conv, Dropout, Norm, Pool, type TensorModule } from '../layers/factories.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose } from './net_build.js';

export type SEBlockClass = new (options: SEBottleneckOptions) => nn.Module;
export type SEBlockName = 'se_bottleneck' | 'se_resnet_bottleneck' | 'se_resnetxt_bottleneck';
const BLOCKS: Record<SEBlockName, SEBlockClass> = {
  se_bottleneck: SEBottleneck,
  se_resnet_bottleneck: SEResNetBottleneck,
  se_resnetxt_bottleneck: SEResNeXtBottleneck,
};

export interface SENetOptions {
  spatialDims: number;
  inChannels: number;
  /** A bottleneck class or its name. */
  block: SEBlockClass | SEBlockName;
  /** Blocks per stage (4 stages). */
  layers: number[];
  /** Groups of the 3x3 convolutions (1 for SE-ResNet, 32 for SE-ResNeXt, 64 for SENet154). */
  groups: number;
  /** Squeeze-and-excitation channel reduction. */
  reduction: number;
  /** Dropout before the classifier (default 0.2; null for none). */
  dropoutProb?: number | null;
  dropoutDim?: number;
  /** Channels after layer0 (default 128). */
  inplanes?: number;
  /** Kernel of the strided residual projections of stages 2-4 (default 3). */
  downsampleKernelSize?: number;
  /** Three 3x3 convolutions in layer0 (default) instead of one 7x7. */
  input3x3?: boolean;
  numClasses?: number;
}
const KEYS = ['spatialDims', 'inChannels', 'block', 'layers', 'groups', 'reduction', 'dropoutProb', 'dropoutDim', 'inplanes', 'downsampleKernelSize', 'input3x3', 'numClasses'];

export class SENet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  private inplanes: number;
  declare layer0: Chain;
  declare layer1: Chain;
  declare layer2: Chain;
  declare layer3: Chain;
  declare layer4: Chain;
  declare adaptive_avg_pool: TensorModule;
  declare dropout: TensorModule | undefined;
  declare last_linear: nn.Linear;

  constructor(options: SENetOptions, extraKeys: string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, [...KEYS, ...extraKeys], ['spatialDims', 'inChannels', 'block', 'layers', 'groups', 'reduction']);
    const dims = options.spatialDims;
    if (![1, 2, 3].includes(dims)) throw new RangeError(`${name}: spatialDims must be 1, 2 or 3, found ${dims}`);
    this.spatialDims = dims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels);
    let Block: SEBlockClass;
    if (typeof options.block === 'string') {
      const b = BLOCKS[options.block];
      if (!b) throw new TypeError(`${name}: unknown block '${options.block}', use se_bottleneck, se_resnet_bottleneck or se_resnetxt_bottleneck`);
      Block = b;
    } else if (typeof options.block === 'function') {
      Block = options.block;
    } else {
      throw new TypeError(`${name}: block must be a bottleneck class or its name, found ${String(options.block)}`);
    }
    const layers = options.layers;
    if (!Array.isArray(layers) || layers.length !== 4 || !layers.every((n) => Number.isInteger(n) && n > 0))
      throw new RangeError(`${name}: layers must be 4 positive block counts, found ${JSON.stringify(layers)}`);
    const groups = checkChannels(name, 'groups', options.groups);
    const reduction = checkChannels(name, 'reduction', options.reduction);
    const inplanes = checkChannels(name, 'inplanes', options.inplanes ?? 128);
    const dks = options.downsampleKernelSize ?? 3;
    const dropoutProb = options.dropoutProb === undefined ? 0.2 : options.dropoutProb;
    const numClasses = checkChannels(name, 'numClasses', options.numClasses ?? 1000);
    this.inplanes = inplanes;
    const ConvN = Conv.get('conv', dims);
    const BN = Norm.get('batch', dims);
    const relu = () => new nn.ReLU({ inplace: true }) as TensorModule;
    buildOrDispose(name, this, () => {
      this.layer0 = new Chain();
      const l0 = this.layer0;
      if (options.input3x3 ?? true) {
        l0.registerModule('conv1', new ConvN({ inChannels: this.inChannels, outChannels: 64, kernelSize: 3, stride: 2, padding: 1, bias: false }));
        l0.registerModule('bn1', new BN({ numFeatures: 64 }));
        l0.registerModule('relu1', relu());
        l0.registerModule('conv2', new ConvN({ inChannels: 64, outChannels: 64, kernelSize: 3, stride: 1, padding: 1, bias: false }));
        l0.registerModule('bn2', new BN({ numFeatures: 64 }));
        l0.registerModule('relu2', relu());
        l0.registerModule('conv3', new ConvN({ inChannels: 64, outChannels: inplanes, kernelSize: 3, stride: 1, padding: 1, bias: false }));
        l0.registerModule('bn3', new BN({ numFeatures: inplanes }));
        l0.registerModule('relu3', relu());
      } else {
        l0.registerModule('conv1', new ConvN({ inChannels: this.inChannels, outChannels: inplanes, kernelSize: 7, stride: 2, padding: 3, bias: false }));
        l0.registerModule('bn1', new BN({ numFeatures: inplanes }));
        l0.registerModule('relu1', relu());
      }
      l0.registerModule('pool', new (Pool.get('max', dims))({ kernelSize: 3, stride: 2, ceilMode: true }));
      this.layer1 = this.makeLayer(Block, 64, layers[0], groups, reduction, 1, 1);
      this.layer2 = this.makeLayer(Block, 128, layers[1], groups, reduction, 2, dks);
      this.layer3 = this.makeLayer(Block, 256, layers[2], groups, reduction, 2, dks);
      this.layer4 = this.makeLayer(Block, 512, layers[3], groups, reduction, 2, dks);
      this.adaptive_avg_pool = new (Pool.get('adaptiveavg', dims))({ outputSize: 1 });
      if (dropoutProb !== null) this.dropout = new (Dropout.get('dropout', options.dropoutDim ?? 1))({ p: dropoutProb });
      this.last_linear = new nn.Linear({ inFeatures: 512 * 4, outFeatures: numClasses });
    });
    // MONAI's initialisation: kaiming-normal convolutions, unit batch norms, zero linear biases.
    const C: unknown = ConvN, B: unknown = BN;
    for (const m of this.modules()) {
      if (m instanceof (C as typeof nn.Conv2d)) nn.init.kaimingNormal_((m as nn.Conv2d).weight);
      else if (m instanceof (B as typeof nn.BatchNorm2d)) {
        const b = m as nn.BatchNorm2d;
        if (b.weight) nn.init.constant_(b.weight, 1);
        if (b.bias) nn.init.constant_(b.bias, 0);
      } else if (m instanceof nn.Linear && m.bias) nn.init.constant_(m.bias, 0);
    }
  }

  private makeLayer(Block: SEBlockClass, planes: number, blocks: number, groups: number, reduction: number, stride: number, downsampleKernelSize: number): Chain {
    const expansion = 4;
    let downsample: Convolution | null = null;
    if (stride !== 1 || this.inplanes !== planes * expansion) {
      downsample = new Convolution({
        spatialDims: this.spatialDims, inChannels: this.inplanes, outChannels: planes * expansion, strides: stride,
        kernelSize: downsampleKernelSize, act: null, norm: 'batch', bias: false,
      });
    }
    const out = new Chain(new Block({ spatialDims: this.spatialDims, inplanes: this.inplanes, planes, groups, reduction, stride, downsample }));
    this.inplanes = planes * expansion;
    for (let i = 1; i < blocks; i++) out.append(new Block({ spatialDims: this.spatialDims, inplanes: this.inplanes, planes, groups, reduction }));
    return out;
  }

  /** layer0 to layer4. */
  features(x: Tensor): Tensor {
    return torch.tidy(() => this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(this.layer0.forward(x))))));
  }

  /** Global average pooling, dropout, the linear classifier. */
  logits(x: Tensor): Tensor {
    return torch.tidy(() => {
      let h = this.adaptive_avg_pool.forward(x);
      if (this.dropout) h = this.dropout.forward(h);
      return this.last_linear.forward(h.flatten({ startDim: 1 }));
    });
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    return torch.tidy(() => this.logits(this.features(x)));
  }
}

/** Options of the named variants: SENet's, with the variant's defaults, and no `block`. */
export interface SENetVariantOptions extends Omit<SENetOptions, 'block' | 'layers' | 'groups' | 'reduction'> {
  layers?: number[];
  groups?: number;
  reduction?: number;
  /** Cadene's pretrained weights: not downloaded here (throws when true). */
  pretrained?: boolean;
  progress?: boolean;
}
const VARIANT_KEYS = ['pretrained', 'progress'];

function variantOptions(cls: string, options: SENetVariantOptions, block: SEBlockClass, defaults: Partial<SENetOptions>): SENetOptions {
  checkOptions(cls, options, [...KEYS.filter((k) => k !== 'block'), ...VARIANT_KEYS], ['spatialDims', 'inChannels']);
  if (options.pretrained)
    throw new Error(`${cls}: pretrained weights are not downloaded by monai-ts; read Cadene's .pth with torch.load and pass it to loadCadeneSENet`);
  const { pretrained: _p, progress: _q, ...rest } = options;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return { ...defaults, ...given, block } as SENetOptions;
}

/** SENet154: SEBottleneck, layers [3, 8, 36, 3], groups 64, reduction 16, SENet's other defaults. */
export class SENet154 extends SENet {
  constructor(options: SENetVariantOptions) {
    super(variantOptions('SENet154', options, SEBottleneck, { layers: [3, 8, 36, 3], groups: 64, reduction: 16 }), VARIANT_KEYS);
  }
}
const RESNET = { groups: 1, reduction: 16, inplanes: 64, downsampleKernelSize: 1, input3x3: false };
/** SE-ResNet-50: SEResNetBottleneck, layers [3, 4, 6, 3], no dropout, 7x7 stem with 64 channels. */
export class SEResNet50 extends SENet {
  constructor(options: SENetVariantOptions) {
    super(variantOptions('SEResNet50', options, SEResNetBottleneck, { ...RESNET, layers: [3, 4, 6, 3], dropoutProb: null }), VARIANT_KEYS);
  }
}
/** SE-ResNet-101: layers [3, 4, 23, 3] (MONAI keeps SENet's dropout 0.2 here). */
export class SEResNet101 extends SENet {
  constructor(options: SENetVariantOptions) {
    super(variantOptions('SEResNet101', options, SEResNetBottleneck, { ...RESNET, layers: [3, 4, 23, 3] }), VARIANT_KEYS);
  }
}
/** SE-ResNet-152: layers [3, 8, 36, 3] (dropout 0.2, as MONAI). */
export class SEResNet152 extends SENet {
  constructor(options: SENetVariantOptions) {
    super(variantOptions('SEResNet152', options, SEResNetBottleneck, { ...RESNET, layers: [3, 8, 36, 3] }), VARIANT_KEYS);
  }
}
/** SE-ResNeXt-50 (32x4d): SEResNeXtBottleneck, layers [3, 4, 6, 3], groups 32, no dropout. */
export class SEResNeXt50 extends SENet {
  constructor(options: SENetVariantOptions) {
    super(variantOptions('SEResNeXt50', options, SEResNeXtBottleneck, { ...RESNET, groups: 32, layers: [3, 4, 6, 3], dropoutProb: null }), VARIANT_KEYS);
  }
}
/** SE-ResNeXt-101 (32x4d): layers [3, 4, 23, 3], groups 32, no dropout. */
export class SEResNeXt101 extends SENet {
  constructor(options: SENetVariantOptions) {
    super(variantOptions('SEResNeXt101', options, SEResNeXtBottleneck, { ...RESNET, groups: 32, layers: [3, 4, 23, 3], dropoutProb: null }), VARIANT_KEYS);
  }
}

/** MONAI's aliases. */
export const SEnet = SENet;
export const Senet = SENet;
export const SEnet154 = SENet154;
export const Senet154 = SENet154;
export const SEresnet50 = SEResNet50;
export const SEresnet101 = SEResNet101;
export const SEresnet152 = SEResNet152;
export const SEResNext50 = SEResNeXt50;
export const SEResNext101 = SEResNeXt101;
export const SEresnext50 = SEResNeXt50;
export const SEresnext101 = SEResNeXt101;

/**
 * Loads Cadene's pretrained SENet weights (senet154, se_resnet50/101/152, se_resnext50/101_32x4d .pth
 * files, e.g. read with torch.load) the way MONAI's pretrained=True does: conv/bn/se_module/downsample
 * names become MONAI's (conv1.conv, conv1.adn.N, se_layer.fc.0, project.conv, ...), the 1x1-conv SE
 * weights are squeezed to linear weights, and only keys the network has with equal shapes are copied.
 * MONAI's patterns match block indices 0-9 only; deeper blocks (SENet154's layer3.10 and up) keep their
 * own values, as in MONAI. Returns the keys that were loaded.
 */
export function loadCadeneSENet(net: SENet, stateDict: Record<string, Tensor> | Map<string, Tensor>): string[] {
  const entries = stateDict instanceof Map ? [...stateDict.entries()] : Object.entries(stateDict);
  const rules: [RegExp, string, boolean][] = [
    [/^(layer[1-4]\.\d\.(?:conv)\d\.)(\w*)$/, '$1conv.$2', false],
    [/^(layer[1-4]\.\d\.)(?:bn)(\d\.)(\w*)$/, '$1conv$2adn.N.$3', false],
    [/^(layer[1-4]\.\d\.)(?:se_module.fc1.)(\w*)$/, '$1se_layer.fc.0.$2', true],
    [/^(layer[1-4]\.\d\.)(?:se_module.fc2.)(\w*)$/, '$1se_layer.fc.2.$2', true],
    [/^(layer[1-4]\.\d\.)(?:downsample.0.)(\w*)$/, '$1project.conv.$2', false],
    [/^(layer[1-4]\.\d\.)(?:downsample.1.)(\w*)$/, '$1project.adn.N.$2', false],
  ];
  return torch.tidy(() => {
    const own = net.stateDict();
    const picked = new Map<string, Tensor>();
    for (const [key, value] of entries) {
      let k = key;
      let v = value;
      for (const [re, to, squeeze] of rules) {
        if (re.test(key)) {
          k = key.replace(re, to);
          if (squeeze) v = value.squeeze();
          break;
        }
      }
      const mine = own[k];
      if (mine && mine.shape.length === v.shape.length && mine.shape.every((d, i) => d === v.shape[i])) picked.set(k, v);
    }
    net.loadStateDict(picked, { strict: false });
    return [...picked.keys()];
  });
}

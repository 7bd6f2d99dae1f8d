// AHNet (MONAI's monai/networks/nets/ahnet.py): Liu et al.'s anisotropic hybrid network, a ResNet-50-like
// encoder with 3x3x1 kernels and a decoder of pseudo-3D dense blocks and a pyramid pooling module.
// Kernel shapes are MONAI's tuples cut the same way: the last spatialDims entries of (7, 7, 3) give
// (7, 3) in 2-D. The 2-D-to-3-D transfer of a pretrained FCN (MONAI's copy_from) is not provided.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import { Chain } from '../layers/chain.js';
import { Conv, Norm, Pool, type TensorModule } from '../layers/factories.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose } from './net_build.js';

type Triple = readonly [number, number, number];
/** The last `dims` entries of a 3-tuple (Python's t[-dims:]). */
const last = (t: Triple, dims: number): number[] => t.slice(3 - dims);
/** The first `dims` entries (Python's t[:dims]). */
const first = (t: Triple, dims: number): number[] => t.slice(0, dims);

function convN(dims: number, o: Record<string, unknown>): TensorModule {
  return new (Conv.get('conv', dims))(o);
}
function bn(dims: number, n: number): TensorModule {
  return new (Norm.get('batch', dims))({ numFeatures: n });
}
const relu = (): TensorModule => new nn.ReLU({ inplace: true }) as TensorModule;

export type AHNetUpsampleMode = 'transpose' | 'bilinear' | 'trilinear' | 'nearest';

function upLayer(dims: number, channels: number, mode: AHNetUpsampleMode): TensorModule {
  if (mode === 'transpose') return new (Conv.get('convtrans', dims))({ inChannels: channels, outChannels: channels, kernelSize: 2, stride: 2, bias: false });
  return new nn.Upsample({ scaleFactor: 2, mode, alignCorners: mode === 'trilinear' || mode === 'bilinear' ? true : null }) as TensorModule;
}

/** ResNet bottleneck with a 3x3x1 middle convolution; pools the main path when the shortcut shrank along the last axis. */
export class Bottleneck3x3x1 extends nn.Module {
  static readonly expansion = 4;
  declare conv1: TensorModule;
  declare bn1: TensorModule;
  declare conv2: TensorModule;
  declare bn2: TensorModule;
  declare conv3: TensorModule;
  declare bn3: TensorModule;
  declare relu: TensorModule;
  declare downsample: nn.Module | undefined;
  declare pool: TensorModule;
  readonly stride: number | number[];

  constructor(dims: number, inplanes: number, planes: number, stride: number | number[] = 1, downsample: nn.Module | null = null) {
    super();
    this.conv1 = convN(dims, { inChannels: inplanes, outChannels: planes, kernelSize: 1, bias: false });
    this.bn1 = bn(dims, planes);
    this.conv2 = convN(dims, { inChannels: planes, outChannels: planes, kernelSize: last([3, 3, 1], dims), stride, padding: last([1, 1, 0], dims), bias: false });
    this.bn2 = bn(dims, planes);
    this.conv3 = convN(dims, { inChannels: planes, outChannels: planes * 4, kernelSize: 1, bias: false });
    this.bn3 = bn(dims, planes * 4);
    this.relu = relu();
    if (downsample) this.downsample = downsample;
    this.stride = stride;
    this.pool = new (Pool.get('max', dims))({ kernelSize: last([1, 1, 2], dims), stride: last([1, 1, 2], dims) });
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
      out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
      out = this.bn3.forward(this.conv3.forward(out));
      let residual = x;
      if (this.downsample) {
        residual = this.downsample.forward(x) as Tensor;
        if (out.shape.some((s, i) => s !== residual.shape[i])) out = this.pool.forward(out);
      }
      return this.relu.forward(out.add(residual));
    });
  }
}

/** norm, relu, 1x1 convolution. */
export class Projection extends Chain {
  constructor(dims: number, numInputFeatures: number, numOutputFeatures: number) {
    super();
    this.registerModule('norm', bn(dims, numInputFeatures));
    this.registerModule('relu', relu());
    this.registerModule('conv', convN(dims, { inChannels: numInputFeatures, outChannels: numOutputFeatures, kernelSize: 1, stride: 1, bias: false }));
  }
}

/** Pseudo-3D dense layer: a 3x3x1 and a 1x1x3 convolution summed, then 1x1; the result is concatenated to the input. */
export class Pseudo3DLayer extends nn.Module {
  declare bn1: TensorModule;
  declare relu1: TensorModule;
  declare conv1: TensorModule;
  declare bn2: TensorModule;
  declare relu2: TensorModule;
  declare conv2: TensorModule;
  declare bn3: TensorModule;
  declare relu3: TensorModule;
  declare conv3: TensorModule;
  declare bn4: TensorModule;
  declare relu4: TensorModule;
  declare conv4: TensorModule;

  constructor(dims: number, numInputFeatures: number, growthRate: number, bnSize: number) {
    super();
    const mid = bnSize * growthRate;
    this.bn1 = bn(dims, numInputFeatures);
    this.relu1 = relu();
    this.conv1 = convN(dims, { inChannels: numInputFeatures, outChannels: mid, kernelSize: 1, stride: 1, bias: false });
    this.bn2 = bn(dims, mid);
    this.relu2 = relu();
    this.conv2 = convN(dims, { inChannels: mid, outChannels: growthRate, kernelSize: last([3, 3, 1], dims), stride: 1, padding: last([1, 1, 0], dims), bias: false });
    this.bn3 = bn(dims, growthRate);
    this.relu3 = relu();
    this.conv3 = convN(dims, { inChannels: growthRate, outChannels: growthRate, kernelSize: last([1, 1, 3], dims), stride: 1, padding: last([0, 0, 1], dims), bias: false });
    this.bn4 = bn(dims, growthRate);
    this.relu4 = relu();
    this.conv4 = convN(dims, { inChannels: growthRate, outChannels: growthRate, kernelSize: 1, stride: 1, bias: false });
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const a = this.conv2.forward(this.relu2.forward(this.bn2.forward(this.conv1.forward(this.relu1.forward(this.bn1.forward(x))))));
      const b = this.conv3.forward(this.relu3.forward(this.bn3.forward(a)));
      // MONAI switches this layer's dropout off in forward, so none is applied here either.
      const y = this.conv4.forward(this.relu4.forward(this.bn4.forward(a.add(b))));
      return torch.cat([x, y], 1);
    });
  }
}

/** Pseudo3DLayers named denselayer1, denselayer2, ... */
export class AHNetDenseBlock extends Chain {
  constructor(dims: number, numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) this.registerModule(`denselayer${i + 1}`, new Pseudo3DLayer(dims, numInputFeatures + i * growthRate, growthRate, bnSize));
  }
}

/** norm, relu, 1x1 convolution, 2x upsampling (transposed convolution or interpolation). */
export class AHNetUpTransition extends Chain {
  constructor(dims: number, numInputFeatures: number, numOutputFeatures: number, mode: AHNetUpsampleMode = 'transpose') {
    super();
    this.registerModule('norm', bn(dims, numInputFeatures));
    this.registerModule('relu', relu());
    this.registerModule('conv', convN(dims, { inChannels: numInputFeatures, outChannels: numOutputFeatures, kernelSize: 1, stride: 1, bias: false }));
    this.registerModule('up', upLayer(dims, numOutputFeatures, mode));
  }
}

/** norm, relu, 3x3x1 convolution to the output channels, 2x upsampling. */
export class AHNetFinal extends Chain {
  constructor(dims: number, numInputFeatures: number, numOutputFeatures: number, mode: AHNetUpsampleMode = 'transpose') {
    super();
    this.registerModule('norm', bn(dims, numInputFeatures));
    this.registerModule('relu', relu());
    this.registerModule('conv', convN(dims, { inChannels: numInputFeatures, outChannels: numOutputFeatures, kernelSize: last([3, 3, 1], dims), stride: 1, padding: last([1, 1, 0], dims), bias: false }));
    this.registerModule('up', upLayer(dims, numOutputFeatures, mode));
  }
}

/** Pyramid pooling: per level, max pooling by 8, 16, 32, 64 in-plane, a 1-channel projection and upsampling back. */
export class PSP extends nn.Module {
  declare up_modules: nn.ModuleList<TensorModule>;
  declare pool_modules: nn.ModuleList<TensorModule>;
  declare project_modules: nn.ModuleList<TensorModule>;
  readonly spatialDims: number;
  readonly pspBlockNum: number;
  readonly upsampleMode: AHNetUpsampleMode;

  constructor(dims: number, pspBlockNum: number, inCh: number, mode: AHNetUpsampleMode = 'transpose') {
    super();
    this.up_modules = new nn.ModuleList();
    this.pool_modules = new nn.ModuleList();
    this.project_modules = new nn.ModuleList();
    for (let i = 0; i < pspBlockNum; i++) {
      const size = last([2 ** (i + 3), 2 ** (i + 3), 1], dims);
      this.pool_modules.append(new (Pool.get('max', dims))({ kernelSize: size, stride: size }));
      this.project_modules.append(convN(dims, { inChannels: inCh, outChannels: 1, kernelSize: last([1, 1, 1], dims), stride: 1, padding: last([1, 1, 0], dims) }));
    }
    this.spatialDims = dims;
    this.pspBlockNum = pspBlockNum;
    this.upsampleMode = mode;
    if (mode === 'transpose') {
      for (let i = 0; i < pspBlockNum; i++) {
        const size = last([2 ** (i + 3), 2 ** (i + 3), 1], dims);
        const pad = last([2 ** (i + 3), 2 ** (i + 3), 0], dims);
        this.up_modules.append(new (Conv.get('convtrans', dims))({ inChannels: 1, outChannels: 1, kernelSize: size, stride: size, padding: pad }));
      }
    }
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const outputs: Tensor[] = [];
      for (let i = 0; i < this.pspBlockNum; i++) {
        const p = this.project_modules.at(i).forward(this.pool_modules.at(i).forward(x));
        if (this.upsampleMode === 'transpose') {
          outputs.push(this.up_modules.at(i).forward(p));
        } else {
          const alignCorners = this.upsampleMode === 'trilinear' || this.upsampleMode === 'bilinear' ? true : null;
          outputs.push(nn.functional.interpolate(p, { size: x.shape.slice(2), mode: this.upsampleMode, alignCorners }));
        }
      }
      return torch.cat(outputs, 1);
    });
  }
}

export interface AHNetOptions {
  /** Bottleneck blocks per encoder stage (default [3, 4, 6, 3]). */
  layers?: number[];
  /** 2 or 3 (default 3). */
  spatialDims?: number;
  inChannels?: number;
  outChannels?: number;
  /** Pyramid pooling levels, 0 to 4 (default 4). */
  pspBlockNum?: number;
  /** 'transpose' (default), 'bilinear', 'trilinear' or 'nearest'. */
  upsampleMode?: AHNetUpsampleMode;
  /** MONAI's transfer from a pretrained 2-D FCN: not available here (throws when true). */
  pretrained?: boolean;
  progress?: boolean;
}
const KEYS = ['layers', 'spatialDims', 'inChannels', 'outChannels', 'pspBlockNum', 'upsampleMode', 'pretrained', 'progress'];

export class AHNet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly pspBlockNum: number;
  private inplanes = 64;
  declare conv1: TensorModule;
  declare pool1: TensorModule;
  declare bn0: TensorModule;
  declare relu: TensorModule;
  declare maxpool: TensorModule;
  declare layer1: Chain;
  declare layer2: Chain;
  declare layer3: Chain;
  declare layer4: Chain;
  declare up0: AHNetUpTransition;
  declare dense0: AHNetDenseBlock;
  declare up1: AHNetUpTransition;
  declare dense1: AHNetDenseBlock;
  declare up2: AHNetUpTransition;
  declare dense2: AHNetDenseBlock;
  declare trans1: Projection;
  declare dense3: AHNetDenseBlock;
  declare up3: AHNetUpTransition;
  declare dense4: AHNetDenseBlock;
  declare psp: PSP;
  declare final: AHNetFinal;

  constructor(options: AHNetOptions = {}) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS);
    const dims = options.spatialDims ?? 3;
    if (dims !== 2 && dims !== 3) throw new RangeError(`${name}: spatialDims must be 2 or 3, found ${dims}`);
    const pspBlockNum = options.pspBlockNum ?? 4;
    if (![0, 1, 2, 3, 4].includes(pspBlockNum)) throw new RangeError(`${name}: pspBlockNum must be an integer from 0 to 4, found ${pspBlockNum}`);
    const mode = checkChoice(name, 'upsampleMode', options.upsampleMode ?? 'transpose', ['transpose', 'bilinear', 'trilinear', 'nearest'] as const);
    const layers = options.layers ?? [3, 4, 6, 3];
    if (!Array.isArray(layers) || layers.length !== 4 || !layers.every((n) => Number.isInteger(n) && n > 0))
      throw new RangeError(`${name}: layers must be 4 positive block counts, found ${JSON.stringify(layers)}`);
    if (options.pretrained)
      throw new Error(`${name}: pretrained=true (MONAI copies a torchvision FCN-ResNet50 into the encoder) is not available in monai-ts; load converted weights with loadStateDict`);
    this.spatialDims = dims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels ?? 1);
    this.outChannels = checkChannels(name, 'outChannels', options.outChannels ?? 1);
    this.pspBlockNum = pspBlockNum;
    buildOrDispose(name, this, () => {
      this.conv1 = convN(dims, { inChannels: this.inChannels, outChannels: 64, kernelSize: last([7, 7, 3], dims), stride: last([2, 2, 1], dims), padding: last([3, 3, 1], dims), bias: false });
      this.pool1 = new (Pool.get('max', dims))({ kernelSize: last([1, 1, 2], dims), stride: last([1, 1, 2], dims) });
      this.bn0 = bn(dims, 64);
      this.relu = relu();
      this.maxpool = mode === 'transpose' || mode === 'nearest'
        ? new (Pool.get('max', dims))({ kernelSize: last([2, 2, 2], dims), stride: 2 })
        : new (Pool.get('max', dims))({ kernelSize: last([3, 3, 3], dims), stride: 2, padding: 1 });
      this.layer1 = this.makeLayer(64, layers[0], 1);
      this.layer2 = this.makeLayer(128, layers[1], 2);
      this.layer3 = this.makeLayer(256, layers[2], 2);
      this.layer4 = this.makeLayer(512, layers[3], 2);
      const growth = 20, bnSize = 4, nLayers = 3;
      this.up0 = new AHNetUpTransition(dims, 2048, 1024, mode);
      this.dense0 = new AHNetDenseBlock(dims, nLayers, 1024, bnSize, growth);
      this.up1 = new AHNetUpTransition(dims, 1024 + nLayers * growth, 512, mode);
      this.dense1 = new AHNetDenseBlock(dims, nLayers, 512, bnSize, growth);
      this.up2 = new AHNetUpTransition(dims, 512 + nLayers * growth, 256, mode);
      this.dense2 = new AHNetDenseBlock(dims, nLayers, 256, bnSize, growth);
      this.trans1 = new Projection(dims, 256 + nLayers * growth, 64);
      this.dense3 = new AHNetDenseBlock(dims, nLayers, 64, bnSize, growth);
      this.up3 = new AHNetUpTransition(dims, 64 + nLayers * growth, 64, mode);
      this.dense4 = new AHNetDenseBlock(dims, nLayers, 64, bnSize, growth);
      const nOut = 64 + nLayers * growth;
      this.psp = new PSP(dims, pspBlockNum, nOut, mode);
      this.final = new AHNetFinal(dims, pspBlockNum + nOut, this.outChannels, mode);
    });
    // MONAI's initialisation: N(0, sqrt(2 / (k0 * k1 * out))) (transposed) convolutions, unit batch norms.
    const ConvN: unknown = Conv.get('conv', dims);
    const ConvT: unknown = Conv.get('convtrans', dims);
    const BN: unknown = Norm.get('batch', dims);
    for (const m of this.modules()) {
      if (m instanceof (ConvN as typeof nn.Conv2d) || m instanceof (ConvT as typeof nn.ConvTranspose2d)) {
        const c = m as nn.Conv2d;
        nn.init.normal_(c.weight, 0, Math.sqrt(2 / (c.kernelSize[0] * c.kernelSize[1] * c.outChannels)));
      } else if (m instanceof (BN as typeof nn.BatchNorm2d)) {
        const b = m as nn.BatchNorm2d;
        if (b.weight) nn.init.constant_(b.weight, 1);
        if (b.bias) nn.init.constant_(b.bias, 0);
      }
    }
  }

  private makeLayer(planes: number, blocks: number, stride: number): Chain {
    const dims = this.spatialDims;
    const exp = Bottleneck3x3x1.expansion;
    let downsample: Chain | null = null;
    if (stride !== 1 || this.inplanes !== planes * exp) {
      downsample = new Chain(
        convN(dims, { inChannels: this.inplanes, outChannels: planes * exp, kernelSize: 1, stride: first([stride, stride, 1], dims), bias: false }),
        new (Pool.get('max', dims))({ kernelSize: first([1, 1, stride], dims), stride: first([1, 1, stride], dims) }),
        bn(dims, planes * exp),
      );
    }
    const layers: nn.Module[] = [new Bottleneck3x3x1(dims, this.inplanes, planes, first([stride, stride, 1], dims), downsample)];
    this.inplanes = planes * exp;
    for (let i = 1; i < blocks; i++) layers.push(new Bottleneck3x3x1(dims, this.inplanes, planes));
    return new Chain(...layers);
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    return torch.tidy(() => {
      const convX = this.relu.forward(this.bn0.forward(this.pool1.forward(this.conv1.forward(x))));
      const poolX = this.maxpool.forward(convX);
      const fm1 = this.layer1.forward(poolX);
      const fm2 = this.layer2.forward(fm1);
      const fm3 = this.layer3.forward(fm2);
      const fm4 = this.layer4.forward(fm3);
      const d0 = this.dense0.forward(this.up0.forward(fm4).add(fm3));
      const d1 = this.dense1.forward(this.up1.forward(d0).add(fm2));
      const d2 = this.dense2.forward(this.up2.forward(d1).add(fm1));
      const d3 = this.dense3.forward(this.trans1.forward(d2).add(poolX));
      const d4 = this.dense4.forward(this.up3.forward(d3).add(convX));
      const y = this.pspBlockNum > 0 ? torch.cat([this.psp.forward(d4), d4], 1) : d4;
      return this.final.forward(y);
    });
  }
}

/** MONAI's aliases. */
export const AHnet = AHNet;
export const Ahnet = AHNet;

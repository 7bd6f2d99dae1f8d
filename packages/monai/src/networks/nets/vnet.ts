// VNet (MONAI's monai/networks/nets/vnet.py): Milletari et al.'s fully convolutional network with 5x5(x5)
// convolutions and residual stages, 16 to 256 channels. Module names follow MONAI's (in_tr, down_tr32,
// ..., up_tr256, ..., out_tr; act_function, conv_block, ops, bn1, up_conv, down_conv).
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, checkChannels } from '../blocks/convolutions.js';
import { Chain } from '../layers/chain.js';
import { Conv, Dropout, Norm, type TensorModule } from '../layers/factories.js';
import { getActLayer, layerFromOption, type LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';

/** MONAI's vnet.get_acti_layer: 'prelu' (exactly) gets one parameter per channel. */
function actLayer(act: LayerSpec, nchan: number): TensorModule {
  const spec: LayerSpec = act === 'prelu' ? ['prelu', { numParameters: nchan }] : act;
  return layerFromOption('VNet', 'act', () => getActLayer(spec));
}

function conv5(spatialDims: number, inChannels: number, outChannels: number, bias: boolean): Convolution {
  return new Convolution({ spatialDims, inChannels, outChannels, kernelSize: 5, act: null, norm: 'batch', bias });
}

/** Convolution (5, batch norm) then the activation. */
export class LUConv extends nn.Module {
  declare act_function: TensorModule;
  declare conv_block: Convolution;
  constructor(spatialDims: number, nchan: number, act: LayerSpec, bias = false) {
    super();
    this.act_function = actLayer(act, nchan);
    this.conv_block = conv5(spatialDims, nchan, nchan, bias);
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.act_function.forward(this.conv_block.forward(x)));
  }
}

function makeNConv(spatialDims: number, nchan: number, depth: number, act: LayerSpec, bias = false): Chain {
  return new Chain(...Array.from({ length: depth }, () => new LUConv(spatialDims, nchan, act, bias)));
}

/** First stage: a 5x5(x5) convolution plus the input repeated to its channel count. */
export class InputTransition extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  declare act_function: TensorModule;
  declare conv_block: Convolution;
  constructor(spatialDims: number, inChannels: number, outChannels: number, act: LayerSpec, bias = false) {
    super();
    if (outChannels % inChannels !== 0)
      throw new RangeError(`VNet: the first stage's 16 channels must be divisible by inChannels, found inChannels=${inChannels}`);
    this.spatialDims = spatialDims;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.act_function = actLayer(act, outChannels);
    this.conv_block = conv5(spatialDims, inChannels, outChannels, bias);
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const repeats = [1, this.outChannels / this.inChannels, ...new Array(this.spatialDims).fill(1)];
      return this.act_function.forward(this.conv_block.forward(x).add(x.repeat(repeats)));
    });
  }
}

/** Strided 2x2(x2) convolution doubling the channels, then nconvs LUConvs with a residual. */
export class DownTransition extends nn.Module {
  declare down_conv: TensorModule;
  declare bn1: TensorModule;
  declare act_function1: TensorModule;
  declare act_function2: TensorModule;
  declare ops: Chain;
  declare dropout: TensorModule | undefined;
  constructor(spatialDims: number, inChannels: number, nconvs: number, act: LayerSpec, dropoutProb: number | null = null, dropoutDim = 3, bias = false) {
    super();
    const out = 2 * inChannels;
    this.down_conv = new (Conv.get('conv', spatialDims))({ inChannels, outChannels: out, kernelSize: 2, stride: 2, bias });
    this.bn1 = new (Norm.get('batch', spatialDims))({ numFeatures: out });
    this.act_function1 = actLayer(act, out);
    this.act_function2 = actLayer(act, out);
    this.ops = makeNConv(spatialDims, out, nconvs, act, bias);
    if (dropoutProb !== null) this.dropout = new (Dropout.get('dropout', dropoutDim))({ p: dropoutProb });
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const down = this.act_function1.forward(this.bn1.forward(this.down_conv.forward(x)));
      const out = this.ops.forward(this.dropout ? this.dropout.forward(down) : down);
      return this.act_function2.forward(out.add(down));
    });
  }
}

/** Transposed 2x2(x2) convolution, concatenation with the (dropped-out) skip, nconvs LUConvs with a residual. */
export class UpTransition extends nn.Module {
  declare up_conv: TensorModule;
  declare bn1: TensorModule;
  declare dropout: TensorModule | undefined;
  declare dropout2: TensorModule;
  declare act_function1: TensorModule;
  declare act_function2: TensorModule;
  declare ops: Chain;
  constructor(spatialDims: number, inChannels: number, outChannels: number, nconvs: number, act: LayerSpec, dropoutProb: [number | null, number] = [null, 0.5], dropoutDim = 3) {
    super();
    const half = Math.floor(outChannels / 2);
    const D = Dropout.get('dropout', dropoutDim);
    this.up_conv = new (Conv.get('convtrans', spatialDims))({ inChannels, outChannels: half, kernelSize: 2, stride: 2 });
    this.bn1 = new (Norm.get('batch', spatialDims))({ numFeatures: half });
    if (dropoutProb[0] !== null) this.dropout = new D({ p: dropoutProb[0] });
    this.dropout2 = new D({ p: dropoutProb[1] });
    this.act_function1 = actLayer(act, half);
    this.act_function2 = actLayer(act, outChannels);
    this.ops = makeNConv(spatialDims, outChannels, nconvs, act);
  }
  forward(x: Tensor, skipx: Tensor): Tensor {
    return torch.tidy(() => {
      const inp = this.dropout ? this.dropout.forward(x) : x;
      const skip = this.dropout2.forward(skipx);
      const up = this.act_function1.forward(this.bn1.forward(this.up_conv.forward(inp)));
      const xcat = torch.cat([up, skip], 1);
      return this.act_function2.forward(this.ops.forward(xcat).add(xcat));
    });
  }
}

/** 5x5(x5) convolution to the output channels, activation, then a 1x1(x1) convolution. */
export class OutputTransition extends nn.Module {
  declare act_function1: TensorModule;
  declare conv_block: Convolution;
  declare conv2: TensorModule;
  constructor(spatialDims: number, inChannels: number, outChannels: number, act: LayerSpec, bias = false) {
    super();
    this.act_function1 = actLayer(act, outChannels);
    this.conv_block = conv5(spatialDims, inChannels, outChannels, bias);
    this.conv2 = new (Conv.get('conv', spatialDims))({ inChannels: outChannels, outChannels, kernelSize: 1 });
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.conv2.forward(this.act_function1.forward(this.conv_block.forward(x))));
  }
}

export interface VNetOptions {
  /** 2 or 3 (default 3). */
  spatialDims?: number;
  inChannels?: number;
  outChannels?: number;
  /** Default ['elu', { inplace: true }]; 'prelu' gets one parameter per channel. */
  act?: LayerSpec;
  /** Deprecated since MONAI 1.2: sets dropoutProbDown when that is not given. */
  dropoutProb?: number | null;
  /** Dropout of the two deepest down stages (default 0.5; null for none). */
  dropoutProbDown?: number | null;
  /** Dropout of the input and of the skip in the two deepest up stages (default [0.5, 0.5]). */
  dropoutProbUp?: [number | null, number];
  /** Dropout layer dimensions (default 3: Dropout3d, also in 2-D, as MONAI). */
  dropoutDim?: number;
  bias?: boolean;
}
const KEYS = ['spatialDims', 'inChannels', 'outChannels', 'act', 'dropoutProb', 'dropoutProbDown', 'dropoutProbUp', 'dropoutDim', 'bias'];

export class VNet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  declare in_tr: InputTransition;
  declare down_tr32: DownTransition;
  declare down_tr64: DownTransition;
  declare down_tr128: DownTransition;
  declare down_tr256: DownTransition;
  declare up_tr256: UpTransition;
  declare up_tr128: UpTransition;
  declare up_tr64: UpTransition;
  declare up_tr32: UpTransition;
  declare out_tr: OutputTransition;

  constructor(options: VNetOptions = {}) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS);
    const spatialDims = options.spatialDims ?? 3;
    if (spatialDims !== 2 && spatialDims !== 3) throw new RangeError(`${name}: spatialDims must be 2 or 3, found ${spatialDims}`);
    this.spatialDims = spatialDims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels ?? 1);
    this.outChannels = checkChannels(name, 'outChannels', options.outChannels ?? 1);
    const act = options.act ?? ['elu', { inplace: true }];
    if (options.dropoutProb !== undefined)
      process.emitWarning(`${name}: dropoutProb is deprecated since MONAI 1.2, use dropoutProbDown and dropoutProbUp`, 'DeprecationWarning');
    const down = options.dropoutProbDown !== undefined ? options.dropoutProbDown : options.dropoutProb !== undefined ? options.dropoutProb : 0.5;
    const up = options.dropoutProbUp ?? [0.5, 0.5];
    const dd = options.dropoutDim ?? 3;
    const bias = options.bias ?? false;
    checkLayerSpecs(name, [{ option: 'act', kind: 'act', spec: act === 'prelu' ? ['prelu', { numParameters: 16 }] : act }]);
    buildOrDispose(name, this, () => {
      this.in_tr = new InputTransition(spatialDims, this.inChannels, 16, act, bias);
      this.down_tr32 = new DownTransition(spatialDims, 16, 1, act, null, dd, bias);
      this.down_tr64 = new DownTransition(spatialDims, 32, 2, act, null, dd, bias);
      this.down_tr128 = new DownTransition(spatialDims, 64, 3, act, down, dd, bias);
      this.down_tr256 = new DownTransition(spatialDims, 128, 2, act, down, dd, bias);
      this.up_tr256 = new UpTransition(spatialDims, 256, 256, 2, act, up, dd);
      this.up_tr128 = new UpTransition(spatialDims, 256, 128, 2, act, up, dd);
      this.up_tr64 = new UpTransition(spatialDims, 128, 64, 1, act, [null, 0.5], dd);
      this.up_tr32 = new UpTransition(spatialDims, 64, 32, 1, act, [null, 0.5], dd);
      this.out_tr = new OutputTransition(spatialDims, 32, this.outChannels, act, bias);
    });
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    const bad = x.shape.slice(2).find((s) => s % 16 !== 0);
    if (bad !== undefined) throw new RangeError(`${this.constructor.name}: spatial sizes must be multiples of 16 (four 2x downsamplings), found shape [${x.shape.join(', ')}]`);
    return torch.tidy(() => {
      const out16 = this.in_tr.forward(x);
      const out32 = this.down_tr32.forward(out16);
      const out64 = this.down_tr64.forward(out32);
      const out128 = this.down_tr128.forward(out64);
      const out256 = this.down_tr256.forward(out128);
      let y = this.up_tr256.forward(out256, out128);
      y = this.up_tr128.forward(y, out64);
      y = this.up_tr64.forward(y, out32);
      y = this.up_tr32.forward(y, out16);
      return this.out_tr.forward(y);
    });
  }
}

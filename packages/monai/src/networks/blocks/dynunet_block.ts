// DynUNet's blocks (MONAI's monai/networks/blocks/dynunet_block.py): UnetResBlock, UnetBasicBlock,
// UnetUpBlock, UnetOutBlock and getConvLayer with nnU-Net's padding rule. Child names match MONAI's
// ('conv1.conv.weight', 'norm1.weight', 'transp_conv.conv.weight', 'conv_block.conv1.conv.weight').
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution } from './convolutions.js';
import type { TensorModule } from '../layers/factories.js';
import { getActLayer, getNormLayer, layerFromOption, type DropoutSpec, type LayerSpec } from '../layers/utils.js';

type IntOrSeq = number | number[];

const asList = (v: IntOrSeq): number[] => (typeof v === 'number' ? [v] : v);
const single = (v: number[]): IntOrSeq => (v.length === 1 ? v[0] : v);

function broadcast(a: number[], b: number[], what: string): [number[], number[]] {
  if (a.length === b.length) return [a, b];
  if (a.length === 1) return [b.map(() => a[0]), b];
  if (b.length === 1) return [a, a.map(() => b[0])];
  throw new RangeError(`${what}: kernel size ${JSON.stringify(a)} and stride ${JSON.stringify(b)} have different lengths`);
}

/** (kernel - stride + 1) / 2 per dimension, floored; a single value stays a number. */
export function getPadding(kernelSize: IntOrSeq, stride: IntOrSeq): IntOrSeq {
  const [k, s] = broadcast(asList(kernelSize), asList(stride), 'getPadding');
  const p = k.map((ki, i) => (ki - s[i] + 1) / 2);
  if (Math.min(...p) < 0) throw new RangeError(`getPadding: padding would be negative for kernelSize=${JSON.stringify(kernelSize)} and stride=${JSON.stringify(stride)}; use a larger kernel or a smaller stride`);
  return single(p.map((v) => Math.trunc(v)));
}

/** 2 * padding + stride - kernel per dimension: the output padding that makes a transposed conv invert the conv. */
export function getOutputPadding(kernelSize: IntOrSeq, stride: IntOrSeq, padding: IntOrSeq): IntOrSeq {
  const [k, s] = broadcast(asList(kernelSize), asList(stride), 'getOutputPadding');
  const [p] = broadcast(asList(padding), k, 'getOutputPadding');
  const out = k.map((ki, i) => 2 * p[i] + s[i] - ki);
  if (Math.min(...out) < 0) throw new RangeError(`getOutputPadding: output padding would be negative for kernelSize=${JSON.stringify(kernelSize)} and stride=${JSON.stringify(stride)}; use a smaller kernel or a larger stride`);
  return single(out);
}

export interface GetConvLayerOptions {
  kernelSize?: IntOrSeq;
  stride?: IntOrSeq;
  /** Default 'prelu'. */
  act?: LayerSpec | null;
  /** Default 'instance'. */
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  bias?: boolean;
  convOnly?: boolean;
  isTransposed?: boolean;
}

/** A Convolution padded as nnU-Net does (MONAI's dynunet_block.get_conv_layer). */
export function getConvLayer(spatialDims: number, inChannels: number, outChannels: number, options: GetConvLayerOptions = {}): Convolution {
  const kernelSize = options.kernelSize ?? 3;
  const stride = options.stride ?? 1;
  const padding = getPadding(kernelSize, stride);
  const isTransposed = options.isTransposed ?? false;
  return new Convolution({
    spatialDims, inChannels, outChannels, strides: stride, kernelSize,
    act: options.act === undefined ? 'prelu' : options.act,
    norm: options.norm === undefined ? 'instance' : options.norm,
    dropout: options.dropout ?? null, bias: options.bias ?? false, convOnly: options.convOnly ?? true, isTransposed, padding,
    outputPadding: isTransposed ? getOutputPadding(kernelSize, stride, padding) : null,
  });
}

export interface UnetBlockOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  kernelSize: IntOrSeq;
  stride: IntOrSeq;
  normName: LayerSpec;
  /** Default ['leakyrelu', { inplace: true, negativeSlope: 0.01 }]. */
  actName?: LayerSpec;
  dropout?: DropoutSpec | null;
}
const BLOCK_KEYS = ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'stride', 'normName', 'actName', 'dropout'];
const BLOCK_REQUIRED = ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'stride', 'normName'];
export const DEFAULT_DYNUNET_ACT: LayerSpec = ['leakyrelu', { inplace: true, negativeSlope: 0.01 }];

/** A conv without norm or activation (the block applies its own), as MONAI's blocks build them. */
function bareConv(o: UnetBlockOptions, inChannels: number, kernelSize: IntOrSeq, stride: IntOrSeq, extra: Partial<GetConvLayerOptions> = {}): Convolution {
  return getConvLayer(o.spatialDims, inChannels, o.outChannels, { kernelSize, stride, dropout: o.dropout ?? null, act: null, norm: null, convOnly: false, ...extra });
}

function norm(owner: string, o: UnetBlockOptions): TensorModule {
  return layerFromOption(owner, 'normName', () => getNormLayer(o.normName, o.spatialDims, o.outChannels));
}

/** Two convolutions with norm and activation, and a residual path (1x1 conv + norm when the shape changes). */
export class UnetResBlock extends nn.Module {
  declare conv1: Convolution;
  declare conv2: Convolution;
  declare lrelu: TensorModule;
  declare norm1: TensorModule;
  declare norm2: TensorModule;
  declare conv3: Convolution | undefined;
  declare norm3: TensorModule | undefined;
  readonly downsample: boolean;

  constructor(options: UnetBlockOptions) {
    super();
    checkOptions('UnetResBlock', options, BLOCK_KEYS, BLOCK_REQUIRED);
    // Layers from names first (they may throw), registered afterwards in MONAI's order.
    const lrelu = layerFromOption('UnetResBlock', 'actName', () => getActLayer(options.actName ?? DEFAULT_DYNUNET_ACT));
    const norm1 = norm('UnetResBlock', options);
    const norm2 = norm('UnetResBlock', options);
    this.conv1 = bareConv(options, options.inChannels, options.kernelSize, options.stride);
    this.conv2 = bareConv(options, options.outChannels, options.kernelSize, 1);
    this.lrelu = lrelu;
    this.norm1 = norm1;
    this.norm2 = norm2;
    this.downsample = options.inChannels !== options.outChannels || asList(options.stride).some((s) => s !== 1);
    if (this.downsample) {
      this.conv3 = bareConv(options, options.inChannels, 1, options.stride);
      this.norm3 = norm('UnetResBlock', options);
    }
  }

  forward(inp: Tensor): Tensor {
    return torch.tidy(() => {
      let out = this.lrelu.forward(this.norm1.forward(this.conv1.forward(inp)));
      out = this.norm2.forward(this.conv2.forward(out));
      const residual = this.conv3 && this.norm3 ? this.norm3.forward(this.conv3.forward(inp)) : inp;
      return this.lrelu.forward(out.add(residual));
    });
  }
}

/** Two convolutions, each followed by norm and activation. */
export class UnetBasicBlock extends nn.Module {
  declare conv1: Convolution;
  declare conv2: Convolution;
  declare lrelu: TensorModule;
  declare norm1: TensorModule;
  declare norm2: TensorModule;

  constructor(options: UnetBlockOptions) {
    super();
    checkOptions('UnetBasicBlock', options, BLOCK_KEYS, BLOCK_REQUIRED);
    // Layers from names first (they may throw), registered afterwards in MONAI's order.
    const lrelu = layerFromOption('UnetBasicBlock', 'actName', () => getActLayer(options.actName ?? DEFAULT_DYNUNET_ACT));
    const norm1 = norm('UnetBasicBlock', options);
    const norm2 = norm('UnetBasicBlock', options);
    this.conv1 = bareConv(options, options.inChannels, options.kernelSize, options.stride);
    this.conv2 = bareConv(options, options.outChannels, options.kernelSize, 1);
    this.lrelu = lrelu;
    this.norm1 = norm1;
    this.norm2 = norm2;
  }

  forward(inp: Tensor): Tensor {
    return torch.tidy(() => {
      const out = this.lrelu.forward(this.norm1.forward(this.conv1.forward(inp)));
      return this.lrelu.forward(this.norm2.forward(this.conv2.forward(out)));
    });
  }
}

export interface UnetUpBlockOptions extends Omit<UnetBlockOptions, 'stride'> {
  stride: IntOrSeq;
  upsampleKernelSize: IntOrSeq;
  transBias?: boolean;
}

/** A transposed convolution (stride = its kernel size), concatenation with the skip, then a basic block. */
export class UnetUpBlock extends nn.Module {
  declare transp_conv: Convolution;
  declare conv_block: UnetBasicBlock;

  constructor(options: UnetUpBlockOptions) {
    super();
    checkOptions('UnetUpBlock', options, [...BLOCK_KEYS, 'upsampleKernelSize', 'transBias'], [...BLOCK_REQUIRED, 'upsampleKernelSize']);
    const up = options.upsampleKernelSize;
    this.transp_conv = bareConv(options, options.inChannels, up, up, { bias: options.transBias ?? false, isTransposed: true });
    this.conv_block = new UnetBasicBlock({
      spatialDims: options.spatialDims, inChannels: 2 * options.outChannels, outChannels: options.outChannels, kernelSize: options.kernelSize,
      stride: 1, dropout: options.dropout ?? null, normName: options.normName, actName: options.actName ?? DEFAULT_DYNUNET_ACT,
    });
  }

  forward(inp: Tensor, skip: Tensor): Tensor {
    return torch.tidy(() => this.conv_block.forward(torch.cat([this.transp_conv.forward(inp), skip], 1)));
  }
}

/** A 1x1 convolution with bias: the network's output head. */
export class UnetOutBlock extends nn.Module {
  declare conv: Convolution;

  constructor(options: { spatialDims: number; inChannels: number; outChannels: number; dropout?: DropoutSpec | null }) {
    super();
    checkOptions('UnetOutBlock', options, ['spatialDims', 'inChannels', 'outChannels', 'dropout'], ['spatialDims', 'inChannels', 'outChannels']);
    this.conv = getConvLayer(options.spatialDims, options.inChannels, options.outChannels, {
      kernelSize: 1, stride: 1, dropout: options.dropout ?? null, bias: true, act: null, norm: null, convOnly: false,
    });
  }

  forward(inp: Tensor): Tensor {
    return this.conv.forward(inp);
  }
}

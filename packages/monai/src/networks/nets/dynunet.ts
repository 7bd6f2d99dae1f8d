// DynUNet (MONAI's monai/networks/nets/dynunet.py): nnU-Net's dynamic UNet with anisotropic kernels and
// strides, residual blocks and deep supervision. The blocks are registered as in MONAI (input_block,
// downsamples, bottleneck, upsamples, output_block, deep_supervision_heads) and again through the
// recursive skip_layers chain, so the state dict holds MONAI's duplicated keys too.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import {
  DEFAULT_DYNUNET_ACT, UnetBasicBlock, UnetOutBlock, UnetResBlock, UnetUpBlock, type UnetBlockOptions,
} from '../blocks/dynunet_block.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';

type IntOrSeq = number | number[];

/** One level of the UNet: downsample, the deeper levels, upsample with the skip, and an optional supervision head. */
export class DynUNetSkipLayer extends nn.Module {
  declare downsample: nn.Module;
  declare next_layer: nn.Module;
  declare upsample: UnetUpBlock;
  declare super_head: UnetOutBlock | undefined;
  readonly index: number;
  /** Shared with the network: head outputs of the last forward pass, by level - 1. */
  heads: (Tensor | null)[] | null;

  constructor(index: number, downsample: nn.Module, upsample: UnetUpBlock, nextLayer: nn.Module, heads: (Tensor | null)[] | null = null, superHead: UnetOutBlock | null = null) {
    super();
    this.downsample = downsample;
    this.next_layer = nextLayer;
    this.upsample = upsample;
    if (superHead) this.super_head = superHead;
    this.heads = heads;
    this.index = index;
  }

  forward(x: Tensor): Tensor {
    const downout = this.downsample.forward(x) as Tensor;
    const nextout = this.next_layer.forward(downout) as Tensor;
    const upout = this.upsample.forward(nextout, downout);
    nextout.dispose();
    downout.dispose();
    if (this.super_head && this.heads && this.index > 0) this.heads[this.index - 1] = this.super_head.forward(upout);
    return upout;
  }
}

export interface DynUNetOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  /** Kernel size per block (input block, downsamples, bottleneck); at least 3 entries. */
  kernelSize: IntOrSeq[];
  /** Stride per block, as many as kernelSize. */
  strides: IntOrSeq[];
  /** Transposed-convolution kernel (= stride) per upsampling block: strides.slice(1). */
  upsampleKernelSize: IntOrSeq[];
  /** Output channels per block; default nnU-Net's min(2 ** (5 + i), 320 in 3D / 512 in 2D). */
  filters?: number[] | null;
  dropout?: DropoutSpec | null;
  /** Default ['INSTANCE', { affine: true }]. */
  normName?: LayerSpec;
  /** Default ['leakyrelu', { inplace: true, negativeSlope: 0.01 }]. */
  actName?: LayerSpec;
  /** In training, also return the supervision heads' outputs, resized and stacked on dim 1. */
  deepSupervision?: boolean;
  /** Number of supervision heads (1 to the number of upsampling blocks - 1). */
  deepSuprNum?: number;
  resBlock?: boolean;
  transBias?: boolean;
}
const KEYS = ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'strides', 'upsampleKernelSize', 'filters', 'dropout', 'normName', 'actName', 'deepSupervision', 'deepSuprNum', 'resBlock', 'transBias'];
const REQUIRED = ['spatialDims', 'inChannels', 'outChannels', 'kernelSize', 'strides', 'upsampleKernelSize'];

type Block = UnetBasicBlock | UnetResBlock;

export class DynUNet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: IntOrSeq[];
  readonly strides: IntOrSeq[];
  readonly upsampleKernelSize: IntOrSeq[];
  readonly filters: number[];
  readonly normName: LayerSpec;
  readonly actName: LayerSpec;
  readonly dropout: DropoutSpec | null;
  readonly deepSupervision: boolean;
  readonly deepSuprNum: number;
  readonly transBias: boolean;
  declare input_block: Block;
  declare downsamples: nn.ModuleList<Block>;
  declare bottleneck: Block;
  declare upsamples: nn.ModuleList<UnetUpBlock>;
  declare output_block: UnetOutBlock;
  declare deep_supervision_heads: nn.ModuleList<UnetOutBlock> | undefined;
  declare skip_layers: DynUNetSkipLayer;
  /** Supervision head outputs during a forward pass (MONAI's `heads`). */
  heads: (Tensor | null)[] = [];

  constructor(options: DynUNetOptions) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS, REQUIRED);
    const { spatialDims, kernelSize, strides, upsampleKernelSize } = options;
    if (![1, 2, 3].includes(spatialDims)) throw new RangeError(`${name}: spatialDims must be 1, 2 or 3, found ${spatialDims}`);
    this.spatialDims = spatialDims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels);
    this.outChannels = checkChannels(name, 'outChannels', options.outChannels);
    if (!Array.isArray(kernelSize) || !Array.isArray(strides) || kernelSize.length !== strides.length || kernelSize.length < 3)
      throw new RangeError(`${name}: kernelSize and strides must have the same length, at least 3; found ${JSON.stringify(kernelSize)} and ${JSON.stringify(strides)}`);
    kernelSize.forEach((k, i) => {
      if (Array.isArray(k) && k.length !== spatialDims) throw new RangeError(`${name}: kernelSize[${i}] must have spatialDims=${spatialDims} values, found ${JSON.stringify(k)}`);
    });
    strides.forEach((s, i) => {
      if (Array.isArray(s) && s.length !== spatialDims) throw new RangeError(`${name}: strides[${i}] must have spatialDims=${spatialDims} values, found ${JSON.stringify(s)}`);
    });
    if (!Array.isArray(upsampleKernelSize) || upsampleKernelSize.length !== strides.length - 1)
      throw new RangeError(`${name}: upsampleKernelSize must have len(strides) - 1 = ${strides.length - 1} entries (strides[1:]), found ${JSON.stringify(upsampleKernelSize)}`);
    this.kernelSize = kernelSize;
    this.strides = strides;
    this.upsampleKernelSize = upsampleKernelSize;
    this.normName = options.normName ?? ['INSTANCE', { affine: true }];
    this.actName = options.actName ?? DEFAULT_DYNUNET_ACT;
    this.dropout = options.dropout ?? null;
    this.transBias = options.transBias ?? false;
    if (options.filters != null) {
      if (!Array.isArray(options.filters) || options.filters.length < strides.length)
        throw new RangeError(`${name}: filters must have at least len(strides) = ${strides.length} values, found ${JSON.stringify(options.filters)}`);
      options.filters.forEach((f, i) => checkChannels(name, `filters[${i}]`, f));
      this.filters = options.filters.slice(0, strides.length);
    } else {
      this.filters = strides.map((_, i) => Math.min(2 ** (5 + i), spatialDims === 3 ? 320 : 512));
    }
    this.deepSupervision = options.deepSupervision ?? false;
    this.deepSuprNum = options.deepSuprNum ?? 1;
    if (this.deepSupervision && !(Number.isInteger(this.deepSuprNum) && this.deepSuprNum >= 1 && this.deepSuprNum < strides.length - 1))
      throw new RangeError(`${name}: deepSuprNum must be an integer from 1 to the number of upsampling blocks - 1 (${strides.length - 2}), found ${this.deepSuprNum}`);

    checkLayerSpecs(name, [
      { option: 'normName', kind: 'norm', spec: this.normName, dims: spatialDims },
      { option: 'actName', kind: 'act', spec: this.actName },
      { option: 'dropout', kind: 'dropout', spec: this.dropout, dims: 1 },
    ]);
    const Block = options.resBlock ? UnetResBlock : UnetBasicBlock;
    const f = this.filters;
    const block = (inC: number, outC: number, k: IntOrSeq, s: IntOrSeq): Block =>
      new Block(this.blockOptions(inC, outC, k, s));
    buildOrDispose(name, this, () => {
      this.input_block = block(this.inChannels, f[0], kernelSize[0], strides[0]);
      this.downsamples = new nn.ModuleList(f.slice(1, -1).map((c, i) => block(f[i], c, kernelSize[i + 1], strides[i + 1])));
      this.bottleneck = block(f[f.length - 2], f[f.length - 1], kernelSize[kernelSize.length - 1], strides[strides.length - 1]);
      // Deepest first, as MONAI lists them.
      const ups: UnetUpBlock[] = [];
      for (let j = f.length - 1; j >= 1; j--) {
        ups.push(new UnetUpBlock({
          ...this.blockOptions(f[j], f[j - 1], kernelSize[j], strides[j]),
          upsampleKernelSize: upsampleKernelSize[j - 1], transBias: this.transBias,
        }));
      }
      this.upsamples = new nn.ModuleList(ups);
      this.output_block = this.outBlock(0);
      this.heads = new Array(this.deepSuprNum).fill(null);
      if (this.deepSupervision) this.deep_supervision_heads = new nn.ModuleList(Array.from({ length: this.deepSuprNum }, (_, i) => this.outBlock(i + 1)));
    });
    this.initializeWeights();
    const downs: nn.Module[] = [this.input_block, ...this.downsamples];
    const upsTopFirst = [...this.upsamples].reverse();
    const heads = this.deep_supervision_heads ? [...this.deep_supervision_heads] : null;
    const build = (index: number): nn.Module => {
      if (index === downs.length) return this.bottleneck;
      const next = build(index + 1);
      const head = heads && index > 0 ? heads[index - 1] ?? null : null;
      return new DynUNetSkipLayer(index, downs[index], upsTopFirst[index], next, head ? this.heads : null, head);
    };
    this.skip_layers = build(0) as DynUNetSkipLayer;
  }

  private blockOptions(inChannels: number, outChannels: number, kernelSize: IntOrSeq, stride: IntOrSeq): UnetBlockOptions {
    return { spatialDims: this.spatialDims, inChannels, outChannels, kernelSize, stride, normName: this.normName, actName: this.actName, dropout: this.dropout };
  }

  private outBlock(idx: number): UnetOutBlock {
    return new UnetOutBlock({ spatialDims: this.spatialDims, inChannels: this.filters[idx], outChannels: this.outChannels, dropout: this.dropout });
  }

  /** MONAI's initialize_weights: kaiming-normal (a = 0.01) 2-D/3-D (transposed) conv weights, zero biases. */
  private initializeWeights(): void {
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Conv3d || m instanceof nn.ConvTranspose2d || m instanceof nn.ConvTranspose3d) {
        nn.init.kaimingNormal_(m.weight, { a: 0.01 });
        if (m.bias) nn.init.constant_(m.bias, 0);
      }
    }
  }

  /**
   * The segmentation logits; in training with deepSupervision, the output and the heads' outputs
   * (nearest-resized to the output size) stacked on dim 1: (B, 1 + deepSuprNum, C, spatial...).
   */
  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    try {
      return torch.tidy(() => {
        const out = this.output_block.forward(this.skip_layers.forward(x));
        if (!(this.training && this.deepSupervision)) return out;
        const size = out.shape.slice(2);
        const all = [out, ...this.heads.map((h) => nn.functional.interpolate(h as Tensor, { size }))];
        return torch.stack(all, 1);
      });
    } finally {
      this.heads.fill(null);
    }
  }
}

/** MONAI's aliases. */
export const DynUnet = DynUNet;
export const Dynunet = DynUNet;

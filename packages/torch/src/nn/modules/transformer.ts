// MultiheadAttention and TransformerEncoderLayer, after torch/nn/modules/{activation,transformer}.py.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import * as F from '../functional/index.js';
import { checkOpts, emptyParam, FACTORY_KEYS, type FactoryOptions } from './common.js';
import { NonDynamicallyQuantizableLinear, Linear } from './linear.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './normalization.js';
import { ModuleList } from './container.js';
import { layerArgs, type PositionalArgs } from './args.js';

export interface MultiheadAttentionOptions extends FactoryOptions {
  embedDim: number;
  numHeads: number;
  dropout?: number;
  bias?: boolean;
  addBiasKv?: boolean;
  addZeroAttn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batchFirst?: boolean;
}
const MHA_ARGS = ['embedDim', 'numHeads', 'dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst', 'device', 'dtype'] as const;
/** PyTorch's order: embed_dim, num_heads, dropout, bias, add_bias_kv, add_zero_attn, kdim, vdim, batch_first, device, dtype. */
export type MultiheadAttentionArgs = PositionalArgs<
  [embedDim: number, numHeads: number, dropout: number, bias: boolean, addBiasKv: boolean, addZeroAttn: boolean, kdim: number | null, vdim: number | null, batchFirst: boolean, device: FactoryOptions['device'], dtype: FactoryOptions['dtype']],
  typeof MHA_ARGS,
  MultiheadAttentionOptions
>;
export interface AttentionCallOptions {
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}

/** Multi-head attention; forward(query, key, value, options) gives [output, weights or null]. */
export class MultiheadAttention extends Module {
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly qkvSameEmbedDim: boolean;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;

  /** `new MultiheadAttention(16, 4)`, `new MultiheadAttention(16, 4, { batchFirst: true })` or the options object. */
  constructor(options: MultiheadAttentionOptions);
  constructor(...args: MultiheadAttentionArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<MultiheadAttentionOptions>('MultiheadAttention', args, MHA_ARGS);
    checkOpts('MultiheadAttention', options, ['embedDim', 'numHeads', 'dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst', ...FACTORY_KEYS], ['embedDim', 'numHeads']);
    const E = options.embedDim;
    this.embedDim = E;
    this.kdim = options.kdim ?? E;
    this.vdim = options.vdim ?? E;
    this.qkvSameEmbedDim = this.kdim === E && this.vdim === E;
    this.numHeads = options.numHeads;
    this.dropout = options.dropout ?? 0.0;
    this.batchFirst = options.batchFirst ?? false;
    this.headDim = Math.floor(E / this.numHeads);
    if (this.headDim * this.numHeads !== E) throw new RangeError('embed_dim must be divisible by num_heads');
    if (!this.qkvSameEmbedDim) {
      this.q_proj_weight = emptyParam([E, E], options);
      this.k_proj_weight = emptyParam([E, this.kdim], options);
      this.v_proj_weight = emptyParam([E, this.vdim], options);
      this.registerParameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = emptyParam([3 * E, E], options);
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    }
    const bias = options.bias ?? true;
    if (bias) this.in_proj_bias = emptyParam([3 * E], options);
    else this.registerParameter('in_proj_bias', null);
    this.out_proj = new NonDynamicallyQuantizableLinear({ inFeatures: E, outFeatures: E, bias, device: options.device, dtype: options.dtype });
    if (options.addBiasKv) {
      this.bias_k = emptyParam([1, 1, E], options);
      this.bias_v = emptyParam([1, 1, E], options);
    } else {
      this.registerParameter('bias_k', null);
      this.registerParameter('bias_v', null);
    }
    this.addZeroAttn = options.addZeroAttn ?? false;
    this.resetParameters();
  }

  get inProjWeight(): Parameter | null { return this.in_proj_weight; }
  get inProjBias(): Parameter | null { return this.in_proj_bias; }
  get outProj(): Linear { return this.out_proj; }

  resetParameters(): void {
    if (this.qkvSameEmbedDim) init.xavierUniform_(this.in_proj_weight!);
    else {
      init.xavierUniform_(this.q_proj_weight!);
      init.xavierUniform_(this.k_proj_weight!);
      init.xavierUniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias!, 0);
    }
    if (this.bias_k) init.xavierNormal_(this.bias_k);
    if (this.bias_v) init.xavierNormal_(this.bias_v);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const isBatched = query.dim() === 3;
    const kpm = options.keyPaddingMask ?? null;
    if (kpm && kpm.dtype !== 'bool' && !kpm.dtype.startsWith('float')) throw new TypeError('only bool and floating types of key_padding_mask are supported');
    return torch.tidy(() => {
      let q = query, k = key, v = value;
      if (this.batchFirst && isBatched) {
        const same = (a: Tensor, b: Tensor) => a === b || a.is(b);
        if (same(key, value)) {
          if (same(query, key)) q = k = v = query.transpose(1, 0);
          else {
            q = query.transpose(1, 0);
            k = v = key.transpose(1, 0);
          }
        } else {
          q = query.transpose(1, 0);
          k = key.transpose(1, 0);
          v = value.transpose(1, 0);
        }
      }
      const common = {
        embedDimToCheck: this.embedDim, numHeads: this.numHeads, inProjWeight: this.in_proj_weight, inProjBias: this.in_proj_bias,
        biasK: this.bias_k, biasV: this.bias_v, addZeroAttn: this.addZeroAttn, dropoutP: this.dropout,
        outProjWeight: this.out_proj.weight, outProjBias: this.out_proj.bias, training: this.training, keyPaddingMask: kpm,
        needWeights: options.needWeights ?? true, attnMask: options.attnMask ?? null, averageAttnWeights: options.averageAttnWeights ?? true,
      };
      const [out, w] = this.qkvSameEmbedDim
        ? F.multiHeadAttentionForward(q, k, v, common)
        : F.multiHeadAttentionForward(q, k, v, { ...common, useSeparateProjWeight: true, qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight });
      if (this.batchFirst && isBatched) return [out.transpose(1, 0), w] as [Tensor, Tensor | null];
      return [out, w] as [Tensor, Tensor | null];
    });
  }
}

export interface TransformerEncoderLayerOptions extends FactoryOptions {
  dModel: number;
  nhead: number;
  dimFeedforward?: number;
  dropout?: number;
  /** 'relu', 'gelu', a function, or a Module (registered as the 'activation' submodule). */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}
const TEL_ARGS = ['dModel', 'nhead', 'dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst'] as const;
/** PyTorch's order: d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first. */
export type TransformerEncoderLayerArgs = PositionalArgs<
  [dModel: number, nhead: number, dimFeedforward: number, dropout: number, activation: NonNullable<TransformerEncoderLayerOptions['activation']>, layerNormEps: number, batchFirst: boolean, normFirst: boolean],
  typeof TEL_ARGS,
  TransformerEncoderLayerOptions
>;

/** Self-attention and feed-forward block with residuals and LayerNorms (post-norm unless normFirst). */
export class TransformerEncoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  readonly normFirst: boolean;
  /** The activation function, or null when the activation is the registered 'activation' module. */
  private readonly actFn: ((x: Tensor) => Tensor) | null;

  constructor(options: TransformerEncoderLayerOptions);
  constructor(...args: TransformerEncoderLayerArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<TransformerEncoderLayerOptions>('TransformerEncoderLayer', args, TEL_ARGS);
    checkOpts('TransformerEncoderLayer', options, ['dModel', 'nhead', 'dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', ...FACTORY_KEYS], ['dModel', 'nhead']);
    const f = { device: options.device, dtype: options.dtype };
    const d = options.dModel;
    const ff = options.dimFeedforward ?? 2048;
    const p = options.dropout ?? 0.1;
    const eps = options.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention({ embedDim: d, numHeads: options.nhead, dropout: p, batchFirst: options.batchFirst ?? false, ...f });
    this.linear1 = new Linear({ inFeatures: d, outFeatures: ff, ...f });
    this.dropout = new Dropout({ p });
    this.linear2 = new Linear({ inFeatures: ff, outFeatures: d, ...f });
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm({ normalizedShape: d, eps, ...f });
    this.norm2 = new LayerNorm({ normalizedShape: d, eps, ...f });
    this.dropout1 = new Dropout({ p });
    this.dropout2 = new Dropout({ p });
    const a = options.activation ?? 'relu';
    if (a === 'relu') this.actFn = F.relu;
    else if (a === 'gelu') this.actFn = F.gelu;
    else if (a instanceof Module) {
      this.registerModule('activation', a);
      this.actFn = null;
    } else if (typeof a === 'function') this.actFn = a;
    else throw new TypeError(`activation should be relu/gelu, not ${String(a)}`);
  }
  get selfAttn(): MultiheadAttention { return this.self_attn; }

  forward(src: Tensor, options: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    return torch.tidy(() => {
      let x = src;
      if (this.normFirst) {
        x = x.add(this.saBlock(this.norm1.forward(x), options.srcMask ?? null, options.srcKeyPaddingMask ?? null));
        x = x.add(this.ffBlock(this.norm2.forward(x)));
      } else {
        x = this.norm1.forward(x.add(this.saBlock(x, options.srcMask ?? null, options.srcKeyPaddingMask ?? null)));
        x = this.norm2.forward(x.add(this.ffBlock(x)));
      }
      return x;
    });
  }
  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.forward(out);
  }
  private activate(x: Tensor): Tensor {
    return this.actFn ? this.actFn(x) : ((this as unknown as { activation: Module }).activation.forward(x) as Tensor);
  }
  private ffBlock(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activate(this.linear1.forward(x)))));
  }
}

export interface TransformerEncoderOptions {
  /** A layer to copy numLayers times (deepCopy: all copies start with its weights). */
  encoderLayer: TransformerEncoderLayer;
  numLayers: number;
  norm?: Module | null;
  enableNestedTensor?: boolean;
  maskCheck?: boolean;
}
const TE_ARGS = ['encoderLayer', 'numLayers', 'norm', 'enableNestedTensor', 'maskCheck'] as const;
export type TransformerEncoderArgs = PositionalArgs<
  [encoderLayer: TransformerEncoderLayer, numLayers: number, norm: Module | null, enableNestedTensor: boolean, maskCheck: boolean],
  typeof TE_ARGS,
  TransformerEncoderOptions
>;

/** A stack of numLayers copies of encoderLayer, then an optional norm. */
export class TransformerEncoder extends Module {
  declare layers: ModuleList;
  declare norm: Module | null;
  readonly numLayers: number;
  constructor(options: TransformerEncoderOptions);
  constructor(...args: TransformerEncoderArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<TransformerEncoderOptions>('TransformerEncoder', args, TE_ARGS);
    checkOpts('TransformerEncoder', options, ['encoderLayer', 'numLayers', 'norm', 'enableNestedTensor', 'maskCheck'], ['encoderLayer', 'numLayers']);
    if (!(options.encoderLayer instanceof Module)) throw new TypeError('TransformerEncoder: encoderLayer must be a Module');
    this.layers = new ModuleList(Array.from({ length: options.numLayers }, () => options.encoderLayer.deepCopy()));
    this.numLayers = options.numLayers;
    this.registerModule('norm', options.norm ?? null);
  }
  forward(src: Tensor, options: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    const kpm = options.srcKeyPaddingMask ?? null;
    if (kpm && kpm.dtype !== 'bool' && !kpm.dtype.startsWith('float')) throw new TypeError('only bool and floating types of key_padding_mask are supported');
    return torch.tidy(() => {
      let out = src;
      for (const m of this.layers) out = (m as TransformerEncoderLayer).forward(out, { srcMask: options.mask ?? null, srcKeyPaddingMask: kpm });
      return this.norm ? (this.norm.forward(out) as Tensor) : out;
    });
  }
}

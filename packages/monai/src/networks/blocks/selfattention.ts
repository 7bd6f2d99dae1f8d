// SABlock and CrossAttentionBlock (MONAI's monai/networks/blocks/selfattention.py, crossattention.py):
// multi-head attention with MONAI's layer names (qkv or to_q/to_k/to_v, out_proj). Relative position
// embeddings and flash attention are not provided.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import type { TensorModule } from '../layers/factories.js';
import { checkDropoutRate } from './mlp.js';

export interface SABlockOptions {
  hiddenSize: number;
  numHeads: number;
  dropoutRate?: number;
  qkvBias?: boolean;
  /** Keep the last attention matrix in attMat. */
  saveAttn?: boolean;
  dimHead?: number | null;
  hiddenInputSize?: number | null;
  causal?: boolean;
  sequenceLength?: number | null;
  includeFc?: boolean;
  useCombinedLinear?: boolean;
}
const SA_KEYS = ['hiddenSize', 'numHeads', 'dropoutRate', 'qkvBias', 'saveAttn', 'dimHead', 'hiddenInputSize', 'causal', 'sequenceLength', 'includeFc', 'useCombinedLinear'];

/** (B, N, H * D) -> (B, H, N, D). */
function heads(x: Tensor, h: number): Tensor {
  const [b, n] = x.shape;
  return x.reshape([b, n, h, -1]).permute([0, 2, 1, 3]);
}
/** (B, H, N, D) -> (B, N, H * D). */
function merge(x: Tensor): Tensor {
  const [b, , n] = x.shape;
  return x.permute([0, 2, 1, 3]).reshape([b, n, -1]);
}

function dims(owner: string, hiddenSize: number, numHeads: number, dimHead: number | null | undefined): [number, number] {
  if (hiddenSize % numHeads !== 0) throw new RangeError(`${owner}: hiddenSize (${hiddenSize}) must be divisible by numHeads (${numHeads})`);
  return dimHead ? [numHeads * dimHead, dimHead] : [hiddenSize, hiddenSize / numHeads];
}

abstract class Attention extends nn.Module {
  readonly numHeads: number;
  readonly scale: number;
  readonly causal: boolean;
  readonly saveAttn: boolean;
  /** The last attention weights when saveAttn is set (detached). */
  attMat: Tensor | null = null;
  declare drop_output: TensorModule;
  declare drop_weights: TensorModule;
  declare causal_mask: Tensor | undefined;

  protected constructor(numHeads: number, dimHead: number, causal: boolean, saveAttn: boolean) {
    super();
    this.numHeads = numHeads;
    this.scale = dimHead ** -0.5;
    this.causal = causal;
    this.saveAttn = saveAttn;
  }

  /** softmax(q k^T * scale [+ causal mask]) v on (B, H, N, D) tensors. */
  protected attend(q: Tensor, k: Tensor, v: Tensor): Tensor {
    let att = torch.matmul(q, k.transpose(-1, -2)).mul(this.scale);
    if (this.causal && this.causal_mask) {
      const n = q.size(2);
      att = att.maskedFill(this.causal_mask.slice(2, 0, n).slice(3, 0, n).eq(0), -Infinity);
    }
    att = att.softmax(-1);
    if (this.saveAttn) {
      this.attMat?.dispose();
      this.attMat = torch.keep(att.detach());
    }
    return torch.matmul(this.drop_weights.forward(att), v);
  }
}

/** Multi-head self-attention. */
export class SABlock extends Attention {
  declare out_proj: nn.Linear;
  declare qkv: TensorModule;
  declare to_q: TensorModule;
  declare to_k: TensorModule;
  declare to_v: TensorModule;
  readonly includeFc: boolean;
  readonly useCombinedLinear: boolean;

  constructor(options: SABlockOptions) {
    checkOptions('SABlock', options, SA_KEYS, ['hiddenSize', 'numHeads']);
    checkDropoutRate('SABlock', options.dropoutRate ?? 0.0);
    const [inner, dimHead] = dims('SABlock', options.hiddenSize, options.numHeads, options.dimHead);
    const causal = options.causal ?? false;
    if (causal && !options.sequenceLength) throw new TypeError('SABlock: sequenceLength is required for causal attention');
    super(options.numHeads, dimHead, causal, options.saveAttn ?? false);
    const hin = options.hiddenInputSize || options.hiddenSize;
    const bias = options.qkvBias ?? false;
    this.includeFc = options.includeFc ?? true;
    this.useCombinedLinear = options.useCombinedLinear ?? true;
    this.out_proj = new nn.Linear({ inFeatures: inner, outFeatures: hin });
    if (this.useCombinedLinear) {
      this.qkv = new nn.Linear({ inFeatures: hin, outFeatures: inner * 3, bias }) as TensorModule;
      const id = new nn.Identity() as TensorModule;
      this.to_q = id;
      this.to_k = id;
      this.to_v = id;
    } else {
      this.to_q = new nn.Linear({ inFeatures: hin, outFeatures: inner, bias }) as TensorModule;
      this.to_k = new nn.Linear({ inFeatures: hin, outFeatures: inner, bias }) as TensorModule;
      this.to_v = new nn.Linear({ inFeatures: hin, outFeatures: inner, bias }) as TensorModule;
      this.qkv = new nn.Identity() as TensorModule;
    }
    const rate = options.dropoutRate ?? 0.0;
    this.drop_output = new nn.Dropout({ p: rate }) as TensorModule;
    this.drop_weights = new nn.Dropout({ p: rate }) as TensorModule;
    if (causal) {
      const n = options.sequenceLength!;
      this.registerBuffer('causal_mask', torch.tidy(() => torch.tril(torch.ones([n, n])).view([1, 1, n, n])));
    }
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let q: Tensor, k: Tensor, v: Tensor;
      if (this.useCombinedLinear) {
        const [b, n] = x.shape;
        // (B, N, 3 * H * D) -> (3, B, H, N, D)
        const qkv = this.qkv.forward(x).reshape([b, n, 3, this.numHeads, -1]).permute([2, 0, 3, 1, 4]);
        [q, k, v] = [qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2)];
      } else {
        q = heads(this.to_q.forward(x), this.numHeads);
        k = heads(this.to_k.forward(x), this.numHeads);
        v = heads(this.to_v.forward(x), this.numHeads);
      }
      let y = merge(this.attend(q, k, v));
      if (this.includeFc) y = this.out_proj.forward(y);
      return this.drop_output.forward(y);
    });
  }
}

export interface CrossAttentionBlockOptions {
  hiddenSize: number;
  numHeads: number;
  dropoutRate?: number;
  hiddenInputSize?: number | null;
  contextInputSize?: number | null;
  dimHead?: number | null;
  qkvBias?: boolean;
  saveAttn?: boolean;
  causal?: boolean;
  sequenceLength?: number | null;
}
const CA_KEYS = ['hiddenSize', 'numHeads', 'dropoutRate', 'hiddenInputSize', 'contextInputSize', 'dimHead', 'qkvBias', 'saveAttn', 'causal', 'sequenceLength'];

/** Multi-head attention from x to a context (x itself when none is given). */
export class CrossAttentionBlock extends Attention {
  declare out_proj: nn.Linear;
  declare to_q: nn.Linear;
  declare to_k: nn.Linear;
  declare to_v: nn.Linear;

  constructor(options: CrossAttentionBlockOptions) {
    checkOptions('CrossAttentionBlock', options, CA_KEYS, ['hiddenSize', 'numHeads']);
    checkDropoutRate('CrossAttentionBlock', options.dropoutRate ?? 0.0);
    const [inner, dimHead] = dims('CrossAttentionBlock', options.hiddenSize, options.numHeads, options.dimHead);
    const causal = options.causal ?? false;
    if (causal && !options.sequenceLength) throw new TypeError('CrossAttentionBlock: sequenceLength is required for causal attention');
    super(options.numHeads, dimHead, causal, options.saveAttn ?? false);
    const hin = options.hiddenInputSize || options.hiddenSize;
    const cin = options.contextInputSize || options.hiddenSize;
    const bias = options.qkvBias ?? false;
    this.out_proj = new nn.Linear({ inFeatures: inner, outFeatures: hin });
    this.to_q = new nn.Linear({ inFeatures: hin, outFeatures: inner, bias });
    this.to_k = new nn.Linear({ inFeatures: cin, outFeatures: inner, bias });
    this.to_v = new nn.Linear({ inFeatures: cin, outFeatures: inner, bias });
    const rate = options.dropoutRate ?? 0.0;
    this.drop_output = new nn.Dropout({ p: rate }) as TensorModule;
    this.drop_weights = new nn.Dropout({ p: rate }) as TensorModule;
    if (causal) {
      const n = options.sequenceLength!;
      this.registerBuffer('causal_mask', torch.tidy(() => torch.tril(torch.ones([n, n])).view([1, 1, n, n])));
    }
  }

  forward(x: Tensor, context: Tensor | null = null): Tensor {
    return torch.tidy(() => {
      const c = context ?? x;
      const y = merge(this.attend(heads(this.to_q.forward(x), this.numHeads), heads(this.to_k.forward(c), this.numHeads), heads(this.to_v.forward(c), this.numHeads)));
      return this.drop_output.forward(this.out_proj.forward(y));
    });
  }
}

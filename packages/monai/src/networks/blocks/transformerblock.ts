// TransformerBlock (MONAI's monai/networks/blocks/transformerblock.py): pre-norm self-attention and MLP
// with residuals, and MONAI's always-present (optionally used) cross-attention branch, whose weights are
// part of the state dict as in MONAI.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { MLPBlock, checkDropoutRate } from './mlp.js';
import { CrossAttentionBlock, SABlock } from './selfattention.js';

export interface TransformerBlockOptions {
  hiddenSize: number;
  mlpDim: number;
  numHeads: number;
  dropoutRate?: number;
  qkvBias?: boolean;
  saveAttn?: boolean;
  causal?: boolean;
  sequenceLength?: number | null;
  withCrossAttention?: boolean;
  includeFc?: boolean;
  useCombinedLinear?: boolean;
}
const KEYS = ['hiddenSize', 'mlpDim', 'numHeads', 'dropoutRate', 'qkvBias', 'saveAttn', 'causal', 'sequenceLength', 'withCrossAttention', 'includeFc', 'useCombinedLinear'];

export class TransformerBlock extends nn.Module {
  declare mlp: MLPBlock;
  declare norm1: nn.LayerNorm;
  declare attn: SABlock;
  declare norm2: nn.LayerNorm;
  declare norm_cross_attn: nn.LayerNorm;
  declare cross_attn: CrossAttentionBlock;
  readonly withCrossAttention: boolean;

  constructor(options: TransformerBlockOptions) {
    super();
    checkOptions('TransformerBlock', options, KEYS, ['hiddenSize', 'mlpDim', 'numHeads']);
    const { hiddenSize, numHeads } = options;
    const dropoutRate = checkDropoutRate('TransformerBlock', options.dropoutRate ?? 0.0);
    if (hiddenSize % numHeads !== 0) throw new RangeError(`TransformerBlock: hiddenSize (${hiddenSize}) must be divisible by numHeads (${numHeads})`);
    const qkvBias = options.qkvBias ?? false;
    this.mlp = new MLPBlock({ hiddenSize, mlpDim: options.mlpDim, dropoutRate });
    this.norm1 = new nn.LayerNorm({ normalizedShape: hiddenSize });
    this.attn = new SABlock({
      hiddenSize, numHeads, dropoutRate, qkvBias, saveAttn: options.saveAttn ?? false, causal: options.causal ?? false,
      sequenceLength: options.sequenceLength ?? null, includeFc: options.includeFc ?? true, useCombinedLinear: options.useCombinedLinear ?? true,
    });
    this.norm2 = new nn.LayerNorm({ normalizedShape: hiddenSize });
    this.withCrossAttention = options.withCrossAttention ?? false;
    this.norm_cross_attn = new nn.LayerNorm({ normalizedShape: hiddenSize });
    this.cross_attn = new CrossAttentionBlock({ hiddenSize, numHeads, dropoutRate, qkvBias, causal: false });
  }

  forward(x: Tensor, context: Tensor | null = null): Tensor {
    return torch.tidy(() => {
      let h = x.add(this.attn.forward(this.norm1.forward(x)));
      if (this.withCrossAttention) h = h.add(this.cross_attn.forward(this.norm_cross_attn.forward(h), context));
      return h.add(this.mlp.forward(this.norm2.forward(h)));
    });
  }
}

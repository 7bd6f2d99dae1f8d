// ViT (MONAI's monai/networks/nets/vit.py): a vision transformer over image patches, returning the
// normed tokens (or class logits) and every block's output.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import { checkDropoutRate } from '../blocks/mlp.js';
import { PatchEmbeddingBlock } from '../blocks/patchembedding.js';
import { TransformerBlock } from '../blocks/transformerblock.js';
import type { TensorModule } from '../layers/factories.js';
import { buildOrDispose } from './net_build.js';

export interface ViTOptions {
  inChannels: number;
  imgSize: number | number[];
  patchSize: number | number[];
  hiddenSize?: number;
  mlpDim?: number;
  numLayers?: number;
  numHeads?: number;
  projType?: 'conv' | 'perceptron';
  posEmbedType?: 'none' | 'learnable' | 'sincos';
  /** Prepend a class token and add a classification head on it. */
  classification?: boolean;
  numClasses?: number;
  dropoutRate?: number;
  spatialDims?: number;
  /** 'Tanh' (default) after the classification layer, or anything else for none. */
  postActivation?: string | null;
  qkvBias?: boolean;
  saveAttn?: boolean;
}
const KEYS = ['inChannels', 'imgSize', 'patchSize', 'hiddenSize', 'mlpDim', 'numLayers', 'numHeads', 'projType', 'posEmbedType', 'classification', 'numClasses', 'dropoutRate', 'spatialDims', 'postActivation', 'qkvBias', 'saveAttn'];

export class ViT extends nn.Module {
  readonly classification: boolean;
  declare patch_embedding: PatchEmbeddingBlock;
  declare blocks: nn.ModuleList<TransformerBlock>;
  declare norm: nn.LayerNorm;
  declare cls_token: nn.Parameter | undefined;
  declare classification_head: TensorModule | undefined;

  constructor(options: ViTOptions) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS, ['inChannels', 'imgSize', 'patchSize']);
    const hiddenSize = checkChannels(name, 'hiddenSize', options.hiddenSize ?? 768);
    const numHeads = checkChannels(name, 'numHeads', options.numHeads ?? 12);
    const dropoutRate = checkDropoutRate(name, options.dropoutRate ?? 0.0);
    if (hiddenSize % numHeads !== 0) throw new RangeError(`${name}: hiddenSize (${hiddenSize}) must be divisible by numHeads (${numHeads})`);
    this.classification = options.classification ?? false;
    buildOrDispose(name, this, () => {
      this.patch_embedding = new PatchEmbeddingBlock({
        inChannels: options.inChannels, imgSize: options.imgSize, patchSize: options.patchSize, hiddenSize, numHeads,
        projType: options.projType ?? 'conv', posEmbedType: options.posEmbedType ?? 'learnable', dropoutRate, spatialDims: options.spatialDims ?? 3,
      });
      this.blocks = new nn.ModuleList(Array.from({ length: options.numLayers ?? 12 }, () => new TransformerBlock({
        hiddenSize, mlpDim: options.mlpDim ?? 3072, numHeads, dropoutRate, qkvBias: options.qkvBias ?? false, saveAttn: options.saveAttn ?? false,
      })));
      this.norm = new nn.LayerNorm({ normalizedShape: hiddenSize });
      if (this.classification) {
        this.registerParameter('cls_token', torch.zeros([1, 1, hiddenSize]));
        const linear = new nn.Linear({ inFeatures: hiddenSize, outFeatures: options.numClasses ?? 2 });
        this.classification_head = ((options.postActivation === undefined ? 'Tanh' : options.postActivation) === 'Tanh'
          ? new nn.Sequential(linear, new nn.Tanh()) : linear) as TensorModule;
      }
    });
  }

  /** [tokens after the final norm (or class logits), every transformer block's output]. */
  forward(x: Tensor): [Tensor, Tensor[]] {
    return torch.tidy(() => {
      let h = this.patch_embedding.forward(x);
      if (this.cls_token) h = torch.cat([this.cls_token.expand([h.size(0), -1, -1]), h], 1);
      const hidden: Tensor[] = [];
      for (const blk of this.blocks) {
        h = blk.forward(h);
        hidden.push(h);
      }
      h = this.norm.forward(h);
      if (this.classification_head) h = this.classification_head.forward(h.select(1, 0));
      return [h, hidden] as [Tensor, Tensor[]];
    });
  }
}

// PatchEmbeddingBlock (MONAI's monai/networks/blocks/patchembedding.py): image patches to tokens by a
// strided convolution ('conv') or a flattening linear layer ('perceptron'), plus position embeddings
// ('learnable', 'sincos' (a fixed table, not trained) or 'none').
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { Conv, type TensorModule } from '../layers/factories.js';
import { checkDropoutRate } from './mlp.js';

export interface PatchEmbeddingBlockOptions {
  inChannels: number;
  imgSize: number | number[];
  patchSize: number | number[];
  hiddenSize: number;
  numHeads: number;
  projType?: 'conv' | 'perceptron';
  posEmbedType?: 'none' | 'learnable' | 'sincos';
  dropoutRate?: number;
  spatialDims?: number;
}
const KEYS = ['inChannels', 'imgSize', 'patchSize', 'hiddenSize', 'numHeads', 'projType', 'posEmbedType', 'dropoutRate', 'spatialDims'];

export function repeatToDims(owner: string, what: string, v: number | number[], n: number): number[] {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (!Array.isArray(v) || v.length !== n) throw new RangeError(`${owner}: ${what} must be a number or ${n} numbers, found ${JSON.stringify(v)}`);
  return v.slice();
}

/** Takes (B, C, spatial...) patches (B, C * prod(patch), ...) flattened per patch, channel last, as MONAI's Rearrange. */
function patchify(x: Tensor, p: number[]): Tensor {
  const [b, c, ...sp] = x.shape;
  const grid = sp.map((s, i) => s / p[i]);
  // b c (g1 p1) (g2 p2) ... -> b g1 g2 ... p1 p2 ... c
  const split = x.reshape([b, c, ...grid.flatMap((g, i) => [g, p[i]])]);
  const order = [0, ...grid.map((_, i) => 2 + 2 * i), ...grid.map((_, i) => 3 + 2 * i), 1];
  return split.permute(order).reshape([b, grid.reduce((a, g) => a * g, 1), -1]);
}

class Patchify extends nn.Module {
  constructor(readonly patchSize: number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return patchify(x, this.patchSize);
  }
}

/**
 * MONAI's fixed sine-cosine position table (1, prod(grid), embedDim): per axis (w, h[, d] order) sines
 * and cosines of the grid coordinate times temperature^(-k / (embedDim / (2 * dims))).
 */
export function buildSincosPositionEmbedding(gridSize: number[], embedDim: number, spatialDims: number, temperature = 10000.0): Tensor {
  if (spatialDims !== 2 && spatialDims !== 3) throw new RangeError(`buildSincosPositionEmbedding: spatialDims must be 2 or 3, found ${spatialDims}`);
  const parts = 2 * spatialDims;
  if (embedDim % parts !== 0) throw new RangeError(`buildSincosPositionEmbedding: embedDim (${embedDim}) must be divisible by ${parts} for ${spatialDims}-D sin-cos position embedding`);
  return torch.tidy(() => {
    const posDim = embedDim / parts;
    const omega = torch.full([posDim], temperature, { dtype: 'float32' }).pow(torch.arange(posDim, { dtype: 'float32' }).div(posDim)).reciprocal();
    const axes = torch.meshgrid(gridSize.map((g) => torch.arange(g, { dtype: 'float32' })), 'ij');
    const outer = axes.map((a) => a.flatten().unsqueeze(1).mul(omega.unsqueeze(0)));
    // MONAI's order: w, h, then d (grid axes 1, 0, 2).
    const order = spatialDims === 2 ? [1, 0] : [1, 0, 2];
    return torch.cat(order.flatMap((i) => [outer[i].sin(), outer[i].cos()]), 1).unsqueeze(0);
  });
}

export class PatchEmbeddingBlock extends nn.Module {
  readonly nPatches: number;
  readonly patchDim: number;
  readonly projType: 'conv' | 'perceptron';
  declare patch_embeddings: TensorModule;
  declare position_embeddings: nn.Parameter;
  declare dropout: TensorModule;

  constructor(options: PatchEmbeddingBlockOptions) {
    super();
    const o = 'PatchEmbeddingBlock';
    checkOptions(o, options, KEYS, ['inChannels', 'imgSize', 'patchSize', 'hiddenSize', 'numHeads']);
    const dims = options.spatialDims ?? 3;
    const rate = checkDropoutRate(o, options.dropoutRate ?? 0.0);
    if (options.hiddenSize % options.numHeads !== 0) throw new RangeError(`${o}: hiddenSize (${options.hiddenSize}) must be divisible by numHeads (${options.numHeads})`);
    this.projType = checkChoice(o, 'projType', options.projType ?? 'conv', ['conv', 'perceptron'] as const);
    const posEmbedType = checkChoice(o, 'posEmbedType', options.posEmbedType ?? 'learnable', ['none', 'learnable', 'sincos'] as const);
    const img = repeatToDims(o, 'imgSize', options.imgSize, dims);
    const patch = repeatToDims(o, 'patchSize', options.patchSize, dims);
    img.forEach((m, i) => {
      if (m < patch[i]) throw new RangeError(`${o}: patchSize ${JSON.stringify(patch)} must not exceed imgSize ${JSON.stringify(img)}`);
      if (this.projType === 'perceptron' && m % patch[i] !== 0) throw new RangeError(`${o}: imgSize ${JSON.stringify(img)} must be divisible by patchSize ${JSON.stringify(patch)} for 'perceptron'`);
    });
    this.nPatches = img.reduce((a, m, i) => a * Math.floor(m / patch[i]), 1);
    this.patchDim = options.inChannels * patch.reduce((a, b) => a * b, 1);
    if (this.projType === 'conv') {
      this.patch_embeddings = new (Conv.get('conv', dims))({ inChannels: options.inChannels, outChannels: options.hiddenSize, kernelSize: patch, stride: patch });
    } else {
      this.patch_embeddings = new nn.Sequential(new Patchify(patch), new nn.Linear({ inFeatures: this.patchDim, outFeatures: options.hiddenSize })) as TensorModule;
    }
    this.registerParameter('position_embeddings', torch.zeros([1, this.nPatches, options.hiddenSize]));
    this.dropout = new nn.Dropout({ p: rate }) as TensorModule;
    if (posEmbedType === 'learnable') nn.init.truncNormal_(this.position_embeddings, 0.0, 0.02, -2.0, 2.0);
    if (posEmbedType === 'sincos') {
      const table = buildSincosPositionEmbedding(img.map((m, i) => Math.floor(m / patch[i])), options.hiddenSize, dims);
      torch.noGrad(() => this.position_embeddings.copy_(table));
      table.dispose();
      this.position_embeddings.requiresGrad_(false);
    }
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        nn.init.truncNormal_(m.weight, 0.0, 0.02, -2.0, 2.0);
        if (m.bias) nn.init.constant_(m.bias, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let h = this.patch_embeddings.forward(x);
      if (this.projType === 'conv') h = h.flatten({ startDim: 2 }).transpose(-1, -2);
      return this.dropout.forward(h.add(this.position_embeddings));
    });
  }
}

// MLPBlock (MONAI's monai/networks/blocks/mlp.py): the transformer feed-forward layer.
import { nn, Tensor } from '@monai-ts/torch';
import * as torch from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import type { TensorModule } from '../layers/factories.js';
import { getActLayer, layerFromOption, splitArgs, type LayerSpec } from '../layers/utils.js';

export interface MLPBlockOptions {
  hiddenSize: number;
  /** Hidden width (0 or null: hiddenSize). */
  mlpDim?: number | null;
  dropoutRate?: number;
  /** Default 'GELU' ('GEGLU' doubles the first layer's width). */
  act?: LayerSpec;
  /** 'vit' (two dropouts), 'swin' (one shared dropout) or 'vista3d' (none). */
  dropoutMode?: 'vit' | 'swin' | 'vista3d';
}

export function checkDropoutRate(owner: string, rate: number, option = 'dropoutRate'): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${owner}: ${option} must be between 0 and 1, found ${rate}`);
  return rate;
}

/** linear1, activation, dropout, linear2, dropout. */
export class MLPBlock extends nn.Module {
  declare linear1: nn.Linear;
  declare linear2: nn.Linear;
  declare fn: TensorModule;
  declare drop1: TensorModule;
  declare drop2: TensorModule;

  constructor(options: MLPBlockOptions) {
    super();
    checkOptions('MLPBlock', options, ['hiddenSize', 'mlpDim', 'dropoutRate', 'act', 'dropoutMode'], ['hiddenSize']);
    const rate = checkDropoutRate('MLPBlock', options.dropoutRate ?? 0.0);
    const act = options.act ?? 'GELU';
    const mode = checkChoice('MLPBlock', 'dropoutMode', options.dropoutMode ?? 'vit', ['vit', 'swin', 'vista3d'] as const);
    const mlpDim = options.mlpDim || options.hiddenSize;
    const fn = layerFromOption('MLPBlock', 'act', () => getActLayer(act));
    const geglu = String(splitArgs(act)[0]).toUpperCase() === 'GEGLU';
    this.linear1 = new nn.Linear({ inFeatures: options.hiddenSize, outFeatures: geglu ? mlpDim * 2 : mlpDim });
    this.linear2 = new nn.Linear({ inFeatures: mlpDim, outFeatures: options.hiddenSize });
    this.fn = fn;
    if (mode === 'vit') {
      this.drop1 = new nn.Dropout({ p: rate }) as TensorModule;
      this.drop2 = new nn.Dropout({ p: rate }) as TensorModule;
    } else if (mode === 'swin') {
      this.drop1 = new nn.Dropout({ p: rate }) as TensorModule;
      this.drop2 = this.drop1;
    } else {
      this.drop1 = new nn.Identity() as TensorModule;
      this.drop2 = new nn.Identity() as TensorModule;
    }
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.drop2.forward(this.linear2.forward(this.drop1.forward(this.fn.forward(this.linear1.forward(x))))));
  }
}

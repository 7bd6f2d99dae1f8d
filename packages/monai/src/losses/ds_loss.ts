// DeepSupervisionLoss (MONAI monai/losses/ds_loss.py): the weighted sum of a loss over the outputs of
// a deeply supervised network (DynUNet's list of scales); the target is resized (nearest-exact) to
// each output's spatial size.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';

export interface DeepSupervisionLossOptions {
  /** 'exp' (default): 1, 0.5, 0.25, ... (not below 0.0625); 'same': all 1; 'two': 1, 0.5, 0.5, ... */
  weightMode?: 'same' | 'exp' | 'two';
  /** Explicit weights per level, used instead of weightMode when there are at least as many as levels. */
  weights?: number[] | null;
}

type LossModule = { forward(input: Tensor, target: Tensor): Tensor };

export class DeepSupervisionLoss extends nn.Module {
  declare loss: nn.Module;
  readonly weightMode: 'same' | 'exp' | 'two';
  readonly weights: number[] | null;

  constructor(loss: nn.Module & LossModule, options: DeepSupervisionLossOptions = {}) {
    super();
    if (!(loss instanceof nn.Module) || typeof (loss as Partial<LossModule>).forward !== 'function')
      throw new TypeError('DeepSupervisionLoss: loss must be a loss module (e.g. new DiceLoss())');
    checkOptions('DeepSupervisionLoss', options, ['weightMode', 'weights']);
    this.weightMode = checkChoice('DeepSupervisionLoss', 'weightMode', options.weightMode ?? 'exp', ['same', 'exp', 'two'] as const);
    this.weights = options.weights ? [...options.weights] : null;
    this.registerModule('loss', loss);
  }

  /** The weight of each of `levels` outputs. */
  getWeights(levels = 1): number[] {
    const n = Math.max(1, levels);
    if (this.weights !== null && this.weights.length >= n) return this.weights.slice(0, n);
    if (this.weightMode === 'same') return Array(n).fill(1);
    if (this.weightMode === 'exp') return Array.from({ length: n }, (_, l) => Math.max(0.5 ** l, 0.0625));
    return Array.from({ length: n }, (_, l) => (l === 0 ? 1 : 0.5));
  }

  /** The loss of one output, the target resized to its spatial size when they differ. */
  getLoss(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => {
      const a = input.shape.slice(2);
      const b = target.shape.slice(2);
      let t = target;
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) t = torch.nn.functional.interpolate(target, { size: a, mode: 'nearest-exact' });
      return (this.loss as unknown as LossModule).forward(input, t);
    });
  }

  /** input: one output, or an array of outputs (full resolution first); target [B, C or 1, ...]. */
  forward(input: Tensor | Tensor[] | null, target: Tensor): Tensor {
    if (input === null || input === undefined) throw new TypeError("DeepSupervisionLoss: input shouldn't be null");
    return torch.tidy(() => {
      if (Array.isArray(input)) {
        const w = this.getWeights(input.length);
        let total = torch.tensor(0, { dtype: 'float32', device: target.device });
        input.forEach((x, l) => {
          total = total.add(this.getLoss(x.to({ dtype: 'float32' }), target).mul(w[l]));
        });
        return total;
      }
      return (this.loss as unknown as LossModule).forward(input.to({ dtype: 'float32' }), target);
    });
  }
}

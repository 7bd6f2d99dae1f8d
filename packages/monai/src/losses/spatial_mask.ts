// MaskedLoss (MONAI monai/losses/spatial_mask.py): wraps a loss so that input and target are
// multiplied by a binary mask first; only the masked region contributes to the loss and its gradient.
import * as torch from '@monai-ts/torch';
import { Tensor, nn } from '@monai-ts/torch';
import { Warner } from './loss_utils.js';

export type LossFn = (input: Tensor, target: Tensor) => Tensor;
type LossLike = LossFn | { forward(input: Tensor, target: Tensor): Tensor };
type LossClass = new (options?: never) => { forward(input: Tensor, target: Tensor): Tensor };

function isClass(f: unknown): f is LossClass {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

export class MaskedLoss extends nn.Module {
  /** The wrapped loss: a module (registered as submodule 'loss', as in MONAI) or a function. */
  declare loss: nn.Module | LossFn;
  private readonly lossFn: LossFn;
  private readonly owner: string;
  private readonly warner: Warner;

  /**
   * `loss` is a loss instance (a module with forward), a function (input, target) => Tensor, or a
   * loss class, constructed here with `lossOptions`.
   */
  constructor(loss: LossLike | LossClass, lossOptions?: Record<string, unknown> & { owner?: string }) {
    super();
    const { owner, ...rest } = lossOptions ?? {};
    this.owner = owner ?? 'MaskedLoss';
    let inst: LossLike;
    if (isClass(loss)) inst = new (loss as new (o?: unknown) => LossLike)(lossOptions ? rest : undefined);
    else {
      if (lossOptions && Object.keys(rest).length)
        throw new TypeError(`${this.owner}: loss options are only used when loss is a class; got a loss instance or function with options ${Object.keys(rest).join(', ')}`);
      inst = loss as LossLike;
    }
    if (inst instanceof nn.Module) {
      this.registerModule('loss', inst);
      this.lossFn = (a, b) => (inst as { forward(a: Tensor, b: Tensor): Tensor }).forward(a, b);
    } else if (typeof inst === 'function') {
      this.loss = inst;
      this.lossFn = inst;
    } else if (inst && typeof (inst as { forward?: unknown }).forward === 'function') this.lossFn = (a, b) => (inst as { forward(a: Tensor, b: Tensor): Tensor }).forward(a, b);
    else throw new TypeError(`${this.owner}: the loss function is not callable (expected a loss module, class or function)`);
    this.warner = new Warner(this.owner);
  }

  /** input [B, C, ...], target [B, C, ...], mask [B or 1, 1, ...]; without a mask the loss runs unmasked (with a warning). */
  forward(input: Tensor, target: Tensor, mask: Tensor | null = null): Tensor {
    if (mask === null || mask === undefined) {
      this.warner.warn('No mask value specified for the MaskedLoss.');
      return this.lossFn(input, target);
    }
    const shp = (t: Tensor) => `[${t.shape.join(', ')}]`;
    if (input.dim() !== mask.dim()) this.warner.warn(`Dim of input (${shp(input)}) is different from mask (${shp(mask)}).`);
    if (input.shape[0] !== mask.shape[0] && mask.shape[0] !== 1)
      throw new RangeError(`${this.owner}: batch size of mask (${shp(mask)}) must be one or equal to input's (${shp(input)})`);
    if (target.dim() > 1) {
      if (mask.shape[1] !== 1) throw new RangeError(`${this.owner}: mask (${shp(mask)}) must have only one channel`);
      const a = input.shape.slice(2);
      const b = mask.shape.slice(2);
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) this.warner.warn(`Spatial size of input (${shp(input)}) is different from mask (${shp(mask)}).`);
    }
    return torch.tidy(() => this.lossFn(input.mul(mask), target.mul(mask)));
  }
}

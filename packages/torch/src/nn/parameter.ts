// nn.Parameter: a leaf tensor that a Module registers as a learnable parameter.
import { Tensor, keep, tidy } from '../tensor.js';
import { native } from '../native.js';

/**
 * A learnable tensor (torch.nn.Parameter). `new Parameter(data)` makes a new leaf that shares
 * data's storage (as PyTorch does) and requires grad. Parameters are exempt from tidy scopes
 * (torch.keep) and live until disposed, usually by Module.dispose().
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    const h = tidy(() => native.alias((data as any).detach().handle));
    super(h);
    keep(this);
    if (requiresGrad) native.setRequiresGrad(h, true);
  }

  /**
   * A Parameter that takes over t: same storage, and t's own handle is disposed, so
   * `nn.Parameter.wrap(torch.ones([3]))` leaves no temporary behind.
   */
  static wrap(t: Tensor, requiresGrad = true): Parameter {
    const p = new Parameter(t, requiresGrad);
    if (t !== p) t.dispose();
    return p;
  }

  override toString(): string {
    return `Parameter containing:\n${Tensor.prototype.toString.call(this)}`;
  }
}

/** True for tensors made by new Parameter(). */
export function isParameter(t: unknown): t is Parameter {
  return t instanceof Parameter;
}

// torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (PyTorch 1.13).
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';

export interface ClipGradNormOptions {
  /** p of the p-norm (default 2); Infinity or 'inf' for the max norm. */
  normType?: number | 'inf';
  /** Throw when the total norm is nan or inf (default false). */
  errorIfNonfinite?: boolean;
}

function toList(parameters: Tensor | Iterable<Tensor>): Tensor[] {
  return parameters instanceof Tensor ? [parameters] : [...parameters];
}

/**
 * Scales the gradients of parameters in place so that their total norm (computed over all
 * gradients together, as if concatenated) is at most maxNorm. Returns the total norm before
 * clipping, a new 0-dim tensor the caller owns.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const normType = options.normType === 'inf' ? Infinity : Number(options.normType ?? 2.0);
  const params = toList(parameters);
  return torch.tidy(() => {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
    if (grads.length === 0) return torch.tensor(0, { dtype: 'float32' });
    const device = grads[0].device;
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max().to(device));
      total = norms.length === 1 ? norms[0] : torch.max(torch.stack(norms));
    } else {
      total = torch.norm(torch.stack(grads.map((g) => torch.norm(g.detach(), { p: normType }).to(device))), { p: normType });
    }
    if (options.errorIfNonfinite && torch.logicalOr(total.isnan(), total.isinf()).item())
      throw new RangeError(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
          'To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite=false',
      );
    // max_norm / (total_norm + 1e-6): Python's float / Tensor is reciprocal() * float
    const coef = total.add(1e-6).reciprocal().mul(maxNorm);
    const clamped = torch.clamp(coef, { max: 1.0 });
    for (const g of grads) g.detach().mul_(clamped.to(g.device));
    return total;
  });
}

/** Clamps every gradient of parameters to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const params = toList(parameters);
  const v = Number(clipValue);
  torch.tidy(() => {
    for (const p of params) {
      const g = p.grad;
      if (g !== null) g.clamp_({ min: -v, max: v });
    }
  });
}

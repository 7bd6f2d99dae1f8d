// torch.optim.RMSprop (PyTorch 1.13 single-tensor path).
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';
import { Optimizer, checkOptions, type ParamGroup, type ParamState, type Params } from './optimizer.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  /** Accepted for PyTorch compatibility; the single-tensor path is always used. */
  foreach?: boolean | null;
  maximize?: boolean;
  /** Only false is supported. */
  differentiable?: boolean;
}

const KEYS = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'foreach', 'maximize', 'differentiable'] as const;

/** RMSprop (Hinton), optionally centered and with momentum. State 'step' is a plain number, as in PyTorch 1.13. */
export class RMSprop extends Optimizer {
  constructor(params: Params, options: RMSpropOptions = {}) {
    checkOptions('RMSprop', options, KEYS);
    const o = options;
    super(params, {
      lr: o.lr ?? 1e-2,
      momentum: o.momentum ?? 0,
      alpha: o.alpha ?? 0.99,
      eps: o.eps ?? 1e-8,
      centered: o.centered ?? false,
      weightDecay: o.weightDecay ?? 0,
      foreach: o.foreach ?? null,
      maximize: o.maximize ?? false,
      differentiable: o.differentiable ?? false,
    });
  }

  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    if (!(g.lr >= 0)) throw new RangeError(`RMSprop: invalid learning rate: ${g.lr}`);
    if (!(g.eps >= 0)) throw new RangeError(`RMSprop: invalid epsilon value: ${g.eps}`);
    if (!(g.momentum >= 0)) throw new RangeError(`RMSprop: invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`RMSprop: invalid weightDecay value: ${g.weightDecay}`);
    if (!(g.alpha >= 0)) throw new RangeError(`RMSprop: invalid alpha value: ${g.alpha}`);
    if (g.differentiable) throw new TypeError('RMSprop: differentiable=true is not supported');
  }

  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    if (state.step === undefined) {
      state.step = 0;
      state.square_avg = this.own(torch.zerosLike(p));
      if (g.momentum > 0) state.momentum_buffer = this.own(torch.zerosLike(p));
      if (g.centered) state.grad_avg = this.own(torch.zerosLike(p));
    }
    // 'step' is a plain number in PyTorch 1.13, a tensor in state dicts from PyTorch >= 2.0
    if (state.step instanceof Tensor) state.step.add_(1);
    else state.step = (state.step as number) + 1;
    let gr = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) gr = gr.add(p, { alpha: g.weightDecay });
    const squareAvg = state.square_avg as Tensor;
    squareAvg.mul_(g.alpha).addcmul_(gr, gr, { value: 1 - g.alpha });
    let avg: Tensor;
    if (g.centered) {
      const gradAvg = state.grad_avg as Tensor;
      gradAvg.mul_(g.alpha).add_(gr, { alpha: 1 - g.alpha });
      avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add_(g.eps);
    if (g.momentum > 0) {
      const buf = state.momentum_buffer as Tensor;
      buf.mul_(g.momentum).addcdiv_(gr, avg);
      p.add_(buf, { alpha: -g.lr });
    } else {
      p.addcdiv_(gr, avg, { value: -g.lr });
    }
  }
}

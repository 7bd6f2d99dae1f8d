// torch.optim.SGD (PyTorch 1.13 single-tensor path).
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';
import { Optimizer, checkOptions, type ParamGroup, type ParamState, type Params } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate (required, as in PyTorch). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** Accepted for PyTorch compatibility; the single-tensor path is always used. */
  foreach?: boolean | null;
  /** Only false is supported. */
  differentiable?: boolean;
}

const KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'foreach', 'differentiable'] as const;

/** Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay. */
export class SGD extends Optimizer {
  constructor(params: Params, options: SGDOptions = {}) {
    checkOptions('SGD', options, KEYS);
    const o = options;
    super(params, {
      lr: o.lr,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false,
      maximize: o.maximize ?? false,
      foreach: o.foreach ?? null,
      differentiable: o.differentiable ?? false,
    });
  }

  protected override validateGroup(g: ParamGroup): void {
    if (g.lr < 0) throw new RangeError(`SGD: invalid learning rate: ${g.lr}`);
    if (g.momentum < 0) throw new RangeError(`SGD: invalid momentum value: ${g.momentum}`);
    if (g.weightDecay < 0) throw new RangeError(`SGD: invalid weightDecay value: ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
    if (g.differentiable) throw new TypeError('SGD: differentiable=true is not supported');
  }

  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    let dp = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) dp = dp.add(p, { alpha: g.weightDecay });
    if (g.momentum !== 0) {
      let buf = state.momentum_buffer as Tensor | null | undefined;
      if (buf == null) {
        buf = this.own(torch.clone(dp).detach());
        state.momentum_buffer = buf;
      } else {
        buf.mul_(g.momentum).add_(dp, { alpha: 1 - g.dampening });
      }
      dp = g.nesterov ? dp.add(buf, { alpha: g.momentum }) : buf;
    } else if (!('momentum_buffer' in state)) {
      state.momentum_buffer = null;
    }
    p.add_(dp, { alpha: -g.lr });
  }
}

// torch.optim.Adam and AdamW (PyTorch 1.13 single-tensor, non-capturable path).
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';
import { Optimizer, checkOptions, stepCounter, type ParamGroup, type ParamState, type Params } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number] | number[];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** Accepted for PyTorch compatibility; the single-tensor path is always used. */
  foreach?: boolean | null;
  /** Only false is supported. */
  capturable?: boolean;
  /** Only false is supported. */
  differentiable?: boolean;
  /** Only false is supported. */
  fused?: boolean;
}

function validate(name: string, g: ParamGroup): void {
  if (!(g.lr >= 0)) throw new RangeError(`${name}: invalid learning rate: ${g.lr}`);
  if (!(g.eps >= 0)) throw new RangeError(`${name}: invalid epsilon value: ${g.eps}`);
  const [b1, b2] = g.betas as number[];
  if (!(b1 >= 0 && b1 < 1)) throw new RangeError(`${name}: invalid beta parameter at index 0: ${b1}`);
  if (!(b2 >= 0 && b2 < 1)) throw new RangeError(`${name}: invalid beta parameter at index 1: ${b2}`);
  if (!(g.weightDecay >= 0)) throw new RangeError(`${name}: invalid weightDecay value: ${g.weightDecay}`);
  for (const k of ['capturable', 'differentiable', 'fused']) if (g[k]) throw new TypeError(`${name}: ${k}=true is not supported`);
}

/** The shared Adam update; decoupled selects AdamW's weight decay. */
function adamUpdate(own: (t: Tensor) => Tensor, p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState, decoupled: boolean): void {
  if (state.step === undefined) {
    state.step = own(stepCounter());
    state.exp_avg = own(torch.zerosLike(p));
    state.exp_avg_sq = own(torch.zerosLike(p));
    if (g.amsgrad) state.max_exp_avg_sq = own(torch.zerosLike(p));
  }
  // state dicts from PyTorch < 1.12 hold 'step' as a number (PyTorch converts it on load, as here)
  if (typeof state.step === 'number') state.step = own(torch.tensor(state.step, { dtype: 'float32' }));
  const [beta1, beta2] = g.betas as number[];
  const lr = g.lr as number;
  const wd = g.weightDecay as number;
  let gr = g.maximize ? grad.neg() : grad;
  const stepT = state.step as Tensor;
  const expAvg = state.exp_avg as Tensor;
  const expAvgSq = state.exp_avg_sq as Tensor;
  stepT.add_(1);
  if (decoupled) p.mul_(1 - lr * wd);
  else if (wd !== 0) gr = gr.add(p, { alpha: wd });
  expAvg.mul_(beta1).add_(gr, { alpha: 1 - beta1 });
  expAvgSq.mul_(beta2).addcmul_(gr, gr, { value: 1 - beta2 });
  const step = stepT.item();
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const stepSize = lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  let denom: Tensor;
  if (g.amsgrad) {
    const mx = state.max_exp_avg_sq as Tensor;
    mx.copy_(torch.maximum(mx, expAvgSq));
    denom = mx.sqrt().div(bc2Sqrt).add_(g.eps);
  } else {
    denom = expAvgSq.sqrt().div(bc2Sqrt).add_(g.eps);
  }
  p.addcdiv_(expAvg, denom, { value: -stepSize });
}

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused'] as const;

/** Adam (Kingma & Ba), with optional AMSGrad, L2 weight decay and maximize. */
export class Adam extends Optimizer {
  constructor(params: Params, options: AdamOptions = {}) {
    checkOptions('Adam', options, ADAM_KEYS);
    const o = options;
    super(params, {
      lr: o.lr ?? 1e-3,
      betas: [...(o.betas ?? [0.9, 0.999])],
      eps: o.eps ?? 1e-8,
      weightDecay: o.weightDecay ?? 0,
      amsgrad: o.amsgrad ?? false,
      maximize: o.maximize ?? false,
      foreach: o.foreach ?? null,
      capturable: o.capturable ?? false,
      differentiable: o.differentiable ?? false,
      fused: o.fused ?? false,
    });
  }
  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    validate('Adam', g);
  }
  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    adamUpdate((t) => this.own(t), p, grad, g, state, false);
  }
}

const ADAMW_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach', 'capturable'] as const;

/** AdamW (Loshchilov & Hutter): Adam with decoupled weight decay (default 1e-2). */
export class AdamW extends Optimizer {
  constructor(params: Params, options: Omit<AdamOptions, 'differentiable' | 'fused'> = {}) {
    checkOptions('AdamW', options, ADAMW_KEYS);
    const o = options;
    super(params, {
      lr: o.lr ?? 1e-3,
      betas: [...(o.betas ?? [0.9, 0.999])],
      eps: o.eps ?? 1e-8,
      weightDecay: o.weightDecay ?? 1e-2,
      amsgrad: o.amsgrad ?? false,
      foreach: o.foreach ?? null,
      maximize: o.maximize ?? false,
      capturable: o.capturable ?? false,
    });
  }
  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    validate('AdamW', g);
  }
  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    adamUpdate((t) => this.own(t), p, grad, g, state, true);
  }
}

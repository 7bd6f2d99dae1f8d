// Novograd (MONAI monai/optimizers/novograd.py; Ginsburg et al. 2019, arXiv:1905.11286): Adam-like
// with a second moment per layer (the running average of the squared gradient norm, one scalar per
// parameter tensor) and the gradient normalised by it before the first moment.
//
// State per parameter, with PyTorch's keys so state dicts exchange with MONAI's: step (a number, as
// MONAI keeps a Python int), exp_avg (like the parameter), exp_avg_sq and, with amsgrad,
// max_exp_avg_sq (0-dim float32 tensors, as MONAI's torch.zeros([])).
//
// As in MONAI, step() normalises each parameter's .grad in place (the gradient is divided by the
// layer norm, plus weight decay, times 1 - beta1 with gradAveraging).
import * as torch from '@monai-ts/torch';
import { Tensor, optim } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';

export interface NovogradOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Averaging coefficients of the gradient and of its squared norm. Default [0.9, 0.98]. */
  betas?: [number, number] | number[];
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty, added to the normalised gradient. Default 0. */
  weightDecay?: number;
  /** Scale the normalised gradient by 1 - beta1 before averaging. Default false. */
  gradAveraging?: boolean;
  /** Normalise by the running maximum of the squared norm's average (AMSGrad). Default false. */
  amsgrad?: boolean;
}

const KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'gradAveraging', 'amsgrad'] as const;

export class Novograd extends optim.Optimizer {
  constructor(params: optim.Params, options: NovogradOptions = {}) {
    checkOptions('Novograd', options, KEYS);
    super(params, {
      lr: options.lr ?? 1e-3,
      betas: [...(options.betas ?? [0.9, 0.98])],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      gradAveraging: options.gradAveraging ?? false,
      amsgrad: options.amsgrad ?? false,
    });
  }

  protected override validateGroup(g: optim.ParamGroup): void {
    if (!(g.lr >= 0)) throw new RangeError(`Novograd: invalid learning rate (lr): ${g.lr}`);
    if (!(g.eps >= 0)) throw new RangeError(`Novograd: invalid epsilon value (eps): ${g.eps}`);
    const betas = g.betas as number[];
    if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`Novograd: betas must be a pair of numbers, found ${JSON.stringify(betas)}`);
    betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1)) throw new RangeError(`Novograd: invalid beta parameter at index ${i} (betas): ${b}, expected a value in [0, 1)`);
    });
    if (!(g.weightDecay >= 0)) throw new RangeError(`Novograd: invalid weightDecay value: ${g.weightDecay}`);
    for (const p of g.params)
      if (!(p.dtype.startsWith('float') || p.dtype === 'bfloat16')) throw new TypeError(`Novograd: parameters must be floating point, found ${p.dtype}`);
  }

  /**
   * One step over every parameter with a gradient: state is made here (step counts, moments), the update
   * runs natively over each group at once (optim.novogradStep: the same ATen calls as a per-parameter
   * update, ~2 ms instead of 15 for the spleen UNet's 97 parameters).
   */
  override step<T = unknown>(closure?: () => T): T | undefined {
    let loss: T | undefined;
    if (closure) loss = torch.enableGrad(closure);
    torch.noGrad(() => {
      for (const group of this.paramGroups) this.stepGroup(group, group.params);
    });
    return loss;
  }

  private stepGroup(g: optim.ParamGroup, params: readonly Tensor[]): void {
    const amsgrad = g.amsgrad as boolean;
    const states: optim.ParamState[] = [];
    const withState: Tensor[] = [];
    const expAvg: Tensor[] = [];
    const expAvgSq: Tensor[] = [];
    const maxSq: Tensor[] = [];
    for (const p of params) {
      let state = this.state.get(p);
      if (state === undefined || Object.keys(state).length === 0) {
        const grad = p.grad;
        if (grad === null) continue; // no state for a parameter that never had a gradient (as MONAI)
        grad.dispose();
        state = this.stateOf(p);
        state.step = 0;
        state.exp_avg = this.own(torch.zerosLike(p));
        state.exp_avg_sq = this.own(torch.zeros([], { dtype: 'float32', device: p.device }));
        if (amsgrad) state.max_exp_avg_sq = this.own(torch.zeros([], { dtype: 'float32', device: p.device }));
      }
      // a state dict may carry step as a 0-dim tensor; MONAI counts with a number
      if (state.step instanceof Tensor) {
        const n = state.step.item();
        state.step.dispose();
        state.step = n;
      }
      if (amsgrad && !(state.max_exp_avg_sq instanceof Tensor)) state.max_exp_avg_sq = this.own(torch.zeros([], { dtype: 'float32', device: p.device }));
      states.push(state);
      withState.push(p);
      expAvg.push(state.exp_avg as Tensor);
      expAvgSq.push(state.exp_avg_sq as Tensor);
      if (amsgrad) maxSq.push(state.max_exp_avg_sq as Tensor);
    }
    const [beta1, beta2] = g.betas as number[];
    const updated = optim.novogradStep(withState, expAvg, expAvgSq, amsgrad ? maxSq : null, {
      lr: g.lr as number, beta1, beta2, eps: g.eps as number, weightDecay: g.weightDecay as number, gradAveraging: g.gradAveraging as boolean,
    });
    updated.forEach((u, i) => {
      if (u) states[i].step = (states[i].step as number) + 1;
    });
  }

  protected updateParam(p: Tensor, _grad: Tensor, g: optim.ParamGroup): void {
    this.stepGroup(g, [p]);
  }
}

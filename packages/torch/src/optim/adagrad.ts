// torch.optim.Adagrad (PyTorch 1.13 single-tensor path, dense gradients).
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';
import { Optimizer, checkOptions, stepCounter, type ParamGroup, type ParamState, type Params } from './optimizer.js';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  /** Accepted for PyTorch compatibility; the single-tensor path is always used. */
  foreach?: boolean | null;
  maximize?: boolean;
}

const KEYS = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'foreach', 'maximize'] as const;

/** Adagrad (Duchi et al.). State (step, sum) is created for every parameter at construction, as in PyTorch. */
export class Adagrad extends Optimizer {
  constructor(params: Params, options: AdagradOptions = {}) {
    checkOptions('Adagrad', options, KEYS);
    const o = options;
    super(params, {
      lr: o.lr ?? 1e-2,
      lrDecay: o.lrDecay ?? 0,
      eps: o.eps ?? 1e-10,
      weightDecay: o.weightDecay ?? 0,
      initialAccumulatorValue: o.initialAccumulatorValue ?? 0,
      foreach: o.foreach ?? null,
      maximize: o.maximize ?? false,
    });
  }

  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    if (!(g.lr >= 0)) throw new RangeError(`Adagrad: invalid learning rate: ${g.lr}`);
    if (!(g.lrDecay >= 0)) throw new RangeError(`Adagrad: invalid lrDecay value: ${g.lrDecay}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`Adagrad: invalid weightDecay value: ${g.weightDecay}`);
    if (!(g.initialAccumulatorValue >= 0)) throw new RangeError(`Adagrad: invalid initialAccumulatorValue value: ${g.initialAccumulatorValue}`);
    if (!(g.eps >= 0)) throw new RangeError(`Adagrad: invalid epsilon value: ${g.eps}`);
  }

  protected override initGroupState(g: ParamGroup): void {
    for (const p of g.params) this.initState(p, g, this.stateOf(p));
  }

  private initState(p: Tensor, g: ParamGroup, state: ParamState): void {
    if (state.step !== undefined) return;
    state.step = this.own(stepCounter());
    state.sum = this.own(torch.fullLike(p, g.initialAccumulatorValue));
  }

  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    this.initState(p, g, state);
    if (typeof state.step === 'number') state.step = this.own(torch.tensor(state.step, { dtype: 'float32' }));
    const stepT = state.step as Tensor;
    stepT.add_(1);
    const step = stepT.item();
    let gr = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) gr = gr.add(p, { alpha: g.weightDecay });
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = state.sum as Tensor;
    sum.addcmul_(gr, gr, { value: 1 });
    const std = sum.sqrt().add_(g.eps);
    p.addcdiv_(gr, std, { value: -clr });
  }
}

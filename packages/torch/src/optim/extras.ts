// torch.optim.Adadelta, Adamax, NAdam and RAdam (PyTorch 1.13 single-tensor paths).
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';
import { Optimizer, checkOptions, stepCounter, type ParamGroup, type ParamState, type Params } from './optimizer.js';

function checkCommon(name: string, g: ParamGroup): void {
  if (!(g.lr >= 0)) throw new RangeError(`${name}: invalid learning rate: ${g.lr}`);
  if (!(g.eps >= 0)) throw new RangeError(`${name}: invalid epsilon value: ${g.eps}`);
  if (!(g.weightDecay >= 0)) throw new RangeError(`${name}: invalid weightDecay value: ${g.weightDecay}`);
  if (g.betas) {
    const [b1, b2] = g.betas as number[];
    if (!(b1 >= 0 && b1 < 1)) throw new RangeError(`${name}: invalid beta parameter at index 0: ${b1}`);
    if (!(b2 >= 0 && b2 < 1)) throw new RangeError(`${name}: invalid beta parameter at index 1: ${b2}`);
  }
}

/** Takes the step counter forward (a float32 tensor; numbers from old state dicts are converted). */
function tick(own: (t: Tensor) => Tensor, state: ParamState): number {
  if (typeof state.step === 'number') state.step = own(torch.tensor(state.step, { dtype: 'float32' }));
  const t = state.step as Tensor;
  t.add_(1);
  return t.item();
}

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

/** Adadelta (Zeiler). State 'step' is a plain number, as in PyTorch 1.13. */
export class Adadelta extends Optimizer {
  constructor(params: Params, options: AdadeltaOptions = {}) {
    checkOptions('Adadelta', options, ['lr', 'rho', 'eps', 'weightDecay', 'foreach', 'maximize']);
    const o = options;
    super(params, { lr: o.lr ?? 1.0, rho: o.rho ?? 0.9, eps: o.eps ?? 1e-6, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false, foreach: o.foreach ?? null });
  }
  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    checkCommon('Adadelta', g);
    if (!(g.rho >= 0 && g.rho <= 1)) throw new RangeError(`Adadelta: invalid rho value: ${g.rho}`);
  }
  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    if (state.step === undefined) {
      state.step = 0;
      state.square_avg = this.own(torch.zerosLike(p));
      state.acc_delta = this.own(torch.zerosLike(p));
    }
    if (state.step instanceof Tensor) state.step.add_(1);
    else state.step = (state.step as number) + 1;
    let gr = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) gr = gr.add(p, { alpha: g.weightDecay });
    const squareAvg = state.square_avg as Tensor;
    const accDelta = state.acc_delta as Tensor;
    squareAvg.mul_(g.rho).addcmul_(gr, gr, { value: 1 - g.rho });
    const std = squareAvg.add(g.eps).sqrt_();
    const delta = accDelta.add(g.eps).sqrt_().div_(std).mul_(gr);
    accDelta.mul_(g.rho).addcmul_(delta, delta, { value: 1 - g.rho });
    p.add_(delta, { alpha: -g.lr });
  }
}

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number] | number[];
  eps?: number;
  weightDecay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

/** Adamax: Adam with the infinity norm. */
export class Adamax extends Optimizer {
  constructor(params: Params, options: AdamaxOptions = {}) {
    checkOptions('Adamax', options, ['lr', 'betas', 'eps', 'weightDecay', 'foreach', 'maximize']);
    const o = options;
    super(params, { lr: o.lr ?? 2e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, foreach: o.foreach ?? null, maximize: o.maximize ?? false });
  }
  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    checkCommon('Adamax', g);
  }
  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    if (state.step === undefined) {
      state.step = this.own(stepCounter());
      state.exp_avg = this.own(torch.zerosLike(p));
      state.exp_inf = this.own(torch.zerosLike(p));
    }
    const [beta1, beta2] = g.betas as number[];
    let gr = g.maximize ? grad.neg() : grad;
    const step = tick((t) => this.own(t), state);
    if (g.weightDecay !== 0) gr = gr.add(p, { alpha: g.weightDecay });
    const expAvg = state.exp_avg as Tensor;
    const expInf = state.exp_inf as Tensor;
    expAvg.mul_(beta1).add_(gr, { alpha: 1 - beta1 });
    const normBuf = torch.cat([expInf.mul_(beta2).unsqueeze(0), gr.abs().add_(g.eps).unsqueeze_(0)], { dim: 0 });
    expInf.copy_(torch.amax(normBuf, 0, { keepdim: false }));
    const clr = g.lr / (1 - beta1 ** step);
    p.addcdiv_(expAvg, expInf, { value: -clr });
  }
}

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number] | number[];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  foreach?: boolean | null;
}

/** NAdam: Adam with Nesterov momentum (Dozat). State mu_product is a float32 tensor, as in PyTorch. */
export class NAdam extends Optimizer {
  constructor(params: Params, options: NAdamOptions = {}) {
    checkOptions('NAdam', options, ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'foreach']);
    const o = options;
    super(params, { lr: o.lr ?? 2e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, momentumDecay: o.momentumDecay ?? 4e-3, foreach: o.foreach ?? null });
  }
  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    checkCommon('NAdam', g);
    if (!(g.momentumDecay >= 0)) throw new RangeError(`NAdam: invalid momentumDecay value: ${g.momentumDecay}`);
  }
  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    if (state.step === undefined) {
      state.step = this.own(stepCounter());
      state.mu_product = this.own(torch.tensor(1, { dtype: 'float32' }));
      state.exp_avg = this.own(torch.zerosLike(p));
      state.exp_avg_sq = this.own(torch.zerosLike(p));
    }
    const [beta1, beta2] = g.betas as number[];
    const step = tick((t) => this.own(t), state);
    const bc2 = 1 - beta2 ** step;
    let gr = grad;
    if (g.weightDecay !== 0) gr = gr.add(p, { alpha: g.weightDecay });
    const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * g.momentumDecay));
    const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * g.momentumDecay));
    const muProduct = state.mu_product as Tensor;
    muProduct.mul_(mu);
    const muProductNext = muProduct.mul(mu).mul(muNext);
    const expAvg = state.exp_avg as Tensor;
    const expAvgSq = state.exp_avg_sq as Tensor;
    expAvg.mul_(beta1).add_(gr, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).addcmul_(gr, gr, { value: 1 - beta2 });
    const denom = expAvgSq.div(bc2).sqrt().add_(g.eps);
    p.addcdiv_(gr, denom, { value: (-g.lr * (1.0 - mu)) / (1.0 - muProduct.item()) });
    p.addcdiv_(expAvg, denom, { value: (-g.lr * muNext) / (1.0 - muProductNext.item()) });
  }
}

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number] | number[];
  eps?: number;
  weightDecay?: number;
  foreach?: boolean | null;
}

/** RAdam: Adam with variance rectification (Liu et al.). */
export class RAdam extends Optimizer {
  constructor(params: Params, options: RAdamOptions = {}) {
    checkOptions('RAdam', options, ['lr', 'betas', 'eps', 'weightDecay', 'foreach']);
    const o = options;
    super(params, { lr: o.lr ?? 1e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, foreach: o.foreach ?? null });
  }
  protected override validateGroup(g: ParamGroup): void {
    this.rejectComplex(g);
    checkCommon('RAdam', g);
  }
  protected updateParam(p: Tensor, grad: Tensor, g: ParamGroup, state: ParamState): void {
    if (state.step === undefined) {
      state.step = this.own(stepCounter());
      state.exp_avg = this.own(torch.zerosLike(p));
      state.exp_avg_sq = this.own(torch.zerosLike(p));
    }
    const [beta1, beta2] = g.betas as number[];
    const step = tick((t) => this.own(t), state);
    const bc1 = 1 - beta1 ** step;
    const bc2 = 1 - beta2 ** step;
    let gr = grad;
    if (g.weightDecay !== 0) gr = gr.add(p, { alpha: g.weightDecay });
    const expAvg = state.exp_avg as Tensor;
    const expAvgSq = state.exp_avg_sq as Tensor;
    expAvg.mul_(beta1).add_(gr, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).addcmul_(gr, gr, { value: 1 - beta2 });
    const corrected = expAvg.div(bc1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
    if (rhoT > 5.0) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      // math.sqrt(bc2) / tensor is tensor.reciprocal() * float in Python
      const adaptive = expAvgSq.sqrt().add_(g.eps).reciprocal().mul(Math.sqrt(bc2));
      p.add_(corrected.mul(g.lr).mul(adaptive).mul(rect), { alpha: -1.0 });
    } else {
      p.add_(corrected.mul(g.lr), { alpha: -1.0 });
    }
  }
}

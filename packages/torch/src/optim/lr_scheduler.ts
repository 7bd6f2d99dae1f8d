// torch.optim.lr_scheduler after PyTorch 1.13: the chainable (recursive) forms of get_lr, so lr
// sequences match PyTorch's step by step. Options are camelCase of PyTorch's names (T_max -> tMax,
// T_0 -> t0, T_mult -> tMult); state dicts use PyTorch's attribute names.
import { Optimizer, checkOptions, type ParamGroup } from './optimizer.js';

type Dict = Record<string, unknown>;

function bisectRight(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function perGroup<T>(name: string, optimizer: Optimizer, value: T | T[]): T[] {
  if (Array.isArray(value)) {
    if (value.length !== optimizer.paramGroups.length)
      throw new RangeError(`expected ${optimizer.paramGroups.length} values for ${name}, got ${value.length}`);
    return [...value];
  }
  return optimizer.paramGroups.map(() => value);
}

/**
 * Base class of the epoch-indexed schedulers (torch's _LRScheduler / LRScheduler). A subclass sets
 * its fields after super(optimizer), calls this.init(lastEpoch, verbose) at the end of its
 * constructor (PyTorch's base __init__ runs the first step, which needs those fields), implements
 * getLr() in PyTorch's chainable form, and lists its state-dict attributes in stateKeys.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  baseLrs: number[] = [];
  lastEpoch = -1;
  verbose = false;
  protected stepCount = 0;
  protected getLrCalledWithinStep = false;
  protected lastLr: number[] = [];
  /** Subclass attributes saved in state dicts: [field, PyTorch name]. */
  protected abstract readonly stateKeys: [string, string][];

  constructor(optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${(optimizer as object)?.constructor?.name} is not an Optimizer`);
    this.optimizer = optimizer;
  }

  /** Second half of torch's _LRScheduler.__init__ (subclasses call it once their fields are set). */
  protected init(lastEpoch = -1, verbose = false): void {
    if (lastEpoch === -1) {
      for (const g of this.optimizer.paramGroups) if (!('initialLr' in g)) g.initialLr = g.lr;
    } else {
      this.optimizer.paramGroups.forEach((g, i) => {
        if (!('initialLr' in g)) throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
    this.initialStep();
  }

  /** @internal Resets the step count and takes the initial step (SequentialLR calls it on its first child). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates at lastEpoch (chainable form; called by step()). */
  abstract getLr(): number[];
  /** Closed form used when step(epoch) is given an epoch, where the scheduler has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The learning rates the last step() set, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Advances one epoch (or jumps to `epoch`, deprecated in PyTorch) and sets each group's lr. */
  step(epoch?: number): void {
    this.stepCount += 1;
    this.getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this.getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${values[i].toExponential(4)}.`);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /** State in PyTorch's form (its attribute names; values are plain numbers, lists and dicts). */
  stateDict(): Dict {
    const sd: Dict = {};
    for (const [field, key] of this.stateKeys) sd[key] = copy((this as any)[field]);
    sd.base_lrs = [...this.baseLrs];
    sd.last_epoch = this.lastEpoch;
    sd.verbose = this.verbose;
    sd._step_count = this.stepCount;
    sd._get_lr_called_within_step = this.getLrCalledWithinStep;
    sd._last_lr = [...this.lastLr];
    return sd;
  }

  loadStateDict(sd: Dict): void {
    for (const [field, key] of this.stateKeys) if (key in sd) (this as any)[field] = copy(sd[key]);
    if ('base_lrs' in sd) this.baseLrs = [...(sd.base_lrs as number[])];
    if ('last_epoch' in sd) this.lastEpoch = sd.last_epoch as number;
    if ('verbose' in sd) this.verbose = sd.verbose as boolean;
    if ('_step_count' in sd) this.stepCount = sd._step_count as number;
    if ('_get_lr_called_within_step' in sd) this.getLrCalledWithinStep = sd._get_lr_called_within_step as boolean;
    if ('_last_lr' in sd) this.lastLr = [...(sd._last_lr as number[])];
  }
}

function copy<T>(v: T): T {
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copy(x)])) as T;
  if (Array.isArray(v)) return v.map(copy) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) as T;
  return v;
}

interface Base {
  lastEpoch?: number;
  verbose?: boolean;
}
const BASE = ['lastEpoch', 'verbose'];

/** lr = base_lr * lrLambda(epoch), one function or one per group. */
export class LambdaLR extends LRScheduler {
  lrLambdas: ((epoch: number) => number)[];
  protected readonly stateKeys: [string, string][] = [];
  constructor(optimizer: Optimizer, options: Base & { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[] }) {
    super(optimizer);
    checkOptions('LambdaLR', options, ['lrLambda', ...BASE]);
    const l = options.lrLambda;
    if (typeof l !== 'function' && !Array.isArray(l)) throw new TypeError('LambdaLR: lrLambda must be a function or a list of functions');
    if (Array.isArray(l) && l.length !== optimizer.paramGroups.length)
      throw new RangeError(`LambdaLR: expected ${optimizer.paramGroups.length} lrLambdas, but got ${l.length}`);
    this.lrLambdas = Array.isArray(l) ? [...l] : optimizer.paramGroups.map(() => l);
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    return this.lrLambdas.map((f, i) => this.baseLrs[i] * f(this.lastEpoch));
  }
  override stateDict(): Dict {
    // PyTorch saves functions as None (only callable objects' __dict__ would be saved).
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** Decays each group's lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  protected readonly stateKeys: [string, string][] = [['stepSize', 'step_size'], ['gamma', 'gamma']];
  constructor(optimizer: Optimizer, options: Base & { stepSize: number; gamma?: number }) {
    super(optimizer);
    checkOptions('StepLR', options, ['stepSize', 'gamma', ...BASE]);
    if (!(options.stepSize > 0)) throw new RangeError('StepLR: stepSize must be a positive integer');
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Decays each group's lr by gamma at each milestone (a milestone listed twice decays twice). */
export class MultiStepLR extends LRScheduler {
  /** milestone -> count (PyTorch's Counter). */
  milestones: Map<number, number>;
  gamma: number;
  protected readonly stateKeys: [string, string][] = [['milestones', 'milestones'], ['gamma', 'gamma']];
  constructor(optimizer: Optimizer, options: Base & { milestones: number[]; gamma?: number }) {
    super(optimizer);
    checkOptions('MultiStepLR', options, ['milestones', 'gamma', ...BASE]);
    this.milestones = new Map();
    for (const m of options.milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = options.gamma ?? 0.1;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    const n = this.milestones.get(this.lastEpoch);
    if (n === undefined) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * this.gamma ** n);
  }
  protected override closedFormLr(): number[] {
    const ms = [...this.milestones].flatMap(([m, n]) => new Array(n).fill(m)).sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(ms, this.lastEpoch));
  }
  override loadStateDict(sd: Dict): void {
    super.loadStateDict(sd);
    const m = sd.milestones;
    if (m && !(m instanceof Map)) this.milestones = new Map(Object.entries(m as Dict).map(([k, v]) => [Number(k), v as number]));
  }
}

/** Multiplies each group's lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  protected readonly stateKeys: [string, string][] = [['gamma', 'gamma']];
  constructor(optimizer: Optimizer, options: Base & { gamma: number }) {
    super(optimizer);
    checkOptions('ExponentialLR', options, ['gamma', ...BASE]);
    this.gamma = options.gamma;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** lr = previous lr * lrLambda(epoch) for epoch > 0. */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: ((epoch: number) => number)[];
  protected readonly stateKeys: [string, string][] = [];
  constructor(optimizer: Optimizer, options: Base & { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[] }) {
    super(optimizer);
    checkOptions('MultiplicativeLR', options, ['lrLambda', ...BASE]);
    const l = options.lrLambda;
    if (Array.isArray(l) && l.length !== optimizer.paramGroups.length)
      throw new RangeError(`MultiplicativeLR: expected ${optimizer.paramGroups.length} lrLambdas, but got ${l.length}`);
    this.lrLambdas = Array.isArray(l) ? [...l] : optimizer.paramGroups.map(() => l);
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups().map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
    return this.groups().map((g) => g.lr);
  }
  override stateDict(): Dict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** Multiplies the lr by factor until epoch totalIters, then restores it. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  protected readonly stateKeys: [string, string][] = [['factor', 'factor'], ['totalIters', 'total_iters']];
  constructor(optimizer: Optimizer, options: Base & { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    checkOptions('ConstantLR', options, ['factor', 'totalIters', ...BASE]);
    this.factor = options.factor ?? 1.0 / 3;
    if (this.factor > 1.0 || this.factor < 0) throw new RangeError('ConstantLR: constant multiplicative factor expected to be between 0 and 1.');
    this.totalIters = options.totalIters ?? 5;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups().map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * (1.0 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/** Linear change of the lr factor from startFactor to endFactor over totalIters epochs (warmup). */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  protected readonly stateKeys: [string, string][] = [['startFactor', 'start_factor'], ['endFactor', 'end_factor'], ['totalIters', 'total_iters']];
  constructor(optimizer: Optimizer, options: Base & { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    checkOptions('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', ...BASE]);
    this.startFactor = options.startFactor ?? 1.0 / 3;
    this.endFactor = options.endFactor ?? 1.0;
    if (this.startFactor > 1.0 || this.startFactor < 0) throw new RangeError('LinearLR: starting multiplicative factor expected to be between 0 and 1.');
    if (this.endFactor > 1.0 || this.endFactor < 0) throw new RangeError('LinearLR: ending multiplicative factor expected to be between 0 and 1.');
    this.totalIters = options.totalIters ?? 5;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups().map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups().map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    return this.groups().map((g) => g.lr * (1.0 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => b * (this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters),
    );
  }
}

/** Polynomial decay to zero over totalIters epochs. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  protected readonly stateKeys: [string, string][] = [['totalIters', 'total_iters'], ['power', 'power']];
  constructor(optimizer: Optimizer, options: Base & { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    checkOptions('PolynomialLR', options, ['totalIters', 'power', ...BASE]);
    this.totalIters = options.totalIters ?? 5;
    this.power = options.power ?? 1.0;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups().map((g) => g.lr);
    const f = ((1.0 - this.lastEpoch / this.totalIters) / (1.0 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups().map((g) => g.lr * f);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/** Cosine annealing from each base lr to etaMin over tMax epochs (and back up, beyond tMax, as PyTorch does). */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  protected readonly stateKeys: [string, string][] = [['tMax', 'T_max'], ['etaMin', 'eta_min']];
  constructor(optimizer: Optimizer, options: Base & { tMax: number; etaMin?: number }) {
    super(optimizer);
    checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin', ...BASE]);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    const e = this.lastEpoch;
    const T = this.tMax;
    if (e === 0) return this.groups().map((g) => g.lr);
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0)
      return this.groups().map((g, i) => g.lr + ((this.baseLrs[i] - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return this.groups().map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - this.etaMin) + this.etaMin,
    );
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** SGDR: cosine annealing with warm restarts every t0 * tMult^i epochs. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;
  protected readonly stateKeys: [string, string][] = [['t0', 'T_0'], ['tI', 'T_i'], ['tMult', 'T_mult'], ['etaMin', 'eta_min'], ['tCur', 'T_cur']];
  constructor(optimizer: Optimizer, options: Base & { t0: number; tMult?: number; etaMin?: number }) {
    super(optimizer);
    checkOptions('CosineAnnealingWarmRestarts', options, ['t0', 'tMult', 'etaMin', ...BASE]);
    const t0 = options.t0;
    const tMult = options.tMult ?? 1;
    if (!(Number.isInteger(t0) && t0 > 0)) throw new RangeError(`Expected positive integer t0, but got ${t0}`);
    if (!(Number.isInteger(tMult) && tMult >= 1)) throw new RangeError(`Expected integer tMult >= 1, but got ${tMult}`);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = options.etaMin ?? 0;
    this.tCur = options.lastEpoch ?? -1;
    this.init(options.lastEpoch, options.verbose);
  }
  getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  /** Advances one epoch, or jumps to a (possibly fractional) epoch. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    // PyTorch's CosineAnnealingWarmRestarts.step does not count steps (its _step_count stays 0).
    this.getLrCalledWithinStep = true;
    let values: number[];
    try {
      values = this.getLr();
    } finally {
      this.getLrCalledWithinStep = false;
    }
    this.groups().forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.groups().map((g) => g.lr);
  }
  override initialStep(): void {
    this.stepCount = 0;
    this.step();
  }
}

interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

export interface OneCycleLROptions extends Base {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

/**
 * The 1cycle policy (Smith & Topin). Momentum (SGD's momentum, or Adam's beta1) cycles inversely
 * when cycleMomentum is set. The state dict stores anneal_strategy where PyTorch stores the bound
 * anneal_func method.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;
  schedulePhases: Phase[];
  protected readonly stateKeys: [string, string][] = [
    ['totalSteps', 'total_steps'], ['schedulePhases', '_schedule_phases'], ['annealStrategy', 'anneal_strategy'],
    ['cycleMomentum', 'cycle_momentum'], ['useBeta1', 'use_beta1'],
  ];
  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    super(optimizer);
    checkOptions('OneCycleLR', options, ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', ...BASE]);
    const o = options;
    if (o.totalSteps === undefined && o.epochs === undefined && o.stepsPerEpoch === undefined)
      throw new TypeError('OneCycleLR: you must define either totalSteps OR (epochs AND stepsPerEpoch)');
    if (o.totalSteps !== undefined) {
      if (!(Number.isInteger(o.totalSteps) && o.totalSteps > 0)) throw new RangeError(`Expected positive integer totalSteps, but got ${o.totalSteps}`);
      this.totalSteps = o.totalSteps;
    } else {
      if (!(Number.isInteger(o.epochs) && o.epochs! > 0)) throw new RangeError(`Expected positive integer epochs, but got ${o.epochs}`);
      if (!(Number.isInteger(o.stepsPerEpoch) && o.stepsPerEpoch! > 0))
        throw new RangeError(`Expected positive integer stepsPerEpoch, but got ${o.stepsPerEpoch}`);
      this.totalSteps = o.epochs! * o.stepsPerEpoch!;
    }
    const pct = o.pctStart ?? 0.3;
    const n = this.totalSteps;
    this.schedulePhases = o.threePhase
      ? [
          { end_step: pct * n - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: 2 * pct * n - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
          { end_step: n - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
        ]
      : [
          { end_step: pct * n - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: n - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        ];
    if (!(pct >= 0 && pct <= 1)) throw new RangeError(`Expected float between 0 and 1 pctStart, but got ${pct}`);
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new RangeError(`annealStrategy must be one of 'cos' or 'linear', instead got ${strategy}`);
    this.annealStrategy = strategy;
    const lastEpoch = o.lastEpoch ?? -1;
    const maxLrs = perGroup('maxLr', optimizer, o.maxLr);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    this.cycleMomentum = o.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults))
        throw new TypeError('OneCycleLR: optimizer must support momentum with `cycleMomentum` option enabled');
      this.useBeta1 = 'betas' in optimizer.defaults;
      const maxM = perGroup('maxMomentum', optimizer, o.maxMomentum ?? 0.95);
      const baseM = perGroup('baseMomentum', optimizer, o.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (this.useBeta1) setBeta1(g, maxM[i]);
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    this.init(lastEpoch, o.verbose);
  }
  override stateDict(): Dict {
    const sd = super.stateDict();
    if (!this.cycleMomentum) delete sd.use_beta1; // PyTorch sets use_beta1 only when cycling momentum
    return sd;
  }
  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }
  getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) throw new RangeError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    const field = (g: ParamGroup, key: string): number => g[camel(key)];
    return this.groups().map((g) => {
      let start = 0;
      let lr = 0;
      let mom = 0;
      for (let i = 0; i < this.schedulePhases.length; i++) {
        const ph = this.schedulePhases[i];
        if (stepNum <= ph.end_step || i === this.schedulePhases.length - 1) {
          const pct = (stepNum - start) / (ph.end_step - start);
          lr = this.anneal(field(g, ph.start_lr), field(g, ph.end_lr), pct);
          if (this.cycleMomentum) mom = this.anneal(field(g, ph.start_momentum), field(g, ph.end_momentum), pct);
          break;
        }
        start = ph.end_step;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) setBeta1(g, mom);
        else g.momentum = mom;
      }
      return lr;
    });
  }
}

/** Runs schedulers one after another, switching at the milestones. */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  milestones: number[];
  protected readonly stateKeys: [string, string][] = [['milestones', '_milestones']];
  constructor(optimizer: Optimizer, options: { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number; verbose?: boolean }) {
    super(optimizer);
    checkOptions('SequentialLR', options, ['schedulers', 'milestones', ...BASE]);
    const { schedulers, milestones } = options;
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new TypeError(`SequentialLR expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
    });
    if (milestones.length !== schedulers.length - 1)
      throw new RangeError(`SequentialLR expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`);
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }
  getLr(): number[] {
    return this.getLastLr();
  }
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
  override stateDict(): Dict {
    return {
      _milestones: [...this.milestones], last_epoch: this.lastEpoch, _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }
  override loadStateDict(sd: Dict): void {
    if ('_milestones' in sd) this.milestones = [...(sd._milestones as number[])];
    if ('last_epoch' in sd) this.lastEpoch = sd.last_epoch as number;
    if ('_last_lr' in sd) this.lastLr = [...(sd._last_lr as number[])];
    ((sd._schedulers as Dict[]) ?? []).forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}

/** Steps several schedulers together (their factors chain). */
export class ChainedScheduler {
  readonly schedulers: LRScheduler[];
  readonly optimizer: Optimizer;
  private lastLr: number[];
  constructor(schedulers: LRScheduler[]) {
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0].optimizer)
        throw new TypeError(`ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    this.schedulers = [...schedulers];
    this.optimizer = schedulers[0].optimizer;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  getLastLr(): number[] {
    return [...this.lastLr];
  }
  stateDict(): Dict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  loadStateDict(sd: Dict): void {
    if ('_last_lr' in sd) this.lastLr = [...(sd._last_lr as number[])];
    ((sd._schedulers as Dict[]) ?? []).forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}

export interface CyclicLROptions extends Base {
  baseLr: number | number[];
  maxLr: number | number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

/** Cyclical learning rates (Smith): triangular, triangular2, exp_range or a custom scale function. */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private scaleFnCustom: ((x: number) => number) | null;
  protected readonly stateKeys: [string, string][] = [
    ['maxLrs', 'max_lrs'], ['totalSize', 'total_size'], ['stepRatio', 'step_ratio'], ['mode', 'mode'], ['gamma', 'gamma'],
    ['scaleMode', 'scale_mode'], ['cycleMomentum', 'cycle_momentum'], ['baseMomentums', 'base_momentums'], ['maxMomentums', 'max_momentums'],
  ];
  constructor(optimizer: Optimizer, options: CyclicLROptions) {
    super(optimizer);
    checkOptions('CyclicLR', options, ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn', 'scaleMode', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', ...BASE]);
    const o = options;
    const lastEpoch = o.lastEpoch ?? -1;
    const baseLrs = perGroup('baseLr', optimizer, o.baseLr);
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.lr = baseLrs[i]));
    this.maxLrs = perGroup('maxLr', optimizer, o.maxLr);
    const up = o.stepSizeUp ?? 2000;
    const down = o.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = o.mode ?? 'triangular';
    if (!['triangular', 'triangular2', 'exp_range'].includes(this.mode) && !o.scaleFn) throw new RangeError('CyclicLR: mode is invalid and scaleFn is None');
    this.gamma = o.gamma ?? 1.0;
    this.scaleFnCustom = o.scaleFn ?? null;
    this.scaleMode = o.scaleFn ? (o.scaleMode ?? 'cycle') : this.mode === 'exp_range' ? 'iterations' : 'cycle';
    this.cycleMomentum = o.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults)) throw new TypeError('CyclicLR: optimizer must support momentum with `cycleMomentum` option enabled');
      const baseM = perGroup('baseMomentum', optimizer, o.baseMomentum ?? 0.8);
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.momentum = baseM[i]));
      this.baseMomentums = optimizer.paramGroups.map((g) => g.momentum);
      this.maxMomentums = perGroup('maxMomentum', optimizer, o.maxMomentum ?? 0.9);
    }
    this.init(lastEpoch, o.verbose);
    this.baseLrs = baseLrs;
  }
  override stateDict(): Dict {
    const sd = super.stateDict();
    if (!this.cycleMomentum) {
      delete sd.base_momentums; // PyTorch sets these only when cycling momentum
      delete sd.max_momentums;
    }
    return sd;
  }
  scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === 'triangular') return 1.0;
    if (this.mode === 'triangular2') return 1 / 2.0 ** (x - 1);
    return this.gamma ** x;
  }
  getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scale = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const arg = this.scaleMode === 'cycle' ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * scale * this.scaleFn(arg));
    if (this.cycleMomentum) {
      this.groups().forEach((g, i) => {
        const h = (this.maxMomentums[i] - this.baseMomentums[i]) * scale;
        g.momentum = this.maxMomentums[i] - h * this.scaleFn(arg);
      });
    }
    return lrs;
  }
}

function camel(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function setBeta1(g: ParamGroup, b1: number): void {
  const betas = [b1, ...(g.betas as number[]).slice(1)];
  Object.defineProperty(betas, Symbol.for('monai-ts.serialization.tuple'), { value: true, enumerable: false });
  g.betas = betas;
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

/** Reduces the lr by factor when a metric stops improving for patience epochs; step(metric). */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best = 0;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  private lastLr: number[] | null = null;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptions('ReduceLROnPlateau', options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'verbose']);
    const o = options;
    this.factor = o.factor ?? 0.1;
    if (this.factor >= 1.0) throw new RangeError('ReduceLROnPlateau: factor should be < 1.0.');
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${(optimizer as object)?.constructor?.name} is not an Optimizer`);
    this.optimizer = optimizer;
    this.minLrs = perGroup('minLr', optimizer, o.minLr ?? 0);
    this.patience = o.patience ?? 10;
    this.verbose = o.verbose ?? false;
    this.cooldown = o.cooldown ?? 0;
    this.mode = o.mode ?? 'min';
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.eps = o.eps ?? 1e-8;
    this.initIsBetter();
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(): void {
    if (this.mode !== 'min' && this.mode !== 'max') throw new RangeError(`mode ${this.mode} is unknown!`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new RangeError(`threshold mode ${this.thresholdMode} is unknown!`);
    this.modeWorse = this.mode === 'min' ? Infinity : -Infinity;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records one epoch's metric (a number, or a one-element tensor via its item()). */
  step(metrics: number | { item(): number }, epoch?: number): void {
    const current = typeof metrics === 'number' ? metrics : metrics.item();
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = Number(g.lr);
      const next = Math.max(old * this.factor, this.minLrs[i]);
      if (old - next > this.eps) {
        g.lr = next;
        if (this.verbose) console.log(`Epoch ${this.lastEpoch}: reducing learning rate of group ${i} to ${next.toExponential(4)}.`);
      }
    });
  }

  getLastLr(): number[] {
    return this.lastLr ? [...this.lastLr] : this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): Dict {
    const sd: Dict = {
      factor: this.factor, min_lrs: [...this.minLrs], patience: this.patience, verbose: this.verbose, cooldown: this.cooldown,
      cooldown_counter: this.cooldownCounter, mode: this.mode, threshold: this.threshold, threshold_mode: this.thresholdMode,
      best: this.best, num_bad_epochs: this.numBadEpochs, mode_worse: this.modeWorse, eps: this.eps, last_epoch: this.lastEpoch,
    };
    if (this.lastLr) sd._last_lr = [...this.lastLr];
    return sd;
  }

  loadStateDict(sd: Dict): void {
    const map: [string, string][] = [['factor', 'factor'], ['patience', 'patience'], ['verbose', 'verbose'], ['cooldown', 'cooldown'],
      ['cooldownCounter', 'cooldown_counter'], ['mode', 'mode'], ['threshold', 'threshold'], ['thresholdMode', 'threshold_mode'],
      ['best', 'best'], ['numBadEpochs', 'num_bad_epochs'], ['modeWorse', 'mode_worse'], ['eps', 'eps'], ['lastEpoch', 'last_epoch']];
    for (const [f, k] of map) if (k in sd) (this as any)[f] = sd[k];
    if ('min_lrs' in sd) this.minLrs = [...(sd.min_lrs as number[])];
    if ('_last_lr' in sd) this.lastLr = [...(sd._last_lr as number[])];
    this.initIsBetter();
  }
}

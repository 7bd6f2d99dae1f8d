// torch.optim.Optimizer: parameter groups, per-parameter state, state dicts and zeroGrad, after
// PyTorch 1.13's torch/optim/optimizer.py.
//
// Memory: optimizer state tensors (momentum buffers, exp_avg, ...) are owned by the optimizer. They
// are torch.keep()-ed so tidy scopes never free them; optimizer.dispose() frees them. stateDict()
// hands out new handles that share storage with the state (as PyTorch's state_dict() hands out
// references): dispose those when done, the optimizer keeps its own.
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';

/** A parameter group as given to a constructor: params plus per-group option overrides (camelCase). */
export interface ParamGroupInput {
  params: Tensor | Iterable<Tensor>;
  [option: string]: unknown;
}

/** A parameter group as the optimizer holds it: options in camelCase (lr, weightDecay, betas, initialLr, ...). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: any;
}

export type Params = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** Per-parameter state: PyTorch's snake_case keys (momentum_buffer, exp_avg, step, ...). */
export type ParamState = Record<string, Tensor | number | null>;

/**
 * PyTorch's optimizer state-dict structure: state keyed by integer parameter index (a Map, so it
 * pickles with int keys like PyTorch's), param_groups with snake_case option keys and 'params' index
 * lists. A plain object with numeric string keys is accepted by loadStateDict too.
 */
export interface OptimizerStateDict {
  state: Map<number, Record<string, unknown>> | Record<string, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}

const TUPLE = Symbol.for('monai-ts.serialization.tuple');

/** Marks an array so the serializer writes it as a Python tuple (betas). */
export function pyTuple<T>(items: T[]): T[] {
  if (!Object.prototype.hasOwnProperty.call(items, TUPLE)) Object.defineProperty(items, TUPLE, { value: true, enumerable: false });
  return items;
}

/** camelCase -> snake_case (weightDecay -> weight_decay). */
export function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}
/** snake_case -> camelCase (initial_lr -> initialLr). */
export function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export { checkOptions } from '../options.js';

function isTensorIterable(x: unknown): boolean {
  return x instanceof Tensor;
}

/**
 * Base class of the optimizers. A new optimizer (MONAI's Novograd, say) passes its camelCase
 * defaults to super() and implements updateParam(p, grad, group, state), which runs once per
 * parameter with a gradient, under noGrad and inside a tidy scope: create state lazily with
 * PyTorch's snake_case keys and wrap every state tensor in this.own(...) so it outlives the scope.
 * Override validateGroup(group) to check option values.
 */
export abstract class Optimizer {
  /** Default options (camelCase), applied to groups that do not set them. */
  readonly defaults: Record<string, unknown>;
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state, keyed by the parameter tensor given to the optimizer. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Params, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor)
      throw new TypeError(`${this.constructor.name}: params should be an iterable of Tensors or parameter groups, found a Tensor`);
    const list = [...(params as Iterable<Tensor | ParamGroupInput>)];
    if (list.length === 0) throw new TypeError(`${this.constructor.name}: got an empty parameter list`);
    const groups: ParamGroupInput[] = isTensorIterable(list[0]) ? [{ params: list as Tensor[] }] : (list as ParamGroupInput[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a parameter group (torch's add_param_group), filling unset options from the defaults. */
  addParamGroup(group: ParamGroupInput): void {
    if (group === null || typeof group !== 'object' || !('params' in group))
      throw new TypeError(`${this.constructor.name}: a parameter group must be an object with 'params'`);
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.constructor.name}: can only optimize Tensors, found ${typeof p}`);
      if (!(p.isLeaf || p.retainsGrad)) throw new TypeError(`${this.constructor.name}: can't optimize a non-leaf Tensor`);
    }
    const g: Record<string, unknown> = { params };
    for (const [k, v] of Object.entries(group)) if (k !== 'params') g[k] = v;
    // Like PyTorch, a group may carry extra keys of its own (a name, a tag): they are kept as given.
    for (const [k, v] of Object.entries(this.defaults)) {
      if (v === undefined && !(k in g))
        throw new TypeError(`${this.constructor.name}: parameter group didn't specify a value of required optimization parameter ${k}`);
      if (!(k in g)) g[k] = Array.isArray(v) ? pyTuple([...v]) : v;
    }
    if (Array.isArray(g.betas)) g.betas = pyTuple([...(g.betas as number[])]);
    this.validateGroup(g as ParamGroup);
    for (const other of this.paramGroups)
      for (const p of other.params)
        if (params.some((q) => q === p || q.is(p))) throw new TypeError(`${this.constructor.name}: some parameters appear in more than one parameter group`);
    this.paramGroups.push(g as ParamGroup);
    this.initGroupState(g as ParamGroup);
  }

  /** Checks a group's option values (subclasses). */
  protected validateGroup(_group: ParamGroup): void {}

  /** Throws for complex parameters (optimizers whose PyTorch update goes through view_as_real). */
  protected rejectComplex(group: ParamGroup): void {
    for (const p of group.params)
      if (p.dtype.startsWith('complex'))
        throw new TypeError(`${this.constructor.name}: complex parameters are not supported yet (found a ${p.dtype} parameter); optimize torch.viewAsReal(p) instead`);
  }
  /** State created eagerly at construction (Adagrad). */
  protected initGroupState(_group: ParamGroup): void {}

  /** Updates one parameter with its gradient (called inside noGrad and a tidy scope). */
  protected abstract updateParam(p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState): void;

  /** Keeps a new state tensor alive across tidy scopes. */
  protected own(t: Tensor): Tensor {
    return torch.keep(t);
  }

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * One optimization step over every parameter that has a gradient. The closure, if given, is run
   * with gradients enabled first (it should zero the gradients, compute and backpropagate the loss)
   * and its result returned.
   */
  step<T = unknown>(closure?: () => T): T | undefined {
    let loss: T | undefined;
    if (closure) loss = torch.enableGrad(closure);
    torch.noGrad(() => {
      for (const group of this.paramGroups) {
        this.beginGroup(group);
        for (const p of group.params) {
          torch.tidy(() => {
            const g = p.grad;
            if (g === null) return;
            this.updateParam(p, g, group, this.stateOf(p));
          });
        }
      }
    });
    return loss;
  }

  /** Hook before a group's parameters are updated (subclasses). */
  protected beginGroup(_group: ParamGroup): void {}

  /**
   * Zeroes the gradients (torch's zero_grad). setToNone (default false, as in PyTorch 1.13)
   * drops them instead.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? false;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
        } else {
          if (g.gradFn !== null) (g as any).detach_();
          else g.requiresGrad_(false);
          (g as any).zero_();
        }
        g.dispose();
      }
    }
  }

  /** The optimizer's state in PyTorch's structure (see OptimizerStateDict); tensors are new handles sharing storage. */
  stateDict(): { state: Map<number, Record<string, unknown>>; param_groups: Record<string, unknown>[] } {
    const index = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) {
        if (k === 'params') continue;
        packed[toSnake(k)] = Array.isArray(v) ? pyTuple([...v]) : v;
      }
      packed.params = group.params.map((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
        return index.get(p)!;
      });
      start += group.params.length;
      return packed;
    });
    const state = new Map<number, Record<string, unknown>>();
    for (const [p, s] of this.state) {
      const idx = index.get(p);
      if (idx === undefined) continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) out[k] = v instanceof Tensor ? v.alias() : v;
      state.set(idx, out);
    }
    return { state, param_groups: paramGroups };
  }

  /** Loads a state dict made by stateDict() here or PyTorch's optimizer.state_dict() (copied, cast to each parameter's dtype/device). */
  loadStateDict(sd: OptimizerStateDict): void {
    const saved = sd.param_groups;
    if (!Array.isArray(saved)) throw new TypeError(`${this.constructor.name}.loadStateDict: expected param_groups to be a list`);
    if (saved.length !== this.paramGroups.length)
      throw new TypeError(`${this.constructor.name}.loadStateDict: loaded state dict has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    saved.forEach((g, i) => {
      const n = (g.params as unknown[]).length;
      if (n !== this.paramGroups[i].params.length)
        throw new TypeError(`${this.constructor.name}.loadStateDict: loaded state dict contains a parameter group (${i}) of ${n} parameters that doesn't match the size of optimizer's group (${this.paramGroups[i].params.length})`);
    });
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => (g.params as unknown[]).forEach((id, j) => idMap.set(Number(id), this.paramGroups[i].params[j])));
    const entries: [number, Record<string, unknown>][] =
      sd.state instanceof Map
        ? [...sd.state.entries()].map(([k, v]) => [Number(k), v as Record<string, unknown>])
        : Object.entries(sd.state ?? {}).map(([k, v]) => [Number(k), v]);
    const newState = new Map<Tensor, ParamState>();
    torch.noGrad(() => {
      for (const [id, value] of entries) {
        const p = idMap.get(id);
        if (!p) continue;
        const s: ParamState = {};
        for (const [k, v] of Object.entries(value instanceof Map ? Object.fromEntries(value) : value)) {
          if (v instanceof Tensor) {
            let t: Tensor;
            if (k !== 'step') {
              const dt = p.dtype;
              const floating = dt.startsWith('float') || dt === 'bfloat16' || dt.startsWith('complex');
              t = (v as any).to({ dtype: floating ? dt : v.dtype, device: p.device, copy: true });
            } else {
              t = (v as any).clone();
            }
            s[k] = this.own(t);
          } else {
            s[k] = v as number | null;
          }
        }
        newState.set(p, s);
      }
    });
    this.disposeState();
    for (const [p, s] of newState) this.state.set(p, s);
    saved.forEach((g, i) => {
      const group: ParamGroup = { params: this.paramGroups[i].params, lr: 0 };
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        group[toCamel(k)] = Array.isArray(v) ? pyTuple([...v]) : v;
      }
      for (const [k, v] of Object.entries(this.defaults)) if (!(k in group)) group[k] = Array.isArray(v) ? pyTuple([...v]) : v;
      this.paramGroups[i] = group;
    });
  }

  /** State tensors (so torch.dispose(optimizer) frees them). */
  *tensors(): Iterable<Tensor> {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) yield v;
  }

  private disposeState(): void {
    for (const t of [...this.tensors()]) t.dispose();
    this.state.clear();
  }

  /** Frees the optimizer's state tensors; the optimizer starts afresh (as if new) if stepped again. */
  dispose(): void {
    this.disposeState();
  }

  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).filter((k) => k !== 'params').map((k) => [toSnake(k), k]).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const v = g[k[1]];
        s += `    ${k[0]}: ${Array.isArray(v) ? `(${v.join(', ')})` : v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : v}\n`;
      }
    });
    return s + ')';
  }
}

/** A new float32 0-dim step counter (torch.tensor(0.)). */
export function stepCounter(): Tensor {
  return torch.tensor(0, { dtype: 'float32' });
}

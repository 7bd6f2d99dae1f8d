// nn.Module: the base of layers and networks, after torch/nn/modules/module.py.
//
// Registration. A module's parameters, buffers and submodules are its own properties:
//   - assigning a Module or a Parameter to a property registers it (class fields work:
//     `conv1 = new nn.Conv2d({...})`, or `this.fc = new nn.Linear({...})` in the constructor);
//   - registerParameter / registerBuffer / registerModule register explicitly (needed for buffers,
//     for names that are not identifiers, and for "absent" entries such as a null bias).
// The order of registration (first assignment) gives the order of namedParameters() and of
// stateDict() keys, as in PyTorch. Subclasses that declare typed fields assigned in the constructor
// should use `declare field: Type;` so the field definition does not reset a value set by a base class.
import * as torch from '../core.js';
import { Tensor, keep } from '../tensor.js';
import { Parameter } from './parameter.js';
import type { DType, Device } from '../dtype.js';
import { isDtypeName, isFloatingDtype, normalizeDtype } from '../dtype.js';

type Kind = 'param' | 'buffer' | 'module';
const HOOKS = Symbol('forwardHooks');

export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export class StateDictError extends Error {
  constructor(message: string, public readonly missingKeys: string[], public readonly unexpectedKeys: string[], public readonly mismatched: string[]) {
    super(message);
    this.name = 'StateDictError';
  }
}

/** Runs before forward(args): returns undefined to keep the arguments, an array to replace them, or one replacement argument. */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
/** Runs after forward: returns undefined to keep the output, or a replacement output. */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

/** Returned by registerForward(Pre)Hook; remove() unregisters the hook. */
export interface RemovableHandle {
  remove(): void;
}

/** A module's own properties by name (where registration stores parameters, buffers and submodules). */
function slots(m: Module): Record<string | symbol, unknown> {
  return m as unknown as Record<string | symbol, unknown>;
}

export abstract class Module {
  /** Training mode (train()/eval()). */
  training = true;
  /** Registered names in registration order with their kind. Internal. */
  private readonly _reg = new Map<string, Kind>();
  /** Buffers excluded from stateDict(). */
  private readonly _nonPersistent = new Set<string>();

  /**
   * The computation; subclasses implement it with their own parameter and return types (a module
   * known only as Module takes and gives values of unknown type).
   */
  abstract forward(...args: unknown[]): unknown;

  // ------------------------------------------------------------------ hooks

  /**
   * Runs hook(module, args) before every forward(); it may return replacement arguments.
   * Hooks wrap this instance's forward, so they run however forward() is called.
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return this._addHook('pre', hook);
  }
  /** Runs hook(module, args, output) after every forward(); a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return this._addHook('post', hook);
  }

  private _addHook(kind: 'pre' | 'post', hook: ForwardPreHook | ForwardHook): RemovableHandle {
    const self = slots(this);
    let hooks = self[HOOKS] as { pre: ForwardPreHook[]; post: ForwardHook[] } | undefined;
    if (!hooks) {
      hooks = { pre: [], post: [] };
      Object.defineProperty(this, HOOKS, { value: hooks, enumerable: false });
      const original = Object.getPrototypeOf(this).forward as (...a: unknown[]) => unknown;
      const h = hooks;
      Object.defineProperty(this, 'forward', {
        enumerable: false, configurable: true, writable: true,
        value: (...args: unknown[]) => {
          let a = args;
          for (const f of h.pre.slice()) {
            const r = f(this, a);
            if (r !== undefined) a = Array.isArray(r) ? r : [r];
          }
          let out = original.apply(this, a);
          for (const f of h.post.slice()) {
            const r = f(this, a, out);
            if (r !== undefined) out = r;
          }
          return out;
        },
      });
    }
    const list = (kind === 'pre' ? hooks.pre : hooks.post) as unknown[];
    list.push(hook);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  // ------------------------------------------------------------------ registration

  /** Picks up Module and Parameter values assigned to properties since the last look. */
  private _sync(): void {
    for (const key of Object.keys(this)) {
      if (this._reg.has(key)) continue;
      const v = slots(this)[key];
      if (v instanceof Module) this._reg.set(key, 'module');
      else if (v instanceof Parameter) this._reg.set(key, 'param');
    }
  }

  private _checkName(name: string, what: string): void {
    if (typeof name !== 'string' || name === '') throw new TypeError(`${what} name must be a non-empty string`);
    if (name.includes('.')) throw new TypeError(`${what} name can't contain ".", found '${name}'`);
    if (!this._reg.has(name) && typeof slots(this)[name] === 'function') throw new TypeError(`attribute '${name}' already exists`);
  }

  /**
   * Registers a parameter: a Parameter, null for an absent one, or a plain Tensor, which is adopted
   * (it becomes a Parameter sharing its storage and the Tensor's own handle is disposed).
   */
  registerParameter(name: string, param: Tensor | null): void {
    this._checkName(name, 'parameter');
    let p: Tensor | null = param;
    if (p !== null && !(p instanceof Parameter)) p = Parameter.wrap(p, true);
    const k = this._reg.get(name);
    if (k !== undefined && k !== 'param') this._reg.delete(name);
    this._sync();
    slots(this)[name] = p;
    this._reg.set(name, 'param');
  }

  /** Registers a buffer: state that is saved in stateDict() (unless persistent is false) but not trained. */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    this._checkName(name, 'buffer');
    if (tensor !== null) {
      if (!(tensor instanceof Tensor)) throw new TypeError(`buffer '${name}' must be a Tensor or null`);
      keep(tensor);
    }
    const k = this._reg.get(name);
    if (k !== undefined && k !== 'buffer') this._reg.delete(name);
    this._sync();
    slots(this)[name] = tensor;
    this._reg.set(name, 'buffer');
    if (options.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
  }

  /** Registers a submodule (or null for an absent one). */
  registerModule(name: string, module: Module | null): void {
    this._checkName(name, 'module');
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${String(module)} is not a Module`);
    const k = this._reg.get(name);
    if (k !== undefined && k !== 'module') this._reg.delete(name);
    this._sync();
    slots(this)[name] = module;
    this._reg.set(name, 'module');
  }
  /** Alias of registerModule (PyTorch's add_module). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** Forgets a registered name and deletes the property (for containers). Does not dispose anything. */
  protected _unregister(name: string): void {
    this._reg.delete(name);
    this._nonPersistent.delete(name);
    delete slots(this)[name];
  }

  /** Replaces a buffer's tensor, keeping it registered (the old tensor is disposed unless dispose is false). */
  protected _setBuffer(name: string, t: Tensor, disposeOld = true): void {
    const old = slots(this)[name] as Tensor | null;
    keep(t);
    slots(this)[name] = t;
    if (disposeOld && old && old !== t && !old.isDisposed) old.dispose();
  }

  /** Entries of one kind in registration order (values may be null). Internal. */
  private _entries(kind: 'module'): [string, Module | null][];
  private _entries(kind: Kind): [string, Tensor | null][];
  private _entries(kind: Kind): [string, Module | Tensor | null][] {
    this._sync();
    const out: [string, Module | Tensor | null][] = [];
    for (const [name, k] of this._reg) {
      const v = slots(this)[name];
      if (v === undefined || v === null) {
        if (k === kind) out.push([name, null]);
        continue;
      }
      const actual: Kind = v instanceof Module ? 'module' : v instanceof Tensor ? (k === 'buffer' ? 'buffer' : 'param') : k;
      if (!(v instanceof Module) && !(v instanceof Tensor)) continue;
      if (actual === kind) out.push([name, v]);
    }
    return out;
  }

  // ------------------------------------------------------------------ traversal

  /** Direct submodules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [n, m] of this._entries('module')) {
      if (m && !seen.has(m)) {
        seen.add(m);
        yield [n, m];
      }
    }
  }
  /** Registered submodules in order, with repeats (what containers iterate over). */
  protected _submodules(): Module[] {
    return this._entries('module').filter(([, m]) => m).map(([, m]) => m as Module);
  }
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all below it, with dotted names ('' for this one). Each module once. */
  *namedModules(prefix = '', memo: Set<Module> = new Set(), removeDuplicate = true): Generator<[string, Module]> {
    if (removeDuplicate && memo.has(this)) return;
    if (removeDuplicate) memo.add(this);
    yield [prefix, this];
    for (const [n, m] of this._entries('module')) {
      if (!m) continue;
      yield* (m as Module).namedModules(prefix ? `${prefix}.${n}` : n, memo, removeDuplicate);
    }
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  private *_namedMembers(kind: 'param' | 'buffer', prefix: string, recurse: boolean, removeDuplicate = true): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix, new Set(), removeDuplicate) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [n, t] of m._entries(kind)) {
        if (!t) continue;
        if (removeDuplicate) {
          if (seen.has(t)) continue;
          seen.add(t);
        }
        yield [mp ? `${mp}.${n}` : n, t];
      }
    }
  }

  /** Parameters with dotted names, in PyTorch's order (each shared parameter once). */
  *namedParameters(options: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } = {}): Generator<[string, Parameter]> {
    yield* this._namedMembers('param', options.prefix ?? '', options.recurse ?? true, options.removeDuplicate ?? true) as Generator<[string, Parameter]>;
  }
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters({ recurse })) yield p;
  }
  *namedBuffers(options: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } = {}): Generator<[string, Tensor]> {
    yield* this._namedMembers('buffer', options.prefix ?? '', options.recurse ?? true, options.removeDuplicate ?? true);
  }
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers({ recurse })) yield b;
  }

  /** Every parameter and buffer (used by torch.dispose and tidy to find a module's tensors). */
  tensors(): Tensor[] {
    return [...this.parameters(), ...this.buffers()];
  }

  /** Looks up a submodule by dotted path ('' is this module). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    for (const part of target.split('.')) {
      const next = slots(m)[part];
      if (!(next instanceof Module)) throw new Error(`${m.constructor.name} has no submodule '${part}' (looking up '${target}')`);
      m = next;
    }
    return m;
  }
  getBuffer(target: string): Tensor {
    const i = target.lastIndexOf('.');
    const m = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = i < 0 ? target : target.slice(i + 1);
    const b = slots(m)[name];
    if (m._reg.get(name) !== 'buffer' || !(b instanceof Tensor)) throw new Error(`'${target}' is not a buffer`);
    return b;
  }
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const m = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = i < 0 ? target : target.slice(i + 1);
    const p = slots(m)[name];
    if (!(p instanceof Parameter)) throw new Error(`'${target}' is not a parameter`);
    return p;
  }

  /** Applies fn to every submodule (children first) and then this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ------------------------------------------------------------------ modes and grads

  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Clears the gradients of all parameters (to null by default, as current PyTorch; or to zero). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) {
        p.grad = null;
      } else {
        torch.noGrad(() => g.zero_());
      }
      g.dispose();
    }
  }

  // ------------------------------------------------------------------ conversion

  /**
   * Moves and/or casts parameters and buffers in place (their Tensor objects stay the same, so
   * optimizers keep working): to('cuda:0'), to('float64'), to({ device, dtype }). A dtype applies to
   * floating-point tensors only, as in PyTorch.
   */
  to(target: DType | Device | { device?: Device; dtype?: DType } | string): this {
    let device: string | undefined;
    let dtype: DType | undefined;
    if (typeof target === 'string') {
      if (isDtypeName(target)) dtype = normalizeDtype(target);
      else device = target;
    } else {
      device = target.device;
      dtype = target.dtype ? normalizeDtype(target.dtype) : undefined;
    }
    if (dtype && !isFloatingDtype(dtype) && !dtype.startsWith('complex'))
      throw new TypeError(`Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    return this._applyToTensors((t) => {
      const o: { device?: string; dtype?: DType } = {};
      if (device) o.device = device;
      if (dtype && isFloatingDtype(t.dtype)) o.dtype = dtype;
      return o.device || o.dtype ? t.to(o) : t;
    });
  }
  float(): this { return this.to('float32'); }
  double(): this { return this.to('float64'); }
  half(): this { return this.to('float16'); }
  bfloat16(): this { return this.to('bfloat16'); }
  cpu(): this { return this.to('cpu'); }
  cuda(device = 0): this { return this.to(`cuda:${device}`); }

  /** Replaces the data of every parameter and buffer by fn(tensor), in place (set_data). */
  protected _applyToTensors(fn: (t: Tensor) => Tensor): this {
    torch.noGrad(() => {
      for (const t of this.tensors()) {
        const n = fn(t);
        if (n === t) continue;
        t.setData(n);
        n.dispose();
        const g = t.grad;
        if (g) {
          const ng = fn(g);
          if (ng !== g) {
            t.grad = ng;
            ng.dispose();
          }
          g.dispose();
        }
      }
    });
    return this;
  }

  // ------------------------------------------------------------------ state dict

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order. The values are new
   * detached handles sharing storage with the module's tensors (dispose them, or call inside tidy);
   * with keepVars the module's own tensor objects are returned instead (do not dispose those).
   */
  stateDict(options: { prefix?: string; keepVars?: boolean; destination?: StateDict } = {}): StateDict {
    const out: StateDict = options.destination ?? {};
    this._saveToStateDict(out, options.prefix ?? '', options.keepVars ?? false);
    return out;
  }

  private _saveToStateDict(out: StateDict, prefix: string, keepVars: boolean): void {
    for (const [n, p] of this._entries('param')) if (p) out[prefix + n] = keepVars ? p : p.detach();
    for (const [n, b] of this._entries('buffer')) if (b && !this._nonPersistent.has(n)) out[prefix + n] = keepVars ? b : b.detach();
    for (const [n, m] of this._entries('module')) if (m) (m as Module)._saveToStateDict(out, `${prefix}${n}.`, keepVars);
  }

  /**
   * Copies values from a state dict (a plain object or Map of dotted names to tensors) into the
   * parameters and buffers, in place. With strict (default) any missing, unexpected or
   * mis-shaped key is an error that lists them all; nothing is copied then. Otherwise mis-shaped
   * keys are still an error and the missing/unexpected keys are returned.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const sd = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const expected = new Map<string, Tensor>();
    const collect = (m: Module, prefix: string, memo: Set<Module>) => {
      for (const [n, p] of m._entries('param')) if (p) expected.set(prefix + n, p);
      for (const [n, b] of m._entries('buffer')) if (b && !m._nonPersistent.has(n)) expected.set(prefix + n, b);
      for (const [n, c] of m._entries('module')) if (c) collect(c, `${prefix}${n}.`, memo);
    };
    collect(this, '', new Set());
    const missing: string[] = [];
    const mismatched: string[] = [];
    const notTensor: string[] = [];
    for (const [k, t] of expected) {
      const v = sd.get(k);
      if (v === undefined) {
        missing.push(k);
        continue;
      }
      if (!(v instanceof Tensor)) {
        notTensor.push(`${k}: expected a Tensor, found ${v === null ? 'null' : typeof v}`);
        continue;
      }
      const a = v.shape, b = t.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i]))
        mismatched.push(`size mismatch for ${k}: copying a param with shape [${a.join(', ')}] from checkpoint, the shape in current model is [${b.join(', ')}].`);
    }
    const unexpected = [...sd.keys()].filter((k) => !expected.has(k));
    // BatchNorm's num_batches_tracked may be absent in old checkpoints (PyTorch tolerates it).
    const realMissing = missing.filter((k) => !k.endsWith('num_batches_tracked'));
    const errors: string[] = [];
    if (strict && realMissing.length) errors.push(`Missing key(s) in state_dict: ${realMissing.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && unexpected.length) errors.push(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}.`);
    errors.push(...mismatched, ...notTensor);
    if (errors.length)
      throw new StateDictError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`, realMissing, unexpected, mismatched);
    torch.noGrad(() => {
      for (const [k, t] of expected) {
        const v = sd.get(k);
        if (v instanceof Tensor) t.copy_(v);
      }
    });
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  // ------------------------------------------------------------------ copying

  /**
   * An independent copy (PyTorch's copy.deepcopy of a module): parameters and registered buffers
   * are cloned, submodules copied (shared ones stay shared), other fields copied structurally.
   * Forward hooks are not copied.
   */
  deepCopy(memo: Map<object, unknown> = new Map()): this {
    const done = memo.get(this);
    if (done) return done as this;
    const out = Object.create(Object.getPrototypeOf(this)) as this;
    memo.set(this, out);
    torch.noGrad(() => {
      for (const key of Reflect.ownKeys(this)) {
        if (key === HOOKS || key === 'forward') continue;
        const desc = Object.getOwnPropertyDescriptor(this, key)!;
        if ('value' in desc) desc.value = this._copyValue(desc.value, typeof key === 'string' ? this._reg.get(key) : undefined, memo);
        Object.defineProperty(out, key, desc);
      }
    });
    return out;
  }

  private _copyValue(v: unknown, kind: Kind | undefined, memo: Map<object, unknown>): unknown {
    if (v === null || typeof v !== 'object') return v;
    if (memo.has(v)) return memo.get(v);
    let r: unknown;
    if (v instanceof Module) return v.deepCopy(memo);
    if (v instanceof Parameter) r = torch.tidy(() => Parameter.wrap(v.clone(), v.requiresGrad));
    else if (v instanceof Tensor) r = kind === 'buffer' ? keep(v.clone()) : v;
    else if (Array.isArray(v)) r = v.map((x) => this._copyValue(x, undefined, memo));
    else if (v instanceof Map) r = new Map(v);
    else if (v instanceof Set) r = new Set(v);
    else if (Object.getPrototypeOf(v) === Object.prototype) r = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this._copyValue(x, undefined, memo)]));
    else r = v;
    memo.set(v, r);
    return r;
  }

  // ------------------------------------------------------------------ lifetime and printing

  /** Frees every parameter and buffer of this module and its submodules. The module is unusable afterwards. */
  dispose(): void {
    for (const t of this.tensors()) t.dispose();
  }

  /** Extra text inside the parentheses of this module's print (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  /** The module tree as PyTorch prints it. */
  toString(): string {
    const extra = this.extraRepr();
    const lines: string[] = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [n, m] of this._entries('module')) {
      if (!m) continue;
      const s = indent((m as Module).toString(), 2);
      childLines.push(`(${n}): ${s}`);
    }
    const all = [...lines, ...childLines];
    let main = `${this._getName()}(`;
    if (all.length) {
      if (lines.length === 1 && childLines.length === 0) main += lines[0];
      else main += '\n  ' + all.join('\n  ') + '\n';
    }
    return main + ')';
  }

  /** The class name shown in prints. */
  protected _getName(): string {
    return this.constructor.name;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function indent(s: string, n: number): string {
  const parts = s.split('\n');
  if (parts.length === 1) return s;
  return parts[0] + '\n' + parts.slice(1).map((l) => ' '.repeat(n) + l).join('\n');
}

/** Formats a value the way Python prints it in extra_repr (tuples, booleans, None, floats). */
export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyFloatOrInt(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(', ')})`;
  return String(v);
}

function pyFloatOrInt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return pyFloat(v);
}

/** A float as Python's repr prints it (1.0, 1e-05, 0.1). */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e16) {
    const [m, e] = v.toExponential().split('e');
    const ex = Number(e);
    return `${m}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
  }
  return String(v);
}

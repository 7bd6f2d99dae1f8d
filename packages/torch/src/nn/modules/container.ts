// Sequential, ModuleList, ModuleDict, after torch/nn/modules/container.py.
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';

function checkModule(m: unknown, where: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${where}: expected a Module, found ${m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name : typeof m}`);
  return m;
}

/**
 * Modules applied in order: new Sequential(a, b, c) (named '0', '1', ...) or
 * new Sequential({ conv: a, act: b }) / new Sequential(new Map([...])) for named children.
 */
export class Sequential extends Module {
  constructor(...args: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    if (args.length === 1 && !(args[0] instanceof Module)) {
      const entries = args[0] instanceof Map ? [...args[0].entries()] : Object.entries(args[0] as Record<string, Module>);
      for (const [k, m] of entries) this.registerModule(k, checkModule(m, `Sequential '${k}'`));
    } else {
      (args as Module[]).forEach((m, i) => this.registerModule(String(i), checkModule(m, `Sequential argument ${i}`)));
    }
  }
  get length(): number {
    return this._submodules().length;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const cs = this._submodules();
    const j = i < 0 ? i + cs.length : i;
    if (j < 0 || j >= cs.length) throw new RangeError(`index ${i} is out of range for a Sequential of ${cs.length}`);
    return cs[j];
  }
  append(m: Module): this {
    this.registerModule(String(this.length), checkModule(m, 'Sequential.append'));
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this._submodules()[Symbol.iterator]();
  }
  /** Applies the modules in order. Typed for the usual chain of tensor-to-tensor modules. */
  forward(input: Tensor): Tensor;
  forward(input: unknown): unknown;
  forward(input: unknown): unknown {
    let x = input;
    for (const m of this._submodules()) x = m.forward(x);
    return x;
  }
}

/**
 * A list of submodules, registered as '0', '1', ... Typed by its element type, so iterating a
 * `new ModuleList([new Linear(4, 4), new Linear(4, 2)])` gives Linears with their typed forward.
 */
export class ModuleList<M extends Module = Module> extends Module {
  private _items: M[] = [];
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return this._items.length;
  }
  at(i: number): M {
    const j = i < 0 ? i + this._items.length : i;
    if (j < 0 || j >= this._items.length) throw new RangeError(`index ${i} is out of range for a ModuleList of ${this._items.length}`);
    return this._items[j];
  }
  append(m: M): this {
    this.registerModule(String(this._items.length), checkModule(m, 'ModuleList.append'));
    this._items.push(m);
    return this;
  }
  extend(ms: Iterable<M>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  insert(index: number, m: M): this {
    checkModule(m, 'ModuleList.insert');
    const items = this._items.slice();
    const j = Math.max(0, Math.min(items.length, index < 0 ? index + items.length : index));
    items.splice(j, 0, m);
    this._renumber(items);
    return this;
  }
  set(i: number, m: M): this {
    const j = i < 0 ? i + this._items.length : i;
    if (j < 0 || j >= this._items.length) throw new RangeError(`index ${i} is out of range for a ModuleList of ${this._items.length}`);
    checkModule(m, 'ModuleList.set');
    this._items[j] = m;
    this.registerModule(String(j), m);
    return this;
  }
  /** Removes and returns the module at i (not disposed). */
  pop(i = -1): M {
    const m = this.at(i);
    const items = this._items.filter((x, k) => k !== (i < 0 ? i + this._items.length : i));
    this._renumber(items);
    return m;
  }
  private _renumber(items: M[]): void {
    for (let k = 0; k < this._items.length; k++) this._unregister(String(k));
    this._items = [];
    for (const m of items) this.append(m);
  }
  [Symbol.iterator](): Iterator<M> {
    return this._items[Symbol.iterator]();
  }
  forward(): never {
    throw new TypeError('ModuleList is a container and has no forward(); iterate over its modules');
  }
}

/** An ordered dictionary of submodules, typed by its value type (as ModuleList). */
export class ModuleDict<M extends Module = Module> extends Module {
  private _keys: string[] = [];
  constructor(modules: Record<string, M> | Map<string, M> | Iterable<[string, M]> = {}) {
    super();
    this.update(modules);
  }
  get size(): number {
    return this._keys.length;
  }
  /** The registered submodules by key (they are own properties of the module). */
  private get _byKey(): Record<string, M> {
    return this as unknown as Record<string, M>;
  }
  get(key: string): M | undefined {
    return this._keys.includes(key) ? this._byKey[key] : undefined;
  }
  set(key: string, m: M): this {
    this.registerModule(key, checkModule(m, `ModuleDict '${key}'`));
    if (!this._keys.includes(key)) this._keys.push(key);
    return this;
  }
  has(key: string): boolean {
    return this._keys.includes(key);
  }
  /** Removes and returns a module (not disposed). */
  pop(key: string): M {
    const m = this.get(key);
    if (!m) throw new RangeError(`ModuleDict has no key '${key}'`);
    this._unregister(key);
    this._keys = this._keys.filter((k) => k !== key);
    return m;
  }
  keys(): string[] {
    return this._keys.slice();
  }
  values(): M[] {
    return this._keys.map((k) => this._byKey[k]);
  }
  entries(): [string, M][] {
    return this._keys.map((k) => [k, this._byKey[k]]);
  }
  update(modules: Record<string, M> | Map<string, M> | Iterable<[string, M]>): this {
    const it: Iterable<[string, M]> = modules instanceof Map || Symbol.iterator in (modules as object) ? (modules as Iterable<[string, M]>) : Object.entries(modules as Record<string, M>);
    for (const [k, m] of it) this.set(k, m);
    return this;
  }
  [Symbol.iterator](): Iterator<string> {
    return this._keys[Symbol.iterator]();
  }
  forward(): never {
    throw new TypeError('ModuleDict is a container and has no forward(); look up its modules');
  }
}

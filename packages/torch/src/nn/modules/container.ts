// Sequential, ModuleList, ModuleDict, after torch/nn/modules/container.py.
import { Module } from '../module.js';

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
  forward(input: any): any {
    let x = input;
    for (const m of this._submodules()) x = m.forward(x);
    return x;
  }
}

/** A list of submodules, registered as '0', '1', ... */
export class ModuleList extends Module {
  private _items: Module[] = [];
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return this._items.length;
  }
  at(i: number): Module {
    const j = i < 0 ? i + this._items.length : i;
    if (j < 0 || j >= this._items.length) throw new RangeError(`index ${i} is out of range for a ModuleList of ${this._items.length}`);
    return this._items[j];
  }
  append(m: Module): this {
    this.registerModule(String(this._items.length), checkModule(m, 'ModuleList.append'));
    this._items.push(m);
    return this;
  }
  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  insert(index: number, m: Module): this {
    checkModule(m, 'ModuleList.insert');
    const items = this._items.slice();
    const j = Math.max(0, Math.min(items.length, index < 0 ? index + items.length : index));
    items.splice(j, 0, m);
    this._renumber(items);
    return this;
  }
  set(i: number, m: Module): this {
    const j = i < 0 ? i + this._items.length : i;
    if (j < 0 || j >= this._items.length) throw new RangeError(`index ${i} is out of range for a ModuleList of ${this._items.length}`);
    this._items[j] = checkModule(m, 'ModuleList.set');
    this.registerModule(String(j), m);
    return this;
  }
  /** Removes and returns the module at i (not disposed). */
  pop(i = -1): Module {
    const m = this.at(i);
    const items = this._items.filter((x, k) => k !== (i < 0 ? i + this._items.length : i));
    this._renumber(items);
    return m;
  }
  private _renumber(items: Module[]): void {
    for (let k = 0; k < this._items.length; k++) this._unregister(String(k));
    this._items = [];
    for (const m of items) this.append(m);
  }
  [Symbol.iterator](): Iterator<Module> {
    return this._items[Symbol.iterator]();
  }
  forward(): never {
    throw new TypeError('ModuleList is a container and has no forward(); iterate over its modules');
  }
}

/** An ordered dictionary of submodules. */
export class ModuleDict extends Module {
  private _keys: string[] = [];
  constructor(modules: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }
  get size(): number {
    return this._keys.length;
  }
  get(key: string): Module | undefined {
    return this._keys.includes(key) ? ((this as any)[key] as Module) : undefined;
  }
  set(key: string, m: Module): this {
    this.registerModule(key, checkModule(m, `ModuleDict '${key}'`));
    if (!this._keys.includes(key)) this._keys.push(key);
    return this;
  }
  has(key: string): boolean {
    return this._keys.includes(key);
  }
  /** Removes and returns a module (not disposed). */
  pop(key: string): Module {
    const m = this.get(key);
    if (!m) throw new RangeError(`ModuleDict has no key '${key}'`);
    this._unregister(key);
    this._keys = this._keys.filter((k) => k !== key);
    return m;
  }
  keys(): string[] {
    return this._keys.slice();
  }
  values(): Module[] {
    return this._keys.map((k) => (this as any)[k] as Module);
  }
  entries(): [string, Module][] {
    return this._keys.map((k) => [k, (this as any)[k] as Module]);
  }
  update(modules: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]>): this {
    const it: Iterable<[string, Module]> = modules instanceof Map || Symbol.iterator in (modules as object) ? (modules as Iterable<[string, Module]>) : Object.entries(modules as Record<string, Module>);
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

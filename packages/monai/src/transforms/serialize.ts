/**
 * Pipelines (and datasets) as data, so a worker thread can rebuild them: the way Python's pickle moves a
 * MONAI pipeline into "spawn" DataLoader workers. An object is described by its class (looked up in a
 * registry) and its own fields, recursively; it is revived with Object.create(Class.prototype) and the
 * fields assigned back, so no constructor runs and every setting (including random states) comes back.
 *
 * What travels: plain data, arrays, Maps, Sets, typed arrays; instances of registered classes (every class
 * the monai-ts package exports, once `loadTransformRegistry()` ran, plus the exports of modules given to
 * `registerTransforms(moduleUrl)`); functions and classes exported by those modules (by module + name);
 * RandomState by getState/setState (the shared default state stays shared); tensors by
 * `Tensor.share()` token (no copy; each description's tokens are adopted once, by `reviveTransform`).
 * Shared references and cycles are kept. What cannot travel (an anonymous closure, an unregistered
 * class) throws NotPortableError naming where it was found.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, type AppliedOperation, type MetaDict } from '../data/meta_tensor.js';
import { RandomState } from '../utils/random_state.js';
import { sharedRandomState } from './transform.js';

/** The package's own module key in descriptions. */
export const PACKAGE_MODULE = 'monai-ts';

/** A description: the modules a worker must register first, and the object tree. */
export interface TransformDescription {
  modules: string[];
  root: unknown;
}

/** Thrown when a value cannot be described (closure, unregistered class); `path` says where. */
export class NotPortableError extends Error {
  override name = 'NotPortableError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyFn = Function;
const classes = new Map<string, AnyFn>();
const classKeys = new Map<AnyFn, string>();
const functions = new Map<string, AnyFn>();
const functionKeys = new Map<AnyFn, string>();
const registered = new Set<string>();
let packageLoaded: Promise<void> | null = null;
let registryReady = false;

function isClass(f: AnyFn): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** Registers every exported class and function of a module under `module` (its URL, or PACKAGE_MODULE). */
export function registerExports(module: string, exports: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(exports)) {
    if (typeof v !== 'function') continue;
    const key = `${module}#${name}`;
    if (isClass(v)) {
      classes.set(key, v);
      if (!classKeys.has(v)) classKeys.set(v, key);
    } else {
      functions.set(key, v);
      if (!functionKeys.has(v)) functionKeys.set(v, key);
    }
  }
  registered.add(module);
}

/**
 * Imports a user module and registers its exported classes and functions, so transforms defined there
 * (and functions they hold, e.g. a Lambda's) can travel to workers. Workers import the same URL.
 */
export async function registerTransforms(moduleUrl: string | URL): Promise<void> {
  const url = String(moduleUrl);
  if (registered.has(url)) return;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`registerTransforms: cannot import '${url}' (${(e as Error).message})`, { cause: e });
  }
  registerExports(url, mod);
}

/** Registers every class and function the monai-ts package exports (imports the package once). */
export function loadTransformRegistry(): Promise<void> {
  if (!packageLoaded) {
    // computed specifier: the package barrel is loaded at run time, keeping the static import graph acyclic
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const barrel = new URL(`../index${ext}`, import.meta.url).href;
    // the dataset classes are registered from their module too, so they travel whether or not the barrel lists them
    const datasets = new URL(`../data/dataset${ext}`, import.meta.url).href;
    const cacheBuild = new URL(`../data/cache_build${ext}`, import.meta.url).href;
    packageLoaded = (async () => {
      registerExports(PACKAGE_MODULE, (await import(barrel)) as Record<string, unknown>);
      registerExports(PACKAGE_MODULE, (await import(datasets)) as Record<string, unknown>);
      registerExports(PACKAGE_MODULE, (await import(cacheBuild)) as Record<string, unknown>);
      registryReady = true;
    })();
  }
  return packageLoaded;
}

/** Whether `loadTransformRegistry()` has finished (synchronous code can then describe pipelines). */
export function transformRegistryReady(): boolean {
  return registryReady;
}

/** An importable function: an ES module (absolute path or URL) and the name of one of its exports. */
export interface FunctionSpec {
  module: string;
  name: string;
}

/**
 * A function named by module and export (what `Lambda({ func: { module, name } })` keeps): plain data, so
 * it travels to workers, which import the module. `resolve` finds the function among the registered
 * modules' exports (`registerTransforms(module)`; a DataLoader registers the modules of the refs in its
 * dataset itself, see `registerFunctionRefs`).
 */
export class FunctionRef {
  readonly module: string;
  readonly name: string;

  constructor(spec: FunctionSpec, who = 'FunctionRef') {
    if (spec === null || typeof spec !== 'object' || typeof spec.module !== 'string' || typeof spec.name !== 'string' || !spec.name) {
      throw new TypeError(`${who}: a function spec must be { module: string, name: string }, got ${JSON.stringify(spec)}`);
    }
    this.module = moduleUrl(spec.module, who);
    this.name = spec.name;
  }

  /** The function, or a clear error when its module is not registered or does not export it. */
  resolve(who = 'FunctionRef'): (...args: never[]) => unknown {
    const f = functions.get(`${this.module}#${this.name}`);
    if (f) return f as (...args: never[]) => unknown;
    if (!registered.has(this.module)) throw new Error(`${who}: function '${this.name}' of module '${this.module}' is not loaded: \`await registerTransforms('${this.module}')\` first (a DataLoader does this itself)`);
    const names = [...functions.keys()].filter((k) => moduleOf(k) === this.module).map((k) => k.slice(k.lastIndexOf('#') + 1));
    throw new Error(`${who}: module '${this.module}' exports no function '${this.name}' (its functions: ${names.join(', ') || 'none'})`);
  }
}

/** A FunctionRef for a spec, a FunctionRef as is, anything else unchanged. */
export function asFunctionRef<T>(v: T | FunctionSpec | FunctionRef, who: string): T | FunctionRef {
  if (v instanceof FunctionRef) return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'module' in v && 'name' in v) return new FunctionRef(v as FunctionSpec, who);
  return v as T;
}

/** A module given as an absolute path or a URL, as the URL string the registry keys by. */
function moduleUrl(m: string, who: string): string {
  if (path.isAbsolute(m)) return pathToFileURL(m).href;
  try {
    return new URL(m).href;
  } catch {
    throw new TypeError(`${who}: module must be an absolute path or a URL (file:, data:), got '${m}'`);
  }
}

/** Registers the modules of every FunctionRef reachable from `value` (a transform, a dataset, ...). */
export async function registerFunctionRefs(value: unknown): Promise<void> {
  const modules = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof FunctionRef) modules.add(v.module);
    else if (v instanceof Tensor || ArrayBuffer.isView(v) || v instanceof RandomState) return;
    else if (v instanceof Map) for (const [k, x] of v) (walk(k), walk(x));
    else for (const x of v instanceof Set ? v : Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(value);
  for (const m of modules) await registerTransforms(m);
}

/** The user modules registered so far (a worker registers them too). */
export function registeredModules(): string[] {
  return [...registered].filter((m) => m !== PACKAGE_MODULE);
}

function moduleOf(key: string): string {
  return key.slice(0, key.lastIndexOf('#'));
}

type Node = unknown;

export interface DescribeOptions {
  /**
   * Describe for a cache key instead of for a worker (PersistentDataset's transform hash): the same walk,
   * but stable across runs and threads and needing no registry: classes and functions by name (anonymous
   * ones as 'fn'), tensors by dtype, shape and an md5 of their bytes (nothing shared), random states and
   * transform ids left out (they do not change what a deterministic transform computes).
   */
  forKey?: boolean;
}

/**
 * Describes `value` (a transform, a pipeline, a dataset: any object tree of registered classes and data).
 * Tensors are shared by token: the description must be revived exactly once (or released with
 * `releaseDescription`), else their storage stays parked.
 */
export function describeTransform(value: unknown, where = 'transform', options: DescribeOptions = {}): TransformDescription {
  const forKey = options.forKey ?? false;
  if (!packageLoaded && !forKey) throw new Error('describeTransform: call `await loadTransformRegistry()` first (it registers the package classes)');
  const memo = new Map<object, number>();
  const modules = new Set<string>();
  const tokens: bigint[] = [];
  const use = (key: string): string => {
    const m = moduleOf(key);
    if (m !== PACKAGE_MODULE) modules.add(m);
    return key;
  };
  const d = (v: unknown, path: string): Node => {
    if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return v;
    if (typeof v === 'symbol') throw new NotPortableError(`${path} is a symbol`, path);
    if (typeof v === 'function') {
      if (forKey) return { $: isClass(v) ? 'cls' : 'fn', key: v.name || 'fn' };
      const fk = functionKeys.get(v) ?? classKeys.get(v);
      if (fk) return { $: classKeys.has(v) ? 'cls' : 'fn', key: use(fk) };
      const what = isClass(v) ? `class ${v.name || '(anonymous)'}` : `function ${v.name ? `'${v.name}'` : '(anonymous)'}`;
      throw new NotPortableError(`${path} is a ${what} that no registered module exports`, path);
    }
    const o = v as object;
    const seen = memo.get(o);
    if (seen !== undefined) return { $: 'ref', id: seen };
    if (o === sharedRandomState) return { $: 'sharedRS' };
    const id = memo.size;
    memo.set(o, id);
    if (o instanceof RandomState) return forKey ? { $: 'rs', id } : { $: 'rs', id, state: o.getState() };
    if (forKey && o instanceof Tensor) return { $: o instanceof MetaTensor ? 'mt' : 't', id, ...tensorDigest(o, path) };
    if (o instanceof Tensor) {
      if (o.isDisposed) throw new NotPortableError(`${path} is a disposed tensor`, path);
      const token = o.share();
      tokens.push(token);
      if (o instanceof MetaTensor) return { $: 'mt', id, token, meta: d(o.meta, `${path}.meta`), ops: d(o.appliedOperations, `${path}.appliedOperations`), batch: o.isBatch };
      return { $: 't', id, token };
    }
    if (ArrayBuffer.isView(o)) return { $: 'ta', id, v: o };
    if (Array.isArray(o)) return { $: 'a', id, v: o.map((x, i) => d(x, `${path}[${i}]`)) };
    if (o instanceof Map) return { $: 'map', id, v: [...o].map(([k, x], i) => [d(k, `${path}.keys[${i}]`), d(x, `${path}.get(${String(k)})`)]) };
    if (o instanceof Set) return { $: 'set', id, v: [...o].map((x, i) => d(x, `${path}[${i}]`)) };
    const proto = Object.getPrototypeOf(o);
    const fields: Record<string, Node> = {};
    for (const k of Object.keys(o)) if (!(forKey && k === 'transformId')) fields[k] = d((o as Record<string, unknown>)[k], `${path}.${k}`);
    if (proto === Object.prototype || proto === null) return { $: 'o', id, v: fields, nullProto: proto === null };
    if (forKey) return { $: 'i', id, key: proto.constructor?.name ?? '(anonymous)', v: fields };
    const key = classKeys.get(proto.constructor);
    if (!key || classes.get(key)?.prototype !== proto) {
      const name = proto.constructor?.name ?? '(anonymous)';
      throw new NotPortableError(`${path} is an instance of ${name}, a class that neither monai-ts exports nor a module given to registerTransforms(url) / workerSetup`, path);
    }
    if (o instanceof FunctionRef) modules.add(o.module); // the worker imports it before reviving
    return { $: 'i', id, key: use(key), v: fields };
  };
  try {
    const root = d(value, where);
    return { modules: [...modules], root };
  } catch (e) {
    for (const t of tokens) torch.fromShared(t).dispose();
    throw e;
  }
}

/** A tensor as cache-key data: dtype, shape and the md5 of its contiguous CPU bytes. */
function tensorDigest(t: Tensor, path: string): { dtype: string; shape: number[]; md5: string } {
  if (t.isDisposed) throw new NotPortableError(`${path} is a disposed tensor`, path);
  const md5 = torch.tidy(() => t.detach().cpu().withData((v) => createHash('md5').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex')));
  return { dtype: t.dtype, shape: [...t.shape], md5 };
}

/** Rebuilds what `describeTransform` described (adopting its tensors; call once per description). */
export function reviveTransform<T = unknown>(desc: TransformDescription): T {
  for (const m of desc.modules) if (!registered.has(m)) throw new Error(`reviveTransform: module '${m}' is not registered here (await registerTransforms('${m}') first)`);
  const memo = new Map<number, unknown>();
  const tensors: Tensor[] = [];
  const lookup = (map: Map<string, AnyFn>, key: string): AnyFn => {
    const f = map.get(key);
    if (!f) throw new Error(`reviveTransform: '${key}' is not registered (${moduleOf(key) === PACKAGE_MODULE ? 'await loadTransformRegistry()' : `await registerTransforms('${moduleOf(key)}')`} first)`);
    return f;
  };
  const r = (n: Node): unknown => {
    if (n === null || typeof n !== 'object') return n;
    const x = n as Record<string, unknown> & { $: string; id: number };
    switch (x.$) {
      case 'ref':
        return memo.get(x.id);
      case 'sharedRS':
        return sharedRandomState;
      case 'fn':
        return lookup(functions, x.key as string);
      case 'cls':
        return lookup(classes, x.key as string);
      case 'rs': {
        const s = new RandomState().setState(x.state as ReturnType<RandomState['getState']>);
        memo.set(x.id, s);
        return s;
      }
      case 't':
      case 'mt': {
        const t = torch.fromShared(x.token as bigint);
        tensors.push(t);
        const out = x.$ === 'mt' ? MetaTensor.wrap(t, { meta: r(x.meta) as MetaDict, appliedOperations: r(x.ops) as AppliedOperation[], isBatch: Boolean(x.batch) }) : t;
        if (out !== t) tensors.push(out);
        memo.set(x.id, out);
        return out;
      }
      case 'ta':
        memo.set(x.id, x.v);
        return x.v;
      case 'a': {
        const a: unknown[] = [];
        memo.set(x.id, a);
        for (const e of x.v as Node[]) a.push(r(e));
        return a;
      }
      case 'map': {
        const m = new Map();
        memo.set(x.id, m);
        for (const [k, v] of x.v as [Node, Node][]) m.set(r(k), r(v));
        return m;
      }
      case 'set': {
        const s = new Set();
        memo.set(x.id, s);
        for (const v of x.v as Node[]) s.add(r(v));
        return s;
      }
      case 'o':
      case 'i': {
        const o: Record<string, unknown> = x.$ === 'i' ? Object.create((lookup(classes, x.key as string) as { prototype: object }).prototype) : x.nullProto ? Object.create(null) : {};
        memo.set(x.id, o);
        for (const [k, v] of Object.entries(x.v as Record<string, Node>)) o[k] = r(v);
        return o;
      }
      default:
        throw new Error(`reviveTransform: unknown description node '${String(x.$)}'`);
    }
  };
  try {
    return r(desc.root) as T;
  } catch (e) {
    for (const t of tensors) if (!t.isDisposed) t.dispose();
    releaseDescription(desc);
    throw e;
  }
}

/** Frees the parked tensors of a description that will not be revived (tokens already adopted are skipped). */
export function releaseDescription(desc: TransformDescription): void {
  const walk = (n: Node): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const x = n as Record<string, unknown>;
    if ((x.$ === 't' || x.$ === 'mt') && typeof x.token === 'bigint') {
      try {
        torch.fromShared(x.token).dispose();
      } catch {
        // already adopted
      }
    }
    if (ArrayBuffer.isView(x.v)) return;
    for (const v of Object.values(x)) walk(v);
  };
  walk(desc.root);
}

// The Tensor handle class and deterministic memory management (tidy scopes, keep, dispose).
import { native } from './native.js';
import { TorchError } from './errors.js';
import type { DType, TypedArray } from './dtype.js';

native.setErrorClass(TorchError);

// TypeScript's downlevel `using` reads Symbol.dispose; Node 20 before 20.5 lacks it. Node, TypeScript's
// helpers and esbuild's (tsx) all agree on this registered symbol.
(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('nodejs.dispose');

// GC backstop: a Tensor that is dropped without dispose() frees its handle once collected.
// Node runs these callbacks on a later event-loop turn only, so loops should use tidy() or scopes.
// Registering costs about 0.3 us and unregistering at dispose as much again, more than the op of a
// small tensor, so registration is deferred: a new tensor outside any scope waits in `pending`
// until the current job ends (a microtask) or 1024 are waiting, and only those still live then
// are registered. A result disposed right away never touches the registry.
const registry = new FinalizationRegistry<number>((h) => native.free(h));
const PENDING_MAX = 1024;
const pending: (Tensor | undefined)[] = new Array(PENDING_MAX).fill(undefined);
let nPending = 0;
let flushQueued = false;

function watchPending(): void {
  flushQueued = false;
  for (let i = 0; i < nPending; i++) {
    pending[i]!._watchNow();
    pending[i] = undefined;
  }
  nPending = 0;
}

/** Open scopes (tidy calls and torch.scope() objects), innermost last. */
const scopes: Scope[] = [];

// The static hook symbol of subclasses that follow ops (exported as torchFunction by subclass.ts).
const TORCH_FUNCTION = Symbol.for('monai-ts.torch.torchFunction');

/**
 * Whether an instance of an opted-in subclass was ever made on this thread. Until one is, op results
 * skip the subclass check entirely (the torch-only fast path). Internal.
 */
export const subclassState = { seen: false };

// Kept out of the constructor so that the plain path stays one comparison.
function noteSubclass(C: unknown): void {
  if (!subclassState.seen && typeof (C as Record<symbol, unknown>)[TORCH_FUNCTION] === 'function') subclassState.seen = true;
}

// Backstop states of a Tensor.
const UNWATCHED = 0;
const PENDING = 1;
const WATCHED = 2;

export class Tensor {
  /** Native handle; -1 once disposed. */
  private _h: number;
  /** Whether the GC backstop watches this tensor: UNWATCHED (a scope frees it), PENDING or WATCHED. */
  private _w = UNWATCHED;
  /** Exempt from every scope (torch.keep). Internal. */
  _k = false;

  /**
   * Wraps a native handle, which the new object owns. Internal: use the creation functions. A
   * subclass constructor passes its handle here (`new MetaTensor(handle)`; see subclass.ts).
   */
  constructor(handle: number) {
    if (new.target !== Tensor) noteSubclass(new.target);
    this._h = handle;
    const n = scopes.length;
    if (n) scopes[n - 1]._add(this);
    else this._watch();
  }

  /** Hands the tensor to the GC backstop (deferred, see `pending`). Internal. */
  _watch(): void {
    if (this._w !== UNWATCHED || this._h < 0) return;
    this._w = PENDING;
    pending[nPending++] = this;
    if (nPending >= PENDING_MAX) watchPending();
    else if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(watchPending);
    }
  }

  /** Registers a pending tensor with the GC backstop if it is still live. Internal. */
  _watchNow(): void {
    if (this._w === PENDING && this._h >= 0) {
      registry.register(this, this._h, this);
      this._w = WATCHED;
    }
  }

  /** Marks the tensor disposed without freeing (the caller frees the handle). Internal. */
  _release(): number {
    const h = this._h;
    if (this._w === WATCHED) registry.unregister(this);
    this._w = UNWATCHED;
    this._h = -1;
    return h;
  }

  /** The native handle, checked. Internal. */
  get handle(): number {
    if (this._h < 0) throw new TorchError('tensor was disposed', 'Tensor');
    return this._h;
  }

  get isDisposed(): boolean {
    return this._h < 0;
  }

  /** Frees the native tensor now. Safe to call twice. Autograd graphs keep their own references. */
  dispose(): void {
    const h = this._h;
    if (h < 0) return;
    this._h = -1;
    if (this._w === WATCHED) registry.unregister(this);
    native.free(h);
  }

  /** `using t = a.add(b)` disposes t at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  get shape(): number[] {
    return native.shape(this.handle);
  }
  get dtype(): DType {
    return native.dtype(this.handle) as DType;
  }
  get device(): string {
    return native.device(this.handle);
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  /** Size of one dimension (negative counts from the end), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    const s = this.shape;
    if (dim === undefined) return s;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new TorchError(`dimension ${dim} out of range for a ${s.length}-d tensor`, 'size');
    return s[d];
  }
  numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    const s = native.stride(this.handle);
    return dim === undefined ? s : s[dim < 0 ? dim + s.length : dim];
  }

  /** Offset of the first element in the storage, in elements. */
  storageOffset(): number {
    return native.storageOffset(this.handle);
  }

  get requiresGrad(): boolean {
    return native.meta(this.handle)[2] as boolean;
  }
  set requiresGrad(v: boolean) {
    native.setRequiresGrad(this.handle, v);
  }
  /** Sets requiresGrad in place and returns this tensor (PyTorch's requires_grad_). */
  requiresGrad_(v = true): this {
    native.setRequiresGrad(this.handle, v);
    return this;
  }
  /** Accumulated gradient, or null. Each read returns a new handle to the same tensor. */
  get grad(): Tensor | null {
    const g = native.grad(this.handle);
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) {
    native.setGrad(this.handle, g === null ? null : g.handle);
  }
  get isLeaf(): boolean {
    return native.gradInfo(this.handle)[0];
  }
  /** Name of the autograd node that made this tensor ("AddBackward0"), or null. */
  get gradFn(): string | null {
    return native.gradInfo(this.handle)[1];
  }
  retainGrad(): this {
    native.retainGrad(this.handle);
    return this;
  }
  get retainsGrad(): boolean {
    return native.gradInfo(this.handle)[2];
  }

  /** Runs backward from this tensor (a scalar unless gradient is given). */
  backward(gradient?: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] } = {}): void {
    native.backward(
      [this.handle],
      gradient ? [gradient.handle] : null,
      options.retainGraph,
      options.createGraph ?? false,
      options.inputs ? options.inputs.map((t) => t.handle) : null,
    );
  }

  /** The value of a one-element tensor. */
  item(): number {
    return native.item(this.handle) as number;
  }

  /**
   * Elements in row-major order as a typed array (float16/bfloat16 as raw Uint16 words, int64 as
   * BigInt64Array, bool as Uint8Array, complex as interleaved real/imaginary). A copy, unless
   * share is set: then the array views this tensor's storage (for a contiguous CPU tensor) and
   * writes to it change the tensor.
   */
  data(options: { share?: boolean } = {}): TypedArray {
    return native.toTypedArray(this.handle, options.share ?? false) as TypedArray;
  }
  /**
   * Calls fn with a typed array that views this tensor's storage (a contiguous CPU tensor's own,
   * otherwise a contiguous copy's), then detaches it so the storage is not held until garbage
   * collection. The view, and any array over its buffer, must not be used after fn returns.
   */
  withData<T>(fn: (data: TypedArray) => T): T {
    // V8 hears of each storage once (native side), so the view adds no external memory here.
    const view = native.toTypedArray(this.handle, true) as TypedArray;
    try {
      return fn(view);
    } finally {
      if (view.byteLength > 0) native.detachView(view);
    }
  }

  /** A copy of the elements as a typed array. */
  toTypedArray(): TypedArray {
    return native.toTypedArray(this.handle, false) as TypedArray;
  }

  /**
   * Another handle to the same tensor (same storage and autograd identity). An opted-in subclass
   * (subclass.ts) gets an object of its own class, filled by its hook as op 'alias'.
   */
  alias(): Tensor {
    const h = native.alias(this.handle);
    const C = this.constructor as { new (h: number): Tensor; [k: symbol]: unknown };
    const hook = C === Tensor ? undefined : C[TORCH_FUNCTION];
    if (typeof hook !== 'function') return new Tensor(h);
    const t = new C(h);
    try {
      hook.call(C, [t], 'alias', [this], null);
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  /** True when both handles name the same tensor. */
  is(other: Tensor): boolean {
    return native.sameTensor(this.handle, other.handle);
  }

  /** A token another thread of this process passes to torch.fromShared() to adopt this tensor without a copy. */
  share(): bigint {
    return native.share(this.handle);
  }
}

export type Nested<T> = T | Nested<T>[];

/**
 * A memory scope: frees every tensor created while it is the innermost open scope, except those
 * kept, when it is closed. Declare it with `using` so that the end of the block closes it, on
 * normal exit and on a throw alike:
 *
 *     using scope = torch.scope();
 *     const y = x.mul(2).add(1).relu();   // intermediates freed at the block's end
 *     return scope.keep(y);               // y moves to the enclosing scope (or the GC backstop)
 *
 * Scopes are synchronous: one left open across an `await` also collects tensors that other tasks
 * create meanwhile. Closing a scope frees only its own tensors; scopes opened inside it and still
 * open keep theirs (close each, innermost first, as `using` does).
 */
export class Scope {
  // Tensors created while this scope was innermost: the first _n entries of an array reused
  // across scopes, so that a scope's first thousand tensors do not regrow a fresh array.
  private _tensors: (Tensor | undefined)[] = arrayPool.pop() ?? [];
  private _n = 0;
  private _kept: Set<Tensor> | null = null;
  private _open = true;

  /** Opens a scope; prefer torch.scope() with `using`. */
  constructor() {
    // While any scope is open, V8 hears of tensor memory only when the last one closes, as the net
    // of what was made and freed meanwhile: each tensor made now is held by its scope until then,
    // so a garbage collection could free none of it, and reporting every large activation of a
    // network as it came started a full collection for each 64 MB or so.
    if (scopes.length === 0) native.deferExternal(true);
    scopes.push(this);
  }

  /** Adds a tensor to free at close. Internal. */
  _add(t: Tensor): void {
    this._tensors[this._n++] = t;
  }

  get isOpen(): boolean {
    return this._open;
  }

  /**
   * Exempts the tensors found in x (a Tensor, or arrays, plain objects and Maps of them) from this
   * scope: at close they move to the enclosing scope, or to the GC backstop at top level. Returns x.
   */
  keep<T>(x: T): T {
    if (x !== null && typeof x === 'object') collectTensors(x, (this._kept ??= new Set()), 0);
    return x;
  }

  /** Frees this scope's tensors except kept ones. Safe to call twice. */
  close(): void {
    if (!this._open) return;
    this._open = false;
    const i = scopes.lastIndexOf(this);
    if (i >= 0) scopes.splice(i, 1);
    const list = this._tensors;
    try {
      releaseAll(list, this._n, this._kept, i > 0 ? scopes[i - 1] : null);
    } finally {
      if (i >= 0 && scopes.length === 0) native.deferExternal(false);
    }
    if (list.length <= 65536 && arrayPool.length < 16) arrayPool.push(list);
    this._tensors = [];
    this._n = 0;
    this._kept = null;
  }

  /** Closes the scope (the end of a `using` block). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens a memory scope: `using scope = torch.scope();` frees the block's tensors at its end. */
export function scope(): Scope {
  return new Scope();
}

/** Runs fn and frees every tensor created inside except those it returns or keep()s. */
export function tidy<T>(fn: () => T): T {
  const s = new Scope();
  let result: T;
  try {
    result = fn();
  } catch (err) {
    s.close();
    throw err;
  }
  if (result instanceof Promise) {
    s.close();
    throw new TypeError('tidy: fn returned a Promise; tidy scopes are synchronous (await outside, tidy each step)');
  }
  s.keep(result);
  s.close();
  return result;
}

// Handles to free, reused across scopes (freeMany calls no JS, so nesting cannot clash).
let releaseBuffer = new Float64Array(256);
// Emptied tensor lists of closed scopes, for the next ones.
const arrayPool: (Tensor | undefined)[][] = [];

// Frees the first `count` tensors of a scope's list in one native call and empties the list;
// survivors and torch.keep()s move to the parent scope, or to the GC backstop at top level.
function releaseAll(tensors: (Tensor | undefined)[], count: number, survivors: Set<Tensor> | null, parent: Scope | null): void {
  if (releaseBuffer.length < count) releaseBuffer = new Float64Array(Math.max(count, 2 * releaseBuffer.length));
  const handles = releaseBuffer;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const t = tensors[i]!;
    tensors[i] = undefined;
    if (t.isDisposed) continue;
    if (t._k || (survivors !== null && survivors.has(t))) {
      if (parent) parent._add(t);
      else t._watch();
    } else {
      handles[n++] = t._release();
    }
  }
  if (n) native.freeMany(handles, n);
}

/** Exempts a tensor from disposal by every enclosing tidy or scope (it lives until disposed). */
export function keep<T extends Tensor>(t: T): T {
  t._k = true;
  return t;
}

/** Disposes tensors found in the argument (arrays, plain objects, Maps). */
export function dispose(x: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(x, found, 0);
  for (const t of found) t.dispose();
}

function collectTensors(x: unknown, out: Set<Tensor>, depth: number): void {
  if (depth > 32 || x === null || typeof x !== 'object') return;
  if (x instanceof Tensor) {
    out.add(x);
  } else if (Array.isArray(x)) {
    for (const v of x) collectTensors(v, out, depth + 1);
  } else if (x instanceof Map) {
    for (const v of x.values()) collectTensors(v, out, depth + 1);
  } else if (Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, out, depth + 1);
  } else {
    // Class instances (modules, MetaTensor holders) may expose their tensors.
    const tensors = (x as { tensors?: () => Iterable<Tensor> }).tensors;
    if (typeof tensors === 'function') for (const t of tensors.call(x)) out.add(t);
  }
}

/**
 * Live native tensors of this thread, the bytes of the distinct storages they hold, and the bytes
 * of freed large blocks pooled for reuse (process-wide; torch.emptyCache() releases them).
 * `externalBytes`: what this thread has reported to V8 as external memory (it drives garbage
 * collection of forgotten tensors): each CPU storage held by a handle or shared view, counted once;
 * while a tidy or scope is open, what its tensors add is reported when the outermost one closes.
 */
export function memory(): { liveTensors: number; bytes: number; cachedBytes: number; externalBytes: number } {
  return native.memory();
}

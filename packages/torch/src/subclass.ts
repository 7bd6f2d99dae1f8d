// Tensor subclasses that follow ops, as PyTorch's `__torch_function__`: when an op's tensor argument
// is an instance of a subclass that opts in, the op's new result tensors are constructed with that
// subclass's constructor (from the native handle) and the subclass's hook then fills them in.
//
// A subclass opts in with a static method under the `torchFunction` symbol:
//
//     class Tagged extends Tensor {
//       tag = '';
//       static [torchFunction](results: Tensor[], op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null) {
//         const src = findFirst(args, kwargs);          // the first Tagged argument
//         for (const r of results) if (r instanceof Tagged) r.tag = src.tag;
//       }
//     }
//
// - The constructor is called with one argument, a native handle (`new Tagged(handle)`), and must
//   pass it to `super(handle)`; field defaults run as usual, then the hook runs once per op call.
// - `results` lists the op's new tensors in order (a tensor list result, as unbind's, in list order).
//   In-place ops return their argument object itself and do not call the hook.
// - `op` is the ATen name without namespace and overload ('add', 'select', 'unbind', 'cat'), or the
//   hand-written method's name: 'getitem' for `Tensor.at(...)` (args: [self, ...index]), 'alias'.
// - Among the arguments (positional first, left to right, then tensor lists, then options), the first
//   instance of an opted-in subclass decides the class. Subclasses without the static (nn.Parameter)
//   give plain Tensors, as PyTorch's Parameter does.
// - If the hook throws, the results are disposed and the error propagates.
// The check costs one property read per tensor argument on the plain-Tensor path.
import { Tensor } from './tensor.js';
import { native } from './native.js';

/** The static method symbol a Tensor subclass defines to follow ops (see this file's header). */
// Symbol.for: tensor.ts (alias) reads the same symbol without importing this module.
export const torchFunction: unique symbol = Symbol.for('monai-ts.torch.torchFunction');

/** A Tensor subclass that follows ops. */
export interface TensorSubclass<T extends Tensor = Tensor> {
  new (handle: number): T;
  [torchFunction](results: Tensor[], op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null): void;
}

/** The opted-in subclass of v, or null (a plain Tensor, a non-tensor, or a subclass without the hook). */
export function subclassOf(v: unknown): TensorSubclass | null {
  if (v === null || typeof v !== 'object' || (v as { constructor: unknown }).constructor === Tensor || !(v instanceof Tensor)) return null;
  const C = v.constructor as Partial<TensorSubclass>;
  return typeof C[torchFunction] === 'function' ? (C as TensorSubclass) : null;
}

/** subclassOf over a tensor list argument (cat, stack): the first opted-in element's class. */
export function subclassOfList(v: unknown): TensorSubclass | null {
  if (!Array.isArray(v)) return null;
  for (let i = 0; i < v.length; i++) {
    const S = subclassOf(v[i]);
    if (S !== null) return S;
  }
  return null;
}

/** The first opted-in subclass among positional arguments (tensor lists included) and option values. */
export function subclassOfArgs(args: readonly unknown[], kwargs: Record<string, unknown> | null = null): TensorSubclass | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const S = Array.isArray(a) ? subclassOfList(a) : subclassOf(a);
    if (S !== null) return S;
  }
  if (kwargs !== null)
    for (const k in kwargs) {
      const a = kwargs[k];
      const S = Array.isArray(a) ? subclassOfList(a) : subclassOf(a);
      if (S !== null) return S;
    }
  return null;
}

/** Runs S's hook on new results; disposes them if it throws. */
export function runHook(S: TensorSubclass, results: Tensor[], op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null): void {
  try {
    S[torchFunction](results, op, args, kwargs);
  } catch (e) {
    for (const r of results) r.dispose();
    throw e;
  }
}

/**
 * Moves t's native handle into a new object of class S (t is left disposed; its torch.keep carries
 * over). Registration follows the new object's creation: the innermost open scope, else the GC
 * backstop. Returns t itself when it already is exactly an S.
 */
export function adoptAs<T extends Tensor>(S: new (handle: number) => T, t: Tensor): T {
  if (t.constructor === S) return t as T;
  const kept = t._k;
  const r = new S(t.handle);
  t._release();
  if (kept) r._k = true;
  return r;
}

/** A plain Tensor handle to the same tensor as t (same storage and autograd identity). */
export function plainAlias(t: Tensor): Tensor {
  return new Tensor(native.alias(t.handle));
}

/**
 * Gives a hand-written op's plain result the class of the first opted-in subclass among args and
 * runs its hook (op name as given). Plain arguments: the result itself, unchanged.
 */
export function followSubclass<R extends Tensor | Tensor[]>(result: R, op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null = null): R {
  const S = subclassOfArgs(args, kwargs);
  if (S === null) return result;
  const list = (Array.isArray(result) ? result : [result]).map((t) => adoptAs(S, t));
  runHook(S, list, op, args, kwargs);
  return (Array.isArray(result) ? list : list[0]) as R;
}

// JS representations of Python values met in pickles.

const TUPLE_MARK = Symbol.for('monai-ts.serialization.tuple');

/** Make an array that `save` writes as a Python tuple (and that `load` returns for tuples). */
export function tuple<T>(...items: T[]): T[] {
  return markTuple(items);
}

/** Mark an existing array as a Python tuple (non-enumerable marker; the array is unchanged otherwise). */
export function markTuple<T>(items: T[]): T[] {
  Object.defineProperty(items, TUPLE_MARK, { value: true, enumerable: false });
  return items;
}

/** True when `x` is an array that came from a Python tuple (or was made by `tuple`). */
export function isTuple(x: unknown): x is unknown[] {
  return Array.isArray(x) && (x as unknown as Record<symbol, unknown>)[TUPLE_MARK] === true;
}

/** Python `complex` values. */
export class PyComplex {
  constructor(public readonly re: number, public readonly im: number) {}
}

/** A reference to a Python global (module + name) as it appeared in a pickle. */
export class PyGlobal {
  constructor(public readonly module: string, public readonly name: string) {}
  get fullName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Mutable dict used while unpickling (insertion ordered, any key). */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  /** Attributes set by BUILD on an OrderedDict (e.g. a state dict's `_metadata`). */
  attrs: Map<unknown, unknown> | null = null;
  constructor(public readonly ordered = false) {}
  set(k: unknown, v: unknown): void {
    this.map.set(k, v);
  }
}

/** Python tuple while unpickling (immutable). */
export class PyTuple {
  constructor(public readonly items: unknown[]) {}
}

/** Python set / frozenset while unpickling. */
export class PySet {
  readonly items: unknown[] = [];
  constructor(public readonly frozen = false) {}
}

/** Python bytes / bytearray. */
export type PyBytes = Uint8Array;

/** Symbol giving the Python class of a loaded tensor subclass (e.g. 'monai.data.meta_tensor.MetaTensor'). */
export const PY_CLASS = Symbol.for('monai-ts.serialization.class');

/** Symbol under which a loaded OrderedDict's BUILD attributes (state-dict `_metadata`) are kept. */
export const PY_ATTRS = Symbol.for('monai-ts.serialization.attrs');

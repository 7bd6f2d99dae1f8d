// Hand-written Tensor idioms on top of the generated ops: conversion (to, toArray), printing
// like PyTorch, and Python-style indexing.
import { Tensor } from './tensor.js';
import { call } from './dispatch.js';
import * as T from './generated/tables.js';
import { isDtypeName, normalizeDtype, type DType, type Device, type MemoryFormat } from './dtype.js';
import { tensor } from './creation.js';
import { TorchError } from './errors.js';
import { followSubclass, plainAlias, subclassOf } from './subclass.js';

export interface ToOptions {
  dtype?: DType;
  device?: Device;
  copy?: boolean;
  nonBlocking?: boolean;
  memoryFormat?: MemoryFormat;
}

/** One index of Tensor.at(): a number, a slice string ('1:3', ':', '::2', '...'), null for a new axis, or an index/mask. */
export type Index = number | bigint | string | null | Tensor | number[] | bigint[] | boolean[];

declare module './tensor.js' {
  interface Tensor {
    /** Converts to a dtype and/or device ('float64', 'cuda:0', or { dtype, device, copy }). Returns this tensor when nothing changes. */
    to(target: DType | Device | ToOptions | Tensor): Tensor;
    cpu(): Tensor;
    cuda(device?: number): Tensor;
    float(): Tensor;
    double(): Tensor;
    half(): Tensor;
    bfloat16(): Tensor;
    long(): Tensor;
    int(): Tensor;
    short(): Tensor;
    byte(): Tensor;
    char(): Tensor;
    bool(): Tensor;
    /** Values as nested JS arrays (numbers, or booleans for bool tensors). */
    toArray(): any;
    /** Python's name for toArray. */
    tolist(): any;
    /** Python's legacy type name ('torch.FloatTensor', 'torch.cuda.LongTensor'). */
    type(): string;
    /** Casts to a dtype or a legacy type name ('torch.DoubleTensor'); this tensor when it already is one. */
    type(dtype: DType | string): Tensor;
    /** Python-style indexing: t.at(0, '1:3', null, '...', mask). */
    at(...index: Index[]): Tensor;
    /** Python-style assignment t[index] = value, in place; returns this. */
    assign(value: Tensor | number | bigint | boolean, ...index: Index[]): this;
  }
}

const P = Tensor.prototype as any;

P.to = function (this: Tensor, target: DType | Device | ToOptions | Tensor): Tensor {
  let o: ToOptions;
  if (target instanceof Tensor) o = { dtype: target.dtype, device: target.device };
  else if (typeof target === 'string') o = isDtypeName(target) ? { dtype: normalizeDtype(target) } : { device: target };
  else o = target;
  return call(T.O_to, [this, { dtype: o.dtype, device: o.device, copy: o.copy, nonBlocking: o.nonBlocking, memoryFormat: o.memoryFormat }]) as Tensor;
};
P.cpu = function (this: Tensor) { return this.to({ device: 'cpu' }); };
P.cuda = function (this: Tensor, d = 0) { return this.to({ device: `cuda:${d}` }); };
for (const [m, dt] of [['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'], ['long', 'int64'],
  ['int', 'int32'], ['short', 'int16'], ['byte', 'uint8'], ['char', 'int8'], ['bool', 'bool']] as const) {
  P[m] = function (this: Tensor) { return this.to({ dtype: dt }); };
}

/** Elements as plain JS values in row-major order (one number or boolean each). */
function flatValues(t: Tensor): (number | boolean)[] {
  let src = t;
  const dt = t.dtype;
  if (dt === 'float16' || dt === 'bfloat16') src = t.to({ dtype: 'float32' });
  if (dt === 'complex64' || dt === 'complex128') throw new TorchError('toArray: complex tensors have no plain JS form; use data()', 'toArray');
  const d = src.data();
  if (src !== t) src.dispose();
  if (dt === 'bool') return Array.from(d as Uint8Array, (v) => v !== 0);
  if (d instanceof BigInt64Array) return Array.from(d, (v) => Number(v));
  return Array.from(d as Float32Array);
}

function nest(flat: unknown[], shape: number[], off: number, dim: number): unknown {
  if (dim === shape.length) return flat[off];
  const step = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const out = new Array(shape[dim]);
  for (let i = 0; i < shape[dim]; i++) out[i] = nest(flat, shape, off + i * step, dim + 1);
  return out;
}

P.toArray = function (this: Tensor) {
  const shape = this.shape;
  const flat = flatValues(this);
  return shape.length === 0 ? flat[0] : nest(flat, shape, 0, 0);
};
P.tolist = P.toArray;

// Legacy tensor type names (torch.FloatTensor...), as Tensor.type() gives and takes them.
const TYPE_NAMES: Record<DType, string> = {
  float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', uint8: 'Byte', int8: 'Char', int16: 'Short',
  int32: 'Int', int64: 'Long', bool: 'Bool', complex64: 'ComplexFloat', complex128: 'ComplexDouble',
};
P.type = function (this: Tensor, dtype?: DType | string): string | Tensor {
  const cuda = this.device.startsWith('cuda');
  if (dtype === undefined) return `torch.${cuda ? 'cuda.' : ''}${TYPE_NAMES[this.dtype]}Tensor`;
  const m = /^torch\.(cuda\.)?([A-Za-z0-9]+)Tensor$/.exec(dtype);
  const dt = m ? (Object.keys(TYPE_NAMES) as DType[]).find((d) => TYPE_NAMES[d] === m[2]) : normalizeDtype(dtype);
  if (!dt) throw new TypeError(`type: unknown tensor type '${dtype}' (expected e.g. 'torch.FloatTensor' or a dtype name)`);
  const toCuda = m ? m[1] !== undefined : cuda;
  // As Python: the same tensor when it already has that type.
  if (dt === this.dtype && toCuda === cuda) return this;
  return this.to({ dtype: dt, device: toCuda ? (cuda ? this.device : 'cuda') : 'cpu' });
};

// ---- printing, as torch/_tensor_str.py does with its default options

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

function fixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const s = v.toFixed(digits);
  return Object.is(v, -0) || (v < 0 && /^[0.]+$/.test(s)) ? '-' + s.replace(/^-/, '') : s;
}

function sci(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const [m, e] = v.toExponential(PRECISION).split('e');
  const ex = Number(e);
  return `${m}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
}

/** PyTorch's _Formatter: one width and one notation for every element shown. */
function makeFormatter(values: (number | boolean)[], floating: boolean): (v: number | boolean) => string {
  let width = 1;
  if (!floating) {
    const str = (v: number | boolean) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
    for (const v of values) width = Math.max(width, str(v).length);
    return (v) => str(v).padStart(width);
  }
  const nz = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sciMode = false;
  if (nz.length) {
    const abs = nz.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    intMode = nz.every((v) => v === Math.ceil(v));
    if (intMode) {
      if (max / min > 1000 || max > 1e8) {
        sciMode = true;
        for (const v of nz) width = Math.max(width, sci(v).length);
      } else {
        for (const v of nz) width = Math.max(width, fixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      sciMode = true;
      for (const v of nz) width = Math.max(width, sci(v).length);
    } else {
      for (const v of nz) width = Math.max(width, fixed(v, PRECISION).length);
    }
  }
  return (x) => {
    const v = x as number;
    let r: string;
    if (sciMode) r = sci(v);
    else if (intMode) r = fixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else r = fixed(v, PRECISION);
    return r.padStart(width);
  };
}

/** Nested view of row-major values: element access by multi-index. */
interface Grid {
  flat: (number | boolean)[];
  shape: number[];
  strides: number[];
}

function rowsShown(n: number, summarize: boolean): (number | null)[] {
  return summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
}

/** Values of the edge items only, as PyTorch's get_summarized_data picks them. */
function summarizedValues(g: Grid, off: number, dim: number, summarize: boolean, out: (number | boolean)[]): void {
  if (dim === g.shape.length) {
    out.push(g.flat[off]);
    return;
  }
  for (const i of rowsShown(g.shape[dim], summarize)) if (i !== null) summarizedValues(g, off + i * g.strides[dim], dim + 1, summarize, out);
}

function renderGrid(g: Grid, off: number, dim: number, indent: number, summarize: boolean, fmt: (v: number | boolean) => string, width: number): string {
  const n = g.shape[dim];
  if (dim === g.shape.length - 1) {
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (width + 2)));
    const data = rowsShown(n, summarize).map((i) => (i === null ? ' ...' : fmt(g.flat[off + i * g.strides[dim]])));
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
  }
  const parts = rowsShown(n, summarize).map((i) =>
    i === null ? '...' : renderGrid(g, off + i * g.strides[dim], dim + 1, indent + 1, summarize, fmt, width));
  return '[' + parts.join(',' + '\n'.repeat(g.shape.length - dim - 1) + ' '.repeat(indent + 1)) + ']';
}

P.toString = function (this: Tensor): string {
  if (this.isDisposed) return 'tensor(<disposed>)';
  const shape = this.shape;
  const dt = this.dtype;
  const numel = shape.reduce((a, b) => a * b, 1);
  const prefix = 'tensor(';
  const suffixes: string[] = [];
  const dev = this.device;
  if (dev !== 'cpu') suffixes.push(`device='${dev}'`);
  let body: string;
  if (numel === 0) {
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    if (dt !== 'float32') suffixes.push(`dtype=torch.${dt}`);
    body = '[]';
  } else {
    if (dt !== 'float32' && dt !== 'int64' && dt !== 'bool' && dt !== 'complex64') suffixes.push(`dtype=torch.${dt}`);
    if (dt === 'complex64' || dt === 'complex128') {
      body = `<complex values of shape [${shape.join(', ')}]>`;
    } else {
      const flat = flatValues(this);
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const g: Grid = { flat, shape, strides };
      const summarize = numel > THRESHOLD;
      const shown: (number | boolean)[] = [];
      if (shape.length === 0) shown.push(flat[0]);
      else summarizedValues(g, 0, 0, summarize, shown);
      const fmt = makeFormatter(shown, dt.startsWith('float') || dt === 'bfloat16');
      const width = fmt(shown[0]).length;
      body = shape.length === 0 ? fmt(flat[0]).trim() : renderGrid(g, 0, 0, prefix.length, summarize, fmt, width);
    }
  }
  const fn = this.gradFn;
  if (fn) suffixes.push(`grad_fn=<${fn.split('::').pop()}>`);
  else if (this.requiresGrad) suffixes.push('requires_grad=True');
  return prefix + body + (suffixes.length ? ', ' + suffixes.join(', ') : '') + ')';
};
P[Symbol.for('nodejs.util.inspect.custom')] = function (this: Tensor) { return this.toString(); };

// ---- indexing

function parseSlice(s: string, what: string): [number | null, number | null, number] {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`${what}: bad slice '${s}' (expected 'start:stop' or 'start:stop:step')`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new TypeError(`${what}: bad slice '${s}'`);
    return v;
  };
  const step = num(parts[2]) ?? 1;
  if (step <= 0) throw new TypeError(`${what}: slice step must be positive, found ${step}`);
  return [num(parts[0]), num(parts[1]), step];
}

/** Applies basic indices as views; returns the view and the advanced indices by dimension. */
function basicIndex(t: Tensor, index: Index[], what: string): { view: Tensor; advanced: (Tensor | null)[]; owned: Tensor[] } {
  const owned: Tensor[] = [];
  const nEll = index.filter((i) => i === '...').length;
  if (nEll > 1) throw new TypeError(`${what}: only one '...' is allowed`);
  const consumed = index.filter((i) => i !== null && i !== '...').reduce<number>((n, i) => n + (i instanceof Tensor && i.dtype === 'bool' ? i.dim() : 1), 0);
  const nd = t.dim();
  if (consumed > nd) throw new TypeError(`${what}: too many indices for a ${nd}-d tensor (${consumed})`);
  let view = t;
  let dim = 0;
  const advanced: (Tensor | null)[] = [];
  const step = (next: Tensor) => {
    if (view !== t) owned.push(view);
    view = next;
  };
  for (const i of index) {
    if (i === '...') {
      dim += nd - consumed;
      continue;
    }
    if (i === null) {
      step(call(T.O_unsqueeze, [view, dim]) as Tensor);
      dim++;
      continue;
    }
    if (typeof i === 'number' || typeof i === 'bigint') {
      const size = view.size(dim);
      if (i < -size || i >= size) throw new TypeError(`${what}: index ${i} is out of bounds for dimension ${dim} with size ${size}`);
      step(call(T.O_select, [view, dim, i]) as Tensor);
      continue;
    }
    if (typeof i === 'string') {
      const [start, stop, st] = parseSlice(i, what);
      if (!(start === null && stop === null && st === 1)) step(call(T.O_slice, [view, { dim, start, end: stop, step: st }]) as Tensor);
      dim++;
      continue;
    }
    let idx: Tensor;
    if (i instanceof Tensor) idx = i;
    else {
      idx = tensor(i as number[] | bigint[] | boolean[]);
      owned.push(idx);
    }
    while (advanced.length < dim) advanced.push(null);
    advanced.push(idx);
    // A boolean mask covers as many dimensions as it has; aten::index expands it in place.
    dim += idx.dtype === 'bool' ? idx.dim() : 1;
  }
  return { view, advanced, owned };
}

P.at = function (this: Tensor, ...index: Index[]): Tensor {
  // An opted-in subclass indexes a plain alias (no hook per step), then its hook sees the whole
  // index once as 'getitem', as Python's __getitem__ reaches __torch_function__.
  const S = subclassOf(this);
  if (S !== null) {
    const base = plainAlias(this);
    let out: Tensor;
    try {
      out = at.call(base, ...index);
    } finally {
      base.dispose();
    }
    return followSubclass(out, 'getitem', [this, ...index]);
  }
  return at.call(this, ...index);
};

function at(this: Tensor, ...index: Index[]): Tensor {
  const { view, advanced, owned } = basicIndex(this, index, 'at');
  let out = view;
  if (advanced.length) {
    out = call(T.O_index, [view, advanced]) as Tensor;
    if (view !== this) owned.push(view);
  } else if (out === this) {
    out = call(T.O_alias, [this]) as Tensor;
  }
  for (const o of owned) o.dispose();
  return out;
}

P.assign = function (this: Tensor, value: Tensor | number | bigint | boolean, ...index: Index[]) {
  const { view, advanced, owned } = basicIndex(this, index, 'assign');
  if (advanced.length) {
    // index_put_ needs the value in the destination's dtype; a[idx] = v casts in Python too.
    const v = value instanceof Tensor ? value.to({ dtype: this.dtype }) : tensor(value as number, { dtype: this.dtype });
    call(T.O_index_put_, [view, advanced, v]);
    if (v !== value) v.dispose();
  } else if (value instanceof Tensor) {
    call(T.O_copy_, [view, value]);
  } else {
    call(T.O_fill_, [view, value]);
  }
  if (view !== this) owned.push(view);
  for (const o of owned) o.dispose();
  return this;
};

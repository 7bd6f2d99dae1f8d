// Runtime side of the generated ops: picks the overload that fits the JS arguments and calls it
// through the native generic call.
//
// Overload choice (deterministic): positional arguments are the schema's required arguments in
// order; a trailing plain object holds the optional ones by camelCase name. Among the overloads
// whose positional count, argument kinds and option names fit, the one with the lowest cost wins,
// where a number standing for a Tensor (a wrapped scalar, as in Python) costs 1, a single number
// for a list costs 1, and everything else costs 0; ties go to the overload listed first (the
// unnamed overload first, then schema order as the generator wrote it).
import { native } from './native.js';
import { Tensor, subclassState } from './tensor.js';
import { TorchError } from './errors.js';
import { Generator } from './generator.js';
import { suggestion } from './options.js';
import { SCALAR_TYPE_ORDER as SCALAR_TYPES } from './dtype.js';
import { subclassOf, subclassOfList, runHook, type TensorSubclass } from './subclass.js';

/**
 * One overload as the generator writes it.
 * p: codes of the positional (required) arguments; pn: their camelCase names (a required
 * argument may also be given by name in the options object, as Python allows); q: which of them
 * accept null; x: their schema indices; k: option name -> schema index and code; n: argument count;
 * r: result codes (T tensor, L tensor list, d dtype, v value), or "a<i>" when the op returns argument i
 * itself. va: the last positional argument is an int list that Python lets a caller give as varargs
 * ints, in the method form ('m': x.view(2, 3)) or the function form ('f': torch.zeros(2, 3)).
 * rg: a factory that takes requiresGrad beside its TensorOptions, as Python's do.
 */
export interface Overload {
  op: string;
  o: string;
  p: string;
  pn: string[];
  dp?: string[];
  q?: string;
  x: number[];
  k: Record<string, [number, string]>;
  n: number;
  r: string;
  sig: string;
  va?: 'm' | 'f';
  rg?: 1;
  id?: number;
  inv?: (pos: unknown[], opts: Record<string, unknown> | null) => unknown;
}

const NO = 1e9;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/** An int or int[] element: an integral number, or a BigInt (range-checked natively). */
const isInt = (x: unknown): boolean => (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'bigint';

function costOf(code: string, v: unknown, nullable: boolean): number {
  if (v === null || v === undefined) return nullable || code === 't' || code === 'g' ? 0 : NO;
  switch (code) {
    case 'T': case 't':
      return v instanceof Tensor ? 0 : typeof v === 'number' || typeof v === 'boolean' ? 1 : NO;
    case 'L':
      return Array.isArray(v) && v.every((x) => x instanceof Tensor) ? 0 : NO;
    case 'l':
      return Array.isArray(v) && v.every((x) => x === null || x instanceof Tensor) ? 0 : NO;
    case 'i':
      return typeof v === 'number' && Number.isInteger(v) ? 0 : typeof v === 'bigint' ? 0 : NO;
    case 'I':
      if (typeof v === 'number') return Number.isInteger(v) ? 1 : NO;
      if (typeof v === 'bigint') return 1;
      return Array.isArray(v) && v.every(isInt) ? 0 : NO;
    case 'f':
      return typeof v === 'number' ? 0 : NO;
    case 'F':
      if (typeof v === 'number') return 1;
      return Array.isArray(v) && v.every((x) => typeof x === 'number') ? 0 : NO;
    case 'b':
      return typeof v === 'boolean' ? 0 : NO;
    case 'B':
      return Array.isArray(v) && v.every((x) => typeof x === 'boolean') ? 0 : NO;
    case 's':
      return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? 0 : NO;
    case 'S': case 'd': case 'y': case 'v': case 'm':
      return typeof v === 'string' ? 0 : NO;
    case 'g':
      return v instanceof Generator ? 0 : NO;
    default:
      return NO;
  }
}

function wrap(code: string, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (code === 'T') return new Tensor(v as number);
  if (code === 'L') return (v as number[]).map((h) => new Tensor(h));
  if (code === 'd') return SCALAR_TYPES[v as number] ?? v;
  return v;
}

function describe(args: unknown[]): string {
  return args
    .map((a) => (a instanceof Tensor ? 'Tensor' : Array.isArray(a) ? 'array' : a === null ? 'null' : isPlainObject(a) ? `{${Object.keys(a).join(', ')}}` : typeof a))
    .join(', ');
}

function cost(ov: Overload, pos: unknown[], opts: Record<string, unknown> | null): number {
  const extra = pos.length - ov.p.length;
  if (extra > (ov.dp ? ov.dp.length : 0) || (extra < 0 && !opts)) return NO;
  let c = 0;
  for (let j = 0; j < extra && c < NO; j++) {
    const key = ov.dp![j];
    if (opts && opts[key] !== undefined) c = NO;
    else c += costOf(ov.k[key][1], pos[ov.p.length + j], true);
  }
  for (let i = 0; i < ov.p.length && c < NO; i++) {
    const v = i < pos.length ? pos[i] : opts![ov.pn[i]];
    if (v === undefined) c = NO;
    else c += costOf(ov.p[i], v, ov.q !== undefined && ov.q[i] === '1');
  }
  if (opts && c < NO) {
    for (const key in opts) {
      const spec = ov.k[key];
      if (!spec) {
        if (key === 'requiresGrad' && ov.rg === 1) c += typeof opts[key] === 'boolean' || opts[key] === undefined ? 0 : NO;
        else if (opts[key] !== undefined && ov.pn.indexOf(key) < pos.length) c = NO;
      } else if (opts[key] !== undefined) {
        c += costOf(spec[1], opts[key], true) >= NO ? NO : 0;
      }
    }
  }
  return c;
}

function choose(ovs: Overload[], pos: unknown[], opts: Record<string, unknown> | null): Overload {
  let best: Overload | null = null;
  let bestCost = NO;
  for (const ov of ovs) {
    const c = cost(ov, pos, opts);
    if (c < bestCost) {
      best = ov;
      bestCost = c;
      if (c === 0) break;
    }
  }
  if (!best) {
    const packed = packVarargs(ovs, pos);
    if (packed) {
      const ov = choose(ovs, packed, opts);
      pos.length = 0;
      pos.push(...packed);
      return ov;
    }
    const name = ovs[0].op.replace(/^aten::/, '');
    if (opts) checkOptionKeys(name, ovs, opts);
    throw new TorchError(
      `no overload of ${name} accepts (${describe(opts ? [...pos, opts] : pos)}); overloads:\n  ${ovs.map((o) => o.sig).join('\n  ')}`,
      `aten::${name}`,
    );
  }
  return best;
}

/** An unknown option key (one no overload has) throws the library's "did you mean" TypeError. */
function checkOptionKeys(name: string, ovs: Overload[], opts: Record<string, unknown>): void {
  const valid = new Set<string>();
  const named = new Set<string>();
  for (const ov of ovs) {
    for (const key in ov.k) valid.add(key);
    if (ov.rg === 1) valid.add('requiresGrad');
    for (const key of ov.pn) named.add(key);
  }
  for (const key in opts) {
    if (opts[key] === undefined || valid.has(key) || named.has(key)) continue;
    const candidates = [...new Set([...valid, ...named])].filter((n) => n !== 'self');
    const js = name.replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    throw new TypeError(`${js}: unknown option '${key}'${suggestion(key, candidates)}; valid options: ${candidates.join(', ') || '(none)'}`);
  }
}

/**
 * Python's varargs form of a size argument (x.view(2, 3), torch.zeros(2, 3), x.permute(2, 0, 1)):
 * when no overload fits and the integers after self (method form) or all the positional
 * arguments (function form) would fill an overload's int list, they are packed into one array.
 * Only overloads the generator marked (Python's rule: the list is the only positional argument)
 * and only after the plain match fails.
 */
function packVarargs(ovs: Overload[], pos: unknown[]): unknown[] | null {
  const method = (ovs as OverloadTable).method === true;
  for (const ov of ovs) {
    if (ov.va === undefined || (ov.va === 'm') !== method) continue;
    const lead = method ? 1 : 0;
    if (pos.length < lead + 2 || (method && !(pos[0] instanceof Tensor))) continue;
    let ints = true;
    for (let i = lead; i < pos.length && ints; i++) ints = isInt(pos[i]);
    if (ints) return [...pos.slice(0, lead), pos.slice(lead)];
  }
  return null;
}

/** A method's overload table, marked so that varargs packing uses the method form (self first). */
export function methodTable(ovs: Overload[]): Overload[] {
  const t = ovs.slice() as OverloadTable;
  t.method = true;
  return t;
}

/** A method called with more arguments than its fixed-arity wrapper names: all are kept. */
export function callRest(ovs: Overload[], self: unknown, ...args: unknown[]): unknown {
  args.unshift(self);
  return call(ovs, args);
}

/** Calls an op with JS arguments (positional..., options?). */
export function call(ovs: Overload[], args: unknown[]): unknown {
  let opts: Record<string, unknown> | null = null;
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n > 0) {
    const last = args[n - 1];
    if (typeof last === 'object' && last !== null && !(last instanceof Tensor) && isPlainObject(last)) {
      opts = last as Record<string, unknown>;
      n--;
    }
  }
  if (n !== args.length) args.length = n; // the caller's array is ours (rest or literal)
  // Without options, and with only Tensors, numbers, booleans and nulls as arguments, the choice
  // depends on nothing but each argument's kind (and whether a number is integral): remember it.
  let ov: Overload | undefined;
  const key = opts === null ? kindKey(args) : -1;
  if (key >= 0) {
    const memo = ((ovs as OverloadTable).memo ??= new Map());
    ov = memo.get(key);
    if (ov === undefined) {
      const given = args.length;
      ov = choose(ovs, args, null);
      // Varargs packing rewrites args: such calls are chosen afresh each time.
      if (args.length === given) memo.set(key, ov);
    }
  } else {
    ov = choose(ovs, args, opts);
    if (ov.rg === 1 && opts !== null && opts.requiresGrad === true) return requiringGrad((ov.inv ?? compile(ov))(args, opts) as Tensor);
  }
  return (ov.inv ?? compile(ov))(args, opts);
}

/** Python's factories set requires_grad on the tensor they made (it stays a leaf). */
function requiringGrad(t: Tensor): Tensor {
  try {
    t.requiresGrad_(true);
  } catch (e) {
    t.dispose();
    throw e;
  }
  return t;
}

type OverloadTable = Overload[] & { memo?: Map<number, Overload>; method?: boolean };

/** A number naming the kinds of up to 8 simple arguments, or -1 when one is not simple. */
function kindKey(args: unknown[]): number {
  if (args.length > 8) return -1;
  let key = args.length;
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    let k: number;
    if (v instanceof Tensor) k = 1;
    else if (typeof v === 'number') k = Number.isInteger(v) ? 2 : 3;
    else if (typeof v === 'boolean') k = 4;
    else if (v === null) k = 5;
    else return -1;
    key = key * 6 + k;
  }
  return key;
}

type Invoker = (pos: unknown[], opts: Record<string, unknown> | null) => unknown;

/**
 * Builds a specialised caller for one overload: a straight-line function that converts each
 * argument by its schema kind and passes it to the native call in schema order. Calls after
 * the first skip all table lookups (the hot path of small ops).
 */
function compile(ov: Overload): Invoker {
  const id = native.lookupOp(ov.op, ov.o);
  const slots: string[] = new Array(ov.n).fill('undefined');
  ov.x.forEach((schemaIdx, i) => {
    const src = `(${i} < pos.length ? pos[${i}] : opts[${JSON.stringify(ov.pn[i])}])`;
    slots[schemaIdx] = conv(ov.p[i], src);
  });
  for (const [key, [schemaIdx, code]] of Object.entries(ov.k)) {
    const named = `(opts === null ? undefined : ${conv(code, `opts[${JSON.stringify(key)}]`)})`;
    const j = ov.dp ? ov.dp.indexOf(key) : -1;
    slots[schemaIdx] = j < 0 ? named : `(pos.length > ${ov.p.length + j} ? ${conv(code, `pos[${ov.p.length + j}]`)} : ${named})`;
  }
  while (slots.length && slots[slots.length - 1] === 'undefined') slots.pop();
  const callExpr = `callOp(${[String(id), ...slots].join(', ')})`;
  // Which subclass (if any) results take: the tensor arguments in schema order, checked after the
  // call (one property read each for plain tensors; see subclass.ts), and only once an opted-in
  // subclass instance exists on this thread (subclassState.seen).
  const subs: string[] = [];
  ov.x.forEach((_, i) => {
    const c = ov.p[i];
    const src = `(${i} < pos.length ? pos[${i}] : opts[${JSON.stringify(ov.pn[i])}])`;
    if (c === 'T' || c === 't') subs.push(`sub(${src})`);
    else if (c === 'L' || c === 'l') subs.push(`subL(${src})`);
  });
  for (const [key, [, code]] of Object.entries(ov.k)) {
    if (code !== 'T' && code !== 't' && code !== 'L' && code !== 'l') continue;
    const j = ov.dp ? ov.dp.indexOf(key) : -1;
    const f = code === 'T' || code === 't' ? 'sub' : 'subL';
    const named = `(opts === null ? null : ${f}(opts[${JSON.stringify(key)}]))`;
    subs.push(j < 0 ? named : `(pos.length > ${ov.p.length + j} ? ${f}(pos[${ov.p.length + j}]) : ${named})`);
  }
  const subExpr = subs.length ? subs.join(' ?? ') : 'null';
  let body: string;
  const r = ov.r;
  if (r === 'T')
    body = `const h = ${callExpr}; if (h === null) return null; if (!st.seen) return new Tensor(h); const S = ${subExpr}; return S === null ? new Tensor(h) : followOne(S, h, ov, pos, opts);`;
  else if (r[0] === 'a') body = `const res = ${callExpr}; return aliasResult(ov, res, pos, opts);`;
  else body = `const res = ${callExpr}; const S = st.seen ? ${subExpr} : null; return S === null ? wrapAll(ov.r, res) : followAll(S, res, ov, pos, opts);`;
  const make = new Function('callOp', 'Tensor', 'cvT', 'cvL', 'cvl', 'cvd', 'cvg', 'aliasResult', 'wrapAll', 'sub', 'subL', 'followOne', 'followAll', 'st', 'ov',
    `return function invoke(pos, opts) { ${body} };`);
  ov.inv = make(native.callOp, Tensor, cvT, cvL, cvl, cvd, cvg, aliasResult, wrapAll, subclassOf, subclassOfList, followOne, followAll, subclassState, ov) as Invoker;
  ov.id = id;
  return ov.inv;
}

function conv(code: string, expr: string): string {
  switch (code) {
    case 'T': case 't': return `cvT(${expr})`;
    case 'L': return `cvL(${expr})`;
    case 'l': return `cvl(${expr})`;
    case 'd': return `cvd(${expr})`;
    case 'g': return `cvg(${expr})`;
    default: return expr;
  }
}

const cvT = (v: unknown) => (v instanceof Tensor ? v.handle : v === null || v === undefined ? v : [v]);
const cvL = (v: unknown) => (v === null || v === undefined ? v : (v as unknown[]).map((t) => cvT(t)));
const cvl = cvL;
const cvg = (v: unknown) => (v instanceof Generator ? v.id : v);
const cvd = (v: unknown) => (typeof v === 'string' && v.startsWith('torch.') ? v.slice(6) : v);

/** The ATen name of an overload without namespace ('add'), as subclass hooks receive it. */
const opName = (ov: Overload): string => ov.op.slice(ov.op.indexOf('::') + 2);

/** Hook arguments: the positional ones as the caller gave them. */
function hookArgs(pos: unknown[]): unknown[] {
  return pos.slice();
}

// One result of an op with an opted-in subclass argument: made as that subclass, then its hook runs.
function followOne(S: TensorSubclass, h: number, ov: Overload, pos: unknown[], opts: Record<string, unknown> | null): Tensor {
  const t = new S(h);
  runHook(S, [t], opName(ov), hookArgs(pos), opts);
  return t;
}

// Several results (tuples, tensor lists): each tensor made as S, then one hook call for all of them.
function followAll(S: TensorSubclass, res: unknown, ov: Overload, pos: unknown[], opts: Record<string, unknown> | null): unknown {
  const made: Tensor[] = [];
  const one = (code: string, v: unknown): unknown => {
    if (v === null || v === undefined) return v;
    if (code === 'T') {
      const t = new S(v as number);
      made.push(t);
      return t;
    }
    if (code === 'L') return (v as number[]).map((h) => one('T', h));
    return wrap(code, v);
  };
  const r = ov.r;
  const out = r.length === 1 ? one(r, res) : r.length === 0 ? undefined : (res as unknown[]).map((v, i) => one(r[i], v));
  if (made.length) runHook(S, made, opName(ov), hookArgs(pos), opts);
  return out;
}

function wrapAll(r: string, res: unknown): unknown {
  if (r.length === 1) return wrap(r, res);
  if (r.length === 0) return undefined;
  return (res as unknown[]).map((v, i) => wrap(r[i], v));
}

// In-place ops return one of their arguments: hand back the same JS object.
function aliasResult(ov: Overload, res: unknown, pos: unknown[], opts: Record<string, unknown> | null): unknown {
  if (typeof res === 'number') native.free(res);
  const idx = Number(ov.r.slice(1));
  const p = ov.x.indexOf(idx);
  if (p >= 0) return p < pos.length ? pos[p] : opts?.[ov.pn[p]];
  for (const key in ov.k) if (ov.k[key][0] === idx) return opts?.[key];
  return undefined;
}

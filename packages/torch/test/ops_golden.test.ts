// Every case of tools/goldens/torch/ops.py: the generated function a user calls (torch.<name>, or
// torch.ops.<name> for private and backward kernels) gives PyTorch 1.13's result for the named
// overload's arguments. Random ops run after the same seed and must match too.
// Tolerance (helpers/all_close.ts): |ours - torch| <= atol + rtol * |torch| per element, by dtype:
// float32/complex64 rtol 1e-5 atol 1e-6 (thread counts differ, so reductions may round
// differently), float64/complex128 rtol 1e-10 atol 1e-12, exact for integers and bools; a case may
// widen it (float16/bfloat16 inputs). Cases marked check 'meta' (ops returning uninitialized
// memory) compare dtype and shape only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import * as tables from '../src/generated/tables.js';
import type { Overload } from '../src/dispatch.js';
import { assertAllClose, isClose } from './helpers/all_close.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'ops.json'), 'utf8')) as { cases: Case[] };
const start = torch.memory().liveTensors;

interface Case {
  id: string;
  op: string;
  overload: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out: unknown;
  seed?: number;
  tol?: number;
  check?: 'meta';
  /** For an op that returns nothing: its first argument after the call. */
  after?: unknown;
}
interface Enc {
  dtype: torch.DType;
  shape: number[];
  b64?: string;
}

const num = (v: number | string | boolean): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? Number(v) : (v as number);

function bytesOf(e: Enc): ArrayBuffer {
  const b = Buffer.from(e.b64!, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

function decodeTensor(e: Enc): torch.Tensor {
  return torch.fromTypedArray(bytesOf(e), e.shape, e.dtype);
}

/** The expected values of an encoded tensor as doubles (complex as real/imaginary pairs). */
function expectedValues(e: Enc): Float64Array {
  const buf = bytesOf(e);
  switch (e.dtype) {
    case 'float64': case 'complex128': return new Float64Array(buf);
    case 'float32': case 'complex64': return Float64Array.from(new Float32Array(buf));
    case 'float16': case 'bfloat16': return torch.tidy(() => Float64Array.from(decodeTensor(e).to('float32').data() as Float32Array));
    case 'int64': return Float64Array.from(new BigInt64Array(buf), Number);
    case 'int32': return Float64Array.from(new Int32Array(buf));
    case 'int16': return Float64Array.from(new Int16Array(buf));
    case 'int8': return Float64Array.from(new Int8Array(buf));
    default: return Float64Array.from(new Uint8Array(buf));
  }
}

function decode(x: unknown): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(decode);
  const o = x as Record<string, unknown>;
  if ('t' in o) return decodeTensor(o.t as Enc);
  if ('list' in o) return (o.list as unknown[]).map(decode);
  if ('tuple' in o) return (o.tuple as unknown[]).map(decode);
  if ('dtype' in o) return o.dtype;
  if ('f' in o) return num(o.f as number | string);
  throw new Error(`unknown encoding ${JSON.stringify(x)}`);
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** The generator's name rule: camelCase, leading and trailing underscores kept. */
function jsName(op: string): string {
  const lead = /^_*/.exec(op)![0];
  const trail = /_*$/.exec(op.slice(lead.length))![0];
  return lead + camel(op.slice(lead.length, op.length - trail.length)) + trail;
}

type Fn = (...a: unknown[]) => unknown;
/** The public generated function for an operator: torch.<name>, else torch.ops.<name>. */
function publicFunction(op: string): Fn | undefined {
  const name = jsName(op);
  const t = torch as unknown as Record<string, unknown>;
  const ops = t.ops as Record<string, unknown> | undefined;
  const f = typeof t[name] === 'function' ? t[name] : ops && typeof ops[name] === 'function' ? ops[name] : undefined;
  if (f) return f as Fn;
  const renamed = t[`${name}_fn`];
  return typeof renamed === 'function' ? (renamed as Fn) : undefined;
}

/** The distinct tensors in a result that are not among the inputs. */
function newTensors(out: unknown, inputs: unknown[], found = new Set<torch.Tensor>()): Set<torch.Tensor> {
  const given = new Set(inputs.flat().filter((x) => x instanceof torch.Tensor));
  const walk = (x: unknown): void => {
    if (x instanceof torch.Tensor) {
      if (!given.has(x)) found.add(x);
    } else if (Array.isArray(x)) x.forEach(walk);
  };
  walk(out);
  return found;
}

function compare(got: unknown, want: unknown, c: Case, path: string): void {
  if (want !== null && typeof want === 'object' && 't' in (want as object)) {
    const w = (want as { t: Enc }).t;
    assert.ok(got instanceof torch.Tensor, `${path}: expected a Tensor, got ${typeof got}`);
    const t = got as torch.Tensor;
    assert.equal(t.dtype, w.dtype, `${path}: dtype`);
    assert.deepEqual(t.shape, w.shape, `${path}: shape`);
    if (c.check === 'meta') return;
    const tol = c.tol === undefined ? {} : { rtol: c.tol, atol: c.tol };
    assertAllClose(t, expectedValues(w), { ...tol, what: path });
    return;
  }
  if (want !== null && typeof want === 'object' && ('list' in (want as object) || 'tuple' in (want as object))) {
    const items = ((want as { list?: unknown[] }).list ?? (want as { tuple: unknown[] }).tuple) as unknown[];
    assert.ok(Array.isArray(got), `${path}: expected an array`);
    assert.equal((got as unknown[]).length, items.length, `${path}: length`);
    items.forEach((w, i) => compare((got as unknown[])[i], w, c, `${path}[${i}]`));
    return;
  }
  if (want !== null && typeof want === 'object' && 'dtype' in (want as object)) {
    assert.equal(got, (want as { dtype: string }).dtype, path);
    return;
  }
  if (want !== null && typeof want === 'object' && 'f' in (want as object)) {
    assert.equal(typeof got, 'number', `${path}: expected a number`);
    assert.ok(isClose(got as number, num((want as { f: number }).f), 1e-10, 1e-12), `${path}: got ${got}, torch gives ${JSON.stringify(want)}`);
    return;
  }
  if (want === null) {
    assert.ok(got === undefined || got === null, `${path}: expected no result, got ${typeof got}`);
    return;
  }
  assert.equal(got, want, path);
}

function schemaArgNames(sig: string): string[] {
  const inner = sig.slice(sig.indexOf('(') + 1, sig.lastIndexOf(') ->'));
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '*').map((p) => p.split('=')[0].trim().split(' ').pop()!);
}

const MIN_COVERED = 1000;
/** The generated Tensor method of an operator (hand-written members and getters of the same name are not it). */
function generatedMethod(op: string): Fn | undefined {
  const m = Object.getOwnPropertyDescriptor(torch.Tensor.prototype, jsName(op))?.value as unknown;
  return typeof m === 'function' && /call\(M_/.test(m.toString()) ? (m as Fn) : undefined;
}
const overloadOf = (c: Case): Overload | undefined =>
  (tables as Record<string, Overload[]>)[`O_${c.op}`]?.find((o) => o.o === (c.overload === 'default' ? '' : c.overload));
/** A case also runs as a method when its overload takes self first and the generator made the method. */
const asMethod = (c: Case): boolean => {
  const ov = overloadOf(c);
  return !!ov && ov.pn[0] === 'self' && ov.p[0] === 'T' && !!generatedMethod(c.op);
};
const methodsCovered = new Set(fixture.cases.filter(asMethod).map((c) => c.op));
const ops = new Set(fixture.cases.map((c) => c.op));
const generated = Object.keys(tables).filter((k) => k.startsWith('O_')).length;
const missing = [...ops].filter((op) => !publicFunction(op));

test(`golden cases cover at least ${MIN_COVERED} generated operators (${ops.size - missing.length} of ${generated})`, () => {
  console.log(`ops golden coverage: ${ops.size - missing.length} of ${generated} generated operators (${methodsCovered.size} also as Tensor methods)`);
  assert.deepEqual(missing, [], 'operators with goldens but no generated function');
  assert.ok(ops.size - missing.length >= MIN_COVERED, `${ops.size - missing.length} operators covered, at least ${MIN_COVERED} required`);
  assert.ok(methodsCovered.size >= 700, `${methodsCovered.size} operators run as Tensor methods, at least 700 expected`);
});

for (const c of fixture.cases) {
  test(c.id, () => {
    const table = (tables as Record<string, Overload[]>)[`O_${c.op}`];
    assert.ok(table, `operator ${c.op} was not generated`);
    const ov = table.filter((o) => o.o === (c.overload === 'default' ? '' : c.overload));
    assert.equal(ov.length, 1, `overload ${c.op}.${c.overload} was not generated`);
    const fn = publicFunction(c.op);
    assert.ok(fn, `no function torch.${jsName(c.op)} (nor torch.ops.${jsName(c.op)})`);
    // Python passes defaulted arguments positionally too; here they go by name in the options.
    const names = schemaArgNames(ov[0].sig);
    const inputs = (): { args: unknown[]; kw: Record<string, unknown> } => {
      const all = c.args.map(decode);
      const kw: Record<string, unknown> = {};
      all.slice(ov[0].p.length).forEach((v, i) => (kw[camel(names[ov[0].p.length + i])] = v));
      for (const [k, v] of Object.entries(c.kwargs)) kw[camel(k)] = decode(v);
      return { args: all.slice(0, ov[0].p.length), kw };
    };
    const withOptions = (args: unknown[], kw: Record<string, unknown>) => (Object.keys(kw).length ? [...args, kw] : args);
    torch.tidy(() => {
      const { args, kw } = inputs();
      if (c.seed !== undefined) torch.manualSeed(c.seed);
      const live = torch.memory().liveTensors;
      const out = fn!(...withOptions(args, kw));
      // the call itself keeps nothing alive beyond its results (this tidy would hide that)
      assert.equal(torch.memory().liveTensors - live, newTensors(out, args).size, `${c.id}: live tensors beyond the results`);
      compare(out, c.out, c, c.id);
      if (c.after !== undefined) compare(args[0], c.after, c, `${c.id} (first argument after the call)`);
    });
    // The same overload as a Tensor method (x.op(...)), where the generator made one.
    if (asMethod(c)) {
      const method = generatedMethod(c.op)!;
      torch.tidy(() => {
        const { args, kw } = inputs();
        if (c.seed !== undefined) torch.manualSeed(c.seed);
        const out = (method as Fn).call(args[0], ...withOptions(args.slice(1), kw));
        compare(out, c.out, c, `${c.id} (method)`);
        if (c.after !== undefined) compare(args[0], c.after, c, `${c.id} (method: self after the call)`);
      });
    }
  });
}

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'golden tests leaked tensors');
});

// Every case of tools/goldens/torch/ops.py: the named overload called through the generic native
// call (with our argument conversion) gives PyTorch 1.13's result.
// Tolerance: |ours - torch| <= atol + rtol * |torch| with rtol 1e-5, atol 1e-6 for float32
// (thread counts differ, so reductions may round differently), 1e-10 for float64, exact for
// integers and bools; a case may widen it (float16/bfloat16).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import * as tables from '../src/generated/tables.js';
import { call, type Overload } from '../src/dispatch.js';

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
}
interface Enc {
  dtype: torch.DType;
  shape: number[];
  data: (number | string | boolean)[];
}

const num = (v: number | string | boolean): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? Number(v) : (v as number);

function decodeTensor(e: Enc): torch.Tensor {
  const vals = e.data.map(num);
  switch (e.dtype) {
    case 'float64': return torch.fromTypedArray(Float64Array.from(vals), e.shape, 'float64');
    case 'float16': case 'bfloat16': {
      const f = torch.fromTypedArray(Float32Array.from(vals), e.shape, 'float32');
      const t = f.to(e.dtype);
      f.dispose();
      return t;
    }
    case 'int64': return torch.fromTypedArray(BigInt64Array.from(vals.map((v) => BigInt(v))), e.shape, 'int64');
    case 'int32': return torch.fromTypedArray(Int32Array.from(vals), e.shape, 'int32');
    case 'int16': return torch.fromTypedArray(Int16Array.from(vals), e.shape, 'int16');
    case 'int8': return torch.fromTypedArray(Int8Array.from(vals), e.shape, 'int8');
    case 'uint8': case 'bool': return torch.fromTypedArray(Uint8Array.from(vals), e.shape, e.dtype);
    default: return torch.fromTypedArray(Float32Array.from(vals), e.shape, 'float32');
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

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

function compare(got: unknown, want: unknown, c: Case, path: string): void {
  if (want !== null && typeof want === 'object' && 't' in (want as object)) {
    const w = (want as { t: Enc }).t;
    assert.ok(got instanceof torch.Tensor, `${path}: expected a Tensor, got ${typeof got}`);
    const t = got as torch.Tensor;
    assert.equal(t.dtype, w.dtype, `${path}: dtype`);
    assert.deepEqual(t.shape, w.shape, `${path}: shape`);
    const vals: number[] = torch.tidy(() => {
      const f = t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.to('float32') : t;
      const d = f.data();
      return d instanceof BigInt64Array ? Array.from(d, Number) : Array.from(d as Float64Array);
    });
    const exact = !(w.dtype.startsWith('float') || w.dtype === 'bfloat16');
    const rtol = c.tol ?? (w.dtype === 'float64' ? 1e-10 : 1e-5);
    const atol = c.tol ?? (w.dtype === 'float64' ? 1e-10 : 1e-6);
    for (let i = 0; i < vals.length; i++) {
      const b = num(w.data[i]);
      const ok = exact ? vals[i] === b : close(vals[i], b, rtol, atol);
      if (!ok) assert.fail(`${path}[${i}]: got ${vals[i]}, torch gives ${b}`);
    }
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
    assert.ok(close(got as number, num((want as { f: number }).f), 1e-6, 1e-7), `${path}: got ${got}, torch gives ${JSON.stringify(want)}`);
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

const ops = new Set(fixture.cases.map((c) => c.op));

test(`golden cases cover at least 300 distinct operators (${ops.size})`, () => {
  assert.ok(ops.size >= 300);
});

for (const c of fixture.cases) {
  test(c.id, () => {
    const table = (tables as Record<string, Overload[]>)[`O_${c.op}`];
    assert.ok(table, `operator ${c.op} was not generated`);
    const ov = table.filter((o) => o.o === (c.overload === 'default' ? '' : c.overload));
    assert.equal(ov.length, 1, `overload ${c.op}.${c.overload} was not generated`);
    torch.tidy(() => {
      // Python passes defaulted arguments positionally too; here they go by name.
      const names = schemaArgNames(ov[0].sig);
      const all = c.args.map(decode);
      const args = all.slice(0, ov[0].p.length);
      const kw: Record<string, unknown> = {};
      all.slice(ov[0].p.length).forEach((v, i) => (kw[camel(names[ov[0].p.length + i])] = v));
      for (const [k, v] of Object.entries(c.kwargs)) kw[camel(k)] = decode(v);
      if (c.seed !== undefined) torch.manualSeed(c.seed);
      const out = call(ov, Object.keys(kw).length ? [...args, kw] : args);
      compare(out, c.out, c, c.id);
    });
  });
}

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'golden tests leaked tensors');
});

// Ops with several results return an array that the declarations type as a tuple, and where one
// name has overloads of both kinds (torch.max(x) -> Tensor, torch.max(x, 1) -> [values, indices])
// the declared type follows the overload the runtime picks. The type assertions below fail the
// typecheck (npx tsc -p tsconfig.json) when a declaration disagrees.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import * as tables from '../src/generated/tables.js';
import type { Overload } from '../src/dispatch.js';

const start = torch.memory().liveTensors;
type Tensor = torch.Tensor;
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;
/** Checks the result's form at runtime; `exact` is the compile-time Equal<declared, expected>. */
function typed<T>(value: T, exact: true, arity: number, what: string): T {
  assert.ok(exact);
  if (arity === 1) assert.ok(value instanceof torch.Tensor, `${what}: expected a Tensor`);
  else {
    assert.ok(Array.isArray(value), `${what}: expected an array`);
    assert.equal(value.length, arity, `${what}: result count`);
    for (const v of value) assert.ok(v instanceof torch.Tensor, `${what}: element not a Tensor`);
  }
  return value;
}
type Pair = [Tensor, Tensor];
type Triple = [Tensor, Tensor, Tensor];

test('max/min: a Tensor without dim, [values, indices] with one (functions and methods)', () => {
  torch.tidy(() => {
    const x = torch.tensor([[1, 5, 2], [7, 0, 3]], { dtype: 'float32' });
    const y = torch.onesLike(x);
    const a = torch.max(x); const aT: Equal<typeof a, Tensor> = true; typed(a, aT, 1, 'max(x)');
    const b = torch.max(x, 1); const bT: Equal<typeof b, Pair> = true; typed(b, bT, 2, 'max(x, 1)');
    const c = torch.max(x, y); const cT: Equal<typeof c, Tensor> = true; typed(c, cT, 1, 'max(x, y)');
    const d = x.max(0); const dT: Equal<typeof d, Pair> = true; typed(d, dT, 2, 'x.max(0)');
    const e = x.max(); const eT: Equal<typeof e, Tensor> = true; typed(e, eT, 1, 'x.max()');
    const f = torch.min(x, 1, true); const fT: Equal<typeof f, Pair> = true; typed(f, fT, 2, 'min(x, 1, true)');
    const g = x.min(1, { keepdim: true }); const gT: Equal<typeof g, Pair> = true; typed(g, gT, 2, 'x.min(1, {keepdim})');
    const h = torch.min(x); const hT: Equal<typeof h, Tensor> = true; typed(h, hT, 1, 'min(x)');
    const [values, indices] = torch.max(x, 1);
    assert.deepEqual(values.toArray(), [5, 7]);
    assert.deepEqual(indices.toArray(), [1, 0]);
    assert.deepEqual(g[0].shape, [2, 1]);
  });
});

test('other ops with several results are typed tuples matching the runtime', () => {
  torch.tidy(() => {
    const x = torch.tensor([[4, 1, 3], [2, 5, 0], [1, 1, 6]], { dtype: 'float64' });
    const s = torch.sort(x); const sT: Equal<typeof s, Pair> = true; typed(s, sT, 2, 'sort');
    const sm = x.sort({ dim: 0, descending: true }); const smT: Equal<typeof sm, Pair> = true; typed(sm, smT, 2, 'x.sort');
    const t = torch.topk(x, 2); const tT: Equal<typeof t, Pair> = true; typed(t, tT, 2, 'topk');
    const k = torch.kthvalue(x, 1); const kT: Equal<typeof k, Pair> = true; typed(k, kT, 2, 'kthvalue');
    const m = torch.mode(x); const mT: Equal<typeof m, Pair> = true; typed(m, mT, 2, 'mode');
    const md = torch.median(x); const mdT: Equal<typeof md, Tensor> = true; typed(md, mdT, 1, 'median(x)');
    const md1 = torch.median(x, 0); const md1T: Equal<typeof md1, Pair> = true; typed(md1, md1T, 2, 'median(x, 0)');
    const nm = x.nanmedian(1); const nmT: Equal<typeof nm, Pair> = true; typed(nm, nmT, 2, 'x.nanmedian(1)');
    const am = torch.aminmax(x); const amT: Equal<typeof am, Pair> = true; typed(am, amT, 2, 'aminmax');
    const sd = torch.stdMean(x, [0]); const sdT: Equal<typeof sd, Pair> = true; typed(sd, sdT, 2, 'stdMean');
    const vm = torch.varMean(x, 1); const vmT: Equal<typeof vm, Pair> = true; typed(vm, vmT, 2, 'varMean');
    const cm = torch.cummax(x, 0); const cmT: Equal<typeof cm, Pair> = true; typed(cm, cmT, 2, 'cummax');
    const q = torch.qr(x); const qT: Equal<typeof q, Pair> = true; typed(q, qT, 2, 'qr');
    const lq = torch.linalgQr(x); const lqT: Equal<typeof lq, Pair> = true; typed(lq, lqT, 2, 'linalgQr');
    const sv = torch.svd(x); const svT: Equal<typeof sv, Triple> = true; typed(sv, svT, 3, 'svd');
    const lsv = torch.linalgSvd(x); const lsvT: Equal<typeof lsv, Triple> = true; typed(lsv, lsvT, 3, 'linalgSvd');
    const sl = torch.slogdet(x); const slT: Equal<typeof sl, Pair> = true; typed(sl, slT, 2, 'slogdet');
    const lu = torch.linalgLuFactor(x); const luT: Equal<typeof lu, Pair> = true; typed(lu, luT, 2, 'linalgLuFactor');
    const plu = torch.linalgLu(x); const pluT: Equal<typeof plu, Triple> = true; typed(plu, pluT, 3, 'linalgLu');
    const eh = torch.linalgEigh(x); const ehT: Equal<typeof eh, Pair> = true; typed(eh, ehT, 2, 'linalgEigh');
    const fr = torch.frexp(x); const frT: Equal<typeof fr, Pair> = true; typed(fr, frT, 2, 'frexp');
    const hi = torch.histogram(x.flatten(), 4); const hiT: Equal<typeof hi, Pair> = true; typed(hi, hiT, 2, 'histogram');
    const ll = torch.ops._luWithInfo(x); const llT: Equal<typeof ll, Triple> = true; typed(ll, llT, 3, 'ops._luWithInfo');
    // Not tuples: a list of tensors and a single tensor stay so.
    const ch = x.chunk(3); const chT: Equal<typeof ch, Tensor[]> = true; assert.equal(ch.length, 3); assert.ok(chT);
  });
});

test('every op with several tensor results declares a tuple of that many', () => {
  const text = ['ops.ts', 'private_ops.ts'].map((f) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', f), 'utf8')).join('\n');
  const declared = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^export function (\w+)\(.*\): (\[[^\]]*\]|[\w |[\]]+);$/gm)) {
    if (!declared.has(m[1])) declared.set(m[1], new Set());
    declared.get(m[1])!.add(m[2]);
  }
  let n = 0;
  for (const ovs of Object.values(tables) as Overload[][])
    for (const ov of ovs) {
      if (ov.r.length < 2 || ov.r[0] === 'a' || /[^T]/.test(ov.r)) continue;
      const js = ov.op.slice('aten::'.length).replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      const tuple = `[${Array(ov.r.length).fill('Tensor').join(', ')}]`;
      assert.ok(declared.get(js === 'var' ? 'var_fn' : js)?.has(tuple), `${ov.sig}: no declaration returns ${tuple}`);
      n++;
    }
  assert.ok(n >= 100, `only ${n} multi-result overloads checked`);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'tuple tests leaked tensors');
});

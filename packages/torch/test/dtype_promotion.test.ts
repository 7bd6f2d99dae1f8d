// torch.promoteTypes, torch.resultType and torch.canCast give PyTorch's answers, as dtype names
// (typed DType), for every pair of the binding's dtypes. Goldens: tools/goldens/torch/promotion.py.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
const here = dirname(fileURLToPath(import.meta.url));
type Answer = torch.DType | { error: string };
const golden = JSON.parse(readFileSync(join(here, 'fixtures', 'promotion.json'), 'utf8')) as {
  pairs: { a: torch.DType; b: torch.DType; promote: Answer; tensors: Answer; zeroDim: Answer; canCast: boolean }[];
  scalars: { a: torch.DType; scalar: 'int' | 'float' | 'bool'; tensorScalar: Answer; scalarTensor: Answer }[];
};
const SCALAR = { int: 2, float: 2.5, bool: true };

// Declarations: a dtype result is typed DType (a number or `any` here fails the typecheck).
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;
const promoteIsDType: Equal<ReturnType<typeof torch.promoteTypes>, torch.DType> = true;
const resultIsDType: Equal<ReturnType<typeof torch.resultType>, torch.DType> = true;

function expect(got: () => unknown, want: Answer, what: string): void {
  if (typeof want === 'string') assert.equal(got(), want, what);
  else assert.throws(got, what);
}

test('every pair: promoteTypes, resultType of two tensors and of a 0-dim tensor, canCast', () => {
  assert.ok(promoteIsDType && resultIsDType);
  assert.equal(golden.pairs.length, 144);
  for (const p of golden.pairs)
    torch.tidy(() => {
      const ta = torch.ones([2], { dtype: p.a });
      const tb = torch.ones([2], { dtype: p.b });
      const zb = torch.ones([], { dtype: p.b });
      expect(() => torch.promoteTypes(p.a, p.b), p.promote, `promoteTypes(${p.a}, ${p.b})`);
      expect(() => torch.resultType(ta, tb), p.tensors, `resultType(${p.a}[2], ${p.b}[2])`);
      expect(() => torch.resultType(ta, zb), p.zeroDim, `resultType(${p.a}[2], ${p.b}[])`);
      assert.equal(torch.canCast(p.a, p.b), p.canCast, `canCast(${p.a}, ${p.b})`);
    });
});

test('resultType with a JS scalar on either side: integral number, fractional number, boolean', () => {
  assert.equal(golden.scalars.length, 36);
  for (const c of golden.scalars)
    torch.tidy(() => {
      const t = torch.ones([2], { dtype: c.a });
      expect(() => torch.resultType(t, SCALAR[c.scalar]), c.tensorScalar, `resultType(${c.a}, ${c.scalar})`);
      expect(() => torch.resultType(SCALAR[c.scalar], t), c.scalarTensor, `resultType(${c.scalar}, ${c.a})`);
    });
});

test('dtype arguments take torch.-prefixed names; results are plain names', () => {
  assert.equal(torch.promoteTypes('torch.int32' as torch.DType, 'float32'), 'float32');
  assert.equal(torch.promoteTypes('int32', 'float32'), 'float32');
  assert.equal(typeof torch.promoteTypes('uint8', 'int8'), 'string');
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'promotion tests leaked tensors');
});

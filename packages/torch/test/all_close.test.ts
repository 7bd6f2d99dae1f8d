// The shared comparison of helpers/all_close.ts: NaN and infinities, tolerances per dtype, absolute
// tolerance not scaled by the largest value, and a failure message that locates the difference.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { assertAllClose, isClose, toleranceFor } from './helpers/all_close.js';

const start = torch.memory().liveTensors;

test('NaN matches only NaN; infinities only the same infinity', () => {
  assert.equal(isClose(NaN, NaN, 0, 0), true);
  assert.equal(isClose(NaN, 1, 1e9, 1e9), false, 'a NaN result where a number is expected fails');
  assert.equal(isClose(1, NaN, 1e9, 1e9), false);
  assert.equal(isClose(Infinity, Infinity, 0, 0), true);
  assert.equal(isClose(-Infinity, Infinity, 1e9, 1e9), false);
  assert.equal(isClose(1e308, Infinity, 1e9, 1e9), false);
  assert.throws(() => assertAllClose([1, NaN, 3], [1, 2, 3]), /values\[1\]: got NaN, expected 2/);
});

test('tolerances follow the dtype: float64 to 1e-10, float32 to 1e-5, integers exactly', () => {
  assert.deepEqual(toleranceFor('float64'), { rtol: 1e-10, atol: 1e-12 });
  assert.deepEqual(toleranceFor('int64'), { rtol: 0, atol: 0 });
  const a = torch.tensor([1, 2, 3], { dtype: 'float64' });
  const b = torch.tensor([1, 2, 3 + 1e-8], { dtype: 'float64' });
  const c = torch.tensor([1, 2, 3 + 1e-8], { dtype: 'float32' });
  const i = torch.tensor([1, 2, 4]);
  try {
    assert.throws(() => assertAllClose(a, b), /\[2\]: got 3, expected 3\.00000001/);
    assertAllClose(c, [1, 2, 3]); // float32 cannot even hold the difference
    assertAllClose(a, [1, 2, 3 + 1e-11]);
    assert.throws(() => assertAllClose(i, [1, 2, 3]), /\[2\]: got 4, expected 3/);
    assert.throws(() => assertAllClose(a, c), /dtype/);
  } finally {
    torch.dispose([a, b, c, i]);
  }
});

test('the absolute tolerance is not scaled by the largest value', () => {
  // with atol scaled by max|expected| (1e6) the 0.5 error on the small entry would pass
  assert.throws(() => assertAllClose([1e6, 1.5], [1e6, 1], { rtol: 1e-9, atol: 1e-6 }), /values\[1\]: got 1\.5, expected 1/);
});

test('a failure names the multi-index, both values, how many differ and the largest error', () => {
  const t = torch.tensor([[0, 1, 2], [3, 4, 5]], { dtype: 'float64' });
  try {
    assert.throws(() => assertAllClose(t, [0, 1, 2, 3, 4.5, 7], { what: 'out' }), (e: Error) =>
      e.message.includes('out[1, 1]: got 4, expected 4.5') && e.message.includes('2 of 6 differ') && e.message.includes('largest error 2'));
    assert.throws(() => assertAllClose(t, [0, 1, 2]), /6 values where 3 were expected/);
  } finally {
    t.dispose();
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'all_close tests leaked tensors');
});

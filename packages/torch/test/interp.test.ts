// torch.ops.interp (native/interp.cc) against np.interp goldens (tools/goldens/interp/make_interp.py):
// exact float64 equality, plus float32 input, shape, NaN and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));
const G = JSON.parse(readFileSync(fileURLToPath(new URL('../../../tools/goldens/interp/interp.json', import.meta.url)), 'utf8')) as {
  cases: { name: string; x: number[]; xp: number[]; fp: number[]; y: number[] }[];
  histograms: { bins: number; values: number[]; edges: number[]; counts: number[] }[];
};
const f64 = (v: number[]) => torch.fromTypedArray(Float64Array.from(v), [v.length], 'float64');

for (const c of G.cases) {
  test(`interp matches np.interp exactly: ${c.name} (${c.x.length} values, ${c.xp.length} knots)`, () => {
    torch.tidy(() => {
      const y = torch.ops.interp(f64(c.x), f64(c.xp), f64(c.fp));
      assert.equal(y.dtype, 'float64');
      assert.deepEqual(Array.from(y.toTypedArray() as Float64Array), c.y);
    });
  });
}

test('interp: float32 x is read exactly (as numpy converts it to float64), the shape is kept, NaN stays NaN', () => {
  torch.tidy(() => {
    const x = torch.fromTypedArray(Float32Array.from([0.1, 0.7, Number.NaN, 2.5, -3, 1]), [2, 3], 'float32');
    const y = torch.ops.interp(x, f64([0, 1, 2]), f64([0, 10, 40]));
    assert.deepEqual(y.shape, [2, 3]);
    const v = Array.from(y.toTypedArray() as Float64Array);
    assert.equal(v[0], (10 - 0) / (1 - 0) * (Math.fround(0.1) - 0) + 0);
    assert.equal(v[1], 10 * Math.fround(0.7));
    assert.ok(Number.isNaN(v[2]));
    assert.deepEqual(v.slice(3), [40, 0, 10]);
  });
});

for (const h of G.histograms) {
  test(`histogramCounts matches np.histogram's counts exactly: ${h.bins} bins, values on the edges and outside`, () => {
    torch.tidy(() => {
      // the values are float32 (as numpy's were), the edges float32 numpy edges widened to float64
      const v = torch.fromTypedArray(Float32Array.from(h.values), [h.values.length], 'float32');
      const c = torch.ops.histogramCounts(v, f64(h.edges));
      assert.equal(c.dtype, 'float64');
      assert.deepEqual(Array.from(c.toTypedArray() as Float64Array), h.counts);
      assert.deepEqual(Array.from(torch.ops.histogramCounts(v.double(), f64(h.edges)).toTypedArray() as Float64Array), h.counts, 'float64 values');
    });
  });
}

test('histogramCounts: NaN and out-of-range values are not counted; bad edges are refused', () => {
  torch.tidy(() => {
    const c = torch.ops.histogramCounts(f64([0, 0.5, 1, 1.5, 2, Number.NaN, -1, 3]), f64([0, 1, 2]));
    assert.deepEqual(Array.from(c.toTypedArray() as Float64Array), [2, 3]);
    assert.throws(() => torch.ops.histogramCounts(f64([1]), f64([1])), /histogramCounts: edges must be 1-D with at least 2 values/);
  });
});

test('histogramCounts over 400,000 values (counted in parallel slices) equals the sum of counts of its pieces', () => {
  torch.tidy(() => {
    torch.manualSeed(0);
    const v = torch.randn([400000]);
    const edges = f64([-3, -1.5, -0.25, 0, 0.1, 2, 3]);
    const whole = Array.from(torch.ops.histogramCounts(v, edges).toTypedArray() as Float64Array);
    const parts = [0, 1, 2, 3].map((i) => Array.from(torch.ops.histogramCounts(v.narrow(0, i * 100000, 100000), edges).toTypedArray() as Float64Array));
    assert.deepEqual(whole, whole.map((_, k) => parts.reduce((s, p) => s + p[k], 0)));
    assert.equal(whole.reduce((a, b) => a + b, 0), v.ge(-3).logicalAnd(v.le(3)).sum().item());
  });
});

test('interp rejects knots that are not 1-D or do not match', () => {
  torch.tidy(() => {
    const x = f64([1]);
    assert.throws(() => torch.ops.interp(x, torch.zeros([2, 2], { dtype: 'float64' }), f64([1, 2])), /interp: xp and fp must be 1-D, found 2-D and 1-D/);
    assert.throws(() => torch.ops.interp(x, f64([1, 2, 3]), f64([1, 2])), /xp and fp must have the same non-zero length, found 3 and 2/);
    assert.throws(() => torch.ops.interp(x, f64([]), f64([])), /found 0 and 0/);
  });
});

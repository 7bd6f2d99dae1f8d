// Intensity helpers: interpSorted (segment from the spacing) agrees with interp (numpy's binary search) to
// 1e-8 relative at knots, between them and outside the range (the float32 bin centres are evenly spaced only
// to float32 rounding, so within ~1e-9 of a knot the neighbouring line, which meets it there, may be used); floatHistogram counts every
// value once with numpy's closed last bin; percentile's numpy path (over 1e6 values) equals torch.quantile.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { floatHistogram, interp, interpSorted, percentile } from '../../../src/transforms/intensity/functional.js';

const start = torch.memory().liveTensors;

test('interpSorted agrees with interp on bin centres, at knots and outside the range (1e-8 relative)', () => {
  torch.tidy(() => {
    torch.manualSeed(3);
    for (const bins of [3, 7, 256, 1000]) {
      const data = torch.randn([5000]).mul(3);
      const { counts, centres } = floatHistogram(data, bins);
      const xp = centres.to({ dtype: 'float64' });
      const fp = counts.cumsum(0).to({ dtype: 'float64' });
      const x = torch.cat([data.to({ dtype: 'float64' }), xp, torch.tensor([-100, 100, -4.5, 4.5], { dtype: 'float64' }), xp.add(1e-12), xp.sub(1e-12)]);
      const a = interpSorted(x, xp, fp, true);
      const b = interp(x, xp, fp);
      const err = a.sub(b).abs().div(b.abs().add(1)).max().item();
      assert.ok(err <= 1e-8, `bins ${bins}: ${err} max relative difference`);
      // outside the range both give the end values exactly
      assert.ok(a.narrow(0, 5000 + bins, 4).equal(b.narrow(0, 5000 + bins, 4)), `bins ${bins}: ends`);
    }
  });
});

test('floatHistogram: every value counted, max in the last bin, a constant in the middle bin', () => {
  torch.tidy(() => {
    const v = torch.tensor([0, 0.25, 0.5, 0.75, 1], { dtype: 'float32' });
    assert.deepEqual(Array.from(floatHistogram(v, 4).counts.toTypedArray() as Float32Array), [1, 1, 1, 2]);
    assert.deepEqual(Array.from(floatHistogram(torch.full([6], 2.5), 4).counts.toTypedArray() as Float32Array), [0, 0, 6, 0]);
  });
});

test('percentile over 1e6 values (numpy lerp from kthvalue) agrees with torch.quantile in float64', () => {
  torch.tidy(() => {
    torch.manualSeed(5);
    const x = torch.rand([1_000_001], { dtype: 'float64' });
    for (const q of [0, 0.5, 12.5, 50, 99.99, 100]) {
      const ours = percentile(x, q).item();
      const ref = x.quantile(torch.tensor(q / 100, { dtype: 'float64' })).item();
      assert.ok(Math.abs(ours - ref) <= 1e-12, `q ${q}: ${ours} vs ${ref}`);
    }
  });
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

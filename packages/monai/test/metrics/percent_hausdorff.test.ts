// computePercentHausdorffDistance against MONAI 1.4's compute_percent_hausdorff_distance
// (goldens from tools/goldens/metrics/make_percent_hausdorff.py; rtol 1e-5 for the float32 distances),
// and the Dice alias of DiceLoss.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { computePercentHausdorffDistance } from '../../src/metrics/index.js';
import { Dice, DiceLoss } from '../../src/losses/index.js';
import * as monai from '../../src/index.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

const dec = (v: number | string) => (v === 'inf' ? Infinity : v === 'nan' ? NaN : (v as number));

test('computePercentHausdorffDistance equals MONAI (3 metrics, percentiles, spacings, empty masks)', () => {
  const G = readGolden('metrics/percent_hausdorff.json');
  assert.equal(G.length, 93);
  for (const c of G) {
    const v = torch.tidy(() => {
      const p = torch.tensor(c.pred, { dtype: 'int64' }).reshape(c.shape).ne(0);
      const g = torch.tensor(c.gt, { dtype: 'int64' }).reshape(c.shape).ne(0);
      return computePercentHausdorffDistance(p, g, { distanceMetric: c.distanceMetric, percentile: c.percentile, spacing: c.spacing });
    });
    const want = dec(c.result);
    const what = JSON.stringify({ shape: c.shape, m: c.distanceMetric, p: c.percentile, s: c.spacing });
    if (!Number.isFinite(want)) assert.ok(Object.is(v, want) || (Number.isNaN(v) && Number.isNaN(want)), `${what}: ${v} vs ${want}`);
    else assert.ok(Math.abs(v - want) <= 1e-5 * Math.abs(want) + 1e-6, `${what}: ${v} vs ${want}`);
  }
});

test('computePercentHausdorffDistance rejects bad options and shapes', () => {
  torch.tidy(() => {
    const a = torch.zeros([3, 3], { dtype: 'bool' });
    assert.throws(() => computePercentHausdorffDistance(a, a, { percentile: 101 }), /computePercentHausdorffDistance: percentile should be a value between 0 and 100, found 101/);
    assert.throws(() => computePercentHausdorffDistance(a, a, { percentil: 5 } as never), /computePercentHausdorffDistance.*percentil/);
    assert.throws(() => computePercentHausdorffDistance(a, torch.zeros([3, 4], { dtype: 'bool' })), /same shape, found \[3,3\] and \[3,4\]/);
  });
});

test('Dice is MONAI\'s alias of DiceLoss, also from the package root', () => {
  assert.equal(Dice, DiceLoss);
  assert.equal(monai.Dice, DiceLoss);
  assert.equal(monai.computePercentHausdorffDistance, computePercentHausdorffDistance);
});

// Lazy resampling: a 5-transform spatial chain run lazily (one composed resample) equals the eager chain
// within interpolation tolerance on smooth data, with the same shape and affine; permute/flip/shift-only
// chains resolve without interpolation (exactly); applyTransform's hook resolves pending operations before a
// transform that is not lazy; per-key overrides (nearest for labels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { applyTransform, type Transform } from '../../../src/transforms/transform.js';
import { Flipd, Orientationd, RandAffined, RandFlipd, RandRotate90d, RandRotated, RandZoomd, Rotate90d, Rotated, Spacingd, Zoomd } from '../../../src/transforms/spatial/index.js';
import { applyPending, applyPendingTransforms } from '../../../src/transforms/lazy/index.js';
import { Compose } from '../../../src/transforms/compose.js';
import { disposeAll, maxAbsDiff } from './helpers.js';

const tt = (name: string, fn: () => void) =>
  test(name, () => {
    const before = torch.memory().liveTensors;
    fn();
    assert.equal(torch.memory().liveTensors, before, `${name}: live tensors left behind`);
  });

const AFF = [-0.9, 0, 0, 10, 0, 1.1, 0, -4, 0, 0, 1.6, 3, 0, 0, 0, 1];

/** A smooth 1-channel volume (sinusoids, unit range): interpolating it twice or once differs little. */
function smooth(shape: number[]): MetaTensor {
  const t = torch.tidy(() => {
    const [z, y, x] = torch.meshgrid(shape.map((n) => torch.linspace(0, 1, n, { dtype: 'float32' })), 'ij');
    return z.mul(2.1).sin().mul(y.mul(1.7).cos()).mul(x.mul(1.3).add(0.4).sin()).mul(0.5).add(0.5).unsqueeze(0);
  });
  return MetaTensor.wrap(t, { affine: AFF });
}

function chain(): Transform[] {
  return [
    new Spacingd({ keys: ['image'], pixdim: [1.1, 1.3, 1.4] }),
    new Orientationd({ keys: ['image'], axcodes: 'LPS' }),
    new Rotated({ keys: ['image'], angle: [0.2, 0.0, 0.1] }),
    new Zoomd({ keys: ['image'], zoom: 1.2, mode: 'trilinear' }),
    new Flipd({ keys: ['image'], spatialAxis: 0 }),
  ];
}

function run(ts: Transform[], d: Record<string, unknown>, lazy: boolean, made: unknown[]): Record<string, unknown> {
  for (const t of ts) {
    d = applyTransform(t, d, { lazy }) as Record<string, unknown>;
    made.push(...Object.values(d));
  }
  return d;
}

tt('a lazy 5-transform chain (Spacingd, Orientationd, Rotated, Zoomd, Flipd) equals the eager chain within interpolation tolerance', () => {
  const made: unknown[] = [];
  const img = smooth([24, 20, 16]);
  const eager = run(chain(), { image: img }, false, made).image as MetaTensor;
  const lazyD = run(chain(), { image: img }, true, made);
  const pending = lazyD.image as MetaTensor;
  assert.equal(pending.pendingOperations.length, 5);
  assert.deepEqual(pending.shape, img.shape, 'lazy transforms leave the data untouched');
  assert.deepEqual(pending.peekPendingShape(), eager.shape.slice(1), 'the pending shape is the eager output shape');
  const lazy = applyPendingTransforms(lazyD) as Record<string, Tensor>;
  made.push(lazy.image, img);
  const out = lazy.image as MetaTensor;
  assert.deepEqual(out.shape, eager.shape);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(out.affine[i] - eager.affine[i]) < 1e-6, `affine[${i}] ${out.affine[i]} vs eager ${eager.affine[i]}`);
  assert.equal(out.appliedOperations.length, 5, 'the pending records become applied operations');
  // interior (away from the border-padded edges): one resample vs five differ by interpolation error only
  const inner = (t: Tensor) => t.narrow(1, 3, t.shape[1] - 6).narrow(2, 3, t.shape[2] - 6).narrow(3, 3, t.shape[3] - 6);
  const d = torch.tidy(() => maxAbsDiff(inner(out), inner(eager)));
  assert.ok(d < 0.01, `lazy vs eager max abs diff ${d} (unit-range smooth data; measured 0.0029)`);
  const mean = torch.tidy(() => inner(out).sub(inner(eager)).abs().mean().item() as number);
  assert.ok(mean < 0.003, `lazy vs eager mean abs diff ${mean} (measured 0.0011)`);
  disposeAll([...new Set(made)]);
});

tt('a lazy chain of flips, rot90 and orientation resolves without interpolation (exactly the eager result)', () => {
  const made: unknown[] = [];
  const img = MetaTensor.wrap(torch.rand([2, 7, 6, 5]), { affine: AFF });
  const ts = () => [new Orientationd({ keys: ['image'], axcodes: 'RAS' }), new Flipd({ keys: ['image'], spatialAxis: [0, 2] }), new Rotate90d({ keys: ['image'], k: 3, spatialAxes: [1, 2] })];
  const eager = run(ts(), { image: img }, false, made).image as MetaTensor;
  const lz = applyPending(run(ts(), { image: img }, true, made).image as MetaTensor)[0] as MetaTensor;
  made.push(lz, img);
  assert.deepEqual(lz.shape, eager.shape);
  assert.equal(maxAbsDiff(lz, eager), 0);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(lz.affine[i] - eager.affine[i]) < 1e-9);
  disposeAll([...new Set(made)]);
});

tt("applyTransform's hook resolves pending operations before a transform that is not lazy", () => {
  const made: unknown[] = [];
  const img = smooth([10, 9, 8]);
  let d = run([new Spacingd({ keys: ['image'], pixdim: [1.5, 1.5, 1.5] }), new Flipd({ keys: ['image'], spatialAxis: 1 })], { image: img }, true, made);
  assert.equal((d.image as MetaTensor).pendingOperations.length, 2);
  const seen: MetaTensor[] = [];
  d = applyTransform((x: unknown) => {
    seen.push((x as Record<string, MetaTensor>).image);
    return x;
  }, d) as Record<string, unknown>;
  made.push(d.image, img);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].pendingOperations.length, 0, 'a plain function sees the data with its pending operations applied');
  assert.equal(seen[0].appliedOperations.length, 2);
  // a lazy-capable transform called lazily keeps accumulating instead
  const d2 = applyTransform(new Flipd({ keys: ['image'], spatialAxis: 0 }), run([new Flipd({ keys: ['image'], spatialAxis: 1 })], { image: img }, true, made), { lazy: true }) as Record<string, MetaTensor>;
  made.push(d2.image);
  assert.equal(d2.image.pendingOperations.length, 2);
  disposeAll([...new Set(made)]);
});

tt('per-key overrides: labels resolved with nearest stay integer valued', () => {
  const made: unknown[] = [];
  const lab = MetaTensor.wrap(torch.tidy(() => torch.randint(0, 3, [1, 9, 8, 7]).float()), { affine: AFF });
  const img = smooth([9, 8, 7]);
  const d = run([new Spacingd({ keys: ['image', 'label'], pixdim: [1.3, 0.9, 1.2] }), new Rotated({ keys: ['image', 'label'], angle: [0.3, 0, 0] })], { image: img, label: lab }, true, made);
  const out = applyPendingTransforms(d, null, { label: { mode: 'nearest', paddingMode: 'zeros' } }) as Record<string, Tensor>;
  made.push(out.image, out.label, img, lab);
  const frac = torch.tidy(() => out.label.sub(out.label.round()).abs().max().item() as number);
  assert.equal(frac, 0, 'nearest labels are whole numbers');
  const fracImg = torch.tidy(() => out.image.sub(out.image.round()).abs().max().item() as number);
  assert.ok(fracImg > 0, 'the image (default bilinear) is interpolated');
  assert.throws(() => applyPending(d.image as MetaTensor, null, { modee: 'nearest' } as never), /applyPending: unknown option 'modee'.*did you mean 'mode'/);
  disposeAll([...new Set(made)]);
});

for (const [name, make, tol] of [
  ['RandFlipd', () => new RandFlipd({ keys: ['image'], prob: 1, spatialAxis: 1 }), 0],
  ['RandRotate90d', () => new RandRotate90d({ keys: ['image'], prob: 1, maxK: 3 }), 0],
  ['RandRotated', () => new RandRotated({ keys: ['image'], prob: 1, rangeX: 0.3, rangeZ: 0.2 }), 1e-5],
  ['RandZoomd', () => new RandZoomd({ keys: ['image'], prob: 1, minZoom: 1.1, maxZoom: 1.3, mode: 'trilinear' }), 1e-5],
  ['RandAffined', () => new RandAffined({ keys: ['image'], prob: 1, rotateRange: 0.2, scaleRange: 0.1, paddingMode: 'border' }), 1e-5],
] as [string, () => Transform & { setRandomState(o: { seed: number }): unknown }, number][]) {
  tt(`${name} lazily (same seed) equals ${name} eagerly, and its record names it`, () => {
    const made: unknown[] = [];
    const img = smooth([12, 11, 10]);
    const e = make();
    e.setRandomState({ seed: 11 });
    const eager = run([e], { image: img }, false, made).image as MetaTensor;
    const l = make();
    l.setRandomState({ seed: 11 });
    const pending = run([l], { image: img }, true, made).image as MetaTensor;
    assert.equal(pending.pendingOperations.length, 1);
    assert.equal(pending.pendingOperations[0].class, name);
    const lazy = applyPending(pending)[0] as MetaTensor;
    made.push(lazy, img);
    assert.deepEqual(lazy.shape, eager.shape);
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(lazy.affine[i] - eager.affine[i]) < 1e-6, `affine[${i}]`);
    const inner = (t: Tensor) => t.narrow(1, 1, t.shape[1] - 2).narrow(2, 1, t.shape[2] - 2).narrow(3, 1, t.shape[3] - 2);
    const d = torch.tidy(() => maxAbsDiff(inner(lazy), inner(eager)));
    assert.ok(d <= tol, `max abs diff ${d} > ${tol}`);
    assert.equal(lazy.appliedOperations[0].class, name);
    disposeAll([...new Set(made)]);
  });
}

tt('Compose({ lazy: true }) runs the chain with one resample at the end, as the eager Compose within tolerance', () => {
  const made: unknown[] = [];
  const img = smooth([24, 20, 16]);
  // tidy: Compose leaves each transform's intermediate result to the caller
  const [eager, lazy] = torch.tidy(() => [
    (new Compose({ transforms: chain() }).call({ image: img }) as Record<string, MetaTensor>).image,
    (new Compose({ transforms: chain(), lazy: true }).call({ image: img }) as Record<string, MetaTensor>).image,
  ]);
  made.push(eager, lazy, img);
  assert.equal(lazy.pendingOperations.length, 0, 'Compose resolves pending operations at its end');
  assert.equal(lazy.appliedOperations.length, 5);
  assert.deepEqual(lazy.shape, eager.shape);
  const inner = (t: Tensor) => t.narrow(1, 3, t.shape[1] - 6).narrow(2, 3, t.shape[2] - 6).narrow(3, 3, t.shape[3] - 6);
  const d = torch.tidy(() => maxAbsDiff(inner(lazy), inner(eager)));
  assert.ok(d < 0.01, `lazy vs eager max abs diff ${d}`);
  disposeAll([...new Set(made)]);
});

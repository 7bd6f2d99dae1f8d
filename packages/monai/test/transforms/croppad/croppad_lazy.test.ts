// Crops and pads in lazy mode: a Compose({ lazy: true }) of dictionary pads then crops records pending
// operations only, and resolving them gives exactly the eager result (integer translations resample
// without interpolation), with the same affine. (A pad after a crop differs lazily, in MONAI too: the
// single resample reads the padded border from the uncropped image.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { Compose } from '../../../src/transforms/compose.js';
import { applyTransform } from '../../../src/transforms/transform.js';
import * as C from '../../../src/transforms/croppad/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

const AFF = [0.9, 0.1, 0, 10, -0.1, 1.2, 0.05, -5, 0, 0.2, 2, 3.5, 0, 0, 0, 1];

function chain(): Compose {
  return new Compose([
    new C.SpatialPadd({ keys: ['img'], spatialSize: [10, 9, 12] }),
    new C.BorderPadd({ keys: ['img'], spatialBorder: [1, 2, 0] }),
    new C.CenterSpatialCropd({ keys: ['img'], roiSize: [10, 11, 10] }),
    new C.SpatialCropd({ keys: ['img'], roiStart: [1, 0, 2], roiEnd: [9, 9, 9] }),
    new C.RandSpatialCropd({ keys: ['img'], roiSize: [5, 6, 4] }),
  ]).setRandomState({ seed: 3 });
}

test('lazy crop/pad chain resolves to the eager result exactly (values, shape, affine)', () => {
  torch.tidy(() => {
    const img = MetaTensor.wrap(torch.arange(504, { dtype: 'float32' }).reshape([1, 7, 8, 9]).add(1), { affine: AFF });
    const eager = (chain().call({ img }) as Record<string, MetaTensor>).img;
    const lazyChain = chain();
    // run the transforms lazily one by one to see the pending operations before resolution
    let d: Record<string, unknown> = { img };
    for (const t of lazyChain.transforms) d = applyTransform(t, d, { lazy: true }) as Record<string, unknown>;
    const pending = d.img as MetaTensor;
    assert.equal(pending.pendingOperations.length, 5);
    assert.deepEqual(pending.shape, img.shape, 'lazy crops and pads leave the data untouched');
    assert.deepEqual(pending.peekPendingShape(), eager.shape.slice(1));
    const lazy = (chain().call({ img }, { lazy: true }) as Record<string, MetaTensor>).img;
    assert.deepEqual(lazy.shape, eager.shape);
    assert.ok(lazy.equal(eager), 'values');
    assert.ok(Array.from(lazy.affine).every((v, i) => Math.abs(v - eager.affine[i]) < 1e-9), `affine ${Array.from(lazy.affine)} vs ${Array.from(eager.affine)}`);
  });
});

test('CropForegroundd and ResizeWithPadOrCropd each record one combined pending operation and resolve to the eager result', () => {
  torch.tidy(() => {
    const img = MetaTensor.wrap(torch.arange(504, { dtype: 'float32' }).reshape([1, 7, 8, 9]).add(1), { affine: AFF });
    const fg = MetaTensor.wrap(torch.zeros([1, 7, 8, 9]), { affine: AFF });
    fg.narrow(1, 1, 3).narrow(2, 2, 4).narrow(3, 0, 5).fill_(1);
    const mk = () => [
      new C.CropForegroundd({ keys: ['img'], sourceKey: 'fg', margin: 2, allowSmaller: false }),
      new C.ResizeWithPadOrCropd({ keys: ['img'], spatialSize: [9, 5, 12] }),
    ];
    for (const t of [[mk()[0]], [mk()[1]]]) {
      const eager = (new Compose(t).call({ img, fg }) as Record<string, MetaTensor>).img;
      let d: Record<string, unknown> = { img, fg };
      for (const x of t) d = applyTransform(x, d, { lazy: true }) as Record<string, unknown>;
      const pend = d.img as MetaTensor;
      assert.equal(pend.pendingOperations.length, t.length);
      assert.deepEqual(pend.peekPendingShape(), eager.shape.slice(1));
      const lazy = (new Compose(t.map((x) => x)).call({ img, fg }, { lazy: true }) as Record<string, MetaTensor>).img;
      assert.ok(lazy.equal(eager), `values (${t.map((x) => x.name).join(', ')})`);
      assert.ok(Array.from(lazy.affine).every((v, i) => Math.abs(v - eager.affine[i]) < 1e-9));
      assert.deepEqual(lazy.appliedOperations.map((o) => o.class), eager.appliedOperations.map((o) => o.class));
    }
  });
});

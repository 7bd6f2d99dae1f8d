// Crop and pad behaviour beyond the MONAI goldens: numpy pad semantics for pads wider than the image,
// inverse round trips (random and multi-sample croppers, dictionaries, Compose chains), plain tensors,
// and bad input (rank, missing keys, unknown modes and options) named in the error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { Compose } from '../../../src/transforms/compose.js';
import { TransformError } from '../../../src/transforms/transform.js';
import * as C from '../../../src/transforms/croppad/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

const AFF = [0.9, 0.1, 0, 10, -0.1, 1.2, 0.05, -5, 0, 0.2, 2, 3.5, 0, 0, 0, 1];
const vol = (c = 1, dtype: 'float32' | 'int16' = 'float32') => MetaTensor.wrap(torch.arange(c * 504, { dtype }).reshape([c, 7, 8, 9]), { affine: AFF });
const values = (t: Tensor) => Array.from(t.toTypedArray() as Float32Array | Int16Array, Number);

test('pads wider than the image repeat numpy\'s pattern (reflect, symmetric, wrap, edge) for floats and ints', () => {
  // np.pad([1, 2, 3], (7, 6), mode) from numpy 1.24
  const expected: Record<string, number[]> = {
    reflect: [2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1],
    symmetric: [1, 1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2, 3],
    wrap: [3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3],
    edge: [1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3],
  };
  torch.tidy(() => {
    for (const [mode, e] of Object.entries(expected)) {
      for (const dtype of ['float32', 'int16'] as const) {
        const x = torch.tensor([[1, 2, 3]], { dtype });
        const y = C.padNd(x, [[0, 0], [7, 6]], mode as C.PadMode);
        assert.deepEqual(values(y), e, `${mode} ${dtype}`);
      }
    }
    // np.pad([1, 2], (3, 3), 'reflect')
    assert.deepEqual(values(C.padNd(torch.tensor([[1, 2]]), [[0, 0], [3, 3]], 'reflect')), [2, 1, 2, 1, 2, 1, 2, 1]);
    assert.deepEqual(values(C.padNd(torch.tensor([[true, false]]), [[0, 0], [1, 1]], 'constant', 1).int()), [1, 1, 0, 1]);
  });
});

test('random and multi-sample croppers invert back to the source shape and affine', () => {
  torch.tidy(() => {
    const img = vol();
    const label = MetaTensor.wrap(torch.arange(504).remainder(7).eq(0).float().reshape([1, 7, 8, 9]), { affine: AFF });
    const croppers: [string, () => Tensor[]][] = [
      ['RandSpatialCrop', () => [new C.RandSpatialCrop({ roiSize: [3, 4, 5], randomSize: true }).setRandomState({ seed: 1 }).call(img)]],
      ['RandScaleCrop', () => [new C.RandScaleCrop({ roiScale: 0.5 }).setRandomState({ seed: 2 }).call(img)]],
      ['RandSpatialCropSamples', () => new C.RandSpatialCropSamples({ roiSize: 3, numSamples: 3 }).setRandomState({ seed: 3 }).call(img)],
      ['RandWeightedCrop', () => new C.RandWeightedCrop({ spatialSize: [3, 3, 3], numSamples: 2 }).setRandomState({ seed: 4 }).call(img, { weightMap: label })],
      ['RandCropByPosNegLabel', () => new C.RandCropByPosNegLabel({ spatialSize: [4, 4, 4], numSamples: 3 }).setRandomState({ seed: 5 }).call(img, { label })],
      ['RandCropByLabelClasses', () => new C.RandCropByLabelClasses({ spatialSize: [4, 4, 4], numClasses: 2, numSamples: 3 }).setRandomState({ seed: 6 }).call(img, { label })],
    ];
    for (const [name, run] of croppers) {
      const patches = run();
      for (const p of patches) {
        const m = p as MetaTensor;
        assert.equal(m.appliedOperations.at(-1)!.class, name);
        const owner = m.appliedOperations.at(-1)!;
        // rebuild the transform's inverse through the instance that made it: record ids must match
        assert.ok(typeof owner.id === 'number');
      }
    }
    // inverse through the same instance
    const t = new C.RandCropByPosNegLabel({ spatialSize: [4, 4, 4], numSamples: 2 }).setRandomState({ seed: 9 });
    for (const p of t.call(img, { label })) {
      const back = t.inverse(p) as MetaTensor;
      assert.deepEqual(back.shape, img.shape);
      assert.deepEqual(Array.from(back.affine), Array.from(img.affine));
      assert.equal(back.appliedOperations.length, 0);
      // the patch's voxels are back where they came from; the rest is zero
      const centre = (p as MetaTensor).meta.crop_center as number[];
      const orig = img.narrow(1, centre[0] - 2, 4).narrow(2, centre[1] - 2, 4).narrow(3, centre[2] - 2, 4);
      const got = back.narrow(1, centre[0] - 2, 4).narrow(2, centre[1] - 2, 4).narrow(3, centre[2] - 2, 4);
      assert.ok(got.equal(orig));
      assert.equal(back.sum().item(), p.sum().item());
    }
  });
});

test('dictionary croppers in a Compose invert as a chain (labels restored exactly inside the crop)', () => {
  torch.tidy(() => {
    const pipeline = new Compose([
      new C.SpatialPadd({ keys: ['img', 'seg'], spatialSize: [10, 10, 10], mode: ['reflect', 'constant'] }),
      new C.CropForegroundd({ keys: ['img', 'seg'], sourceKey: 'seg', margin: 1 }),
      new C.RandSpatialCropd({ keys: ['img', 'seg'], roiSize: [4, 4, 4] }),
      new C.ResizeWithPadOrCropd({ keys: ['img', 'seg'], spatialSize: [6, 5, 7] }),
      new C.DivisiblePadd({ keys: ['img', 'seg'], k: 4 }),
    ]).setRandomState({ seed: 11 });
    const seg = MetaTensor.wrap(torch.zeros([1, 7, 8, 9]), { affine: AFF });
    seg.narrow(1, 2, 3).narrow(2, 2, 4).narrow(3, 3, 4).fill_(1);
    const d = pipeline.call({ img: vol(), seg }) as Record<string, MetaTensor>;
    assert.equal(d.img.appliedOperations.length, 5);
    const inv = pipeline.inverse(d) as Record<string, MetaTensor>;
    for (const k of ['img', 'seg']) {
      assert.deepEqual(inv[k].shape, [1, 7, 8, 9], k);
      assert.ok(Array.from(inv[k].affine).every((v, i) => Math.abs(v - AFF[i]) < 1e-12), `${k} affine`);
      assert.equal(inv[k].appliedOperations.length, 0);
    }
    // where the inverted label is non-zero it equals the original label
    const nz = inv.seg.ne(0);
    assert.ok(inv.seg.maskedSelect(nz).equal(seg.maskedSelect(nz)));
    assert.equal(seg.sub(inv.seg).abs().sum().item() <= seg.sum().item(), true);
  });
});

test('plain tensors are cropped and padded without records', () => {
  torch.tidy(() => {
    const x = torch.arange(24).reshape([1, 2, 3, 4]).float();
    const y = new C.SpatialPad({ spatialSize: [4, 5, 6] }).call(x);
    assert.ok(!(y instanceof MetaTensor));
    assert.deepEqual(y.shape, [1, 4, 5, 6]);
    const z = new C.CenterSpatialCrop({ roiSize: [2, 3, 4] }).call(y);
    assert.ok(z.equal(x));
  });
});

test('bad input names the transform, the option or key, and what was expected', () => {
  torch.tidy(() => {
    const img = vol();
    assert.throws(() => new C.SpatialPad({ spatialSize: [9, 9, 9], mode: 'reflection' as never }), /SpatialPad: mode must be one of 'constant', 'edge', .* found 'reflection' \(did you mean 'reflect'\?\)/);
    assert.throws(() => new C.SpatialPad({ spatialSize: [9, 9], mode: 'edge' }).call(img), /SpatialPad: spatialSize must hold 1 or 3 values for a 3-d image, got \[9, 9\]/);
    assert.throws(() => new C.SpatialPad({ spatialSize: 9 }).call(torch.ones([5]) as never), /SpatialPad: img must be channel-first with at least one spatial dim \(C, spatial\.\.\.\), got shape \[5\]/);
    assert.throws(() => new C.SpatialCrop({ roiCenter: [1, 2, 3], roiSise: [2, 2, 2] } as never), /SpatialCrop: unknown option 'roiSise' \(did you mean 'roiSize'\?\)/);
    assert.throws(() => new C.SpatialCrop({ roiCenter: [1, 2, 3] }), /SpatialCrop: give roiCenter and roiSize, or roiStart and roiEnd, or roiSlices/);
    assert.throws(() => new C.BorderPad({ spatialBorder: [1, 2] }).call(img), /BorderPad: spatialBorder must hold 1, 3 \(per dim\) or 6 \(per side\) values for a 3-d image, got 2/);
    assert.throws(() => new C.CenterSpatialCrop({} as never), /CenterSpatialCrop: missing required option 'roiSize'/);
    assert.throws(() => new C.RandCropByPosNegLabel({ spatialSize: 3, pos: 0, neg: 0 }), /RandCropByPosNegLabel: pos and neg can't both be 0/);
    assert.throws(() => new C.RandCropByPosNegLabel({ spatialSize: 3 }).call(img), /RandCropByPosNegLabel: a label must be given/);
    assert.throws(() => new C.RandCropByPosNegLabel({ spatialSize: [9, 9, 9] }).setRandomState({ seed: 0 }).call(img, { label: img }), /larger than the image size, got ROI size \[9, 9, 9\] and label image size \[7, 8, 9\]; set allowSmaller/);
    assert.throws(() => new C.RandWeightedCrop({ spatialSize: 3 }).call(img), /RandWeightedCrop: a weight map must be given/);
    assert.throws(() => new C.CropForeground({ margin: -1 }).call(img), /margin must not be negative/);
    assert.throws(() => new C.SpatialPadd({ keys: ['img', 'seg'], spatialSize: 9, mode: ['edge', 'wrap', 'edge'] }), /SpatialPadd: mode must hold one value or one per key \(2\), got 3/);
    assert.throws(() => new C.SpatialPadd({ keys: ['img'], spatialSize: 9, mode: 'warp' as never }), /SpatialPadd: mode must be one of .* found 'warp' \(did you mean 'wrap'\?\)/);
    assert.throws(() => new C.CenterSpatialCropd({ keys: ['img', 'seg'], roiSize: 3 }).call({ img }), /CenterSpatialCropd: key 'seg' is not in the data \(keys: img\)/);
    assert.throws(() => new C.CropForegroundd({ keys: ['img'], sourceKey: 'lbl' }).call({ img }), /CropForegroundd: sourceKey 'lbl' is not in the data \(keys: img\)/);
    assert.throws(() => new C.RandCropByPosNegLabeld({ keys: ['img'], labelKey: 'seg', spatialSize: 3 }).call({ img }), /RandCropByPosNegLabel: a label must be given/);
    assert.throws(
      () => new Compose([new C.SpatialPadd({ keys: ['image'], spatialSize: 9 })]).call({ img }),
      (e: unknown) => e instanceof TransformError && e.transformName === 'SpatialPadd' && /key 'image' is not in the data/.test(e.message),
    );
    assert.throws(() => new C.Crop().inverse(img), /Crop: no applied operations to invert/);
    const padded = new C.SpatialPad({ spatialSize: 9 }).call(img);
    assert.throws(() => new C.SpatialPad({ spatialSize: 9 }).inverse(new C.CenterSpatialCrop({ roiSize: 3 }).call(padded)), /the most recent applied transform is CenterSpatialCrop/);
  });
});

test('allowMissingKeys skips absent keys; CropForegroundd coordinate keys can be turned off', () => {
  torch.tidy(() => {
    const img = vol();
    const d = new C.CenterSpatialCropd({ keys: ['img', 'seg'], roiSize: 3, allowMissingKeys: true }).call({ img });
    assert.deepEqual((d.img as Tensor).shape, [1, 3, 3, 3]);
    assert.ok(!('seg' in d));
    const e = new C.CropForegroundd({ keys: ['img'], sourceKey: 'img', startCoordKey: null, endCoordKey: null }).call({ img });
    assert.deepEqual(Object.keys(e), ['img']);
  });
});

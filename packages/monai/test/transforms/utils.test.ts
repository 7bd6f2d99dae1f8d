// transforms/utils.ts helpers beyond the MONAI goldens of croppad_parity: MaskIndices against nonzero
// (chunk boundaries, tail chunk, empty masks), mapBinaryToMaskIndices against mapBinaryToIndices
// (one-hot labels, multi-channel images), correctCropCenters and padding edge rules.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MaskIndices, correctCropCenters, computeDivisibleSpatialSize, mapBinaryToIndices, mapBinaryToMaskIndices, unravelIndex, fallBackTuple } from '../../src/transforms/utils.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

function allOf(m: MaskIndices): number[] {
  return Array.from({ length: m.length }, (_, k) => m.at(k));
}

test('MaskIndices.at(k) is the k-th index of nonzero(mask), across chunk boundaries and the tail chunk', () => {
  torch.manualSeed(3);
  for (const [n, chunk, p] of [[10000, 64, 0.3], [4096 * 3 + 17, 4096, 0.01], [100, 4096, 0.5], [5, 2, 1]] as const) {
    torch.tidy(() => {
      const mask = torch.rand([n]).lt(p);
      const ref = Array.from(torch.nonzero(mask).flatten().toTypedArray() as BigInt64Array, Number);
      const mi = new MaskIndices(mask.clone(), chunk);
      assert.equal(mi.length, ref.length, `n=${n}: length`);
      assert.deepEqual(allOf(mi), ref, `n=${n} chunk=${chunk}`);
      assert.throws(() => mi.at(ref.length), /MaskIndices.at: index \d+ out of range/);
      mi.dispose();
    });
  }
  torch.tidy(() => {
    const empty = new MaskIndices(torch.zeros([50], { dtype: 'bool' }));
    assert.equal(empty.length, 0);
    empty.dispose();
    assert.throws(() => new MaskIndices(torch.zeros([3])), /expected a bool mask, got float32/);
  });
});

test('mapBinaryToMaskIndices gives mapBinaryToIndices\' sets (one-hot label, multi-channel image, no image)', () => {
  torch.manualSeed(5);
  torch.tidy(() => {
    const cls = torch.randint(0, 3, [1, 9, 10, 11]);
    const oneHot = torch.cat([cls.eq(0), cls.eq(1), cls.eq(2)], 0).float();
    const image = torch.rand([2, 9, 10, 11]);
    for (const [label, img] of [[cls.float(), null], [oneHot, image], [cls.gt(0), image.narrow(0, 0, 1)]] as const) {
      const [fg, bg] = mapBinaryToIndices(label, img, 0.5);
      const [mf, mb] = mapBinaryToMaskIndices(label, img, 0.5);
      assert.deepEqual(allOf(mf), Array.from(fg.toTypedArray() as BigInt64Array, Number));
      assert.deepEqual(allOf(mb), Array.from(bg.toTypedArray() as BigInt64Array, Number));
      mf.dispose();
      mb.dispose();
    }
  });
});

test('correctCropCenters keeps the box inside (MONAI truncation of size / 2), refuses a larger box unless allowSmaller', () => {
  assert.deepEqual(correctCropCenters([0, 9, 5], [4, 4, 5], [10, 10, 10]), [2, 8, 5]);
  assert.deepEqual(correctCropCenters([0, 0], [3, 10], [10, 10]), [1, 5]);
  assert.throws(() => correctCropCenters([1, 1], [12, 3], [10, 10]), /ROI size \[12, 3\] and label image size \[10, 10\]; set allowSmaller/);
  assert.deepEqual(correctCropCenters([1, 1], [12, 3], [10, 10], true), [5, 1]);
  assert.deepEqual(unravelIndex(23, [2, 3, 4]), [1, 2, 3]);
  assert.deepEqual(computeDivisibleSpatialSize([7, 8, 9], [4, 0, 5]), [8, 8, 10]);
  assert.deepEqual(fallBackTuple([-1, 3, 0], [5, 6, 7]), [5, 3, 7]);
  assert.throws(() => fallBackTuple([1, 2], [5, 6, 7]), /must hold 1 or 3 values/);
});

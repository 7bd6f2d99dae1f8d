// getValidPatchSize, iterPatchPosition and iterPatchSlices against MONAI 1.4 (goldens from
// tools/goldens/data/make_patch_slices.py: 1-3 dims, patch sizes with 0/null/oversized entries, start
// positions, fractional and voxel overlaps, padded or not; exact).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { iterPatchPosition, iterPatchSlices } from '../../src/data/index.js';
import { getValidPatchSize } from '../../src/transforms/utils.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

test('patch grids equal MONAI', () => {
  const G = readGolden('data/patch_slices.json');
  assert.ok(G.length >= 300);
  let refused = 0;
  for (const c of G) {
    const what = JSON.stringify({ image: c.image, patch: c.patch, start: c.start, overlap: c.overlap, padded: c.padded });
    assert.deepEqual(getValidPatchSize(c.image, c.patch), c.valid, what);
    const options = { startPos: c.start, overlap: c.overlap, padded: c.padded };
    let slices: number[][][];
    try {
      slices = [...iterPatchSlices(c.image, c.patch, options)];
    } catch (e) {
      // an overlap at least the patch size: MONAI's range() quietly yields nothing, we refuse it
      assert.match((e as Error).message, /iterPatchSlices: overlap \d+ leaves no step for patch size/, what);
      assert.deepEqual(c.slices, [], what);
      refused++;
      continue;
    }
    assert.deepEqual(slices, c.slices, what);
    assert.deepEqual([...iterPatchPosition(c.image, c.patch, options)], c.positions, what);
  }
  assert.ok(refused < G.length / 4, `refused ${refused}`);
});

test('defaults: iterPatchSlices padded, iterPatchPosition not; bad arguments named', () => {
  assert.deepEqual([...iterPatchSlices([5], 2)], [[[0, 2]], [[2, 4]], [[4, 6]]]);
  assert.deepEqual([...iterPatchPosition([5], 2)], [[0], [2]]);
  assert.throws(() => [...iterPatchSlices([5], 2, { overlap: 1.5 })], /iterPatchSlices: overlap must be a fraction in \[0, 1\) or a whole number of voxels, found 1.5 for dim 0/);
  assert.throws(() => [...iterPatchSlices([5], 2, { padding: true } as never)], /iterPatchSlices: unknown option 'padding'/);
  assert.throws(() => getValidPatchSize([5, 5], [2.5, 1]), /getValidPatchSize: patchSize entries must be non-negative integers/);
});

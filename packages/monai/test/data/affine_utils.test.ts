// toAffineNd, zoomAffine and computeShapeOffset (monai.data.utils) against MONAI 1.4
// (goldens from tools/goldens/data/make_affine_utils.py; float64, abs tolerance 1e-9; shapes exact).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { toAffineNd, zoomAffine, computeShapeOffset } from '../../src/data/index.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

const G = readGolden('data/affine_utils.json');
function close(a: number[] | number[][], b: number[] | number[][], what: string): void {
  const fa = (a as unknown[]).flat() as number[];
  const fb = (b as unknown[]).flat() as number[];
  assert.equal(fa.length, fb.length, what);
  fa.forEach((v, i) => assert.ok(Math.abs(v - fb[i]) <= 1e-9, `${what}: [${i}] ${v} vs ${fb[i]}`));
}

test('toAffineNd equals MONAI for ranks 1-4 and a matrix to fill', () => {
  for (const c of G.toAffineNd) close(toAffineNd(c.r, c.affine), c.result, `r=${c.r}`);
  for (const c of G.toAffineNdMat) close(toAffineNd(c.r, c.affine), c.result, 'matrix r');
});

test('zoomAffine equals MONAI (diagonal and rotation-keeping, short and non-positive scales)', () => {
  assert.equal(G.zoomAffine.length, 30);
  for (const c of G.zoomAffine) close(zoomAffine(c.affine, c.scale, c.diagonal), c.result, JSON.stringify([c.scale, c.diagonal]));
  // MONAI's default is diagonal=True
  close(zoomAffine(G.zoomAffine[2].affine, G.zoomAffine[2].scale), G.zoomAffine[2].result, 'default diagonal');
  assert.equal(G.zoomAffine[2].diagonal, true);
});

test('computeShapeOffset equals MONAI ([shape, offset], with and without scaleExtent)', () => {
  for (const c of G.computeShapeOffset) {
    const [shape, offset] = computeShapeOffset(c.shape, c.in, c.out, c.scaleExtent);
    assert.deepEqual(shape, c.resultShape);
    close(offset, c.offset, `offset ${JSON.stringify(c.shape)} ${c.scaleExtent}`);
  }
});

test('bad inputs name the function and argument', () => {
  assert.throws(() => zoomAffine([[1, 0, 0], [0, 1, 0]], [1]), /zoomAffine: affine must be n x n, got 2 x 3/);
  assert.throws(() => toAffineNd(-1, [[1]]), /toAffineNd: r must be a non-negative integer, got -1/);
  assert.throws(() => computeShapeOffset([2, 2], [1, 2] as unknown as number[][], [[1]]), /computeShapeOffset: inAffine must be a 2-D matrix/);
});

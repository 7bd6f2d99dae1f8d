// torch.ops.distanceTransformEdt and torch.ops.connectedComponents (native/imgproc.cc) against scipy
// and skimage goldens (tools/goldens/imgproc/make_imgproc.py), plus batching, dtypes and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import { assertAllClose } from './helpers/all_close.js';

const start = torch.memory().liveTensors;
const GOLDEN = fileURLToPath(new URL('../../../tools/goldens/imgproc/imgproc.pt', import.meta.url));
type Case = Record<string, torch.Tensor>;
const cases = torch.load(GOLDEN) as Record<string, Case>;
const num = (t: torch.Tensor) => Number(t.item());

// EDT distances to 1e-12 (absolute and relative): float64 sums of the same squares in another order.
const EDT_TOL = { rtol: 1e-12, atol: 1e-12 };

/** Each index points at a zero voxel (or scipy's (-1, 0, ...) when there is none) at exactly the reported distance. */
function checkIndices(input: torch.Tensor, dist: torch.Tensor, idx: torch.Tensor, sampling: number[], what: string): void {
  torch.tidy(() => {
    const nd = input.dim();
    const grids = torch.meshgrid(input.shape.map((n) => torch.arange(n, { dtype: 'float64' })), 'ij');
    let sq = torch.zerosLike(dist);
    for (let a = 0; a < nd; a++) sq = sq.add(grids[a].sub(idx.select(0, a)).mul(sampling[a]).square());
    assertAllClose(sq.sqrt(), dist, { ...EDT_TOL, what: `${what} distance to the returned index` });
    if (input.eq(0).any().item()) {
      // gather the input at the indices: all zeros
      const strides = input.shape.map((_, a) => input.shape.slice(a + 1).reduce((p, n) => p * n, 1));
      let lin = torch.zerosLike(idx.select(0, 0));
      for (let a = 0; a < nd; a++) lin = lin.add(idx.select(0, a).mul(strides[a]));
      assert.equal(num(input.flatten().take(lin.flatten()).abs().sum()), 0, `${what}: an index points at a nonzero voxel`);
    }
  });
}

test('distanceTransformEdt matches scipy.ndimage.distance_transform_edt (1D-4D, sampling, no-zero and all-zero inputs)', () => {
  const names = Object.keys(cases).filter((k) => k.startsWith('edt_'));
  assert.ok(names.length >= 29);
  for (const name of names) {
    torch.tidy(() => {
      const c = cases[name];
      const sampling = c.sampling ? (Array.from(c.sampling.data() as Float64Array) as number[]) : undefined;
      const r = torch.ops.distanceTransformEdt(c.input, { sampling, returnIndices: true });
      assert.equal(r.distances!.dtype, 'float64');
      assert.deepEqual(r.distances!.shape, c.input.shape);
      assertAllClose(r.distances!, c.distances, { ...EDT_TOL, what: name });
      assert.equal(r.indices!.dtype, 'int64');
      assert.deepEqual(r.indices!.shape, [c.input.dim(), ...c.input.shape]);
      // Ties between equally near zeros may be broken differently from scipy; where there is no
      // zero at all, scipy's (-1, 0, ...) is reproduced exactly.
      if (name.includes('all_ones')) assert.ok(r.indices!.equal(c.indices), `${name}: indices`);
      checkIndices(c.input, r.distances!, r.indices!, sampling ?? c.input.shape.map(() => 1), name);
    });
  }
});

test('distanceTransformEdt: scalar sampling, distances only, indices only, any input dtype', () => {
  torch.tidy(() => {
    const c = cases.edt_2d_scalar_sampling;
    assertAllClose(torch.ops.distanceTransformEdt(c.input, { sampling: 2.5 }).distances!, c.distances, EDT_TOL);
    const onlyI = torch.ops.distanceTransformEdt(c.input, { returnDistances: false, returnIndices: true });
    assert.equal(onlyI.distances, null);
    assert.deepEqual(onlyI.indices!.shape, [2, ...c.input.shape]);
    const plain = cases.edt_3d;
    assert.equal(torch.ops.distanceTransformEdt(plain.input).indices, null);
    for (const dtype of ['bool', 'float32', 'int16', 'int64'] as const) {
      const d = torch.ops.distanceTransformEdt(plain.input.to(dtype)).distances!;
      assertAllClose(d, plain.distances, { ...EDT_TOL, what: dtype });
    }
    // nonzero means foreground, whatever its sign or whether it is NaN
    const f = torch.tensor([0.5, -2, Number.NaN, 0, 3], { dtype: 'float64' });
    assert.deepEqual(torch.ops.distanceTransformEdt(f).distances!.tolist(), [3, 2, 1, 0, 1]);
  });
});

test('distanceTransformEdt: leading dimensions are independent slices (spatialDims)', () => {
  torch.tidy(() => {
    const a = cases.edt_3d_sampling.input;
    const sampling = [1.5, 1.5, 2.0];
    // two slices of one shape: one ordinary, one without any zero voxel
    const bb = torch.ones(a.shape, { dtype: 'uint8' });
    const batch = torch.stack([torch.stack([a, bb]), torch.stack([bb, a])]); // 2 x 2 x 9 x 11 x 7
    const r = torch.ops.distanceTransformEdt(batch, { sampling, spatialDims: 3, returnIndices: true });
    assert.deepEqual(r.indices!.shape, [2, 2, 3, 9, 11, 7]);
    const one = torch.ops.distanceTransformEdt(a, { sampling, returnIndices: true });
    const ones = torch.ops.distanceTransformEdt(bb, { sampling, returnIndices: true });
    assertAllClose(r.distances!.select(0, 0).select(0, 0), one.distances!, EDT_TOL);
    assertAllClose(r.distances!.select(0, 1).select(0, 1), one.distances!, EDT_TOL);
    assertAllClose(r.distances!.select(0, 0).select(0, 1), ones.distances!, EDT_TOL);
    assert.ok(r.indices!.select(0, 1).select(0, 1).equal(one.indices!));
    assert.ok(r.indices!.select(0, 0).select(0, 1).equal(ones.indices!));
    // a non-contiguous input gives the same result as its contiguous copy
    const t = batch.transpose(3, 4);
    assertAllClose(torch.ops.distanceTransformEdt(t, { spatialDims: 3 }).distances!, torch.ops.distanceTransformEdt(t.contiguous(), { spatialDims: 3 }).distances!, { rtol: 0, atol: 0 });
    // empty inputs
    assert.deepEqual(torch.ops.distanceTransformEdt(torch.zeros([0, 4])).distances!.shape, [0, 4]);
    assert.deepEqual(torch.ops.distanceTransformEdt(torch.zeros([3, 0, 4]), { spatialDims: 2, returnIndices: true }).indices!.shape, [3, 2, 0, 4]);
  });
});

test('distanceTransformEdt: bad options name the argument and what was found', () => {
  torch.tidy(() => {
    const x = torch.ones([3, 4]);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { sampling: [1, 2, 3] }), /sampling must have one value per spatial dimension \(2\), found 3/);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { sampling: [1, 0] }), /sampling values must be positive and finite, found 0/);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { spatialDims: 3 }), /spatialDims must be an integer from 1 to the input's 2 dimensions, found 3/);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { returnDistances: false }), /at least one of returnDistances and returnIndices/);
    assert.throws(() => torch.ops.distanceTransformEdt(torch.tensor(1)), /at least 1 dimension/);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { samplng: 2 } as never), /samplng.*sampling/);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { spatialDims: '2' as never }), /distanceTransformEdt: spatialDims must be a number, found string "2"/);
    assert.throws(() => torch.ops.distanceTransformEdt(x, { sampling: [1, 'a'] as never }), /distanceTransformEdt: sampling must be a number or an array of numbers, found \[1,"a"\]/);
    // the operator is named once
    assert.throws(() => torch.ops.distanceTransformEdt(x, { spatialDims: 3 }), (e: Error) => e.message.startsWith('distanceTransformEdt: spatialDims') && !e.message.includes('distanceTransformEdt: distanceTransformEdt'));
  });
});

test('distanceTransformCdt matches scipy.ndimage.distance_transform_cdt (chessboard, taxicab, no-zero inputs)', () => {
  const names = Object.keys(cases).filter((k) => k.startsWith('cdt_'));
  assert.ok(names.length >= 9);
  for (const name of names) {
    torch.tidy(() => {
      const c = cases[name];
      const d = torch.ops.distanceTransformCdt(c.input, { metric: c.taxicab.item() ? 'taxicab' : 'chessboard' });
      assert.equal(d.dtype, 'int32');
      assert.ok(d.equal(c.distances), `${name}: distances differ from scipy`);
    });
  }
  torch.tidy(() => {
    const c = cases['cdt_3d_chessboard'];
    const batch = torch.stack([c.input, torch.ones(c.input.shape, { dtype: 'uint8' })]);
    const d = torch.ops.distanceTransformCdt(batch, { spatialDims: 3 });
    assert.ok(d.select(0, 0).equal(c.distances));
    assert.equal(num(d.select(0, 1).eq(-1).all()), 1);
    assert.throws(() => torch.ops.distanceTransformCdt(c.input, { metric: 'taxicb' as never }), /metric must be one of 'chessboard', 'taxicab', found 'taxicb' \(did you mean 'taxicab'\?\)/);
  });
});

test('connectedComponents matches skimage.measure.label (1D-3D, connectivity, multi-valued, background)', () => {
  const names = Object.keys(cases).filter((k) => k.startsWith('cc_'));
  assert.ok(names.length >= 31);
  for (const name of names) {
    torch.tidy(() => {
      const c = cases[name];
      const r = torch.ops.connectedComponents(c.input, { connectivity: num(c.connectivity), background: num(c.background) });
      assert.equal(r.labels.dtype, 'int64');
      assert.ok(r.labels.equal(c.labels), `${name}: labels differ from skimage`);
      assert.deepEqual(r.counts, [num(c.count)], `${name}: count`);
    });
  }
});

test('connectedComponents: default full connectivity, dtypes, batches, empty input', () => {
  torch.tidy(() => {
    const c2 = cases.cc_2d_c2;
    const c3 = cases.cc_3d_c3;
    assert.ok(torch.ops.connectedComponents(c3.input).labels.equal(c3.labels));
    for (const dtype of ['bool', 'uint8', 'int32', 'float32', 'float64'] as const)
      assert.ok(torch.ops.connectedComponents(c2.input.to(dtype)).labels.equal(c2.labels), dtype);
    // float values: equal values connect, so 0.5 and 0.25 are different components
    const f = torch.tensor([0.5, 0.5, 0.25, 0, 0.25], { dtype: 'float32' });
    assert.deepEqual(torch.ops.connectedComponents(f).labels.tolist(), [1, 1, 2, 0, 3]);
    const c1 = cases.cc_3d_c1;
    const batch = torch.stack([c1.input, torch.zerosLike(c1.input), c1.input.transpose(1, 2).contiguous().transpose(1, 2)]);
    const r = torch.ops.connectedComponents(batch, { spatialDims: 3, connectivity: 1 });
    assert.deepEqual(r.counts, [num(c1.count), 0, num(c1.count)]);
    assert.ok(r.labels.select(0, 0).equal(c1.labels));
    assert.ok(r.labels.select(0, 2).equal(c1.labels));
    assert.equal(num(r.labels.select(0, 1).abs().sum()), 0);
    const e = torch.ops.connectedComponents(torch.zeros([0, 3], { dtype: 'uint8' }));
    assert.deepEqual(e.labels.shape, [0, 3]);
    assert.deepEqual(e.counts, [0]);
  });
});

test('connectedComponents: bad options name the argument and what was found', () => {
  torch.tidy(() => {
    const x = torch.ones([3, 4]);
    assert.throws(() => torch.ops.connectedComponents(x, { connectivity: 3 }), /connectivity must be an integer from 1 to 2 \(the number of spatial dimensions\), found 3/);
    assert.throws(() => torch.ops.connectedComponents(torch.ones([2, 2, 2, 2])), /at most 3 spatial dimensions are supported, found 4/);
    assert.throws(() => torch.ops.connectedComponents(x, { spatialDims: 0 }), /spatialDims must be an integer from 1/);
    assert.throws(() => torch.ops.connectedComponents(x, { conectivity: 1 } as never), /conectivity.*connectivity/);
    assert.throws(() => torch.ops.connectedComponents(x, { background: 'x' as never }), /connectedComponents: background must be a number, found string "x"/);
    assert.throws(() => torch.ops.connectedComponents(x, { connectivity: 1.5 }), /connectedComponents: connectivity must be an integer from 1 to 2 \(the number of spatial dimensions\), found 1.5/);
  });
});

after(() => {
  for (const c of Object.values(cases)) for (const t of Object.values(c)) t.dispose();
  assert.equal(torch.memory().liveTensors, start, 'imgproc tests leaked tensors');
});

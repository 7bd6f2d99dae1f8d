// createTestImage2d/3d against MONAI 1.4's create_test_image_2d/3d with numpy RandomState(seed)
// (goldens from tools/goldens/data/make_synthetic.py, 16 cases: seeds 0 and 42, noise, one or several
// classes, channel axes). Images and labels must be equal exactly, and the generator's next draw too.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { createTestImage2d, createTestImage3d } from '../../src/data/index.js';
import { RandomState } from '../../src/utils/random_state.js';
import { readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

test('createTestImage2d/3d equal MONAI exactly for a seed (images, labels, draws used)', () => {
  const G = readGolden('data/synthetic.json');
  assert.equal(G.length, 16);
  for (const c of G) {
    const what = JSON.stringify({ dims: c.dims, seed: c.seed, options: c.options });
    const rs = new RandomState(c.seed);
    const options = { ...camel(c.options), randomState: rs };
    const [img, lab] = c.dims.length === 2 ? createTestImage2d(c.dims[0], c.dims[1], options) : createTestImage3d(c.dims[0], c.dims[1], c.dims[2], options);
    assert.deepEqual(img.shape, c.shape, what);
    assert.deepEqual(lab.shape, c.shape, what);
    assert.equal(img.dtype, 'float32', what);
    assert.equal(lab.dtype, 'int32', what);
    assert.deepEqual(values(img), c.image, `${what}: image`);
    assert.deepEqual(values(lab), c.labels, `${what}: labels`);
    assert.equal(rs.random(), c.next, `${what}: generator state afterwards`);
    torch.dispose([img, lab]);
  }
});

test('createTestImage2d/3d: MONAI\'s argument checks, with the name and the values', () => {
  assert.throws(() => createTestImage2d(64, 64, { radMax: 5, radMin: 5 }), /createTestImage2d: radMin \(5\) should be less than radMax \(5\)/);
  assert.throws(() => createTestImage2d(64, 64, { radMin: 0 }), /createTestImage2d: radMin \(0\) should be no less than 1/);
  assert.throws(() => createTestImage3d(64, 60, 64), /createTestImage3d: the smallest size 60 of the image should be larger than 2 \* radMax \(2 x 30\)/);
  assert.throws(() => createTestImage2d(64, 64, { channelDim: 1 }), /createTestImage2d: channelDim must be null, 0, -1 or 2, found 1/);
  assert.throws(() => createTestImage3d(64, 64, 64, { numObj: 3 } as never), /createTestImage3d.*numObj/);
});

test('without a randomState the defaults give a [64, 64] image in [0, 1] with labels 0..5', () => {
  const [img, lab] = createTestImage2d(64, 64);
  assert.deepEqual(img.shape, [64, 64]);
  const v = values(img);
  assert.equal(Math.min(...v), 0);
  assert.equal(Math.max(...v), 1);
  assert.ok(values(lab).every((x) => Number.isInteger(x) && x >= 0 && x <= 5));
  torch.dispose([img, lab]);
});

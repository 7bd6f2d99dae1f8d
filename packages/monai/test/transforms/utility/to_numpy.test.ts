// ToNumpy(d): MONAI's ToNumpy gives a contiguous numpy array (metadata dropped, dtype cast); here a plain
// contiguous CPU tensor with the same values and dtype.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { ToNumpy, ToNumpyd } from '../../../src/transforms/utility/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

test('ToNumpy: plain contiguous CPU tensor, metadata dropped, dtype cast, lists converted', () => {
  const img = MetaTensor.wrap(torch.tidy(() => torch.tensor([[1.5, 2.5], [3.5, 4.5]]).t()), { affine: [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1] });
  const a = new ToNumpy().call(img) as torch.Tensor;
  assert.ok(!(a instanceof MetaTensor), 'no metadata');
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(Array.from(a.toTypedArray() as Float32Array), [1.5, 3.5, 2.5, 4.5], 'C order of the transposed view');
  assert.deepEqual(a.stride(), [2, 1], 'contiguous');
  const b = new ToNumpy({ dtype: 'int32' }).call(img) as torch.Tensor;
  assert.equal(b.dtype, 'int32');
  assert.deepEqual(Array.from(b.toTypedArray() as Int32Array), [1, 3, 2, 4]);
  const c = new ToNumpy().call([1, 2, 3]) as torch.Tensor;
  assert.deepEqual(c.shape, [3]);
  const d = new ToNumpyd({ keys: ['x'], dtype: 'float64' }).call({ x: img, y: 'kept' });
  assert.equal((d.x as torch.Tensor).dtype, 'float64');
  assert.equal(d.y, 'kept');
  assert.ok(!img.isDisposed && img instanceof MetaTensor, 'input untouched');
  assert.throws(() => new ToNumpy({ dtyp: 'int32' } as never), /ToNumpy.*dtyp/);
  for (const t of [a, b, c, d.x as torch.Tensor, img]) t.dispose();
});

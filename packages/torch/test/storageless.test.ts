// Tensors without strided storage (an efficient zero tensor, a sparse tensor) are read by
// materialising them; reading one used to dereference a null data pointer and kill the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';

test('an efficient zero tensor reads as zeros', () => {
  const before = torch.memory().liveTensors;
  const z = torch.ops._efficientzerotensor([3]);
  assert.deepEqual(Array.from(z.data() as Float32Array), [0, 0, 0]);
  assert.deepEqual(z.toArray(), [0, 0, 0]);
  z.dispose();
  assert.equal(torch.memory().liveTensors, before);
});

test('a sparse COO tensor reads as its dense values', () => {
  const before = torch.memory().liveTensors;
  torch.tidy(() => {
    const i = torch.tensor([[0, 2]], { dtype: 'int64' });
    const v = torch.tensor([5, 7], { dtype: 'float32' });
    const s = torch.sparseCooTensor(i, v, [4]);
    assert.deepEqual(Array.from(s.data() as Float32Array), [5, 0, 7, 0]);
  });
  assert.equal(torch.memory().liveTensors, before);
});

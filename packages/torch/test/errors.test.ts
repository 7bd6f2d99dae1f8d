// Bad calls throw TorchError (op, schema, libtorch's message) and the process carries on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;

test('a shape error throws TorchError naming the op and schema, and the process lives', () => {
  torch.tidy(() => {
    const a = torch.ones([2, 3]);
    const b = torch.ones([4, 5]);
    let err: unknown;
    try {
      torch.mm(a, b);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof torch.TorchError);
    const te = err as torch.TorchError;
    assert.equal(te.op, 'aten::mm');
    assert.match(te.schema, /aten::mm\(Tensor self, Tensor mat2\) -> Tensor/);
    assert.match(te.message, /shapes cannot be multiplied \(2x3 and 4x5\)/);
    for (let i = 0; i < 100; i++) assert.throws(() => a.view([7]), torch.TorchError);
    assert.throws(() => torch.conv3d(a, b), /Expected 5-dimensional input|expected.*5|weight/i);
    assert.throws(() => torch.cat([a, b]), torch.TorchError);
    assert.throws(() => a.at(0).item(), torch.TorchError);
    assert.deepEqual(a.add(1).shape, [2, 3]);
  });
});

test('argument errors name the argument, what was expected and what was found', () => {
  torch.tidy(() => {
    const a = torch.ones([2, 3]);
    assert.throws(() => torch.sum(a, { dim: [1.5] } as never), /no overload of sum/);
    assert.throws(() => a.to('float128' as torch.DType), /invalid device|unknown dtype/);
    assert.throws(() => torch.zeros([2], { dtype: 'complex32' as torch.DType }), /unknown dtype 'complex32'/);
    assert.throws(() => torch.zeros([2], { device: 'tpu:0' }), /invalid device 'tpu:0'/);
    assert.throws(() => torch.ones([2]).backward(), /grad can be implicitly created only for scalar outputs|does not require grad/);
    assert.throws(() => torch.manualSeed(-1), /non-negative integer/);
  });
});

test('errors inside backward and in-place autograd misuse are TorchErrors', () => {
  torch.tidy(() => {
    const w = torch.ones([3]).requiresGrad_();
    assert.throws(() => w.add_(1), /a leaf Variable that requires grad is being used in an in-place operation/);
    const y = w.sigmoid();
    y.mul_(2);
    assert.ok(y.sum().gradFn);
    const z = w.exp();
    const s = z.sum();
    z.add_(1);
    assert.throws(() => s.backward(), /modified by an inplace operation/);
  });
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'error tests leaked tensors');
});

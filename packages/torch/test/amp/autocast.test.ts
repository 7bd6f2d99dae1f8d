// CPU bfloat16 autocast against PyTorch 1.13 (tools/goldens/optim/make_goldens.py: autocast.json):
// which ops run in bf16, their values, and fp32 gradients through a bf16 matmul.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { autocast } from '../../src/amp/index.js';
import { fixture, assertClose } from '../optim/helpers.js';

const start = torch.memory().liveTensors;
const G = fixture('autocast.json');
const t: Record<string, Tensor> = {};
for (const [k, v] of Object.entries(G.inputs) as [string, any][]) t[k] = torch.tidy(() => torch.tensor(v.values, { dtype: 'float32' }).reshape(v.shape));

const OPS: Record<string, () => Tensor> = {
  mm: () => torch.mm(t.a, t.b),
  matmul: () => torch.matmul(t.a, t.b),
  bmm: () => torch.bmm(t.A, t.B),
  addmm: () => torch.addmm(t.c, t.a, t.b),
  conv2d: () => torch.conv2d(t.x, t.w, { bias: t.bias, padding: 1 }),
  linear: () => torch.linear(t.a, t.lw, { bias: t.bias }),
  relu: () => torch.relu(t.a),
  softmax: () => torch.softmax(t.a, -1),
  log_softmax: () => torch.logSoftmax(t.a, -1),
  layer_norm: () => torch.layerNorm(t.a, [5]),
  group_norm: () => torch.groupNorm(t.x, 2),
  mm_plus_fp32: () => torch.mm(t.a, t.b).add(t.c),
  bce: () => torch.binaryCrossEntropy(t.p, t.y),
  sum_of_mm: () => torch.mm(t.a, t.b).sum(),
};

for (const [name, expected] of Object.entries(G.ops) as [string, any][]) {
  test(`autocast(cpu, bfloat16): ${name} gives ${expected.dtype} and PyTorch's values`, () => {
    torch.tidy(() => {
      const y = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, OPS[name]);
      assert.equal(y.dtype, expected.dtype);
      const tol = expected.dtype === 'bfloat16' ? 1e-2 : 1e-5;
      assertClose(y.float().reshape([-1]).toArray(), expected.values, tol, name);
    });
  });
}

test('autocast: fp32 leaves get fp32 gradients through a bf16 matmul, matching PyTorch', () => {
  const a = torch.tidy(() => t.a.clone().requiresGrad_(true));
  const b = torch.tidy(() => t.b.clone().requiresGrad_(true));
  torch.tidy(() => {
    const loss = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => torch.mm(a, b).float().pow(2).mean());
    loss.backward();
    assertClose([loss.item()], [G.grads.loss], 1e-6, 'loss');
    assert.equal(a.grad!.dtype, G.grads.dtype);
    assertClose(a.grad!.reshape([-1]).toArray(), G.grads.a, 1e-6, 'grad a');
    assertClose(b.grad!.reshape([-1]).toArray(), G.grads.b, 1e-6, 'grad b');
  });
  torch.dispose([a, b]);
});

test('autocast: disabled inside, state restored after, errors leave no scope behind', () => {
  torch.tidy(() => {
    const [inner, outer] = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => [
      autocast({ deviceType: 'cpu', enabled: false }, () => torch.mm(t.a, t.b).dtype),
      torch.mm(t.a, t.b).dtype,
    ]);
    assert.deepEqual([inner, outer], ['float32', 'bfloat16']);
    assert.throws(() => autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(torch.mm(t.a, t.b).dtype, 'float32');
  });
});

after(() => {
  torch.dispose(Object.values(t));
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

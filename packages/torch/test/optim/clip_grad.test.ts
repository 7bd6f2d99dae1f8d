// clipGradNorm_ / clipGradValue_ against PyTorch 1.13 (tools/goldens/optim/make_goldens.py).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { clipGradNorm_, clipGradValue_ } from '../../src/nn_utils/index.js';
import { fixture, assertClose } from './helpers.js';

const start = torch.memory().liveTensors;
const G = fixture('clip.json');

function withGrads(): Tensor[] {
  return G.grads.map((g: any) =>
    torch.tidy(() => {
      const p = torch.zeros(g.shape).requiresGrad_(true);
      p.grad = torch.tensor(g.values, { dtype: 'float32' }).reshape(g.shape);
      return p;
    }),
  );
}

function gradsOf(ps: Tensor[]): number[][] {
  return ps.map((p) => torch.tidy(() => p.grad!.reshape([-1]).toArray() as number[]));
}

for (const c of G.norm_cases) {
  test(`clipGradNorm_ maxNorm=${c.max_norm} normType=${c.norm_type} matches PyTorch`, () => {
    const ps = withGrads();
    const total = clipGradNorm_(ps, c.max_norm, { normType: c.norm_type === 'inf' ? 'inf' : c.norm_type });
    assert.equal(total.dtype, 'float32');
    assertClose([total.item()], [c.total_norm], 1e-6, 'total norm');
    gradsOf(ps).forEach((g, i) => assertClose(g, c.grads[i], 1e-6, `grad ${i}`));
    total.dispose();
    torch.dispose(ps);
  });
}

for (const c of G.value_cases) {
  test(`clipGradValue_ ${c.clip_value} matches PyTorch`, () => {
    const ps = withGrads();
    clipGradValue_(ps, c.clip_value);
    gradsOf(ps).forEach((g, i) => assert.deepEqual(g, c.grads[i].map(Math.fround)));
    torch.dispose(ps);
  });
}

test('clipGradNorm_: single tensor, no grads, non-finite norms', () => {
  const p = torch.zeros([3]).requiresGrad_(true);
  const none = clipGradNorm_(p, 1.0);
  assert.equal(none.item(), 0);
  none.dispose();
  torch.tidy(() => {
    p.grad = torch.tensor([3, 4, Infinity], { dtype: 'float32' });
  });
  assert.throws(() => clipGradNorm_([p], 1.0, { errorIfNonfinite: true }), /non-finite/);
  const t = clipGradNorm_([p], 1.0);
  assert.equal(t.item(), Infinity);
  t.dispose();
  torch.tidy(() => {
    p.grad = torch.tensor([3, 4, 0], { dtype: 'float32' });
  });
  const n = clipGradNorm_(p, 1.0);
  assertClose([n.item()], [5], 1e-7, 'norm');
  torch.tidy(() => assertClose(p.grad!.toArray(), [0.6, 0.8, 0], 1e-6, 'clipped'));
  n.dispose();
  p.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

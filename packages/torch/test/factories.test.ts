// Factories take requiresGrad beside dtype, device, layout and pinMemory, as Python's do
// (torch.randn(3, requires_grad=True)), and unknown option keys throw with a suggestion.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import * as tables from '../src/generated/tables.js';
import type { Overload } from '../src/dispatch.js';

const start = torch.memory().liveTensors;

function leafRequiringGrad(t: torch.Tensor, dtype: torch.DType, shape: number[], what: string): void {
  assert.equal(t.requiresGrad, true, `${what}: requiresGrad`);
  assert.equal(t.isLeaf, true, `${what}: a leaf`);
  assert.equal(t.dtype, dtype, `${what}: dtype`);
  assert.deepEqual(t.shape, shape, `${what}: shape`);
}

test('factory functions take requiresGrad', () => {
  torch.tidy(() => {
    const rg = { requiresGrad: true } as const;
    leafRequiringGrad(torch.randn(3, rg), 'float32', [3], 'randn(3)');
    leafRequiringGrad(torch.randn(2, 3, rg), 'float32', [2, 3], 'randn(2, 3)');
    leafRequiringGrad(torch.zeros([2, 3], { dtype: 'float64', requiresGrad: true }), 'float64', [2, 3], 'zeros');
    leafRequiringGrad(torch.ones(2, rg), 'float32', [2], 'ones');
    leafRequiringGrad(torch.empty(2, rg), 'float32', [2], 'empty');
    leafRequiringGrad(torch.rand([2, 2], rg), 'float32', [2, 2], 'rand');
    leafRequiringGrad(torch.arange(0, 1, 0.25, rg), 'float32', [4], 'arange(0, 1, 0.25)');
    leafRequiringGrad(torch.arange(4, { dtype: 'float64', requiresGrad: true }), 'float64', [4], 'arange(4)');
    leafRequiringGrad(torch.full([2], 1.5, rg), 'float32', [2], 'full');
    leafRequiringGrad(torch.linspace(0, 1, 5, rg), 'float32', [5], 'linspace');
    leafRequiringGrad(torch.logspace(0, 1, 3, rg), 'float32', [3], 'logspace');
    leafRequiringGrad(torch.eye(3, rg), 'float32', [3, 3], 'eye');
    leafRequiringGrad(torch.randint(0, 10, [3], { dtype: 'float32', requiresGrad: true }), 'float32', [3], 'randint');
    leafRequiringGrad(torch.randperm(4, { dtype: 'float64', requiresGrad: true }), 'float64', [4], 'randperm');
    leafRequiringGrad(torch.tensor([1, 2], rg), 'float32', [2], 'tensor');
    leafRequiringGrad(torch.tensor([[1.5]], { dtype: 'float64', requiresGrad: true }), 'float64', [1, 1], 'tensor float64');
    leafRequiringGrad(torch.fromTypedArray(new Float32Array([1, 2]), [2], undefined, rg), 'float32', [2], 'fromTypedArray');
    assert.equal(torch.zeros(2, { requiresGrad: false }).requiresGrad, false);
    assert.equal(torch.zeros(2).requiresGrad, false);
  });
});

test('*_like and new_* take requiresGrad', () => {
  torch.tidy(() => {
    const x = torch.arange(6, { dtype: 'float64' }).reshape(2, 3);
    const rg = { requiresGrad: true } as const;
    for (const [name, t] of [
      ['zerosLike', torch.zerosLike(x, rg)], ['onesLike', torch.onesLike(x, rg)], ['randLike', torch.randLike(x, rg)],
      ['randnLike', torch.randnLike(x, rg)], ['emptyLike', torch.emptyLike(x, rg)], ['fullLike', torch.fullLike(x, 2, rg)],
    ] as const)
      leafRequiringGrad(t, 'float64', [2, 3], name);
    leafRequiringGrad(torch.zerosLike(x, { dtype: 'float32', requiresGrad: true }), 'float32', [2, 3], 'zerosLike float32');
    leafRequiringGrad(x.newZeros([4], rg), 'float64', [4], 'newZeros');
    leafRequiringGrad(x.newOnes(2, 2, rg), 'float64', [2, 2], 'newOnes varargs');
    leafRequiringGrad(x.newFull([2], 3, rg), 'float64', [2], 'newFull');
    leafRequiringGrad(x.newEmpty([1], rg), 'float64', [1], 'newEmpty');
  });
});

test('a tensor made with requiresGrad gets gradients', () => {
  const w = torch.randn(3, { requiresGrad: true });
  torch.tidy(() => w.mul(2).sum().backward());
  const g = w.grad!;
  assert.deepEqual(g.toArray(), [2, 2, 2]);
  torch.dispose([g, w]);
});

test('requiresGrad on an integer result fails as in Python, leaking nothing', () => {
  const before = torch.memory().liveTensors;
  assert.throws(() => torch.arange(5, { requiresGrad: true }), /Only Tensors of floating point and complex dtype can require gradients/);
  assert.throws(() => torch.zeros(2, { dtype: 'int64', requiresGrad: true }), /floating point/);
  assert.throws(() => torch.tensor([1], { dtype: 'int32', requiresGrad: true }), /floating point/);
  assert.equal(torch.memory().liveTensors, before);
});

test('requiresGrad is only for factories; wrong keys and values say so', () => {
  torch.tidy(() => {
    const x = torch.ones(2);
    assert.throws(() => (x as any).add(x, { requiresGrad: true }), /add: unknown option 'requiresGrad'/);
    assert.throws(() => (torch as any).randn(3, { requiresgrad: true }), /randn: unknown option 'requiresgrad' \(did you mean 'requiresGrad'\?\)/);
    assert.throws(() => (torch as any).zeros([2], { dtyp: 'float64' }), /zeros: unknown option 'dtyp' \(did you mean 'dtype'\?\)/);
    assert.throws(() => (torch as any).randn(3, { requiresGrad: 1 }), /no overload of randn/);
    assert.throws(() => torch.tensor([1], { requiresgrad: true } as any), /tensor: unknown option 'requiresgrad' \(did you mean 'requiresGrad'\?\)/);
    assert.throws(() => torch.fromTypedArray(new Float32Array(1), [1], 'float32', { device: 'cpu', dtpye: 'x' } as any), /unknown option 'dtpye'/);
  });
});

test('every overload marked as a factory has TensorOptions and is a function or a *_like/new_* op', () => {
  const names = new Set<string>();
  for (const ovs of Object.values(tables) as Overload[][])
    for (const ov of ovs) {
      if (ov.rg !== 1) continue;
      const name = ov.op.slice('aten::'.length);
      names.add(name);
      for (const k of ['dtype', 'layout', 'device', 'pinMemory']) assert.ok(k in ov.k, `${ov.sig}: ${k}`);
      assert.ok(ov.x[0] !== 0 || ov.pn[0] !== 'self' || /^new_|_like$/.test(name), `${ov.sig} is a method, not a factory`);
    }
  for (const n of ['zeros', 'ones', 'empty', 'full', 'rand', 'randn', 'randint', 'randperm', 'arange', 'linspace', 'logspace', 'eye',
    'zeros_like', 'ones_like', 'empty_like', 'full_like', 'rand_like', 'randn_like', 'randint_like', 'new_zeros', 'new_ones', 'new_empty', 'new_full', 'scalar_tensor'])
    assert.ok(names.has(n), `${n} should take requiresGrad`);
  assert.ok(!names.has('to'), 'Tensor.to takes no requiresGrad (as in Python)');
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'factory tests leaked tensors');
});

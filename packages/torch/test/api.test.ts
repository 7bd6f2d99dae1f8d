// The hand-written API: creation, dtypes, printing and indexing against PyTorch's (fixtures from
// tools/goldens/torch/misc.py), overload choice, scopes and settings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const misc = JSON.parse(readFileSync(join(here, 'fixtures', 'misc.json'), 'utf8'));
const start = torch.memory().liveTensors;

const vals = (t: torch.Tensor) => ({ shape: t.shape, data: (t.toArray() as unknown[]).flat(Infinity) });

test('printing matches PyTorch', () => {
  torch.tidy(() => {
    const cases: Record<string, torch.Tensor> = {
      float2d: torch.tensor([[1.0, 2.0], [3.0, 4.5]]),
      intlike: torch.tensor([1.0, -2.0, 3.0], { dtype: 'float32' }),
      int64: torch.tensor([[1, -20], [300, 4]]),
      bool: torch.tensor([true, false, true]),
      float64: torch.tensor([0.5, 1.25], { dtype: 'float64' }),
      int32: torch.tensor([1, 2], { dtype: 'int32' }),
      sci: torch.tensor([1e-5, 1.0, 12345.0]),
      big: torch.tensor([1e9, 2.0], { dtype: 'float32' }),
      scalar: torch.tensor(3.5),
      empty: torch.zeros([0]),
      nan: torch.tensor([NaN, Infinity, -1.5]),
      requires_grad: torch.tensor([1.5, 2.0], { requiresGrad: true }),
      long_row: torch.arange(2000, { dtype: 'float32' }),
      summarized2d: torch.arange(1200, { dtype: 'float32' }).reshape([30, 40]).div(7),
      '3d': torch.arange(8).reshape([2, 2, 2]),
    };
    for (const [k, t] of Object.entries(cases)) assert.equal(t.toString(), misc.prints[k], k);
  });
});

test('indexing and assignment match PyTorch', () => {
  torch.tidy(() => {
    const base = torch.arange(60, { dtype: 'float32' }).reshape([3, 4, 5]);
    assert.deepEqual(vals(base.at(1)), misc.index.a);
    assert.deepEqual(vals(base.at(':', '1:3')), misc.index.b);
    assert.deepEqual(vals(base.at('...', '::2')), misc.index.c);
    assert.deepEqual(vals(base.at(null, 0, -1)), misc.index.d);
    assert.deepEqual(vals(base.at(':', torch.tensor([0, 2]))), misc.index.e);
    assert.deepEqual(vals(base.at(base.gt(40))), misc.index.f);
    assert.deepEqual(vals(base.at('1:', ':', 4)), misc.index.g);
    const a = base.clone();
    a.assign(-1, 0, ':', 1);
    a.assign(0, a.gt(55));
    a.assign(torch.full([2, 5], 7.0), 1, torch.tensor([0, 3]));
    assert.deepEqual(vals(a), misc.assign);
    assert.throws(() => base.at(3), /out of bounds/);
    assert.throws(() => base.at(0, 0, 0, 0), /too many indices/);
  });
});

test('creation functions and dtype inference', () => {
  torch.tidy(() => {
    assert.equal(torch.tensor([1, 2]).dtype, 'int64');
    assert.equal(torch.tensor([1, 2.5]).dtype, 'float32');
    assert.equal(torch.tensor([true]).dtype, 'bool');
    assert.equal(torch.tensor(new Float64Array([1, 2])).dtype, 'float64');
    assert.deepEqual(torch.tensor([[1, 2], [3, 4]], { dtype: 'float16' }).toArray(), [[1, 2], [3, 4]]);
    assert.throws(() => torch.tensor([[1, 2], [3]] as number[][]), /ragged/);
    assert.deepEqual(torch.zeros([2, 3]).shape, [2, 3]);
    assert.deepEqual(torch.ones([2], { dtype: 'int32' }).toArray(), [1, 1]);
    assert.deepEqual(torch.full([2], 2.5).toArray(), [2.5, 2.5]);
    assert.deepEqual(torch.empty([4, 1]).shape, [4, 1]);
    assert.deepEqual(torch.arange(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
    assert.equal(torch.arange(5).dtype, 'int64');
    assert.deepEqual(torch.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(torch.eye(2).toArray(), [[1, 0], [0, 1]]);
    const x = torch.rand([3, 4]);
    assert.ok((x.toArray() as number[][]).flat().every((v) => v >= 0 && v < 1));
    assert.deepEqual(torch.randn([5], { dtype: 'float64' }).shape, [5]);
    const r = torch.randint(3, 7, [100]);
    assert.equal(r.dtype, 'int64');
    assert.ok((r.toArray() as number[]).every((v) => v >= 3 && v < 7));
    assert.deepEqual(torch.zerosLike(x).shape, [3, 4]);
    assert.deepEqual(torch.onesLike(x, { dtype: 'float64' }).dtype, 'float64');
    assert.deepEqual(torch.fullLike(x, 3).at(0, 0).item(), 3);
    assert.deepEqual(torch.randLike(x).shape, [3, 4]);
    assert.deepEqual(torch.randnLike(x).shape, [3, 4]);
    assert.equal(torch.tensor(2.5).item(), 2.5);
    assert.equal(torch.tensor([true]).at(0).item(), true);
  });
});

test('manualSeed gives the same draws as PyTorch with the same seed', () => {
  torch.tidy(() => {
    torch.manualSeed(0);
    const a = torch.rand([3]).toArray() as number[];
    torch.manualSeed(0);
    const b = torch.rand([3]).toArray() as number[];
    assert.deepEqual(a, b);
    // torch.manual_seed(0); torch.rand(3) in PyTorch 1.13
    const want = [0.49625658988952637, 0.7682217955589294, 0.08847743272781372];
    a.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-7));
    assert.equal(torch.initialSeed(), 0n);
  });
});

test('torch.Generator streams match PyTorch and restore from their state', () => {
  const g = new torch.Generator().manualSeed(42);
  try {
    torch.tidy(() => {
      // torch.Generator().manual_seed(42); torch.randn(3, generator=g); torch.rand(2, generator=g)
      const want = [0.33669036626815796, 0.12880940735340118, 0.23446236550807953, 0.9407714605331421, 0.13318592309951782];
      const got = [...(torch.randn([3], { generator: g }).toArray() as number[]), ...(torch.rand([2], { generator: g }).toArray() as number[])];
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-7, `${i}: ${v}`));
      const state = g.getState();
      const a = torch.randn([4], { generator: g });
      g.setState(state);
      assert.ok(torch.equal(a, torch.randn([4], { generator: g })));
      assert.equal(g.initialSeed(), 42n);
      assert.throws(() => new torch.Generator({ device: 'cuda:0' }), /only 'cpu'/);
    });
  } finally {
    g.dispose();
  }
  assert.throws(() => g.manualSeed(1), /disposed/);
});

test('overload choice, options by name, in-place results', () => {
  torch.tidy(() => {
    const x = torch.tensor([[1, 5], [3, 2]], { dtype: 'float32' });
    const [vals, idx] = torch.max(x, 1) as unknown as torch.Tensor[];
    assert.deepEqual(vals.toArray(), [5, 3]);
    assert.deepEqual(idx.toArray(), [1, 0]);
    assert.deepEqual(torch.max(x, torch.full([2, 2], 4)).toArray(), [[4, 5], [4, 4]]);
    assert.equal(torch.max(x).item(), 5);
    assert.deepEqual(x.sum({ dim: [1] } as never).toArray(), [6, 5]);
    assert.deepEqual(x.sum(1).toArray(), [6, 5]);
    assert.deepEqual(x.sum([0], { keepdim: true }).shape, [1, 2]);
    assert.deepEqual(x.add(1, { alpha: 2 }).toArray(), [[3, 7], [5, 4]]);
    assert.equal(torch.tensor([1, 2]).mul(2).dtype, 'int64');
    assert.equal(torch.tensor([1, 2]).mul(2.5).dtype, 'float32');
    assert.equal(torch.tensor([1, 2]).add(torch.tensor(0.5, { dtype: 'float64' })).dtype, 'float64');
    assert.equal(torch.tensor([1, 2], { dtype: 'float16' }).add(torch.tensor(0.5, { dtype: 'float64' })).dtype, 'float16');
    const y = x.clone();
    assert.equal(y.add_(1), y);
    assert.deepEqual(y.toArray(), [[2, 6], [4, 3]]);
    assert.throws(() => (x as any).sum({ nonsense: 1 }), /sum: unknown option 'nonsense'/);
    assert.throws(() => (torch as any).conv2d(x), /no overload of conv2d/);
    // The remembered overload choice follows the argument kinds, call after call
    const iv = torch.tensor([1, 2]);
    for (let k = 0; k < 3; k++) {
      assert.equal(iv.mul(2).dtype, 'int64');
      assert.equal(iv.mul(2.5).dtype, 'float32');
      assert.equal(iv.mul(torch.tensor([0.5, 1], { dtype: 'float64' })).dtype, 'float64');
      assert.deepEqual(torch.arange(6).view(2, 3).shape, [2, 3]);
      assert.deepEqual(torch.arange(6).view([3, 2]).shape, [3, 2]);
    }
    // Python's varargs sizes
    const r = torch.arange(6);
    assert.deepEqual(r.view(2, 3).shape, [2, 3]);
    assert.deepEqual(r.view(2, 3).permute(1, 0).toArray(), [[0, 3], [1, 4], [2, 5]]);
    assert.deepEqual(torch.zeros(2, 3, { dtype: 'float64' }).shape, [2, 3]);
    assert.equal(torch.zeros(2, 3, { dtype: 'float64' }).dtype, 'float64');
    assert.deepEqual(r.view(1, 6).repeat(2, 1).shape, [2, 6]);
    assert.deepEqual(torch.randn(2, 3, 4).shape, [2, 3, 4]);
    assert.throws(() => r.view(2, 2.5 as number), /no overload of view/);
    assert.equal(x.to('float64').dtype, 'float64');
    assert.equal(x.to({ dtype: 'int32' }).dtype, 'int32');
    assert.equal(x.double().dtype, 'float64');
    assert.equal(x.to('cpu').device, 'cpu');
  });
});

test('tidy, keep and dispose', () => {
  const before = torch.memory().liveTensors;
  let kept!: torch.Tensor;
  const out = torch.tidy(() => {
    const a = torch.ones([3]);
    kept = torch.keep(a.mul(2));
    const inner = torch.tidy(() => [a.add(1), a.add(2)]);
    return { sum: inner[0].add(inner[1]) };
  });
  assert.equal(torch.memory().liveTensors, before + 2);
  assert.deepEqual(out.sum.toArray(), [5, 5, 5]);
  assert.deepEqual(kept.toArray(), [2, 2, 2]);
  torch.dispose([out, kept]);
  kept.dispose();
  assert.equal(torch.memory().liveTensors, before);
  assert.throws(() => torch.tidy(() => { torch.ones([1]); throw new Error('boom'); }), /boom/);
  assert.equal(torch.memory().liveTensors, before);
  assert.throws(() => torch.tidy(() => Promise.resolve(1) as unknown as number), /synchronous/);
  assert.equal(torch.memory().liveTensors, before);
  const t = torch.ones([2]);
  t.dispose();
  assert.throws(() => t.add(1), /disposed/);
  assert.equal(t.toString(), 'tensor(<disposed>)');
});

test('grad, inference and autocast scopes', () => {
  torch.tidy(() => {
    const w = torch.ones([2]).requiresGrad_();
    assert.equal(torch.noGrad(() => w.mul(2)).requiresGrad, false);
    assert.equal(torch.noGrad(() => torch.enableGrad(() => w.mul(2))).requiresGrad, true);
    assert.equal(torch.isGradEnabled(), true);
    assert.equal(torch.inferenceMode(() => torch.isInferenceModeEnabled()), true);
    assert.equal(torch.isInferenceModeEnabled(), false);
    const a = torch.randn([4, 4]);
    const y = torch.autocast({ deviceType: 'cpu' }, () => torch.mm(a, a));
    assert.equal(y.dtype, 'bfloat16');
    assert.equal(torch.mm(a, a).dtype, 'float32');
    assert.equal(torch.autocastState().cpu, false);
    assert.throws(() => torch.autocast({ deviceType: 'cpu' }, () => { throw new Error('x'); }), /x/);
    assert.equal(torch.autocastState().cpu, false);
  });
});

test('autograd: backward, grad, retain_graph, create_graph', () => {
  torch.tidy(() => {
    const x = torch.tensor([1.0, 2.0, 3.0], { dtype: 'float64', requiresGrad: true });
    const y = x.pow(3).sum();
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    assert.deepEqual(g!.toArray(), [3, 12, 27]);
    const [g2] = torch.autograd.grad(g!.sum(), x);
    assert.deepEqual(g2!.toArray(), [6, 12, 18]);
    const z = x.mul(x).sum();
    z.backward(null, { retainGraph: true });
    z.backward();
    assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
    assert.equal(z.gradFn, 'SumBackward0');
    assert.equal(x.isLeaf, true);
    x.grad = null;
    assert.equal(x.grad, null);
    const u = torch.tensor([1.0, 2.0], { requiresGrad: true });
    const v = u.mul(2);
    v.retainGrad();
    v.sum().backward();
    assert.deepEqual(v.grad!.toArray(), [1, 1]);
    assert.throws(() => z.backward(), /backward through the graph a second time/);
  });
});

test('config reports versions and threads', () => {
  const c = torch.config();
  assert.match(c.libtorch, /^\d+\.\d+/);
  assert.ok(c.numThreads >= 1);
  assert.equal(typeof c.cuda, 'boolean');
  assert.equal(torch.cuda.isAvailable(), c.cuda && c.cudaDeviceCount > 0);
  const n = torch.getNumThreads();
  torch.setNumThreads(1);
  assert.equal(torch.getNumThreads(), 1);
  torch.setNumThreads(n);
  assert.throws(() => torch.setNumThreads(0), /positive/);
  assert.equal(typeof torch.emptyCache(), 'number');
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'api tests leaked tensors');
});

// Python's varargs sizes (x.view(2, 3, 4), torch.zeros(2, 3)) for every generated signature that
// allows them, and no argument ever dropped. The ops are read from the generated tables (the
// overloads the generator marked `va`), so a new one without a case here fails the test.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import * as tables from '../src/generated/tables.js';
import type { Overload } from '../src/dispatch.js';

const start = torch.memory().liveTensors;
const camel = (s: string) => s.replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A tensor of k dims (2, 3, 2, 3, ...) holding 0, 1, 2, ... as float32. */
function input(k: number): torch.Tensor {
  const shape = Array.from({ length: k }, (_, i) => 2 + (i % 2));
  return torch.tidy(() => torch.arange(shape.reduce((a, b) => a * b, 1), { dtype: 'float32' }).reshape(shape));
}

interface Case {
  self?: torch.Tensor;
  sizes: number[];
  options?: Record<string, unknown>;
  /** Values are not a function of the arguments (uninitialised memory): compare shape and dtype. */
  shapeOnly?: boolean;
  /** Random: reseed before each call. */
  seeded?: boolean;
}
type Maker = (k: number) => Case | null;

// What each varargs op's list means, as a case for k = 1..6 ints (null: k ints cannot be valid).
const shapeOf = (k: number) => Array.from({ length: k }, (_, i) => 1 + (i % 3));
const reshapeCase: Maker = (k) => {
  const sizes = shapeOf(k);
  return { self: torch.tidy(() => torch.arange(sizes.reduce((a, b) => a * b, 1), { dtype: 'float32' })), sizes };
};
const expandCase: Maker = (k) => ({ self: torch.arange(2, { dtype: 'float32' }), sizes: [...shapeOf(k - 1), 2] });
const factory: Maker = (k) => ({ sizes: shapeOf(k), options: { dtype: 'float64' } });
// A rotation of the dims: [k-1, 0, 1, ..., k-2].
const dimsPermutation: Maker = (k) => ({ self: input(k), sizes: Array.from({ length: k }, (_, i) => (i + k - 1) % k) });
// Distinct dims, negative ones too: 0, -1, 1, -2, 2, -3.
const dimsSet: Maker = (k) => ({ self: input(k), sizes: Array.from({ length: k }, (_, i) => (i % 2 ? -1 - Math.floor(i / 2) : Math.floor(i / 2))).slice(0, k) });
const repeats: Maker = (k) => ({ self: input(Math.min(k, 3)), sizes: Array.from({ length: k }, (_, i) => 1 + (i % 2)) });
const fixed = (n: number, make: (n: number) => Case): Maker => (k) => (k === n ? make(n) : null);
const pool = (d: number): Maker => fixed(d, () => ({ self: input(d + 1), sizes: Array.from({ length: d }, () => 1) }));
const pad = (d: number, mode: 'reflect' | 'replicate'): Maker =>
  fixed(2 * d, () => ({ self: input(d + 1), sizes: Array.from({ length: 2 * d }, (_, i) => (mode === 'reflect' ? i % 2 : 1 + (i % 2))) }));
// One int is the sections overload (dsplit.int), as in Python.
const splitIndices: Maker = (k) => (k >= 2 && k <= 3 ? { self: torch.arange(64, { dtype: 'float32' }).reshape([4, 4, 4]), sizes: [1, 2, 3].slice(0, k) } : null);

const CASES: Record<string, Maker> = {
  view: reshapeCase, view_copy: reshapeCase, reshape: reshapeCase, _unsafe_view: reshapeCase,
  resize: (k) => ({ ...reshapeCase(k)!, shapeOnly: true }),
  resize_: (k) => ({ ...reshapeCase(k)!, shapeOnly: true }),
  expand: expandCase, expand_copy: expandCase, broadcast_to: expandCase,
  sum_to_size: (k) => ({ self: input(k), sizes: Array.from({ length: k }, (_, i) => (i % 2 ? 1 : 2)) }),
  new_zeros: (k) => ({ self: input(1), ...factory(k)! }),
  new_ones: (k) => ({ self: input(1), ...factory(k)! }),
  new_empty: (k) => ({ self: input(1), ...factory(k)!, shapeOnly: true }),
  zeros: factory, ones: factory, _efficientzerotensor: factory,
  empty: (k) => ({ ...factory(k)!, shapeOnly: true }),
  rand: (k) => ({ ...factory(k)!, seeded: true }),
  randn: (k) => ({ ...factory(k)!, seeded: true }),
  permute: dimsPermutation, permute_copy: dimsPermutation,
  flip: dimsSet, count_nonzero: dimsSet,
  std: (k) => ({ ...dimsSet(k)!, options: { correction: 1 } }),
  var: (k) => ({ ...dimsSet(k)!, options: { correction: 1 } }),
  std_mean: (k) => ({ ...dimsSet(k)!, options: { correction: 1 } }),
  var_mean: (k) => ({ ...dimsSet(k)!, options: { correction: 1 } }),
  repeat: repeats, tile: repeats,
  adaptive_avg_pool1d: pool(1), adaptive_avg_pool2d: pool(2), adaptive_avg_pool3d: pool(3),
  adaptive_max_pool1d: pool(1), adaptive_max_pool2d: pool(2), adaptive_max_pool3d: pool(3),
  _adaptive_avg_pool2d: pool(2), _adaptive_avg_pool3d: pool(3),
  reflection_pad1d: pad(1, 'reflect'), reflection_pad2d: pad(2, 'reflect'), reflection_pad3d: pad(3, 'reflect'),
  replication_pad1d: pad(1, 'replicate'), replication_pad2d: pad(2, 'replicate'), replication_pad3d: pad(3, 'replicate'),
  _pad_circular: (k) => (k % 2 === 0 && k <= 4 ? { self: input(k / 2 + 2), sizes: Array.from({ length: k }, () => 1) } : null),
  dsplit: splitIndices, hsplit: splitIndices, vsplit: splitIndices,
  _histogramdd_bin_edges: (k) => (k <= 3 ? { self: input(2).reshape([-1, 1]).expand([-1, k]).contiguous(), sizes: Array.from({ length: k }, (_, i) => 2 + i) } : null),
  _histogramdd_from_bin_cts: (k) => (k <= 3 ? { self: input(2).reshape([-1, 1]).expand([-1, k]).contiguous(), sizes: Array.from({ length: k }, (_, i) => 2 + i) } : null),
};
// Varargs ops this CPU build cannot run on a dense float tensor, with the reason.
const NOT_RUN: Record<string, string> = {
  _mkldnn_reshape: 'needs an MKL-DNN tensor', mkldnn_adaptive_avg_pool2d: 'needs an MKL-DNN tensor',
  _empty_affine_quantized: 'quantized result', sparse_coo_tensor: 'sparse result; two numbers also fit its (indices, values) overload as wrapped scalars',
  _sparse_broadcast_to: 'needs a sparse tensor', _sparse_broadcast_to_copy: 'needs a sparse tensor', _sparse_sum: 'needs a sparse tensor',
  to_sparse_bsr: 'sparse result', to_sparse_bsc: 'sparse result',
};

const varargsOps = new Map<string, 'm' | 'f'>();
for (const ovs of Object.values(tables) as Overload[][])
  for (const ov of ovs) if (ov.va) varargsOps.set(ov.op.slice('aten::'.length), ov.va);

function same(a: unknown, b: unknown, shapeOnly: boolean, what: string): void {
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b) && a.length === b.length, `${what}: result arity`);
    a.forEach((x, i) => same(x, (b as unknown[])[i], shapeOnly, `${what}[${i}]`));
    return;
  }
  assert.ok(a instanceof torch.Tensor && b instanceof torch.Tensor, `${what}: expected tensors`);
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  if (!shapeOnly) assert.ok(torch.equal(a, b), `${what}: values differ`);
}

test('every varargs op of the tables has a case (or a reason it cannot run here)', () => {
  assert.ok(varargsOps.size >= 40, `only ${varargsOps.size} varargs ops found`);
  for (const op of varargsOps.keys()) assert.ok(op in CASES || op in NOT_RUN, `no varargs case for ${op}`);
  for (const op of ['view', 'reshape', 'permute', 'expand', 'repeat', 'tile', 'flip', 'zeros', 'ones', 'empty', 'rand', 'randn', 'new_zeros', 'sum_to_size'])
    assert.ok(varargsOps.has(op), `${op} should take varargs sizes`);
  // Python allows varargs only where the list is the sole positional argument.
  for (const op of ['sum', 'full', 'randint', 'amax', 'roll', 'movedim', 'empty_strided']) assert.ok(!varargsOps.has(op), `${op} must not take varargs`);
});

for (const [op, form] of varargsOps) {
  if (!(op in CASES)) continue;
  test(`${op}: 1 to 6 varargs sizes give the array form's result (${form === 'm' ? 'method' : 'function'})`, () => {
    const js = camel(op);
    let ran = 0;
    for (let k = 1; k <= 6; k++)
      torch.tidy(() => {
        const c = CASES[op](k);
        if (!c) return;
        const run = (sizes: unknown[]) => {
          if (c.seeded) torch.manualSeed(7);
          const args = c.options ? [...sizes, c.options] : sizes;
          if (form === 'f') return ((torch as any)[js] ?? (torch.ops as any)[js])(...args);
          // An in-place op works on a copy, so that both forms start from the same tensor.
          const self = op.endsWith('_') ? c.self!.clone() : c.self!;
          return (self as any)[js](...args);
        };
        same(run(c.sizes), run([c.sizes]), !!c.shapeOnly, `${op} with ${k} sizes ${JSON.stringify(c.sizes)}`);
        ran++;
      });
    assert.ok(ran >= 1, `${op}: no size count ran`);
  });
}

test('the issue\'s cases: view keeps all sizes, reshape/permute/expand/repeat work', () => {
  torch.tidy(() => {
    const x = torch.arange(24);
    assert.deepEqual(x.view(2, 12, 1).shape, [2, 12, 1]);
    assert.deepEqual(x.reshape(2, 3, 4).shape, [2, 3, 4]);
    assert.deepEqual(x.reshape(2, 3, 4).permute(2, 0, 1).shape, [4, 2, 3]);
    assert.deepEqual(x.reshape(2, 3, 4).expand(2, 2, 3, 4).shape, [2, 2, 3, 4]);
    assert.deepEqual(x.reshape(2, 3, 4).repeat(1, 2, 1).shape, [2, 6, 4]);
    assert.deepEqual(x.view(1, 1, 1, 2, 3, 4).shape, [1, 1, 1, 2, 3, 4]);
    assert.deepEqual(x.view(-1).shape, [24]);
    assert.deepEqual(torch.zeros(2, 3, { dtype: 'float64' }).dtype, 'float64');
    assert.deepEqual(torch.ones(2, 3, 4, 5).shape, [2, 3, 4, 5]);
    assert.deepEqual(x.reshape(2, 12).newZeros(3, 1, 2).shape, [3, 1, 2]);
    assert.deepEqual(x.reshape(2, 3, 4).expand(2, 2, 3, 4, { implicit: true }).shape, [2, 2, 3, 4]);
    const g = new torch.Generator().manualSeed(3);
    const h = new torch.Generator().manualSeed(3);
    assert.ok(torch.equal(torch.rand(2, 3, { generator: g }), torch.rand([2, 3], { generator: h })));
  });
});

test('no argument is dropped: more arguments than any overload takes throw', () => {
  torch.tidy(() => {
    const x = torch.arange(6, { dtype: 'float32' });
    const y = x.reshape(2, 3);
    const a = y as any;
    assert.throws(() => a.neg(1), /no overload of neg accepts \(Tensor, number\)/);
    assert.throws(() => a.add(y, 1, 2), /no overload of add accepts \(Tensor, Tensor, number, number\)/);
    assert.throws(() => a.view(2, 3, { bogus: 1 }), /view: unknown option 'bogus'/);
    assert.throws(() => a.view(2, 3.5), /no overload of view/);
    assert.throws(() => a.sum(0, 1), /no overload of sum/);
    // As in Python: varargs only where the list is the only positional argument.
    assert.throws(() => (torch as any).flip(y, 0, 1), /no overload of flip/);
    assert.throws(() => (torch as any).permute(y, 1, 0), /no overload of permute/);
    assert.throws(() => (torch as any).sum(y, 0, 1), /no overload of sum/);
    assert.throws(() => (torch as any).view(y, 3, 2), /no overload of view/);
    assert.deepEqual(torch.permute(y, [1, 0]).shape, [3, 2]);
  });
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'varargs tests leaked tensors');
});

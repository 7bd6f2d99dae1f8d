// TypeScript `using` declarations: a Tensor disposes itself at the end of its block, and
// torch.scope() frees every tensor created in the block except those kept, on normal exit and on
// a throw, without a closure. Also the GC backstop, whose registration is deferred so that a
// result disposed at once never touches the FinalizationRegistry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as torch from '../src/index.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const start = torch.memory().liveTensors;
const live = () => torch.memory().liveTensors - start;

test('Symbol.dispose is the symbol Node, TypeScript and esbuild agree on', () => {
  assert.equal(Symbol.dispose, Symbol.for('nodejs.dispose'));
  assert.equal(typeof torch.Tensor.prototype[Symbol.dispose], 'function');
  assert.equal(typeof torch.Scope.prototype[Symbol.dispose], 'function');
});

test('using t = ... disposes the tensor at the end of its block', () => {
  const a = torch.ones([3]);
  let seen: torch.Tensor;
  {
    using t = a.add(1);
    seen = t;
    assert.deepEqual(t.toArray(), [2, 2, 2]);
    assert.equal(live(), 2);
  }
  assert.ok(seen.isDisposed);
  assert.equal(live(), 1);
  a.dispose();
});

test('a scope frees the tensors made in its block, not those made before or kept', () => {
  const x = torch.ones([4]);
  let kept: torch.Tensor;
  let inner: torch.Tensor[] = [];
  {
    using scope = torch.scope();
    const y = x.mul(2);
    const z = y.add(1).relu().neg();
    inner = [y, z];
    kept = scope.keep(z.abs());
    assert.equal(live(), 1 + 5);
    assert.ok(scope.isOpen);
  }
  assert.ok(inner.every((t) => t.isDisposed));
  assert.ok(!x.isDisposed);
  assert.deepEqual(kept.toArray(), [3, 3, 3, 3]);
  assert.equal(live(), 2);
  torch.dispose([x, kept]);
  assert.equal(live(), 0);
});

test('nested scopes: the inner one frees its own tensors, kept ones move to the outer', () => {
  const x = torch.ones([2]);
  let fromInner: torch.Tensor;
  let outerTmp: torch.Tensor;
  {
    using outer = torch.scope();
    outerTmp = x.add(1);
    {
      using inner = torch.scope();
      const t = x.mul(3);
      fromInner = inner.keep(t.sub(1));
      assert.equal(live(), 1 + 3);
    }
    // Kept by the inner scope only: it now belongs to the outer one.
    assert.equal(live(), 1 + 2);
    assert.ok(!fromInner.isDisposed && !outerTmp.isDisposed);
    void outer;
  }
  assert.ok(fromInner.isDisposed && outerTmp.isDisposed);
  assert.equal(live(), 1);
  x.dispose();
});

test('a throw inside the block still frees its tensors', () => {
  const x = torch.ones([2, 2]);
  let made: torch.Tensor[] = [];
  const run = () => {
    using scope = torch.scope();
    using t = x.add(1);
    made = [t, x.mul(2)];
    torch.mm(x, torch.ones([3, 3])); // shape error
    return scope.keep(t);
  };
  assert.throws(run, torch.TorchError);
  assert.ok(made.every((t) => t.isDisposed));
  assert.equal(live(), 1);
  x.dispose();
});

test('a function returns what its scope keeps; torch.keep outlives every scope', () => {
  const x = torch.ones([3]);
  const f = (t: torch.Tensor): torch.Tensor => {
    using scope = torch.scope();
    const h = t.mul(2).add(1).sigmoid();
    return scope.keep(h.mul(h));
  };
  let global: torch.Tensor;
  const outcome = torch.tidy(() => {
    const r = f(x);
    global = torch.keep(r.add(0));
    assert.equal(live(), 1 + 2);
    return r.sum().item();
  });
  assert.ok(Math.abs(outcome - 3 * (1 / (1 + Math.exp(-3))) ** 2) < 1e-6);
  assert.equal(live(), 2, 'the tidy freed f\'s kept result; the torch.keep\'d tensor lives on');
  {
    using scope = torch.scope();
    void scope;
    assert.ok(!global!.isDisposed);
  }
  assert.ok(!global!.isDisposed);
  torch.dispose([x, global!]);
});

test('kept results of a scope at top level go to the GC backstop; kept() takes nested structures', () => {
  const x = torch.ones([2]);
  let pair: { a: torch.Tensor; b: torch.Tensor[] };
  {
    using scope = torch.scope();
    pair = scope.keep({ a: x.add(1), b: [x.add(2), x.add(3)] });
    x.add(4);
  }
  assert.deepEqual([pair.a, ...pair.b].map((t) => t.isDisposed), [false, false, false]);
  assert.equal(live(), 4);
  torch.dispose([x, pair]);
});

test('a long chain with a scope per step keeps live tensors bounded', () => {
  const x = torch.rand([64]);
  let y = x;
  let peak = 0;
  for (let i = 0; i < 200; i++) {
    using scope = torch.scope();
    const next = y.mul(1.01).add(0.5).sin().abs();
    if (y !== x) y.dispose();
    y = scope.keep(next);
    peak = Math.max(peak, live());
  }
  assert.ok(peak <= 1 + 1 + 4, `peak ${peak} live tensors`);
  assert.equal(live(), 2);
  torch.dispose([x, y]);
});

test('tidy inside a scope and a scope inside tidy', () => {
  const x = torch.ones([2]);
  {
    using s = torch.scope();
    const r = torch.tidy(() => x.add(1).mul(2));
    assert.equal(live(), 2);
    void s;
    void r;
  }
  assert.equal(live(), 1);
  const out = torch.tidy(() => {
    using s = torch.scope();
    const kept = s.keep(x.add(5));
    x.add(6);
    assert.equal(live(), 3);
    return kept;
  });
  assert.deepEqual(out.toArray(), [6, 6]);
  assert.equal(live(), 2);
  torch.dispose([x, out]);
});

test('closing a scope out of order frees only its own tensors; close is idempotent', () => {
  const x = torch.ones([1]);
  const outer = torch.scope();
  const a = x.add(1);
  const inner = torch.scope();
  const b = x.add(2);
  outer.close();
  assert.ok(a.isDisposed && !b.isDisposed);
  assert.ok(!outer.isOpen && inner.isOpen);
  const c = x.add(3); // still collected by the inner scope
  inner.close();
  inner.close();
  assert.ok(b.isDisposed && c.isDisposed);
  assert.equal(live(), 1);
  // Nothing is collected once every scope is closed: top-level tensors stay live.
  const d = x.add(4);
  assert.ok(!d.isDisposed);
  torch.dispose([x, d]);
});

test('GC backstop: dropped top-level tensors are still freed once collected', async () => {
  const before = live();
  for (let i = 0; i < 3000; i++) torch.ones([8]).add(1); // both dropped without dispose
  // Registration is deferred to the end of the job: let it run, then collect.
  for (let i = 0; i < 50 && live() > before + 100; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(live() - before <= 100, `${live() - before} of 6000 dropped tensors still live`);
  // A tensor registered with the backstop and then disposed is unregistered, not freed twice.
  const t = torch.ones([2]);
  await new Promise((r) => setImmediate(r));
  t.dispose();
  t.dispose();
  assert.equal(live(), before);
});

after(() => {
  assert.equal(live(), 0, 'using tests leaked tensors');
});

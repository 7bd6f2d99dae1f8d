// Tensor subclasses that follow ops (torch.torchFunction, PyTorch's __torch_function__): results are
// constructed with the subclass, the hook sees (results, op, args, options) once per call, plain
// tensors stay plain, and a failing hook frees the results.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { Tensor } from '../src/index.js';

const start = torch.memory().liveTensors;

type Call = { op: string; n: number; args: readonly unknown[]; kwargs: Record<string, unknown> | null };
const calls: Call[] = [];

class Tagged extends Tensor {
  tag = '';
  static [torch.torchFunction](results: Tensor[], op: string, args: readonly unknown[], kwargs: Record<string, unknown> | null): void {
    calls.push({ op, n: results.length, args, kwargs });
    const find = (v: unknown): Tagged | undefined => (v instanceof Tagged ? v : Array.isArray(v) ? v.map(find).find((x) => x) : undefined);
    const src = args.map(find).find((x) => x) ?? Object.values(kwargs ?? {}).map(find).find((x) => x);
    for (const r of results) if (r instanceof Tagged) r.tag = `${src?.tag}>${op}`;
  }
}

function tagged(tag: string, t: Tensor): Tagged {
  const x = torch.adoptAs(Tagged, t);
  x.tag = tag;
  return x;
}

function last(): Call {
  return calls[calls.length - 1];
}

test('generated ops: results are made as the subclass; the hook gets the ATen name and the arguments', () => {
  const a = tagged('a', torch.ones([2, 3]));
  const p = torch.ones([2, 3]);
  const r = torch.tidy(() => [a.add(p), torch.mul(p, a), a.sum(), a.reshape([3, 2]), torch.cat([p, a]), torch.where(p.gt(0), p, a)]);
  for (const x of r) assert.ok(x instanceof Tagged, 'made as Tagged');
  assert.deepEqual(r.map((x) => (x as Tagged).tag), ['a>add', 'a>mul', 'a>sum', 'a>reshape', 'a>cat', 'a>where']);
  assert.equal(Object.getPrototypeOf(r[0]), Tagged.prototype);
  torch.dispose([a, p, r]);
});

test('options and keyword tensors count: torch.clamp with a tensor min given by name', () => {
  const lo = tagged('lo', torch.zeros([3]));
  const x = torch.tensor([-1, 0.5, 2]);
  const r = x.clamp({ min: lo }) as Tagged;
  assert.ok(r instanceof Tagged);
  assert.equal(r.tag, 'lo>clamp');
  assert.ok(last().kwargs !== null && last().kwargs!.min === lo);
  torch.dispose([lo, x, r]);
});

test('several results: one hook call with all of them (unbind, max with dim, split)', () => {
  const a = tagged('a', torch.tidy(() => torch.arange(6).reshape([2, 3])));
  const u = a.unbind(0);
  assert.equal(last().op, 'unbind');
  assert.equal(last().n, 2);
  const [v, i] = a.max(1);
  assert.equal(last().op, 'max');
  assert.ok(v instanceof Tagged && i instanceof Tagged);
  const s = a.split(1, 1);
  assert.equal(last().n, 3);
  assert.deepEqual(last().args.slice(1), [1, 1]);
  torch.dispose([a, u, v, i, s]);
});

test('plain tensors give plain tensors, and no hook runs', () => {
  const n = calls.length;
  const x = torch.ones([2]);
  const r = torch.tidy(() => [x.add(1), x.at(0), x.alias(), torch.stack([x, x])]);
  for (const t of r) assert.equal(t.constructor, Tensor);
  assert.equal(calls.length, n);
  torch.dispose([x, r]);
});

test('in-place ops return the same object without a hook call', () => {
  const a = tagged('a', torch.ones([2]));
  const n = calls.length;
  assert.equal(a.add_(1), a);
  assert.equal(a.tag, 'a');
  assert.equal(calls.length, n);
  a.dispose();
});

test("hand-written ops: at() reports one 'getitem' with the whole index; alias() reports 'alias'", () => {
  const a = tagged('a', torch.tidy(() => torch.arange(12).reshape([3, 4])));
  const n = calls.length;
  const g = a.at(1, '1:3') as Tagged;
  assert.equal(calls.length, n + 1, 'indexing steps run on a plain alias');
  assert.equal(last().op, 'getitem');
  assert.deepEqual(last().args.slice(1), [1, '1:3']);
  assert.equal(g.tag, 'a>getitem');
  assert.deepEqual(g.toArray(), [5, 6]);
  const al = a.alias() as Tagged;
  assert.equal(al.tag, 'a>alias');
  assert.ok(al.is(a));
  torch.dispose([a, g, al]);
});

test('nn.Parameter does not opt in: its ops give plain tensors', () => {
  const p = torch.nn.Parameter.wrap(torch.ones([2]));
  const r = torch.noGrad(() => p.mul(2));
  assert.equal(r.constructor, Tensor);
  torch.dispose([p, r]);
});

test('adoptAs moves the handle into the subclass (the old object is disposed; torch.keep carries over)', () => {
  const t = torch.keep(torch.ones([2]));
  const before = torch.memory().liveTensors;
  const s = torch.tidy(() => torch.adoptAs(Tagged, t));
  assert.ok(t.isDisposed);
  assert.ok(!s.isDisposed, 'kept through the scope');
  assert.equal(torch.memory().liveTensors, before);
  assert.equal(torch.adoptAs(Tagged, s), s, 'already that class: the same object');
  s.dispose();
});

test('a throwing hook frees the results and propagates', () => {
  class Bad extends Tensor {
    static [torch.torchFunction](): void {
      throw new Error('hook failed');
    }
  }
  const b = torch.adoptAs(Bad, torch.zeros([2, 2]));
  const before = torch.memory().liveTensors;
  assert.throws(() => b.add(1), /hook failed/);
  assert.throws(() => b.unbind(0), /hook failed/);
  assert.throws(() => b.at(0), /hook failed/);
  assert.throws(() => b.alias(), /hook failed/);
  assert.equal(torch.memory().liveTensors, before);
  b.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

// What the op generator binds and where: private ops and backward kernels only under torch.ops,
// names nothing hand-written defines bound (isSameSize, type, tolist), hand-written members never
// overwritten, and the generated tables in step with the committed schema snapshot.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import * as tables from '../src/generated/tables.js';
import type { Overload } from '../src/dispatch.js';
import type { OpSchema } from '../src/native.js';

const start = torch.memory().liveTensors;
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

test('private ops and backward kernels are under torch.ops only', () => {
  const top = Object.keys(torch);
  assert.deepEqual(top.filter((k) => k.startsWith('_')), [], 'top-level names starting with _');
  assert.deepEqual(top.filter((k) => /Backward(_|$)/.test(k)), [], 'top-level backward kernels');
  const ops = torch.ops as Record<string, unknown>;
  for (const k of ['_logSoftmax', '_ampUpdateScale_', 'convolutionBackward', '_softmaxBackwardData', 'maxPool2dWithIndicesBackward'])
    assert.equal(typeof ops[k], 'function', `torch.ops.${k}`);
  assert.equal((torch as any)._logSoftmax, undefined);
  assert.equal((torch as any).convolutionBackward, undefined);
  // torch.ops holds the public ops too, the same functions.
  assert.equal(torch.ops.add, torch.add);
  assert.equal(torch.ops.var, torch.var);
  torch.tidy(() => {
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
    assert.ok(torch.equal(torch.ops._logSoftmax(x, 1, false), torch.logSoftmax(x, 1)));
  });
  // Tensor methods: _-prefixed ones stay (as Python's Tensor has _values, _indices...), backward kernels do not.
  const P = torch.Tensor.prototype as any;
  assert.equal(typeof P._values, 'function');
  assert.equal(P.convolutionBackward, undefined);
});

test('names the old reserved list kept from being bound: isSameSize, type, tolist', () => {
  torch.tidy(() => {
    const x = torch.ones(2, 3);
    assert.equal(x.isSameSize(torch.zeros(2, 3)), true);
    assert.equal(x.isSameSize(torch.zeros(3, 2)), false);
    assert.equal(x.type(), 'torch.FloatTensor');
    assert.equal(torch.ones(1, { dtype: 'int64' }).type(), 'torch.LongTensor');
    assert.equal(torch.ones(1, { dtype: 'bool' }).type(), 'torch.BoolTensor');
    assert.equal(x.type('torch.DoubleTensor').dtype, 'float64');
    assert.equal(x.type('float16').dtype, 'float16');
    assert.equal(x.type('torch.FloatTensor'), x, 'same type: the same tensor, as Python');
    assert.equal(x.type('float32'), x);
    assert.throws(() => x.type('torch.FooTensor'), /type: unknown tensor type 'torch.FooTensor'/);
    assert.deepEqual(torch.tensor([[1, 2], [3, 4]]).tolist(), [[1, 2], [3, 4]]);
    assert.equal(torch.tensor(2.5).tolist(), 2.5);
  });
});

test('hand-written Tensor members are not replaced by generated methods', () => {
  torch.tidy(() => {
    const x = torch.ones(2, 3);
    assert.deepEqual(x.size(), [2, 3]); // aten::size would need a dim
    assert.deepEqual(x.stride(), [3, 1]);
    assert.equal(x.item === torch.Tensor.prototype.item, true);
    assert.equal(torch.tensor(1.5).item(), 1.5);
    assert.equal(x.to('float64').dtype, 'float64');
  });
  const doc = readFileSync(join(pkg, '..', '..', 'docs', 'generated-ops.md'), 'utf8');
  for (const n of ['size', 'stride', 'item', 'to', 'data'])
    assert.match(doc, new RegExp(`\\| \`aten::${n} \\(method\\)\` \\| name taken by a hand-written Tensor member \\|`));
});

test('the generated tables match the committed schema snapshot; every schema is bound or listed with a reason', () => {
  const snap = JSON.parse(readFileSync(join(pkg, 'tools', 'schemas.json'), 'utf8')) as { libtorch: string; ops: OpSchema[] };
  assert.match(snap.libtorch, /^\d+\.\d+/);
  const bySig = new Map(snap.ops.map((s) => [s.schema.replace(/^aten::/, ''), s]));
  const bound = new Set<string>();
  for (const ovs of Object.values(tables) as Overload[][])
    for (const ov of ovs) {
      const s = bySig.get(ov.sig);
      assert.ok(s, `${ov.sig} is not in tools/schemas.json (regenerate)`);
      assert.equal(`${s.name}.${s.overload}`, `${ov.op}.${ov.o}`);
      bound.add(ov.sig);
    }
  const doc = readFileSync(join(pkg, '..', '..', 'docs', 'generated-ops.md'), 'utf8');
  const skipped = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)) skipped.set(m[1], m[2]);
  for (const s of snap.ops) {
    const sig = s.schema.replace(/^aten::/, '');
    if (bound.has(sig)) continue;
    const why = skipped.get(`${s.name}${s.overload ? '.' + s.overload : ''}`);
    assert.ok(why && why.trim().length > 5, `${s.schema}: neither bound nor listed with a reason in docs/generated-ops.md`);
  }
  assert.ok(bound.size > 1700, `only ${bound.size} overloads bound`);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'generated-name tests leaked tensors');
});

// nn declarations match the runtime without `any`: max pooling returns [output, indices] exactly
// when returnIndices is set, containers keep their element types, a module known only as Module
// gives unknown. Typechecked by `npm test`; each @ts-expect-error line must stay an error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

const start = torch.memory().liveTensors;

test('max pooling: Tensor by default, [output, indices] with returnIndices (options or positional)', () => {
  torch.tidy(() => {
    const x = torch.randn([1, 2, 4, 4]);
    const y: torch.Tensor = new nn.MaxPool2d(2).forward(x);
    const [o, i]: [torch.Tensor, torch.Tensor] = new nn.MaxPool2d({ kernelSize: 2, returnIndices: true }).forward(x);
    const [o2, i2]: [torch.Tensor, torch.Tensor] = new nn.MaxPool2d(2, 2, 0, 1, true).forward(x);
    const [a, ai]: [torch.Tensor, torch.Tensor] = new nn.AdaptiveMaxPool2d(1, true).forward(x);
    const b: torch.Tensor = new nn.AdaptiveMaxPool2d({ outputSize: 1 }).forward(x);
    assert.ok(y instanceof torch.Tensor && !Array.isArray(y));
    assert.deepEqual(y.shape, [1, 2, 2, 2]);
    assert.ok(torch.equal(o, y) && torch.equal(o2, y));
    assert.equal(i.dtype, 'int64');
    assert.ok(torch.equal(i, i2));
    assert.deepEqual(a.shape, [1, 2, 1, 1]);
    assert.equal(ai.dtype, 'int64');
    assert.ok(torch.equal(a, b));
  });
});

test('containers keep their element types; Sequential maps tensors to tensors', () => {
  const list = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 2)]);
  const dict = new nn.ModuleDict({ a: new nn.ReLU(), b: new nn.Tanh() });
  const seq = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
  try {
    torch.tidy(() => {
      let h: torch.Tensor = torch.randn([5, 4]);
      for (const m of list) h = m.forward(h);
      const l: nn.Linear = list.at(-1);
      assert.equal(l.outFeatures, 2);
      assert.deepEqual(h.shape, [5, 2]);
      const r: torch.Tensor = dict.get('a')!.forward(h);
      assert.ok(torch.equal(r, h.relu()));
      const s: torch.Tensor = seq.forward(torch.randn([2, 4]));
      assert.deepEqual(s.shape, [2, 3]);
    });
  } finally {
    for (const m of [list, dict, seq]) m.dispose();
  }
});

test('no any in the hand-written layer sources (nn/module.ts, nn/modules/*)', () => {
  const nnDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'src', 'nn');
  const files = [path.join(nnDir, 'module.ts'), ...fs.readdirSync(path.join(nnDir, 'modules')).map((f) => path.join(nnDir, 'modules', f))];
  const ANY = /(:\s*any\b|\bas any\b|\bany\[\]|<any\b|,\s*any>|\|\s*any\b)/;
  const hits: string[] = [];
  for (const f of files) {
    fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      if (ANY.test(code)) hits.push(`${path.basename(f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(hits, []);
});

// Wrong uses that must not compile (never called).
function typeErrors(x: torch.Tensor, m: nn.Module, lin: nn.Linear): void {
  // @ts-expect-error without returnIndices forward gives one Tensor
  const [a, b] = new nn.MaxPool3d(2).forward(x);
  // @ts-expect-error with returnIndices forward gives a pair
  const c: torch.Tensor = new nn.MaxPool1d({ kernelSize: 2, returnIndices: true }).forward(x);
  // @ts-expect-error a module known only as Module returns unknown, not any
  m.forward(x).shape;
  // @ts-expect-error hook arguments are unknown until narrowed
  lin.registerForwardHook((_m, _args, out) => out.shape);
  // @ts-expect-error a ModuleList of Linears takes Linears
  new nn.ModuleList([new nn.Linear(2, 2)]).append(new nn.ReLU());
  void [a, b, c];
}
void typeErrors;

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

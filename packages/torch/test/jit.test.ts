// TorchScript modules saved by PyTorch 1.13 (tools/goldens/jit/make.py) load and match its outputs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'jit');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
const start = torch.memory().liveTensors;

const close = (a: number[], b: number[], tol: number) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol * (1 + Math.abs(b[i])));

test('a scripted 3D network runs and matches PyTorch (1e-5)', () => {
  const m = torch.jit.load(join(dir, 'seg.pt'));
  try {
    assert.equal(m.training, false);
    torch.tidy(() => {
      const x = torch.tensor(expected.seg.x).reshape(expected.seg.xShape);
      const y = m.forward(x) as torch.Tensor;
      assert.deepEqual(y.shape, expected.seg.yShape);
      assert.ok(close((y.toArray() as number[][][][][]).flat(4) as number[], expected.seg.y, 1e-5));
      const params = Object.fromEntries(m.namedParameters().map(([n, t]) => [n, t.shape]));
      assert.deepEqual(params, expected.seg.params);
      assert.ok(Math.abs(m.stateDict()['conv.weight'].sum().item() - expected.seg.convWeightSum) < 1e-5);
      assert.deepEqual(m.namedBuffers().map(([n]) => n), expected.seg.buffers);
      // train mode turns dropout on: outputs change between calls
      m.train();
      const a = m.forward(x) as torch.Tensor;
      const b = m.forward(x) as torch.Tensor;
      assert.ok(!torch.equal(a, b));
    });
  } finally {
    m.dispose();
  }
});

test('tuple, float and list arguments in, dict out; exported methods', () => {
  const m = torch.jit.load(join(dir, 'multi.pt'));
  try {
    torch.tidy(() => {
      const a = torch.tensor(expected.multi.a).reshape([2, 3]);
      const b = torch.tensor(expected.multi.b).reshape([2, 3]);
      const out = m.forward([a, b], 0.5, ['p', 'q', 'r']) as Record<string, torch.Tensor>;
      assert.ok(close((out.sum.toArray() as number[][]).flat(), expected.multi.sum, 1e-6));
      assert.equal(out.count.item(), expected.multi.count);
      const [twice, dim] = m.runMethod('twice', a) as [torch.Tensor, number];
      assert.equal(dim, 2);
      assert.ok(torch.equal(twice, a.mul(2)));
      assert.ok(m.methods().includes('twice'));
      assert.throws(() => m.forward([a], 0.5, []), /tuple of 2/);
      assert.throws(() => m.forward([a, b], 'x', []), /expected float/);
      assert.throws(() => m.runMethod('nope'), /no method 'nope'/);
    });
  } finally {
    m.dispose();
  }
  assert.throws(() => m.forward(), /disposed/);
});

test('a missing or corrupt file gives a clear error', () => {
  assert.throws(() => torch.jit.load('/nonexistent/model.pt'), /no such file/);
  const tmp = mkdtempSync(join(tmpdir(), 'jit-'));
  try {
    const bad = join(tmp, 'bad.pt');
    writeFileSync(bad, readFileSync(join(dir, 'seg.pt')).subarray(0, 2000));
    assert.throws(() => torch.jit.load(bad), /cannot load TorchScript module .*bad\.pt/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'jit tests leaked tensors');
});

// Checkpoints with the real nn.Module base class and optim.SGD: a PyTorch 1.13 checkpoint restores
// into them, and save -> load resumes training bit-identically.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { SGD } from '../../src/optim/index.js';
import { load, loadCheckpoint, loadRaw, saveCheckpoint } from '../../src/serialization/index.js';
import { fixture } from './helpers.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-ckptnn-'));

/** Parameters/buffers with given shapes, registered under PyTorch's names. */
class Leaf extends Module {
  constructor(params: Record<string, number[]>, buffers: Record<string, [number[], 'float32' | 'int64']> = {}) {
    super();
    for (const [n, s] of Object.entries(params)) {
      const t = torch.zeros(s);
      this.registerParameter(n, t);
      if ((this as any)[n] !== t) t.dispose(); // registered as a new Parameter handle
    }
    for (const [n, [s, dtype]] of Object.entries(buffers)) this.registerBuffer(n, torch.zeros(s, { dtype }));
  }
  forward(): never {
    throw new Error('not used');
  }
}

class Seq extends Module {
  constructor(children: Module[]) {
    super();
    children.forEach((c, i) => this.registerModule(String(i), c));
  }
  forward(): never {
    throw new Error('not used');
  }
}

/** The layout of tools/goldens/serialization/make_fixtures.py's Sequential(Linear(3,4), BatchNorm1d(4), Linear(4,2)). */
function pyNet(): Seq {
  return new Seq([
    new Leaf({ weight: [4, 3], bias: [4] }),
    new Leaf({ weight: [4], bias: [4] }, { running_mean: [[4], 'float32'], running_var: [[4], 'float32'], num_batches_tracked: [[], 'int64'] }),
    new Leaf({ weight: [2, 4], bias: [2] }),
  ]);
}

function arr(t: torch.Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number>, Number);
}

test('a PyTorch 1.13 checkpoint restores into nn.Module and optim.SGD', () => {
  const net = pyNet();
  const opt = new SGD(net.parameters(), { lr: 0.5, momentum: 0.1 });
  const rest = loadCheckpoint(fixture('checkpoint.pt'), { model: net, optimizer: opt });
  try {
    assert.equal(rest.epoch, 7);
    const ref = loadRaw(fixture('checkpoint.pt'));
    const sd = torch.tidy(() => {
      const s = net.stateDict();
      const out: Record<string, number[]> = {};
      for (const [k, v] of Object.entries(s)) out[k] = arr(v);
      return out;
    });
    assert.deepEqual(Object.keys(sd), Object.keys(ref.model));
    const want = load(fixture('checkpoint.pt'));
    for (const k of Object.keys(sd)) assert.deepEqual(sd[k], arr(want.model[k]), k);
    const osd = opt.stateDict();
    assert.equal(osd.param_groups[0]!.lr, 0.1);
    assert.equal(osd.param_groups[0]!.momentum, 0.9);
    assert.deepEqual(arr(osd.state.get(0)!.momentum_buffer as torch.Tensor), arr(want.optimizer.state.get(0).momentum_buffer));
    torch.dispose([want, osd]);
  } finally {
    torch.dispose(rest);
    net.dispose();
    opt.dispose();
  }
});

test('save -> load resumes SGD with momentum bit-identically', () => {
  const file = path.join(tmp, 'resume.pt');
  const x = torch.tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype: 'float32' });
  const step = (net: Seq, opt: SGD) => torch.tidy(() => {
    opt.zeroGrad();
    const [a, b] = [(net as any)['0'], (net as any)['2']];
    const h = x.matmul(a.weight.t()).add(a.bias).relu();
    const loss = h.matmul(b.weight.t()).add(b.bias).pow(2).sum();
    loss.backward();
    opt.step();
    return undefined;
  });
  const init = (net: Seq) => torch.tidy(() => torch.noGrad(() => {
    let k = 1;
    for (const p of net.parameters()) p.copy_(torch.linspace(-k, k, p.numel()).reshape(p.shape)), (k += 0.5);
  }));
  const a = pyNet();
  init(a);
  const optA = new SGD(a.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true });
  step(a, optA);
  saveCheckpoint(file, { model: a, optimizer: optA, epoch: 1 });
  const b = pyNet();
  const optB = new SGD(b.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true });
  const rest = loadCheckpoint(file, { model: b, optimizer: optB });
  assert.deepEqual(rest, { epoch: 1 });
  step(a, optA);
  step(b, optB);
  const pa = [...a.parameters()];
  const pb = [...b.parameters()];
  assert.equal(pa.length, 6);
  for (let i = 0; i < pa.length; i++) assert.deepEqual(arr(pb[i]!), arr(pa[i]!));
  a.dispose(); b.dispose(); optA.dispose(); optB.dispose(); x.dispose();
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

// saveCheckpoint / loadCheckpoint with duck-typed stateful objects.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../src/index.js';
import { loadCheckpoint, loadRaw, save, saveCheckpoint, SerializationError, tuple } from '../../src/serialization/index.js';
import { _injectWriteFault } from '../../src/serialization/atomic.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-ckpt-'));

/** Stands in for nn.Module: state dict entries are fresh handles, loadStateDict copies. */
class FakeModule {
  weight: torch.Tensor;
  bias: torch.Tensor;
  constructor(seed: number) {
    this.weight = torch.keep(torch.tensor([[seed, seed + 1], [seed + 2, seed + 3]], { dtype: 'float32' }));
    this.bias = torch.keep(torch.tensor([seed / 2], { dtype: 'float64' }));
  }
  stateDict(): Record<string, torch.Tensor> {
    return { weight: this.weight.alias(), bias: this.bias.alias(), num_batches_tracked: torch.tensor(5n, { dtype: 'int64' }) };
  }
  loadStateDict(sd: Record<string, torch.Tensor>, options: { strict?: boolean } = {}): void {
    const missing = ['weight', 'bias'].filter((k) => !(k in sd));
    if (missing.length && options.strict !== false) throw new Error(`missing keys: ${missing.join(', ')}`);
    torch.noGrad(() => {
      this.weight.copy_(sd.weight!);
      this.bias.copy_(sd.bias!);
    });
  }
  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}

/** Stands in for an optimizer: int-keyed state (a Map, as PyTorch's), param groups with floats. */
class FakeOptimizer {
  buf: torch.Tensor | null = null;
  lr = 0.1;
  stateDict(): unknown {
    return {
      state: new Map(this.buf ? [[0, { momentum_buffer: this.buf }]] : []),
      param_groups: [{ lr: this.lr, momentum: 0.9, betas: tuple(0.9, 0.999), nesterov: false, params: [0, 1] }],
    };
  }
  loadStateDict(sd: any): void {
    this.lr = sd.param_groups[0].lr;
    const s = sd.state.get(0);
    this.buf = s ? torch.keep(s.momentum_buffer.clone()) : null;
  }
}

const scheduler = { stateDict: () => ({ last_epoch: 3, base_lrs: [0.1], _step_count: 4 }), loadStateDict(sd: any) { this.loaded = sd; }, loaded: null as any };

test('checkpoint round trip: model, optimizer, scheduler, plain values', () => {
  const file = path.join(tmp, 'ckpt.pt');
  const model = new FakeModule(1);
  const opt = new FakeOptimizer();
  opt.buf = torch.keep(torch.tensor([0.5, -0.5], { dtype: 'float32' }));
  opt.lr = 0.025;
  const live = torch.memory().liveTensors;
  saveCheckpoint(file, { model, optimizer: opt, scheduler, epoch: 12, best: { dice: 0.875, at: 10 }, note: 'ok', skipped: undefined });
  assert.equal(torch.memory().liveTensors, live, 'stateDict() handles released after saving');

  // What Python would see: a dict with the state dicts in it.
  const raw = loadRaw(file);
  assert.deepEqual(Object.keys(raw), ['model', 'optimizer', 'scheduler', 'epoch', 'best', 'note']);
  assert.ok(raw.optimizer.state instanceof Map && raw.optimizer.state.has(0));

  const model2 = new FakeModule(100);
  const opt2 = new FakeOptimizer();
  const sched2 = { ...scheduler, loaded: null as any };
  const rest = loadCheckpoint(file, { model: model2, optimizer: opt2, scheduler: sched2 }, { strict: true });
  assert.deepEqual(rest, { epoch: 12, best: { dice: 0.875, at: 10 }, note: 'ok' });
  assert.deepEqual(Array.from(model2.weight.toTypedArray() as Float32Array), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(model2.bias.toTypedArray() as Float64Array), [0.5]);
  assert.equal(opt2.lr, 0.025);
  assert.deepEqual(Array.from(opt2.buf!.toTypedArray() as Float32Array), [0.5, -0.5]);
  assert.deepEqual(sched2.loaded, { last_epoch: 3, base_lrs: [0.1], _step_count: 4 });
  assert.equal(torch.memory().liveTensors, live + 3, 'only the new model and optimizer tensors remain');
  model.dispose();
  model2.dispose();
  opt.buf!.dispose();
  opt2.buf!.dispose();
});

test('errors: missing entry, failing loadStateDict, corrupt or truncated checkpoint; nothing leaks', () => {
  const file = path.join(tmp, 'c2.pt');
  const model = new FakeModule(1);
  saveCheckpoint(file, { model, epoch: 1 });
  const live = torch.memory().liveTensors;
  assert.throws(() => loadCheckpoint(file, { optimizer: new FakeOptimizer() }), /has no entry 'optimizer' \(it has: model, epoch\)/);
  const failing = { stateDict: () => ({}), loadStateDict: () => { throw new Error('size mismatch for weight'); } };
  assert.throws(() => loadCheckpoint(file, { model: failing }), /restoring 'model' failed: size mismatch for weight/);
  assert.equal(torch.memory().liveTensors, live);
  const bytes = fs.readFileSync(file);
  const bad = path.join(tmp, 'bad.pt');
  fs.writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
  assert.throws(() => loadCheckpoint(bad, { model }), (e: Error) => e.message.includes(bad) && /end-of-central-directory|truncated/.test(e.message));
  fs.writeFileSync(bad, new Uint8Array([1, 2, 3]));
  assert.throws(() => loadCheckpoint(bad, { model }), (e: Error) => e.message.includes(bad));
  // A list at the top level is not a checkpoint.
  torch.tidy(() => { save([torch.ones([2]), 1], bad); return undefined; });
  assert.throws(() => loadCheckpoint(bad, {}), /is not a checkpoint/);
  // Without targets every entry comes back (tensors owned by the caller).
  const all = loadCheckpoint(file);
  assert.equal(all.epoch, 1);
  assert.equal(Object.keys(all.model as object).length, 3);
  torch.dispose(all);
  assert.equal(torch.memory().liveTensors, live);
  model.dispose();
});

test('an interrupted saveCheckpoint keeps the previous checkpoint', () => {
  const file = path.join(tmp, 'c3.pt');
  const model = new FakeModule(1);
  saveCheckpoint(file, { model, epoch: 1 });
  const before = fs.readFileSync(file);
  const live = torch.memory().liveTensors;
  _injectWriteFault(200);
  assert.throws(() => saveCheckpoint(file, { model, epoch: 2 }), /simulated write failure/);
  assert.deepEqual(fs.readFileSync(file), before);
  assert.equal(torch.memory().liveTensors, live);
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.includes('c3.pt')), ['c3.pt']);
  model.dispose();
});

test('SerializationError for a missing file', () => {
  assert.throws(() => loadCheckpoint(path.join(tmp, 'nope.pt')), SerializationError);
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

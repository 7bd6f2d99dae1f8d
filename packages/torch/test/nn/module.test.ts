// nn.Module behaviour: registration by class fields and explicit calls, traversal order and names,
// printing, seeded init and outputs of a composite network against PyTorch 1.13
// (tools/goldens/nn/make_module.py), stateDict/loadStateDict with strict errors, modes, conversion,
// gradients, containers and memory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Fixture, assertClose } from './helpers.js';

const start = torch.memory().liveTensors;
const fx = new Fixture('module');

class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.BatchNorm2d({ numFeatures: 4 }),
    new nn.ReLU({ inplace: true }),
    new nn.MaxPool2d({ kernelSize: 2 }),
  );
  blocks = new nn.ModuleList([new nn.Linear({ inFeatures: 16, outFeatures: 8 }), new nn.Dropout({ p: 0.1 })]);
  heads = new nn.ModuleDict({
    cls: new nn.Linear({ inFeatures: 8, outFeatures: 3 }),
    reg: new nn.Sequential({ fc: new nn.Linear({ inFeatures: 8, outFeatures: 1 }), act: new nn.Sigmoid() }),
  });
  scale = nn.Parameter.wrap(torch.ones([1]));
  declare step: torch.Tensor;
  declare cache: torch.Tensor;
  constructor() {
    super();
    this.registerBuffer('step', torch.zeros([], { dtype: 'int64' }));
    this.registerBuffer('cache', torch.zeros([2]), { persistent: false });
  }
  forward(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    return torch.tidy(() => {
      let h = this.features.forward(x).flatten({ startDim: 1 });
      for (const b of this.blocks) h = b.forward(h);
      return [this.heads.get('cls')!.forward(h).mul(this.scale), this.heads.get('reg')!.forward(h)] as [torch.Tensor, torch.Tensor];
    });
  }
}

test('composite network: print, names and order match PyTorch', () => {
  const net = new Net();
  try {
    assert.equal(net.toString(), fx.index.repr);
    assert.deepEqual([...net.namedParameters()].map(([n]) => n), fx.index.parameters);
    assert.deepEqual([...net.namedBuffers()].map(([n]) => n), fx.index.buffers);
    assert.deepEqual([...net.namedModules()].map(([n]) => n), fx.index.modules);
    assert.deepEqual([...net.namedChildren()].map(([n]) => n), fx.index.children);
    torch.tidy(() => assert.deepEqual(Object.keys(net.stateDict()), Object.keys(fx.index.state)));
  } finally {
    net.dispose();
  }
});

test('composite network: seeded init and eval outputs match PyTorch; weights load both ways', () => {
  torch.manualSeed(7);
  const net = new Net();
  try {
    torch.tidy(() => {
      const sd = net.stateDict();
      for (const [k, ref] of Object.entries<any>(fx.index.state)) assertClose(sd[k], fx.values(ref), ref.shape, `init of ${k}`, 0, 0);
      const load: Record<string, torch.Tensor> = {};
      for (const [k, ref] of Object.entries<any>(fx.index.state)) load[k] = fx.tensor(ref);
      net.loadStateDict(load);
      net.eval();
      const [a, b] = net.forward(fx.tensor(fx.index.input));
      assertClose(a, fx.values(fx.index.outputs[0]), fx.index.outputs[0].shape, 'cls output');
      assertClose(b, fx.values(fx.index.outputs[1]), fx.index.outputs[1].shape, 'reg output');
      assert.equal(sd['features.1.num_batches_tracked'].dtype, 'int64');
    });
  } finally {
    net.dispose();
  }
});

test('loadStateDict: strict errors list missing, unexpected and mis-shaped keys and copy nothing', () => {
  const lin = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
  try {
    torch.tidy(() => {
      const before = lin.weight.clone();
      const bad = { weight: torch.zeros([2, 4]), extra: torch.zeros([1]) };
      let err: any;
      try {
        lin.loadStateDict(bad);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof nn.StateDictError);
      assert.match(err.message, /Error\(s\) in loading state_dict for Linear/);
      assert.match(err.message, /Missing key\(s\) in state_dict: "bias"/);
      assert.match(err.message, /Unexpected key\(s\) in state_dict: "extra"/);
      assert.match(err.message, /size mismatch for weight: copying a param with shape \[2, 4\] from checkpoint, the shape in current model is \[2, 3\]/);
      assert.deepEqual(err.missingKeys, ['bias']);
      assert.deepEqual(err.unexpectedKeys, ['extra']);
      assert.ok(lin.weight.equal(before), 'nothing copied');
      // strict: false reports instead of throwing (shape mismatches still throw)
      const r = lin.loadStateDict({ weight: torch.ones([2, 3]), extra: torch.zeros([1]) }, { strict: false });
      assert.deepEqual(r, { missingKeys: ['bias'], unexpectedKeys: ['extra'] });
      assert.equal(lin.weight.sum().item(), 6);
      assert.throws(() => lin.loadStateDict({ weight: torch.ones([3, 3]) }, { strict: false }), /size mismatch for weight/);
      // a Map works too
      lin.loadStateDict(new Map([['weight', torch.zeros([2, 3])], ['bias', torch.ones([2])]]));
      assert.equal(lin.bias!.sum().item(), 2);
    });
  } finally {
    lin.dispose();
  }
});

test('stateDict values are detached handles sharing storage; keepVars gives the parameters', () => {
  const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  try {
    torch.tidy(() => {
      const sd = lin.stateDict();
      assert.equal(sd.weight.requiresGrad, false);
      torch.noGrad(() => sd.weight.fill_(3));
      assert.equal(lin.weight.sum().item(), 12);
      const kv = lin.stateDict({ keepVars: true });
      assert.equal(kv.weight, lin.weight);
      const pre = lin.stateDict({ prefix: 'enc.' });
      assert.deepEqual(Object.keys(pre), ['enc.weight', 'enc.bias']);
    });
  } finally {
    lin.dispose();
  }
});

test('train/eval, apply, requiresGrad_, zeroGrad', () => {
  const net = new Net();
  try {
    assert.equal(net.training, true);
    net.eval();
    for (const m of net.modules()) assert.equal(m.training, false);
    net.train();
    for (const m of net.modules()) assert.equal(m.training, true);
    const visited: string[] = [];
    net.apply((m) => visited.push(m.constructor.name));
    assert.equal(visited[visited.length - 1], 'Net');
    assert.equal(visited[0], 'Conv2d');
    net.requiresGrad_(false);
    for (const p of net.parameters()) assert.equal(p.requiresGrad, false);
    net.requiresGrad_(true);
    torch.tidy(() => {
      const [a, b] = net.forward(torch.randn([2, 1, 4, 4]));
      a.sum().add(b.sum()).backward();
    });
    for (const p of net.parameters()) torch.tidy(() => assert.ok(p.grad, 'has grad'));
    net.zeroGrad(false);
    for (const p of net.parameters()) torch.tidy(() => assert.equal(p.grad!.abs().sum().item(), 0));
    net.zeroGrad();
    for (const p of net.parameters()) torch.tidy(() => assert.equal(p.grad, null));
  } finally {
    net.dispose();
  }
});

test('to(dtype) converts floating tensors in place, keeping the same objects', () => {
  const net = new Net();
  try {
    const w = net.getParameter('features.0.weight');
    net.to('float64');
    assert.equal(net.getParameter('features.0.weight'), w);
    assert.equal(w.dtype, 'float64');
    assert.equal(w.requiresGrad, true);
    const bn = net.getSubmodule('features.1') as nn.BatchNorm2d;
    assert.equal(bn.runningMean!.dtype, 'float64');
    assert.equal(bn.numBatchesTracked!.dtype, 'int64');
    torch.tidy(() => {
      const [a] = net.forward(torch.randn([2, 1, 4, 4], { dtype: 'float64' }));
      assert.equal(a.dtype, 'float64');
    });
    net.to({ dtype: 'float32', device: 'cpu' });
    assert.equal(w.dtype, 'float32');
    assert.throws(() => net.to('int32'), /floating point/);
  } finally {
    net.dispose();
  }
});

test('explicit registration, null entries, lookups and name checks', () => {
  class M extends nn.Module {
    constructor() {
      super();
      this.registerParameter('alpha', torch.tidy(() => torch.ones([2])));
      this.registerParameter('beta', null);
      this.registerModule('sub', new nn.Linear({ inFeatures: 2, outFeatures: 2, bias: false }));
      this.registerBuffer('gamma', torch.zeros([1]));
    }
    forward(x: torch.Tensor) { return x; }
  }
  const m = new M();
  try {
    assert.deepEqual([...m.namedParameters()].map(([n]) => n), ['alpha', 'sub.weight']);
    assert.ok((m as any).alpha instanceof nn.Parameter);
    assert.equal((m as any).beta, null);
    torch.tidy(() => assert.deepEqual(Object.keys(m.stateDict()), ['alpha', 'gamma', 'sub.weight']));
    assert.equal(m.getSubmodule('sub').constructor.name, 'Linear');
    assert.throws(() => m.getSubmodule('nope'), /has no submodule 'nope'/);
    assert.throws(() => m.registerParameter('a.b', null), /can't contain "."/);
    assert.throws(() => m.registerModule('forward', null), /already exists/);
    assert.throws(() => new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, paddingMod: 'zeros' } as any), /unknown option 'paddingMod' \(did you mean 'paddingMode'\?\)/);
    assert.throws(() => new nn.Linear({ inFeatures: 2 } as any), /missing required option 'outFeatures'/);
    assert.throws(() => new nn.Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3, groups: 2 }), /divisible by groups/);
    assert.throws(() => new nn.Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: 'same' }), /not supported for strided/);
  } finally {
    m.dispose();
  }
});

test('containers: Sequential, ModuleList, ModuleDict', () => {
  const seq = new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 4 }), new nn.ReLU());
  seq.append(new nn.Linear({ inFeatures: 4, outFeatures: 1 }));
  assert.equal(seq.length, 3);
  assert.equal(seq.at(-1).constructor.name, 'Linear');
  torch.tidy(() => assert.deepEqual(seq.forward(torch.randn([5, 3])).shape, [5, 1]));
  torch.tidy(() => assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']));
  const list = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
  list.insert(1, new nn.Sigmoid());
  assert.deepEqual([...list].map((m) => m.constructor.name), ['ReLU', 'Sigmoid', 'Tanh']);
  assert.deepEqual([...list.namedChildren()].map(([n, m]) => `${n}:${m.constructor.name}`), ['0:ReLU', '1:Sigmoid', '2:Tanh']);
  list.pop(0);
  assert.deepEqual([...list.namedChildren()].map(([n, m]) => `${n}:${m.constructor.name}`), ['0:Sigmoid', '1:Tanh']);
  assert.throws(() => list.forward(), /no forward/);
  const dict = new nn.ModuleDict({ b: new nn.ReLU(), a: new nn.Tanh() });
  dict.set('1', new nn.Sigmoid());
  assert.deepEqual(dict.keys(), ['b', 'a', '1']);
  assert.deepEqual([...dict.namedChildren()].map(([n]) => n), ['b', 'a', '1']);
  dict.pop('a');
  assert.deepEqual([...dict.namedChildren()].map(([n]) => n), ['b', '1']);
  seq.dispose();
});

test('parameters survive tidy scopes and dispose() frees them', () => {
  const before = torch.memory().liveTensors;
  const net = torch.tidy(() => new Net());
  assert.ok(!net.getParameter('scale').isDisposed);
  torch.tidy(() => {
    net.forward(torch.randn([2, 1, 4, 4]));
  });
  assert.ok(torch.memory().liveTensors > before);
  net.dispose();
  assert.equal(torch.memory().liveTensors, before);
  // torch.dispose finds a module's tensors
  const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  torch.dispose(lin);
  assert.equal(torch.memory().liveTensors, before);
});

test('BatchNorm with momentum null uses the cumulative average; eval uses running stats', () => {
  const bn = new nn.BatchNorm1d({ numFeatures: 2, momentum: null });
  try {
    torch.tidy(() => {
      const xs = [torch.tensor([[1, 2], [3, 6]]), torch.tensor([[5, 0], [7, 2]])];
      for (const x of xs) bn.forward(x.float());
      // cumulative mean of batch means: ([2, 4] + [6, 1]) / 2
      assert.deepEqual(bn.runningMean!.toArray(), [4, 2.5]);
      assert.equal(bn.numBatchesTracked!.item(), 2);
      bn.eval();
      const y = bn.forward(torch.tensor([[4, 2.5]]));
      assert.ok((y.abs().max().item() as number) < 1e-6);
    });
  } finally {
    bn.dispose();
  }
});

test('a training loop in tidy steps leaves no tensors behind', () => {
  const net = new nn.Sequential(
    new nn.Conv3d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.InstanceNorm3d({ numFeatures: 4, affine: true }),
    new nn.BatchNorm3d({ numFeatures: 4 }),
    new nn.PReLU(),
    new nn.ConvTranspose3d({ inChannels: 4, outChannels: 2, kernelSize: 2, stride: 2 }),
  );
  try {
    const live = torch.memory().liveTensors;
    const x = torch.randn([2, 1, 4, 4, 4]);
    const y = torch.randint(0, 2, [2, 8, 8, 8]);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      losses.push(torch.tidy(() => {
        net.zeroGrad();
        const loss = nn.functional.crossEntropy(net.forward(x), y);
        loss.backward();
        torch.noGrad(() => {
          for (const p of net.parameters()) {
            const g = p.grad!;
            p.sub_(g.mul(0.1));
          }
        });
        return loss.item();
      }));
    }
    assert.ok(losses[4] < losses[0], `loss decreases: ${losses.join(', ')}`);
    x.dispose();
    y.dispose();
    net.zeroGrad();
    assert.equal(torch.memory().liveTensors, live);
    torch.tidy(() => assert.equal((net.getSubmodule('2') as nn.BatchNorm3d).numBatchesTracked!.item(), 5));
  } finally {
    net.dispose();
  }
});

test('shared submodules: parameters once, state-dict keys under every name (as PyTorch)', () => {
  const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  const seq = new nn.Sequential(lin, new nn.ReLU(), lin);
  try {
    assert.deepEqual([...seq.namedParameters()].map(([n]) => n), ['0.weight', '0.bias']);
    assert.deepEqual([...seq.namedModules()].map(([n]) => n), ['', '0', '1']);
    torch.tidy(() => assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']));
    assert.equal(seq.length, 3);
    torch.tidy(() => {
      const x = torch.randn([3, 2]);
      assert.ok(seq.forward(x).equal(lin.forward(lin.forward(x).relu())), 'the shared layer runs twice');
    });
  } finally {
    seq.dispose();
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

test('forward hooks and pre-hooks run around forward() and can be removed', () => {
  const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  try {
    torch.tidy(() => {
      const seen: number[][] = [];
      const h1 = lin.registerForwardPreHook((_m, args) => [(args[0] as torch.Tensor).mul(2)]);
      const h2 = lin.registerForwardHook((_m, _args, out) => {
        seen.push((out as torch.Tensor).shape);
        return (out as torch.Tensor).add(1);
      });
      const x = torch.ones([3, 2]);
      const expected = torch.linear(x.mul(2), lin.weight, { bias: lin.bias }).add(1);
      assert.ok(lin.forward(x).equal(expected));
      assert.deepEqual(seen, [[3, 2]]);
      h1.remove();
      h2.remove();
      assert.ok(lin.forward(x).equal(torch.linear(x, lin.weight, { bias: lin.bias })));
      assert.deepEqual([...lin.namedParameters()].map(([n]) => n), ['weight', 'bias']);
      // a hook inside a Sequential fires when the container calls forward()
      const seq = new nn.Sequential(new nn.ReLU(), lin);
      let calls = 0;
      const h = seq.at(1).registerForwardHook(() => void calls++);
      seq.forward(x);
      assert.equal(calls, 1);
      h.remove();
    });
  } finally {
    lin.dispose();
  }
});

test('dtype and device factory options', () => {
  const conv = new nn.Conv3d({ inChannels: 1, outChannels: 2, kernelSize: 3, dtype: 'float64', device: 'cpu' });
  const bn = new nn.BatchNorm3d({ numFeatures: 2, dtype: 'float64' });
  try {
    assert.equal(conv.weight.dtype, 'float64');
    assert.equal(bn.runningVar!.dtype, 'float64');
    assert.equal(bn.numBatchesTracked!.dtype, 'int64');
    assert.equal(bn.getBuffer('running_mean'), bn.runningMean);
    torch.tidy(() => assert.equal(bn.forward(conv.forward(torch.randn([2, 1, 4, 4, 4], { dtype: 'float64' }))).dtype, 'float64'));
  } finally {
    conv.dispose();
    bn.dispose();
  }
});

test('deepCopy: independent parameters and buffers, same outputs, sharing preserved', () => {
  const net = new Net();
  const copy = net.deepCopy();
  try {
    assert.ok(copy instanceof Net);
    assert.equal(copy.toString(), net.toString());
    assert.notEqual(copy.getParameter('features.0.weight'), net.getParameter('features.0.weight'));
    assert.notEqual(copy.getBuffer('features.1.running_mean'), net.getBuffer('features.1.running_mean'));
    assert.equal([...copy.blocks].length, 2);
    assert.equal([...copy.blocks][0], copy.blocks.at(0));
    assert.notEqual(copy.blocks.at(0), net.blocks.at(0));
    torch.tidy(() => {
      net.eval();
      copy.eval();
      const x = torch.randn([2, 1, 4, 4]);
      assert.ok(copy.forward(x)[0].equal(net.forward(x)[0]));
      torch.noGrad(() => copy.getParameter('scale').fill_(5));
      assert.equal(net.getParameter('scale').item(), 1);
      assert.equal(copy.getParameter('scale').requiresGrad, true);
      const nonPersistent = Object.keys(copy.stateDict());
      assert.ok(!nonPersistent.includes('cache'));
    });
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
    const seq = new nn.Sequential(lin, lin).deepCopy();
    assert.equal(seq.at(0), seq.at(1));
    assert.notEqual(seq.at(0), lin);
    lin.dispose();
    seq.dispose();
  } finally {
    net.dispose();
    copy.dispose();
  }
});

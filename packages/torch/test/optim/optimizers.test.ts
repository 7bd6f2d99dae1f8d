// Optimizer trajectories against PyTorch 1.13 goldens (tools/goldens/optim/make_goldens.py), state
// dicts, resume after 25 steps, zeroGrad and memory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { fixture, LeastSquares, flat, camelOptions, assertClose } from './helpers.js';

const start = torch.memory().liveTensors;
const G = fixture('optimizers.json');
const problem = new LeastSquares(G.problem);
const CLASSES: Record<string, any> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam,
};

function build(cfg: any, w: Tensor, c: Tensor): optim.Optimizer {
  const params = cfg.groups === 1 ? [w, c] : [{ params: [w] }, { params: [c], ...camelOptions(cfg.group2) }];
  return new CLASSES[cfg.optimizer](params, camelOptions(cfg.options));
}

function trainStep(opt: optim.Optimizer, w: Tensor, c: Tensor, neg: boolean): number {
  opt.zeroGrad();
  const loss = problem.loss(w, c, neg);
  loss.backward();
  opt.step();
  const v = loss.item();
  loss.dispose();
  return v;
}

function label(cfg: any): string {
  return `${cfg.optimizer} ${JSON.stringify(cfg.options)}${cfg.groups === 2 ? ' +group ' + JSON.stringify(cfg.group2) : ''}`;
}

/** Golden state-dict values ({tensor, shape, dtype} or plain) against ours. */
function compareState(ours: any, golden: any, what: string): void {
  if (golden !== null && typeof golden === 'object' && 'tensor' in golden) {
    assert.ok(ours instanceof torch.Tensor, `${what}: expected a tensor`);
    assert.deepEqual(ours.shape, golden.shape, `${what}: shape`);
    assert.equal(ours.dtype, golden.dtype, `${what}: dtype`);
    assertClose(torch.tidy(() => ours.reshape([-1]).toArray()), golden.tensor, 1e-10, what);
  } else if (Array.isArray(golden)) {
    assert.ok(Array.isArray(ours), `${what}: expected a list`);
    assert.equal(ours.length, golden.length, `${what}: length`);
    golden.forEach((g: any, i: number) => compareState(ours[i], g, `${what}[${i}]`));
  } else {
    assert.deepEqual(ours, golden, what);
  }
}

for (const cfg of G.configs) {
  test(`${label(cfg)}: 50-step trajectory matches PyTorch, state dict matches at step 25`, () => {
    const [w, c] = problem.params();
    const opt = build(cfg, w, c);
    for (let s = 0; s < G.steps; s++) {
      const loss = trainStep(opt, w, c, cfg.neg);
      assertClose([loss], [cfg.losses[s]], 1e-10, `loss step ${s + 1}`);
      assertClose(flat(w, c), cfg.trajectory[s], 1e-10, `params step ${s + 1}`);
      if (s + 1 === G.resume_at) {
        const sd = opt.stateDict();
        const golden = cfg.state_dict_at_25;
        // param_groups: same keys (snake_case, 'params' last) and values
        assert.equal(sd.param_groups.length, golden.param_groups.length);
        sd.param_groups.forEach((g, i) => {
          assert.deepEqual(Object.keys(g), Object.keys(golden.param_groups[i]), 'param group keys');
          for (const [k, v] of Object.entries(golden.param_groups[i])) compareState(g[k], v, `param_groups[${i}].${k}`);
        });
        assert.deepEqual([...sd.state.keys()].map(String), Object.keys(golden.state));
        for (const [k, st] of Object.entries(golden.state) as [string, any][]) {
          const ours = sd.state.get(Number(k))!;
          assert.deepEqual(Object.keys(ours).sort(), Object.keys(st).sort(), `state[${k}] keys`);
          for (const [key, v] of Object.entries(st)) compareState(ours[key], v, `state[${k}].${key}`);
        }
        torch.dispose(sd);
      }
    }
    opt.dispose();
    torch.dispose([w, c]);
  });
}

for (const cfg of G.configs) {
  test(`${label(cfg)}: resuming from a state dict after 25 steps continues bit-identically`, () => {
    const [w, c] = problem.params();
    const opt = build(cfg, w, c);
    for (let s = 0; s < G.resume_at; s++) trainStep(opt, w, c, cfg.neg);
    const sd = opt.stateDict();
    // a second optimizer over copies of the parameters, built fresh and loaded from the state dict
    const [w2, c2] = torch.tidy(() => [w.detach().clone().requiresGrad_(true), c.detach().clone().requiresGrad_(true)]);
    const opt2 = build(cfg, w2, c2);
    opt2.loadStateDict(sd);
    torch.dispose(sd);
    for (let s = G.resume_at; s < G.steps; s++) {
      trainStep(opt, w, c, cfg.neg);
      trainStep(opt2, w2, c2, cfg.neg);
      const a = flat(w, c);
      const b = flat(w2, c2);
      // NAdam: loading casts the float32 mu_product to the float64 parameters' dtype, exactly as PyTorch's
      // load_state_dict does (every non-'step' tensor follows the parameter), so PyTorch's resumed run
      // differs from its uninterrupted one in the last bits too
      if (cfg.optimizer === 'NAdam') assertClose(b, a, 1e-12, `step ${s + 1}: resumed run`);
      else assert.deepEqual(b, a, `step ${s + 1}: resumed run differs`);
      assertClose(b, cfg.trajectory[s], 1e-10, `resumed params step ${s + 1}`);
    }
    // a state dict round-trips: dumping the loaded optimizer gives the same structure and values
    const sdA = opt.stateDict();
    const sdB = opt2.stateDict();
    assert.deepEqual(sdB.param_groups, sdA.param_groups);
    for (const [k, st] of sdA.state) {
      const other = sdB.state.get(k)!;
      for (const [key, v] of Object.entries(st)) {
        if (v instanceof torch.Tensor && cfg.optimizer === 'NAdam') assertClose(torch.tidy(() => (other[key] as Tensor).reshape([-1]).toArray()), torch.tidy(() => v.reshape([-1]).toArray()), 1e-12, key);
        else if (v instanceof torch.Tensor) assert.deepEqual((other[key] as Tensor).toArray(), v.toArray());
        else assert.equal(other[key], v);
      }
    }
    torch.dispose([sdA, sdB]);
    opt.dispose();
    opt2.dispose();
    torch.dispose([w, c, w2, c2]);
  });
}

test('defaults, options and validation follow PyTorch', () => {
  const p = torch.zeros([2]).requiresGrad_(true);
  const adam = new optim.Adam([p]);
  assert.deepEqual(adam.paramGroups[0].betas, [0.9, 0.999]);
  assert.equal(adam.paramGroups[0].lr, 1e-3);
  assert.equal(new optim.AdamW([p]).paramGroups[0].weightDecay, 1e-2);
  assert.equal(new optim.RMSprop([p]).paramGroups[0].alpha, 0.99);
  const adagrad = new optim.Adagrad([p]);
  assert.equal(adagrad.paramGroups[0].eps, 1e-10);
  assert.equal((adagrad.state.get(p)!.sum as Tensor).dtype, 'float32', 'Adagrad creates its state at construction');
  adagrad.dispose();
  assert.throws(() => new optim.SGD([p]), /required optimization parameter lr/);
  assert.throws(() => new optim.SGD([p], { lr: 0.1, nesterov: true }), /Nesterov/);
  assert.throws(() => new optim.SGD([p], { lr: 0.1, weightDeacy: 0.1 } as any), /did you mean 'weightDecay'/);
  assert.throws(() => new optim.Adam([p], { betas: [1.0, 0.9] }), /beta parameter at index 0/);
  assert.throws(() => new optim.SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 }), /more than one parameter group/);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /empty parameter list/);
  const q = p.mul(2);
  assert.throws(() => new optim.SGD([q], { lr: 0.1 }), /non-leaf/);
  assert.match(new optim.SGD([p], { lr: 0.1 }).toString(), /Parameter Group 0\n    dampening: 0\n/);
  adam.dispose();
  torch.dispose([p, q]);
});

test('zeroGrad zeroes by default and sets to none on request; params without grad are skipped', () => {
  const p = torch.ones([3]).requiresGrad_(true);
  const r = torch.ones([2]).requiresGrad_(true);
  const opt = new optim.SGD([p, r], { lr: 0.5, momentum: 0.9 });
  torch.tidy(() => p.mul(p).sum().backward());
  opt.step();
  assert.deepEqual(p.toArray(), [0, 0, 0]);
  assert.deepEqual(r.toArray(), [1, 1]);
  assert.equal(opt.state.has(r), false);
  opt.zeroGrad();
  torch.tidy(() => assert.deepEqual(p.grad!.toArray(), [0, 0, 0]));
  opt.zeroGrad({ setToNone: true });
  assert.equal(p.grad, null);
  // closure
  const loss = opt.step(() => {
    opt.zeroGrad();
    const l = torch.tidy(() => p.add(1).pow(2).sum());
    l.backward();
    return l;
  });
  assert.equal((loss as Tensor).item(), 3);
  (loss as Tensor).dispose();
  opt.dispose();
  torch.dispose([p, r]);
});

test('loads a state dict with plain-object state keys (as a JSON-ish checkpoint would have them)', () => {
  const p = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.Adam([p], { lr: 0.1 });
  torch.tidy(() => p.pow(2).sum().backward());
  opt.step();
  const sd = opt.stateDict();
  const plain = { state: Object.fromEntries([...sd.state].map(([k, v]) => [String(k), v])), param_groups: sd.param_groups };
  const p2 = torch.tensor([0, 0], { dtype: 'float32', requiresGrad: true });
  const opt2 = new optim.Adam([p2], { lr: 0.5 });
  opt2.loadStateDict(plain);
  assert.equal(opt2.paramGroups[0].lr, 0.1);
  const st = opt2.state.get(p2)!;
  assert.equal((st.exp_avg as Tensor).dtype, 'float32', 'cast to the parameter dtype');
  assert.equal((st.step as Tensor).dtype, 'float32');
  assert.equal((st.step as Tensor).item(), 1);
  assert.throws(() => opt2.loadStateDict({ state: new Map(), param_groups: [] }), /1 parameter groups|0 parameter groups/);
  torch.dispose(sd);
  opt.dispose();
  opt2.dispose();
  torch.dispose([p, p2]);
});

test('step() outside any tidy leaves no tensor behind (a tidy around it would hide a leak)', () => {
  for (const make of [
    (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01, amsgrad: true }),
    (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }),
    (ps: Tensor[]) => new optim.RMSprop(ps, { centered: true, momentum: 0.5 }),
    (ps: Tensor[]) => new optim.Adagrad(ps),
    (ps: Tensor[]) => new optim.NAdam(ps),
    (ps: Tensor[]) => new optim.RAdam(ps),
  ]) {
    const [w, c] = problem.params();
    const opt = make([w, c]);
    for (let s = 0; s < 4; s++) {
      opt.zeroGrad();
      const l = problem.loss(w, c);
      l.backward();
      l.dispose();
      const before = torch.memory().liveTensors;
      opt.step();
      // the first step creates the state; later steps update it in place
      if (s > 0) assert.equal(torch.memory().liveTensors, before, `${opt.constructor.name} step ${s + 1}`);
    }
    opt.dispose();
    torch.dispose([w, c]);
  }
});

test('state survives tidy scopes; a tidy training loop holds a constant number of live tensors', () => {
  for (const make of [
    (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01, amsgrad: true }),
    (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }),
    (ps: Tensor[]) => new optim.RMSprop(ps, { centered: true, momentum: 0.5 }),
    (ps: Tensor[]) => new optim.Adagrad(ps),
  ]) {
    const [w, c] = problem.params();
    const opt = make([w, c]);
    const counts: number[] = [];
    for (let s = 0; s < 5; s++) {
      torch.tidy(() => {
        opt.zeroGrad();
        problem.loss(w, c).backward();
        opt.step();
      });
      counts.push(torch.memory().liveTensors);
    }
    assert.ok(counts.every((n) => n === counts[0]), `live tensors per step: ${counts}`);
    for (const t of opt.tensors()) assert.equal(t.isDisposed, false);
    const n = [...opt.tensors()].length;
    const before = torch.memory().liveTensors;
    opt.dispose();
    assert.equal(torch.memory().liveTensors, before - n, 'dispose() frees the state');
    torch.dispose([w, c]);
  }
});

test("state dicts of other PyTorch versions: numeric 'step' (Adam, < 1.12) and tensor 'step' (RMSprop, >= 2.0) load and continue", () => {
  for (const [make, conv] of [
    [(ps: Tensor[]) => new optim.Adam(ps, { lr: 0.05 }), (v: any) => (v as Tensor).item()],
    [(ps: Tensor[]) => new optim.Adagrad(ps, { lr: 0.05 }), (v: any) => (v as Tensor).item()],
    [(ps: Tensor[]) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.5 }), (v: any) => torch.tensor(v as number, { dtype: 'float32' })],
  ] as const) {
    const [w, c] = problem.params();
    const a = make([w, c]);
    const run = (o: optim.Optimizer, x: Tensor, y: Tensor) => torch.tidy(() => {
      o.zeroGrad();
      problem.loss(x, y).backward();
      o.step();
    });
    for (let s = 0; s < 3; s++) run(a, w, c);
    const sd = a.stateDict();
    const converted: Tensor[] = [];
    for (const st of sd.state.values()) {
      const old = st.step;
      st.step = conv(old);
      if (st.step instanceof torch.Tensor) converted.push(st.step);
      if (old instanceof torch.Tensor) old.dispose();
    }
    const [w2, c2] = torch.tidy(() => [w.detach().clone().requiresGrad_(true), c.detach().clone().requiresGrad_(true)]);
    const b = make([w2, c2]);
    b.loadStateDict(sd);
    torch.dispose([sd, converted]);
    for (let s = 0; s < 3; s++) {
      run(a, w, c);
      run(b, w2, c2);
    }
    assert.deepEqual(flat(w2, c2), flat(w, c));
    a.dispose();
    b.dispose();
    torch.dispose([w, c, w2, c2]);
  }
});

after(() => {
  problem.dispose();
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

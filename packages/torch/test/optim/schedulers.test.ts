// LR scheduler sequences against PyTorch 1.13 goldens (tools/goldens/optim/make_goldens.py), state
// dicts and resume after 25 steps.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { fixture, LeastSquares, flat, camelOptions, assertClose } from './helpers.js';

const { lrScheduler } = optim;
const start = torch.memory().liveTensors;
const G = fixture('schedulers.json');
const problem = new LeastSquares(G.problem);

const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  inv: (e) => 1.0 / (1 + e),
  pow09: (e) => 0.9 ** e,
  warmup: (e) => Math.min(1.0, (e + 1) / 10.0),
};

// PyTorch names that are not mechanical camelCase
const RENAME: Record<string, string> = { T_max: 'tMax', T_0: 't0', T_mult: 'tMult' };

function options(cfg: any, opt?: optim.Optimizer): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg.options as Record<string, unknown>)) {
    if (k === 'schedulers') o.schedulers = (v as [string, any][]).map(([n, co]) => new (lrScheduler as any)[n](opt, options({ options: co })));
    else if (k === 'lr_lambda') o.lrLambda = Array.isArray(v) ? v.map((n) => LAMBDAS[n as string]) : LAMBDAS[v as string];
    else if (RENAME[k]) o[RENAME[k]] = v;
    else Object.assign(o, camelOptions({ [k]: v }));
  }
  return o;
}

function setup(cfg: any, w: Tensor, c: Tensor) {
  const groups = [{ params: [w], lr: 0.1 }, { params: [c], lr: 0.01 }];
  const opt = cfg.optimizer === 'SGD' ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups, { lr: 0.1 });
  const o = options(cfg, opt);
  const sched =
    cfg.scheduler === 'ChainedScheduler' ? new lrScheduler.ChainedScheduler(o.schedulers as any) : new (lrScheduler as any)[cfg.scheduler](opt, o);
  return { opt, sched };
}

function metric(i: number, mode: string): number {
  const v = 1.0 / (1 + 0.3 * i) + 0.05 * Math.sin(1.7 * i);
  return mode === 'min' ? v : -v;
}

function epoch(cfg: any, opt: optim.Optimizer, sched: any, w: Tensor, c: Tensor, s: number): void {
  opt.zeroGrad();
  const loss = problem.loss(w, c);
  loss.backward();
  loss.dispose();
  opt.step();
  if (cfg.scheduler === 'ReduceLROnPlateau') sched.step(metric(s, cfg.options.mode));
  else sched.step();
}

function momenta(cfg: any, opt: optim.Optimizer): number[] {
  return opt.paramGroups.map((g) => (cfg.optimizer === 'SGD' ? g.momentum : g.betas[0]));
}

function decode(v: any): any {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
}

function plain(v: any): any {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function closeDeep(a: any, e: any, what: string): void {
  if (typeof e === 'number') assertClose([a], [e], 1e-12, what);
  else if (Array.isArray(e)) {
    assert.equal(a.length, e.length, what);
    e.forEach((x, i) => closeDeep(a[i], x, `${what}[${i}]`));
  } else if (e !== null && typeof e === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), what);
    for (const k of Object.keys(e)) closeDeep(a[k], e[k], `${what}.${k}`);
  } else assert.equal(a, e, what);
}

for (const cfg of G.configs) {
  const name = `${cfg.scheduler} ${JSON.stringify(cfg.options)} on ${cfg.optimizer}`;
  test(`${name}: 50-step lr sequence matches PyTorch`, () => {
    const [w, c] = problem.params();
    const { opt, sched } = setup(cfg, w, c);
    assertClose(opt.paramGroups.map((g) => g.lr), cfg.initial_lr, 1e-12, 'initial lr');
    for (let s = 0; s < G.steps; s++) {
      epoch(cfg, opt, sched, w, c, s);
      assertClose(sched.getLastLr(), cfg.lrs[s], 1e-10, `lr step ${s + 1}`);
      assertClose(opt.paramGroups.map((g) => g.lr), cfg.lrs[s], 1e-10, `group lr step ${s + 1}`);
      assertClose(momenta(cfg, opt), cfg.momentum[s], 1e-10, `momentum step ${s + 1}`);
      if (s + 1 === G.resume_at) {
        // same state-dict keys and values as PyTorch's (OneCycleLR: anneal_strategy instead of the bound anneal_func)
        const golden = decode(cfg.state_dict_at_25);
        if ('anneal_func' in golden) {
          delete golden.anneal_func;
          golden.anneal_strategy = cfg.options.anneal_strategy ?? 'cos';
        }
        // CyclicLR: PyTorch keeps its scale function (a weak method or a callable) instead of only the mode
        delete golden._scale_fn_ref;
        delete golden._scale_fn_custom;
        closeDeep(plain(sched.stateDict()), golden, 'state_dict');
      }
    }
    assertClose(flat(w, c), cfg.trajectory_end, 1e-10, 'parameters after 50 steps');
    opt.dispose();
    torch.dispose([w, c]);
  });

  test(`${name}: resuming optimizer + scheduler from state dicts after 25 steps continues identically`, () => {
    const [w, c] = problem.params();
    const a = setup(cfg, w, c);
    for (let s = 0; s < G.resume_at; s++) epoch(cfg, a.opt, a.sched, w, c, s);
    const optSd = a.opt.stateDict();
    const schedSd = a.sched.stateDict();
    const [w2, c2] = torch.tidy(() => [w.detach().clone().requiresGrad_(true), c.detach().clone().requiresGrad_(true)]);
    const b = setup(cfg, w2, c2);
    b.opt.loadStateDict(optSd);
    b.sched.loadStateDict(schedSd);
    torch.dispose(optSd);
    for (let s = G.resume_at; s < G.steps; s++) {
      epoch(cfg, a.opt, a.sched, w, c, s);
      epoch(cfg, b.opt, b.sched, w2, c2, s);
      assert.deepEqual(b.sched.getLastLr(), a.sched.getLastLr(), `lr step ${s + 1}`);
      assert.deepEqual(flat(w2, c2), flat(w, c), `params step ${s + 1}`);
      assertClose(b.sched.getLastLr(), cfg.lrs[s], 1e-10, `resumed lr step ${s + 1}`);
    }
    a.opt.dispose();
    b.opt.dispose();
    torch.dispose([w, c, w2, c2]);
  });
}

test('step(epoch) uses the closed forms; validation errors', () => {
  const p = torch.zeros([1]).requiresGrad_(true);
  const opt = new optim.SGD([p], { lr: 1 });
  const s = new lrScheduler.StepLR(opt, { stepSize: 3, gamma: 0.5 });
  s.step(7);
  assert.deepEqual(s.getLastLr(), [0.25]);
  const m = new lrScheduler.MultiStepLR(opt, { milestones: [2, 4, 4], gamma: 0.1, lastEpoch: 0 });
  m.step(5);
  assertClose(m.getLastLr(), [1e-3], 1e-12, 'multistep closed form');
  const w = new lrScheduler.CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
  w.step(2.5);
  assert.equal(w.tI, 4);
  assert.equal(w.tCur, 0.5);
  assert.throws(() => new lrScheduler.StepLR(opt, { stepSize: 3, gama: 0.5 } as any), /did you mean 'gamma'/);
  assert.throws(() => new lrScheduler.CosineAnnealingWarmRestarts(opt, { t0: 0 }), /positive integer t0/);
  assert.throws(() => new lrScheduler.ReduceLROnPlateau(opt, { factor: 1.5 }), /factor should be < 1.0/);
  const o = new optim.SGD([p], { lr: 1 });
  const one = new lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 2 });
  one.step();
  one.step();
  assert.throws(() => one.step(), /Tried to step 4 times/);
  assert.throws(() => new lrScheduler.StepLR(new optim.SGD([p], { lr: 1 }), { stepSize: 1, lastEpoch: 3 }), /initial_lr/);
  const plateau = new lrScheduler.ReduceLROnPlateau(o, { patience: 0 });
  const metricT = torch.tensor(1.5);
  plateau.step(metricT);
  metricT.dispose();
  assert.equal(plateau.best, 1.5);
  p.dispose();
});

after(() => {
  problem.dispose();
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

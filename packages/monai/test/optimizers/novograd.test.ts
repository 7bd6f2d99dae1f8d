// Novograd against MONAI 1.4.0 (tools/goldens/optimizers/make_novograd.py): 50-step trajectories for
// 9 option combinations at 1e-6 (rtol and atol), MONAI's state dicts saved by torch.save resumed here,
// and state dicts in PyTorch's structure.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Novograd } from '../../src/optimizers/index.js';
import { ROOT, assertClose, readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const G = readGolden('optimizers/novograd.json');
const TOL = { rtol: 1e-6, atol: 1e-6 };
const saved = torch.load(path.join(ROOT, 'tools/goldens/optimizers/novograd_resume_25.pt')) as Record<string, any>;

class Problem {
  readonly A: Tensor;
  readonly b: Tensor;
  constructor(readonly dtype: 'float32' | 'float64') {
    const p = G.problem;
    this.A = torch.tidy(() => torch.tensor(p.A, { dtype: 'float64' }).reshape(p.A_shape).to({ dtype }));
    this.b = torch.tidy(() => torch.tensor(p.b, { dtype: 'float64' }).to({ dtype }));
  }
  params(from?: number[]): [Tensor, Tensor] {
    const v = from ?? [...G.problem.w0, ...G.problem.c0];
    return torch.tidy(() => [
      torch.tensor(v.slice(0, 4), { dtype: 'float64' }).to({ dtype: this.dtype }).requiresGrad_(true),
      torch.tensor(v.slice(4), { dtype: 'float64' }).to({ dtype: this.dtype }).requiresGrad_(true),
    ]);
  }
  backward(w: Tensor, c: Tensor): void {
    torch.tidy(() => this.A.matmul(w).add(c).sub(this.b).pow(2).mean().add(w.pow(4).sum().mul(0.01)).backward());
  }
  dispose(): void {
    torch.dispose([this.A, this.b]);
  }
}

function paramsFor(cfg: any, w: Tensor, c: Tensor): any {
  return cfg.groups ? [{ params: [w], ...cfg.groups[0] }, { params: [c], ...cfg.groups[1] }] : [w, c];
}

function flat(w: Tensor, c: Tensor): number[] {
  return [...values(w), ...values(c)];
}

G.configs.forEach((cfg: any, i: number) => {
  const label = `${JSON.stringify(cfg.options)}${cfg.groups ? ' groups ' + JSON.stringify(cfg.groups) : ''} ${cfg.dtype}`;
  test(`Novograd ${label}: 50 steps match MONAI`, () => {
    const pr = new Problem(cfg.dtype);
    const [w, c] = pr.params();
    const opt = new Novograd(paramsFor(cfg, w, c), cfg.options);
    for (let s = 0; s < G.steps; s++) {
      opt.zeroGrad();
      pr.backward(w, c);
      opt.step();
      assertClose(flat(w, c), cfg.trajectory[s], TOL, `step ${s + 1}`);
    }
    // step() rewrites .grad in place, as MONAI's does
    const [gw, gc] = [w.grad!, c.grad!];
    assertClose(flat(gw, gc), cfg.final_grad, TOL, 'final .grad');
    [w, c].forEach((p, k) => {
      const st = opt.state.get(p)!;
      const want = cfg.final_state[k];
      assert.equal(st.step, want.step);
      assert.deepEqual(Object.keys(st).sort(), Object.keys(want).sort());
      for (const key of ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']) if (key in want) assertClose(values(st[key] as Tensor), want[key], TOL, key);
    });
    torch.dispose([gw, gc, w, c]);
    opt.dispose();
    pr.dispose();
  });

  test(`Novograd ${label}: MONAI's state dict after 25 steps (torch.save) resumes its trajectory`, () => {
    const pr = new Problem(cfg.dtype);
    const [w, c] = pr.params(cfg.trajectory[G.resume_at - 1]);
    const opt = new Novograd(paramsFor({ groups: cfg.groups ? [{}, {}] : null }, w, c), { lr: 123 });
    opt.loadStateDict(saved[`optimizer_${i}`]);
    for (let s = G.resume_at; s < G.steps; s++) {
      opt.zeroGrad();
      pr.backward(w, c);
      opt.step();
      assertClose(flat(w, c), cfg.trajectory[s], TOL, `step ${s + 1}`);
    }
    torch.dispose([w, c]);
    opt.dispose();
    pr.dispose();
  });
});

test("Novograd.stateDict has PyTorch's structure (int step, 0-dim float32 exp_avg_sq, snake_case group keys)", () => {
  const pr = new Problem('float64');
  const [w, c] = pr.params();
  const opt = new Novograd([w, c], { lr: 0.05, amsgrad: true, gradAveraging: true });
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    pr.backward(w, c);
    opt.step();
  }
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.param_groups[0]).sort(), ['amsgrad', 'betas', 'eps', 'grad_averaging', 'lr', 'params', 'weight_decay']);
  assert.deepEqual(sd.param_groups[0].params, [0, 1]);
  assert.deepEqual(sd.param_groups[0].betas, [0.9, 0.98]);
  const s0 = sd.state.get(0)!;
  assert.equal(s0.step, 3);
  const sq = s0.exp_avg_sq as Tensor;
  assert.deepEqual([sq.shape, sq.dtype], [[], 'float32']);
  assert.deepEqual((s0.exp_avg as Tensor).shape, [4]);
  assert.deepEqual((s0.max_exp_avg_sq as Tensor).shape, []);
  // a state dict from here loads into a fresh optimizer, which then steps exactly as the original
  const [w2, c2] = torch.tidy(() => [w.detach().clone().requiresGrad_(true), c.detach().clone().requiresGrad_(true)]);
  const opt2 = new Novograd([w2, c2]);
  opt2.loadStateDict(sd);
  torch.dispose(sd);
  assert.equal(opt2.paramGroups[0].gradAveraging, true);
  for (const [o, a, b] of [[opt, w, c], [opt2, w2, c2]] as const) {
    o.zeroGrad();
    pr.backward(a, b);
    o.step();
  }
  // loading casts exp_avg_sq to the parameters' float64 (as PyTorch's load_state_dict does), so the
  // reloaded optimizer's denominator is no longer rounded to float32
  assertClose(flat(w2, c2), flat(w, c), { rtol: 1e-9, atol: 0 }, 'same step after reload');
  torch.dispose([w, c, w2, c2]);
  opt.dispose();
  opt2.dispose();
  pr.dispose();
});

test('Novograd: bad options are errors naming the option', () => {
  const p = torch.zeros([2]).requiresGrad_(true);
  assert.throws(() => new Novograd([p], { lr: -1 }), /Novograd: invalid learning rate \(lr\): -1/);
  assert.throws(() => new Novograd([p], { eps: -1 }), /Novograd: invalid epsilon value \(eps\)/);
  assert.throws(() => new Novograd([p], { betas: [1, 0.9] }), /Novograd: invalid beta parameter at index 0/);
  assert.throws(() => new Novograd([p], { betas: [0.9, -0.1] }), /Novograd: invalid beta parameter at index 1/);
  assert.throws(() => new Novograd([p], { weightDecay: -0.1 }), /Novograd: invalid weightDecay value/);
  assert.throws(() => new Novograd([p], { gradAverage: true } as any), /Novograd: unknown option 'gradAverage' \(did you mean 'gradAveraging'\?\)/);
  const q = torch.zeros([2], { dtype: 'int64' });
  assert.throws(() => new Novograd([q]), /Novograd: parameters must be floating point, found int64/);
  torch.dispose([p, q]);
});

test('Novograd skips parameters without a gradient and leaves them without state', () => {
  const a = torch.ones([3]).requiresGrad_(true);
  const b = torch.ones([3]).requiresGrad_(true);
  const opt = new Novograd([a, b], { lr: 0.1 });
  torch.tidy(() => a.mul(2).sum().backward());
  opt.step();
  assert.equal(opt.state.has(b), false);
  // grad 2 per element: normalised by the layer norm sqrt(12), then one step of lr 0.1
  assertClose(values(a), Array(3).fill(Math.fround(1 - 0.1 * (2 / Math.sqrt(12)))), { rtol: 1e-6, atol: 0 }, 'a after one step');
  assertClose(values(b), [1, 1, 1], { rtol: 0, atol: 0 }, 'b untouched');
  torch.dispose([a, b]);
  opt.dispose();
});

after(() => {
  torch.dispose(saved);
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

// State dicts saved by PyTorch 1.13 (torch.save, fixtures/optim/resume_25.pt) load into the
// TypeScript optimizers, schedulers and GradScaler, which then continue PyTorch's trajectories.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { GradScaler } from '../../src/amp/index.js';
import { load } from '../../src/serialization/index.js';
import { fixture, LeastSquares, flat, camelOptions, assertClose } from './helpers.js';

const start = torch.memory().liveTensors;
const OPT = fixture('optimizers.json');
const SCHED = fixture('schedulers.json');
const SCALER = fixture('grad_scaler.json');
const problem = new LeastSquares(OPT.problem);
const saved = load(fileURLToPath(new URL('../fixtures/optim/resume_25.pt', import.meta.url))) as Record<string, any>;
const CLASSES: Record<string, any> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam,
};

OPT.configs.forEach((cfg: any, i: number) => {
  test(`PyTorch's ${cfg.optimizer} state dict (config ${i}) after 25 steps resumes PyTorch's trajectory`, () => {
    const at25 = cfg.trajectory[OPT.resume_at - 1];
    const w = torch.tensor(at25.slice(0, 4), { dtype: 'float64' }).requiresGrad_(true);
    const c = torch.tensor(at25.slice(4), { dtype: 'float64' }).requiresGrad_(true);
    // built with other hyperparameters on purpose: the state dict's param_groups replace them
    const params = cfg.groups === 1 ? [w, c] : [{ params: [w] }, { params: [c] }];
    const opt: optim.Optimizer = new CLASSES[cfg.optimizer](params, { lr: 123 });
    opt.loadStateDict(saved[`optimizer_${i}`]);
    if (cfg.options.lr !== undefined) assert.equal(opt.paramGroups[0].lr, cfg.options.lr);
    for (let s = OPT.resume_at; s < OPT.steps; s++) {
      opt.zeroGrad();
      const loss = problem.loss(w, c, cfg.neg);
      loss.backward();
      loss.dispose();
      opt.step();
      assertClose(flat(w, c), cfg.trajectory[s], 1e-10, `params step ${s + 1}`);
    }
    opt.dispose();
    torch.dispose([w, c]);
  });
});

const SCHEDULERS: Record<string, any> = optim.lrScheduler;
const RENAME: Record<string, string> = { T_max: 'tMax', T_0: 't0', T_mult: 'tMult' };
// The schedulers whose PyTorch state dicts make_goldens.py saves into resume_25.pt.
const SAVED = new Set(['StepLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'PolynomialLR', 'ReduceLROnPlateau']);
SCHED.configs.forEach((cfg: any, i: number) => {
  if (!SAVED.has(cfg.scheduler)) return;
  test(`PyTorch's ${cfg.scheduler} state dict (config ${i}) after 25 steps continues PyTorch's lr sequence`, () => {
    const entry = saved[`scheduler_${i}`];
    assert.ok(entry, `resume_25.pt has no scheduler_${i} (${cfg.scheduler}): regenerate with tools/goldens/optim/make_goldens.py`);
    const [w, c] = problem.params();
    const groups = [{ params: [w], lr: 0.1 }, { params: [c], lr: 0.01 }];
    const opt = cfg.optimizer === 'SGD' ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups, { lr: 0.1 });
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(cfg.options as Record<string, unknown>)) {
      if (RENAME[k]) options[RENAME[k]] = v;
      else Object.assign(options, camelOptions({ [k]: v }));
    }
    const sched = new SCHEDULERS[cfg.scheduler](opt, options);
    opt.loadStateDict(entry.optimizer);
    sched.loadStateDict(entry.scheduler);
    for (let s = SCHED.resume_at; s < SCHED.steps; s++) {
      opt.zeroGrad();
      const loss = problem.loss(w, c);
      loss.backward();
      loss.dispose();
      opt.step();
      if (cfg.scheduler === 'ReduceLROnPlateau') {
        const v = 1.0 / (1 + 0.3 * s) + 0.05 * Math.sin(1.7 * s);
        sched.step(cfg.options.mode === 'min' ? v : -v);
      } else sched.step();
      assertClose(sched.getLastLr(), cfg.lrs[s], 1e-10, `lr step ${s + 1}`);
    }
    opt.dispose();
    torch.dispose([w, c]);
  });
});

test("PyTorch's GradScaler state dicts load", () => {
  SCALER.runs.forEach((run: any, i: number) => {
    const s = new GradScaler();
    s.loadStateDict(saved[`scaler_${i}`]);
    const last = run.steps[run.steps.length - 1];
    assert.equal(s.getScale(), last.scale);
    assert.equal(s.getGrowthTracker(), last.growth_tracker);
    assert.deepEqual(s.stateDict(), run.state_dict);
  });
});

after(() => {
  torch.dispose(saved);
  problem.dispose();
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

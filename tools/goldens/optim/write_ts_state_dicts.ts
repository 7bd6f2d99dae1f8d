// Writes the TypeScript optimizers' / schedulers' / GradScaler's state dicts after 25 steps of the
// golden problems to a .pt file, for check_ts_state_dicts.py to load in PyTorch 1.13 with
// weights_only=True and continue from.
//   npx tsx tools/goldens/optim/write_ts_state_dicts.ts /tmp/ts_state_25.pt
import * as torch from '../../../packages/torch/src/index.js';
import * as optim from '../../../packages/torch/src/optim/index.js';
import { GradScaler } from '../../../packages/torch/src/amp/index.js';
import { save } from '../../../packages/torch/src/serialization/index.js';
import { fixture, LeastSquares, camelOptions } from '../../../packages/torch/test/optim/helpers.js';

const out = process.argv[2] ?? '/tmp/ts_state_25.pt';
const OPT = fixture('optimizers.json');
const SCHED = fixture('schedulers.json');
const problem = new LeastSquares(OPT.problem);
const CLASSES: Record<string, any> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam,
};
const RENAME: Record<string, string> = { T_max: 'tMax', T_0: 't0', T_mult: 'tMult' };
const LAMBDAS: Record<string, (e: number) => number> = { pow095: (e) => 0.95 ** e, pow09: (e) => 0.9 ** e, inv: (e) => 1 / (1 + e), warmup: (e) => Math.min(1, (e + 1) / 10) };

const result: Record<string, unknown> = {};
torch.tidy(() => {
  OPT.configs.forEach((cfg: any, i: number) => {
    const [w, c] = problem.params();
    const params = cfg.groups === 1 ? [w, c] : [{ params: [w] }, { params: [c], ...camelOptions(cfg.group2) }];
    const opt: optim.Optimizer = new CLASSES[cfg.optimizer](params, camelOptions(cfg.options));
    for (let s = 0; s < OPT.resume_at; s++) {
      opt.zeroGrad();
      problem.loss(w, c, cfg.neg).backward();
      opt.step();
    }
    result[`optimizer_${i}`] = opt.stateDict();
  });
  SCHED.configs.forEach((cfg: any, i: number) => {
    const [w, c] = problem.params();
    const groups = [{ params: [w], lr: 0.1 }, { params: [c], lr: 0.01 }];
    const opt = cfg.optimizer === 'SGD' ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups, { lr: 0.1 });
    const options = (co: Record<string, unknown>): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(co)) {
      if (k === 'schedulers') o.schedulers = (v as [string, any][]).map(([n, x]) => new (optim.lrScheduler as any)[n](opt, options(x)));
      else if (k === 'lr_lambda') o.lrLambda = Array.isArray(v) ? v.map((n) => LAMBDAS[n as string]) : LAMBDAS[v as string];
      else if (RENAME[k]) o[RENAME[k]] = v;
      else Object.assign(o, camelOptions({ [k]: v }));
    }
    return o;
    };
    const o = options(cfg.options);
    const sched =
      cfg.scheduler === 'ChainedScheduler' ? new optim.lrScheduler.ChainedScheduler(o.schedulers as any) : new (optim.lrScheduler as any)[cfg.scheduler](opt, o);
    for (let s = 0; s < SCHED.resume_at; s++) {
      opt.zeroGrad();
      problem.loss(w, c).backward();
      opt.step();
      if (cfg.scheduler === 'ReduceLROnPlateau') {
        const v = 1.0 / (1 + 0.3 * s) + 0.05 * Math.sin(1.7 * s);
        sched.step(cfg.options.mode === 'min' ? v : -v);
      } else sched.step();
    }
    result[`scheduler_${i}`] = { optimizer: opt.stateDict(), scheduler: sched.stateDict() };
  });
  const scaler = new GradScaler({ initScale: 1024, growthInterval: 3 });
  scaler.scale(torch.ones([1]));
  result.scaler = scaler.stateDict();
  save(result, out);
});
problem.dispose();
console.log(`wrote ${out}`);

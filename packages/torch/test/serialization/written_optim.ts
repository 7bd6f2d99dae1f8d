// The optimizer / scheduler / GradScaler state dicts of the optim goldens after 25 steps: written by
// tools/goldens/optim/write_ts_state_dicts.ts for PyTorch to load and continue from, and written
// again by written_golden.test.ts, which compares the bytes with the file PyTorch checked.
import * as torch from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { GradScaler } from '../../src/amp/index.js';
import { fixture, LeastSquares, camelOptions } from '../optim/helpers.js';

const OPT = fixture('optimizers.json');
const SCHED = fixture('schedulers.json');
const CLASSES: Record<string, any> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam,
};
const RENAME: Record<string, string> = { T_max: 'tMax', T_0: 't0', T_mult: 'tMult' };
const LAMBDAS: Record<string, (e: number) => number> = { pow095: (e) => 0.95 ** e, pow09: (e) => 0.9 ** e, inv: (e) => 1 / (1 + e), warmup: (e) => Math.min(1, (e + 1) / 10) };

/**
 * State dicts of every golden optimizer / scheduler configuration after 25 steps, and of a
 * GradScaler. Call inside torch.tidy; `problem` is the golden least-squares problem.
 */
export function optimStateDicts(problem: LeastSquares): { stateDicts: Record<string, unknown>; release(): void } {
  const result: Record<string, unknown> = {};
  const owners: { dispose(): void }[] = []; // optimizers and the scaler keep their tensors out of tidy
  OPT.configs.forEach((cfg: any, i: number) => {
    const [w, c] = problem.params();
    const params = cfg.groups === 1 ? [w, c] : [{ params: [w] }, { params: [c], ...camelOptions(cfg.group2) }];
    const opt: optim.Optimizer = new CLASSES[cfg.optimizer](params, camelOptions(cfg.options));
    owners.push(opt);
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
    owners.push(opt);
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
  owners.push(scaler);
  scaler.scale(torch.ones([1]));
  result.scaler = scaler.stateDict();
  return { stateDicts: result, release: () => owners.forEach((o) => o.dispose()) };
}

export const OPTIM_PROBLEM = () => new LeastSquares(fixture('optimizers.json').problem);

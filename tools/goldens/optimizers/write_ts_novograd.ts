// Runs monai-ts's Novograd for 25 steps on each golden configuration of make_novograd.py and writes
// the state dicts with torch.save, for check_ts_novograd.py to load into MONAI's Novograd and continue.
//   node --conditions=source --import tsx tools/goldens/optimizers/write_ts_novograd.ts /tmp/ts_novograd_25.pt
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Novograd } from '../../../packages/monai/src/optimizers/index.js';

const out = process.argv[2] ?? '/tmp/ts_novograd_25.pt';
const G = JSON.parse(readFileSync(new URL('./novograd.json', import.meta.url), 'utf8'));
const all: Record<string, unknown> = {};
const keepAlive: unknown[] = [];
G.configs.forEach((cfg: any, i: number) => {
  const dt = cfg.dtype as 'float32' | 'float64';
  const A = torch.tidy(() => torch.tensor(G.problem.A, { dtype: 'float64' }).reshape(G.problem.A_shape).to({ dtype: dt }));
  const b = torch.tidy(() => torch.tensor(G.problem.b, { dtype: 'float64' }).to({ dtype: dt }));
  const w = torch.tidy(() => torch.tensor(G.problem.w0, { dtype: 'float64' }).to({ dtype: dt }).requiresGrad_(true));
  const c = torch.tidy(() => torch.tensor(G.problem.c0, { dtype: 'float64' }).to({ dtype: dt }).requiresGrad_(true));
  const params = cfg.groups ? [{ params: [w], ...cfg.groups[0] }, { params: [c], ...cfg.groups[1] }] : [w, c];
  const opt = new Novograd(params as any, cfg.options);
  for (let s = 0; s < G.resume_at; s++) {
    opt.zeroGrad();
    torch.tidy(() => A.matmul(w).add(c).sub(b).pow(2).mean().add(w.pow(4).sum().mul(0.01)).backward());
    opt.step();
  }
  all[`optimizer_${i}`] = opt.stateDict();
  keepAlive.push(opt, A, b, w, c);
});
torch.save(all, out);
console.log(`wrote ${out}`);

// Two per-epoch costs of the spleen recipe against MONAI 1.4 in /usr/bin/python3 (recipe_ops.py), same
// thread count, one run: a Novograd step over the recipe UNet's parameters (random gradients; ours is one
// native call per parameter group) and argmax over the channels of a validation-sized [1, 2, 61, 49, 50]
// output (ours runs as max's indices). Median ms of BENCH_REPS (default 20) after 3 warm-ups; ratio
// ours/MONAI. Prints one JSON line.
// Run: node --conditions=source --import tsx bench/flagship/recipe_ops.ts
import * as torch from '@monai-ts/torch';
import { DEFAULT_SPLEEN_CONFIG, validateSpleenConfig } from '../../packages/monai/src/apps/spleen/config.js';
import { buildSpleenUNet } from '../../packages/monai/src/apps/spleen/network.js';
import { Novograd } from '../../packages/monai/src/optimizers/novograd.js';
import { benchSettings, ratio, round, runPython, timeReps } from '../harness.js';

const s = benchSettings({ reps: 20 });
const net = buildSpleenUNet(validateSpleenConfig({ ...DEFAULT_SPLEEN_CONFIG, data: '.' }, 'bench'));
const params = [...net.parameters()];
for (const p of params) p.grad = torch.keep(torch.randnLike(p).mul_(0.01));
const opt = new Novograd(params, { lr: 2e-3 });
const logits = torch.rand([1, 2, 61, 49, 50]);
const novograd = timeReps(s, () => opt.step(), s.reps, 3).median;
const argmax = timeReps(s, () => logits.argmax({ dim: 1, keepdim: true }).dispose(), s.reps, 3).median;
const py = runPython<{ params: number; novograd: number; argmax: number }>(new URL('./recipe_ops.py', import.meta.url), [s.threads, s.reps], { monai: true });
console.log(JSON.stringify({
  bench: 'flagship.recipe_ops', unit: s.unit, threads: s.threads, reps: s.reps, params: params.length, monaiParams: py?.params ?? null,
  novograd: { ours: round(novograd, 2), monai: round(py?.novograd, 2), ratio: ratio(novograd, py?.novograd) },
  argmax: { ours: round(argmax, 2), monai: round(py?.argmax, 2), ratio: ratio(argmax, py?.argmax) },
}));
logits.dispose();
opt.dispose();
for (const p of params) p.grad = null;
net.dispose();

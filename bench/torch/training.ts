// One training step of examples/tiny_unet.ts's TinyUNet3d (conv, batch norm, ReLU, strided and
// transposed convs, skip connections; batch 2 of 1x64x64x64, cross entropy, Adam), here and in
// Python torch (bench/torch/training.py) at the same thread count. Median of 7 steps after 2 warm-up,
// best of two alternating rounds per side. Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { TinyUNet3d } from '../../examples/tiny_unet.js';

const threads = Number(process.env.BENCH_THREADS ?? torch.config().hardwareConcurrency);
torch.setNumThreads(threads);

function ours(): number {
  torch.manualSeed(0);
  const model = new TinyUNet3d();
  const opt = new torch.optim.Adam([...model.parameters()], { lr: 1e-3 });
  const x = torch.randn([2, 1, 64, 64, 64]);
  const y = torch.tidy(() => x.gt(0.5).long().squeeze(1));
  const lossFn = new torch.nn.CrossEntropyLoss();
  const step = () =>
    torch.tidy(() => {
      opt.zeroGrad();
      lossFn.forward(model.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < 2; i++) step();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  torch.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return times.sort((a, b) => a - b)[3];
}

const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./training.py', import.meta.url));
let best = Infinity;
let py = Infinity;
for (let round = 0; round < 2; round++) {
  best = Math.min(best, ours());
  const r = spawnSync(python, [script, String(threads)], { encoding: 'utf8' });
  if (r.status === 0) py = Math.min(py, JSON.parse(r.stdout.trim().split('\n').pop()!).value);
}
console.log(JSON.stringify({
  bench: 'torch.unet3d_train_step', unit: 'ms', threads, ours: +best.toFixed(2),
  python: Number.isFinite(py) ? +py.toFixed(2) : null, ratio: Number.isFinite(py) ? +(best / py).toFixed(3) : null,
}));

// One training step of MONAI's spleen-segmentation UNet (spatialDims 3, 1 -> 2 channels, channels
// 16-256, strides 2, 2 residual units, batch norm; batch 2x1x96^3, DiceLoss(toOnehotY, softmax),
// Adam) here and in MONAI on Python torch (bench/networks/unet_step.py) at the same thread count
// (BENCH_THREADS, default 2). One warm-up step, then the median of BENCH_STEPS (default 3) steps;
// ours and Python's alternate BENCH_ROUNDS times (default 2), best per side. BENCH_CLOCK=cpu times
// by process CPU time (steadier on a shared machine). MONAI's source is found through
// MONAI_SRC (default /work/pysrc/monai). Prints one JSON line.
//
// Measured 2026-12-03 on the shared 2-core VM (load average 11-19, so single runs vary by +-15%):
// CPU clock ours 4887 ms vs MONAI 5438 ms (0.90), wall 23.1 s vs 24.4 s (0.94); an earlier CPU-clock
// run gave 1.07. Both sides run the same libtorch 1.13 kernels; PyTorch's profile of MONAI's step:
// convolution_backward 46%, mkldnn_convolution 15%, slow_conv_transpose3d 6% (+ its backward),
// prelu_backward 6-8%, batch norm 7%, Adam ~5%. Tried and slower: channels-last 3-D layout,
// transposed convs as 8 polyphase mkldnn convs (2.5-5x slower), THNN instead of mkldnn for the
// 2-channel convs, im2col/1x1 for them (5x slower). Libtorch 1.13 has no mkldnn transposed conv.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { UNet } from '../../packages/monai/src/networks/nets/unet.js';
import { benchSettings, pythonEnv } from '../harness.js';

const { threads, cpuClock, now } = benchSettings();
const steps = Number(process.env.BENCH_STEPS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

type Loss = { forward(input: Tensor, target: Tensor): Tensor };

/** MONAI's DiceLoss(toOnehotY, softmax) from losses/dice.ts when present, else the same soft Dice inline. */
async function diceLoss(): Promise<{ loss: Loss; source: string }> {
  const file = new URL('../../packages/monai/src/losses/dice.ts', import.meta.url);
  if (existsSync(fileURLToPath(file))) {
    const m = (await import('../../packages/monai/src/losses/dice.js')) as { DiceLoss: new (o: object) => Loss };
    return { loss: new m.DiceLoss({ toOnehotY: true, softmax: true }), source: 'losses/dice.ts' };
  }
  const loss: Loss = {
    forward: (input, target) =>
      torch.tidy(() => {
        const p = torch.softmax(input, 1);
        const t = torch.zerosLike(p).scatter(1, target.long(), 1);
        const axes = [2, 3, 4];
        const inter = p.mul(t).sum(axes);
        const denom = p.sum(axes).add(t.sum(axes));
        return inter.mul(2).add(1e-5).div(denom.add(1e-5)).neg().add(1).mean();
      }),
  };
  return { loss, source: 'inline soft dice' };
}

async function ours(): Promise<number> {
  torch.manualSeed(0);
  const model = new UNet({ spatialDims: 3, inChannels: 1, outChannels: 2, channels: [16, 32, 64, 128, 256], strides: [2, 2, 2, 2], numResUnits: 2, norm: 'batch' });
  const opt = new torch.optim.Adam([...model.parameters()], { lr: 1e-4 });
  const { loss } = await diceLoss();
  const x = torch.randn([2, 1, 96, 96, 96]);
  const y = torch.tidy(() => x.gt(0.5).float());
  const step = () =>
    torch.tidy(() => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y).backward();
      opt.step();
    });
  step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = now();
    step();
    times.push(now() - t);
  }
  torch.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const monaiSrc = process.env.MONAI_SRC ?? '/work/pysrc/monai';
const script = fileURLToPath(new URL('./unet_step.py', import.meta.url));
const env = pythonEnv({ ...process.env, PYTHONPATH: [monaiSrc, process.env.PYTHONPATH].filter(Boolean).join(':') });
let best = Infinity;
let py = Infinity;
let pyError = '';
for (let round = 0; round < rounds; round++) {
  best = Math.min(best, await ours());
  const args = [script, String(threads), String(steps), ...(cpuClock ? ['cpu'] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8', env });
  if (r.status === 0) py = Math.min(py, JSON.parse(r.stdout.trim().split('\n').pop()!).value);
  else pyError = (r.stderr || r.error?.message || '').trim().split('\n').pop() ?? '';
}
console.log(JSON.stringify({
  bench: 'networks.unet_spleen_train_step', unit: 'ms', threads, clock: cpuClock ? 'cpu' : 'wall', loss: (await diceLoss()).source,
  ours: +best.toFixed(1), python: Number.isFinite(py) ? +py.toFixed(1) : null, ratio: Number.isFinite(py) ? +(best / py).toFixed(3) : null,
  ...(pyError ? { pythonError: pyError } : {}),
}));

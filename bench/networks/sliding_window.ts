// Sliding-window inference of a 1x1x224x224x160 volume with MONAI's spleen UNet (channels 16..256,
// strides 2, 2 residual units, batch norm; eval mode, no grad), roi 96^3, swBatchSize 4, gaussian
// blending (18 windows in 5 network calls), here and in MONAI 1.4 (bench/networks/sliding_window.py)
// at the same thread count (BENCH_THREADS, default 2). Each side: one warm-up, then the best run;
// BENCH_ROUNDS (default 2) alternating rounds per side, best per side. Prints one JSON line: wall times
// and their ratio, or with BENCH_CLOCK=cpu process CPU times (steadier on a loaded machine).
// MONAI's source is found through MONAI_PYTHONPATH (default: PYTHONPATH, else /work/pysrc/{monai,ignite,einops}).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { UNet } from '../../packages/monai/src/networks/nets/unet.js';
import { slidingWindowInference } from '../../packages/monai/src/inferers/utils.js';
import { pythonEnv } from '../harness.js';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
torch.setNumThreads(threads);

torch.manualSeed(0);
const net = new UNet({ spatialDims: 3, inChannels: 1, outChannels: 2, channels: [16, 32, 64, 128, 256], strides: [2, 2, 2, 2], numResUnits: 2, norm: 'batch' });
net.eval();
const x = torch.randn([1, 1, 224, 224, 160]);

const cpuClock = process.env.BENCH_CLOCK === 'cpu';

function run(): number {
  const t = performance.now();
  const c = process.cpuUsage();
  torch.tidy(() => {
    const out = torch.noGrad(() => slidingWindowInference(x, [96, 96, 96], 4, net, { mode: 'gaussian' })) as torch.Tensor;
    if (out.shape.join('x') !== '1x2x224x224x160') throw new Error(`unexpected output shape ${out.shape}`);
  });
  const u = process.cpuUsage(c);
  return cpuClock ? (u.user + u.system) / 1000 : performance.now() - t;
}

const defaultPath = ['/work/pysrc/monai', '/work/pysrc/ignite', '/work/pysrc/einops'].filter(existsSync).join(':');
const pythonPath = process.env.MONAI_PYTHONPATH ?? process.env.PYTHONPATH ?? defaultPath;
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./sliding_window.py', import.meta.url));
let ours = Infinity;
let py = Infinity;
let pyError: string | null = null;
run(); // warm-up
for (let round = 0; round < rounds; round++) {
  ours = Math.min(ours, run());
  const r = spawnSync(python, [script, String(threads), '1'], { encoding: 'utf8', env: pythonEnv({ ...process.env, PYTHONPATH: pythonPath }) });
  if (r.status === 0) {
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    py = Math.min(py, cpuClock ? res.cpu : res.value);
  }
  else pyError = (r.stderr || String(r.error)).trim().split('\n').pop() ?? 'failed';
}
torch.dispose([x, net]);
console.log(JSON.stringify({
  bench: 'monai.sliding_window_unet_224x224x160', unit: 'ms', clock: cpuClock ? 'cpu' : 'wall', threads, ours: +ours.toFixed(1),
  python: Number.isFinite(py) ? +py.toFixed(1) : null, ratio: Number.isFinite(py) ? +(ours / py).toFixed(3) : null,
  ...(pyError && !Number.isFinite(py) ? { pythonError: pyError } : {}),
}));

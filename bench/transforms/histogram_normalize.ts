// HistogramNormalize (256 bins, 0..255) on a 1x96x96x96 float32 sawtooth ramp against MONAI 1.4 in
// /usr/bin/python3, both with BENCH_THREADS (default 2) threads: np.histogram and np.interp over the
// image (ours: native/interp.cc). The first call's output sums must agree.
// Prints one JSON line: ours and MONAI's median and best ms per call over BENCH_REPS (default 15, after
// a warm-up) and the ratios ours/MONAI (target < 1.0); BENCH_CLOCK=cpu times process CPU instead.
// Run: node --conditions=source --import tsx bench/transforms/histogram_normalize.ts
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { HistogramNormalize } from '../../packages/monai/src/transforms/intensity/index.js';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const reps = Number(process.env.BENCH_REPS ?? 15);
const cpuClock = process.env.BENCH_CLOCK === 'cpu';
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
torch.setNumThreads(threads);

const n = 96 ** 3;
const img = MetaTensor.wrap(torch.tidy(() => torch.arange(n, { dtype: 'float32' }).remainder(9973).mul(0.1).reshape([1, 96, 96, 96])));
const t = new HistogramNormalize({});
const times: number[] = [];
let firstSum = 0;
for (let i = 0; i <= reps; i++) {
  const s = now();
  const out = t.call(img);
  times.push(now() - s);
  if (i === 0) firstSum = torch.tidy(() => out.double().sum().item() as number);
  out.dispose();
}
img.dispose();
const sorted = times.slice(1).sort((a, b) => a - b);
const ours = sorted[Math.floor(sorted.length / 2)];
const oursBest = sorted[0];

const script = fileURLToPath(new URL('./histogram_normalize.py', import.meta.url));
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const monaiPath = process.env.MONAI_SRC ?? '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops';
const r = spawnSync(python, [script, String(threads), String(reps), cpuClock ? 'cpu' : 'wall'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: monaiPath } });
if (r.status !== 0) console.error(r.stderr);
const py = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; best: number; first_sum: number }) : null;
console.log(JSON.stringify({
  bench: 'transforms.histogram_normalize_96', unit: cpuClock ? 'cpu ms' : 'ms', threads, reps, shape: [1, 96, 96, 96], ours: +ours.toFixed(1), monai: py ? +py.ms.toFixed(1) : null,
  ratio: py ? +(ours / py.ms).toFixed(3) : null,
  oursBest: +oursBest.toFixed(1), monaiBest: py ? +py.best.toFixed(1) : null, ratioBest: py ? +(oursBest / py.best).toFixed(3) : null,
  firstSumAgrees: py ? Math.abs(py.first_sum - firstSum) <= 1e-9 * Math.abs(firstSum) : null,
}));

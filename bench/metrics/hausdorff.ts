// HausdorffDistanceMetric (includeBackground false, mean) on a 128^3 pair, one-hot, 2 classes, batch 1,
// against MONAI 1.4 in /usr/bin/python3, both with BENCH_THREADS (default 2) threads, in one run.
// Prints one JSON line: ours and MONAI's median ms over BENCH_REPS (default 3, after a warm-up), the
// ratio ours/MONAI (target <= 1.0) and both metric values (they must agree).
// BENCH_CLOCK=cpu times by process CPU time on both sides (steadier on a loaded machine; counts every thread).
// Run: node --conditions=source --import tsx bench/metrics/hausdorff.ts
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { HausdorffDistanceMetric } from '../../packages/monai/src/metrics/index.js';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const reps = Number(process.env.BENCH_REPS ?? 3);
torch.setNumThreads(threads);
const cpuClock = process.env.BENCH_CLOCK === 'cpu';
const now = () => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

/** Two overlapping balls, the prediction speckled by torch.rand after manualSeed(0) (as hausdorff.py). */
function pair(): [torch.Tensor, torch.Tensor] {
  return torch.tidy(() => {
    const n = 128;
    const g = torch.arange(n, { dtype: 'float32' });
    const [zz, yy, xx] = torch.meshgrid([g, g, g], 'ij');
    const ball = (cz: number, cy: number, cx: number, r: number) =>
      zz.sub(cz).square().add(yy.sub(cy).square()).add(xx.sub(cx).square()).lt(r * r);
    const label = ball(64, 64, 64, 40);
    torch.manualSeed(0);
    const pred = ball(66, 61, 65, 37).logicalXor(torch.rand([n, n, n]).gt(0.9995));
    const onehot = (m: torch.Tensor) => torch.stack([m.logicalNot(), m]).float().unsqueeze(0);
    return [onehot(pred), onehot(label)] as [torch.Tensor, torch.Tensor];
  });
}

const [p, y] = pair();
const times: number[] = [];
let value = Number.NaN;
for (let i = 0; i <= reps; i++) {
  const m = new HausdorffDistanceMetric({ includeBackground: false, reduction: 'mean' });
  const t = now();
  torch.tidy(() => {
    m.call(p, y);
    value = (m.aggregate() as torch.Tensor).item();
  });
  if (i > 0) times.push(now() - t);
  m.reset();
}
torch.dispose([p, y]);
times.sort((a, b) => a - b);
const ours = times[Math.floor(times.length / 2)];

const script = fileURLToPath(new URL('./hausdorff.py', import.meta.url));
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const monaiPath = process.env.MONAI_SRC ?? '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops';
const r = spawnSync(python, [script, String(threads), String(reps)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: monaiPath, BENCH_CLOCK: cpuClock ? 'cpu' : 'wall' } });
if (r.status !== 0) console.error(r.stderr);
const py = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; value: number }) : null;
console.log(JSON.stringify({
  bench: 'metrics.hausdorff_128', unit: 'ms', threads, reps, clock: cpuClock ? 'cpu' : 'wall', ours: +ours.toFixed(1), monai: py ? +py.ms.toFixed(1) : null,
  ratio: py ? +(ours / py.ms).toFixed(3) : null, value: +value.toFixed(6), monaiValue: py ? +py.value.toFixed(6) : null,
}));

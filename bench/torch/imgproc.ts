// Native image kernels against scipy/skimage on a 128^3 volume (same values on both sides: torch.rand
// after manualSeed(0)), in ms, 2 threads unless BENCH_THREADS says otherwise; one JSON line per case.
//   edt:         torch.ops.distanceTransformEdt, 2% zeros, sampling (1.5, 1.5, 2) vs scipy.ndimage.distance_transform_edt
//   edt_indices: the same with returnIndices, unit sampling
//   label:       torch.ops.connectedComponents, 40% foreground, connectivity 1 vs skimage.measure.label
// BENCH_CLOCK=cpu times by process CPU time on both sides (steadier on a loaded machine; counts every thread).
// Run: node --conditions=source --import tsx bench/torch/imgproc.ts [case...]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const threads = Number(process.env.BENCH_THREADS ?? 2);
torch.setNumThreads(threads);

const cpuClock = process.env.BENCH_CLOCK === 'cpu';
const now = () => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

function timeit(fn: () => void, reps: number, warm = 1): number {
  for (let i = 0; i < warm; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = now();
    fn();
    times.push(now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function volume(threshold: number): torch.Tensor {
  torch.manualSeed(0);
  return torch.tidy(() => torch.rand([128, 128, 128]).gt(threshold));
}

function run(x: torch.Tensor, fn: (x: torch.Tensor) => void): number {
  const ms = timeit(() => torch.tidy(() => fn(x)), 5);
  x.dispose();
  return ms;
}

const cases: Record<string, () => number> = {
  edt: () => run(volume(0.02), (x) => torch.ops.distanceTransformEdt(x, { sampling: [1.5, 1.5, 2.0] })),
  edt_indices: () => run(volume(0.02), (x) => torch.ops.distanceTransformEdt(x, { returnIndices: true })),
  label: () => run(volume(0.6), (x) => torch.ops.connectedComponents(x, { connectivity: 1 })),
};

const script = fileURLToPath(new URL('./imgproc.py', import.meta.url));
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const selected = process.argv.slice(2).filter((a) => a in cases);
for (const name of selected.length ? selected : Object.keys(cases)) {
  const ours = cases[name]();
  const r = spawnSync(python, [script, String(threads), name], { encoding: 'utf8', env: { ...process.env, BENCH_CLOCK: cpuClock ? 'cpu' : 'wall' } });
  const py = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').pop()!).value as number) : null;
  if (py === null) console.error(r.stderr);
  console.log(JSON.stringify({ bench: `imgproc.${name}`, unit: 'ms', threads, clock: cpuClock ? 'cpu' : 'wall', ours: +ours.toFixed(2), python: py === null ? null : +py.toFixed(2), ratio: py === null ? null : +(ours / py).toFixed(3) }));
}

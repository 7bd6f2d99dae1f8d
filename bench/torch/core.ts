// Core tensor benchmarks, each measured here and in Python torch (same machine, same thread
// count) in one run. Prints one JSON line per case: ours, Python's and ours/Python.
//   tiny_op: cost of one small op returning a new tensor (a.add(b), 4 elements), in us
//   conv3d:  conv3d forward + backward, input [2,16,96,96,96], 16 filters 3x3x3, padding 1, in ms
//   chain:   20 elementwise ops (mul, add, sin, abs x5) on 1e6 float32 elements, in ms
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const threads = Number(process.env.BENCH_THREADS ?? torch.config().hardwareConcurrency);
torch.setNumThreads(threads);

function timeit(fn: () => void, reps: number, warm = 1): number {
  for (let i = 0; i < warm; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cases: Record<string, () => number> = {
  tiny_op() {
    const a = torch.ones([4]);
    const b = torch.ones([4]);
    const n = 200000;
    const ms = timeit(() => torch.tidy(() => { for (let i = 0; i < n; i++) a.add(b); }), 5);
    torch.dispose([a, b]);
    return (ms / n) * 1e3;
  },
  conv3d() {
    torch.manualSeed(0);
    const x = torch.randn([2, 16, 96, 96, 96]).requiresGrad_();
    const w = torch.randn([16, 16, 3, 3, 3]).requiresGrad_();
    const ms = timeit(() => torch.tidy(() => {
      torch.conv3d(x, w, { padding: 1 }).sum().backward();
      x.grad = null;
      w.grad = null;
    }), 3);
    torch.dispose([x, w]);
    return ms;
  },
  chain() {
    const x = torch.rand([1000000]);
    const ms = timeit(() => torch.tidy(() => {
      let y = x;
      for (let i = 0; i < 5; i++) y = y.mul(1.0001).add(0.5).sin().abs();
      return y;
    }), 20, 3);
    x.dispose();
    return ms;
  },
};

const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./core.py', import.meta.url));
const selected = process.argv.slice(2).filter((a) => a in cases);
for (const name of selected.length ? selected : Object.keys(cases)) {
  // Alternate ours and Python's twice and keep each side's best, so load on the machine hits both.
  let ours = Infinity;
  let py = Infinity;
  for (let round = 0; round < 2; round++) {
    ours = Math.min(ours, cases[name]());
    const r = spawnSync(python, [script, String(threads), name], { encoding: 'utf8' });
    if (r.status === 0) py = Math.min(py, JSON.parse(r.stdout.trim().split('\n').pop()!).value);
  }
  const unit = name === 'tiny_op' ? 'us' : 'ms';
  console.log(JSON.stringify({
    bench: `torch.${name}`, unit, threads, ours: +ours.toFixed(4),
    python: Number.isFinite(py) ? +py.toFixed(4) : null, ratio: Number.isFinite(py) ? +(ours / py).toFixed(3) : null,
  }));
}

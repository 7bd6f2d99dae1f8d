// Core tensor benchmarks, each measured here and in Python torch (same machine, same thread
// count) in one run. Prints one JSON line per case: ours, Python's and ours/Python.
//   tiny_op: cost of one small op returning a new tensor (a.add(b), 4 elements, tidy per 1000 ops), in us
//   conv3d:  conv3d forward + backward, input [2,16,96,96,96], 16 filters 3x3x3, padding 1, in ms
//   chain:   20 elementwise ops (mul, add, sin, abs x5) on 1e6 float32 elements in one tidy, in ms
//   chain_eager: the same, disposing each intermediate at once (Python's side is the same chain)
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
    // A scope per 1000 ops, as a loop body would have; Python frees each result as it goes.
    const ms = timeit(() => { for (let j = 0; j < n / 1000; j++) torch.tidy(() => { for (let i = 0; i < 1000; i++) a.add(b); }); }, 5);
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
    // Idiomatic: one tidy scope; every intermediate lives until it ends (Python frees each as it goes).
    const x = torch.rand([1000000]);
    const ms = timeit(() => torch.tidy(() => {
      let y = x;
      for (let i = 0; i < 5; i++) y = y.mul(1.0001).add(0.5).sin().abs();
      return y;
    }).dispose(), 20, 3);
    x.dispose();
    return ms;
  },
  chain_eager() {
    // The same chain freeing each intermediate as soon as the next exists, as Python's refcounting does.
    const x = torch.rand([1000000]);
    const steps: ((t: torch.Tensor) => torch.Tensor)[] = [(t) => t.mul(1.0001), (t) => t.add(0.5), (t) => t.sin(), (t) => t.abs()];
    const ms = timeit(() => {
      let y = x;
      for (let i = 0; i < 5; i++)
        for (const f of steps) {
          const z = f(y);
          if (y !== x) y.dispose();
          y = z;
        }
      y.dispose();
    }, 20, 3);
    x.dispose();
    return ms;
  },
};

const PY_CASE: Record<string, string> = { chain_eager: 'chain' };
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./core.py', import.meta.url));
const selected = process.argv.slice(2).filter((a) => a in cases);
for (const name of selected.length ? selected : Object.keys(cases)) {
  // Alternate ours and Python's twice and keep each side's best, so load on the machine hits both.
  let ours = Infinity;
  let py = Infinity;
  for (let round = 0; round < 2; round++) {
    ours = Math.min(ours, cases[name]());
    const r = spawnSync(python, [script, String(threads), PY_CASE[name] ?? name], { encoding: 'utf8' });
    if (r.status === 0) py = Math.min(py, JSON.parse(r.stdout.trim().split('\n').pop()!).value);
  }
  const unit = name === 'tiny_op' ? 'us' : 'ms';
  console.log(JSON.stringify({
    bench: `torch.${name}`, unit, threads, ours: +ours.toFixed(4),
    python: Number.isFinite(py) ? +py.toFixed(4) : null, ratio: Number.isFinite(py) ? +(ours / py).toFixed(3) : null,
  }));
}

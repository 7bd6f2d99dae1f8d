// Core tensor benchmarks, each measured here and in Python torch (same machine, same thread
// count) in one run. Prints one JSON line per case: ours, Python's and ours/Python.
//   tiny_op:         one small op returning a new tensor (a.add(b), 4 elements), tidy per 1000 ops, in us
//   tiny_op_dispose: the same, disposing each result at once (const c = a.add(b); c.dispose())
//   tiny_op_using:   the same with a `using` declaration per result ({ using c = a.add(b); })
//   tiny_op_scope:   the same in a `using scope = torch.scope()` block per 1000 ops
//   (Python's side of every tiny case is `c = a.add(b); del c`; tiny cases run on one thread)
//   conv3d:  conv3d forward + backward, input [2,16,96,96,96], 16 filters 3x3x3, padding 1, in ms
//   chain:   20 elementwise ops (mul, add, sin, abs x5) on 1e6 float32 elements in one tidy, in ms
//   chain_eager: the same, disposing each intermediate at once (Python's side is the same chain)
// Ours and Python's runs alternate, BENCH_ROUNDS times (default 5 for tiny cases, 2 otherwise), so
// that load on the machine hits both; ours/python are the medians and ratio the median of the
// per-round ratios. BENCH_CLOCK=cpu: see below.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { benchSettings, timeReps } from '../harness.js';

const defaultThreads = Number(process.env.BENCH_THREADS ?? torch.config().hardwareConcurrency);

// BENCH_CLOCK=cpu times by process CPU time (both sides) instead of wall time (see ../harness.ts).
const settings = benchSettings({ threads: defaultThreads });
const cpuClock = settings.cpuClock;
const timeit = (fn: () => void, reps: number, warm = 1): number => timeReps(settings, fn, reps, warm).median;

const TINY_N = 200000;

/** Cost of one `a.add(b)` of 4 elements in us, each result freed as `loop` frees it. */
function tinyOp(loop: (a: torch.Tensor, b: torch.Tensor, n: number) => void): number {
  const a = torch.ones([4]);
  const b = torch.ones([4]);
  const ms = timeit(() => loop(a, b, TINY_N), 5);
  torch.dispose([a, b]);
  return (ms / TINY_N) * 1e3;
}

const cases: Record<string, () => number> = {
  tiny_op_dispose: () =>
    tinyOp((a, b, n) => {
      for (let i = 0; i < n; i++) {
        const c = a.add(b);
        c.dispose();
      }
    }),
  tiny_op_using: () =>
    tinyOp((a, b, n) => {
      for (let i = 0; i < n; i++) {
        using c = a.add(b);
        void c;
      }
    }),
  tiny_op_scope: () =>
    tinyOp((a, b, n) => {
      for (let j = 0; j < n / 1000; j++) {
        using scope = torch.scope();
        for (let i = 0; i < 1000; i++) a.add(b);
        void scope;
      }
    }),
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

const TINY = new Set(['tiny_op', 'tiny_op_dispose', 'tiny_op_using', 'tiny_op_scope']);
const PY_CASE: Record<string, string> = { chain_eager: 'chain', tiny_op_dispose: 'tiny_op_del', tiny_op_using: 'tiny_op_del', tiny_op_scope: 'tiny_op_del' };
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./core.py', import.meta.url));
const selected = process.argv.slice(2).filter((a) => a in cases);
const median = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const name of selected.length ? selected : Object.keys(cases)) {
  const tiny = TINY.has(name);
  const threads = tiny ? 1 : defaultThreads;
  torch.setNumThreads(threads);
  const rounds = Number(process.env.BENCH_ROUNDS ?? (tiny ? 5 : 2));
  const ours: number[] = [];
  const py: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const o = cases[name]();
    ours.push(o);
    const r = spawnSync(python, [script, String(threads), PY_CASE[name] ?? name], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const p = JSON.parse(r.stdout.trim().split('\n').pop()!).value as number;
    py.push(p);
    ratios.push(o / p);
  }
  const unit = tiny ? 'us' : 'ms';
  const round4 = (v: number) => +v.toFixed(4);
  console.log(JSON.stringify({
    bench: `torch.${name}`, unit, threads, rounds, clock: cpuClock ? 'cpu' : 'wall', ours: round4(median(ours)),
    python: py.length ? round4(median(py)) : null, ratio: ratios.length ? +median(ratios).toFixed(3) : null,
    ratios: ratios.map((r) => +r.toFixed(3)),
  }));
}

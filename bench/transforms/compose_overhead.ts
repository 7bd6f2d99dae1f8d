// Compose's own cost per call: a 10-transform chain of cheap dictionary transforms (Identityd, CastToTyped,
// ShiftIntensityd, Flipd) on a dict of 4 small MetaTensors (1x8x8x8 float32), run through Compose and
// through a plain loop of the same transforms; overhead = Compose - loop. Our Compose walks the item before
// and after each step to free intermediates; MONAI's relies on the garbage collector. The Python twin
// (compose_overhead.py, MONAI 1.4 in /usr/bin/python3) runs the same chain; the ratios compare the two.
// BENCH_REPS (default 2000) calls of each, in 10 interleaved blocks (medians), after 200 warm-up calls; 1 libtorch thread.
// BENCH_CLOCK=cpu times process CPU (user+sys; steadier on a loaded machine) instead of wall time, on both sides.
// Run: node --conditions=source --import tsx bench/transforms/compose_overhead.ts
import { spawnSync } from 'node:child_process';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { Compose } from '../../packages/monai/src/transforms/compose.js';
import { applyTransform, type Transform } from '../../packages/monai/src/transforms/transform.js';
import { CastToTyped, Identityd } from '../../packages/monai/src/transforms/utility/dictionary.js';
import { ShiftIntensityd } from '../../packages/monai/src/transforms/intensity/dictionary.js';
import { Flipd } from '../../packages/monai/src/transforms/spatial/dictionary.js';

const reps = Number(process.env.BENCH_REPS ?? 2000);
const cpuClock = process.env.BENCH_CLOCK === 'cpu';
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
torch.setNumThreads(1);
const keys = ['a', 'b', 'c', 'd'];
const chain = (): Transform[] => [
  new Identityd({ keys }),
  new CastToTyped({ keys, dtype: 'float32' }),
  new ShiftIntensityd({ keys, offset: 1 }),
  new ShiftIntensityd({ keys, offset: -1 }),
  new Identityd({ keys }),
  new CastToTyped({ keys, dtype: 'float32' }),
  new ShiftIntensityd({ keys, offset: 0.5 }),
  new Flipd({ keys, spatialAxis: 0 }),
  new Flipd({ keys, spatialAxis: 0 }),
  new Identityd({ keys }),
];
const item = Object.fromEntries(keys.map((k) => [k, MetaTensor.wrap(torch.rand([1, 8, 8, 8]))]));

/** Median per-call microseconds of each runner over 10 interleaved blocks of reps/10 calls (load drifts). */
function perCallUs(...runs: (() => unknown)[]): number[] {
  for (const run of runs) for (let i = 0; i < 200; i++) torch.tidy(run);
  const blocks: number[][] = runs.map(() => []);
  const n = Math.max(1, Math.round(reps / 10));
  for (let b = 0; b < 10; b++) {
    runs.forEach((run, r) => {
      const t0 = now();
      for (let i = 0; i < n; i++) torch.tidy(run);
      blocks[r].push(((now() - t0) / n) * 1000);
    });
  }
  return blocks.map((x) => x.sort((p, q) => p - q)[5]);
}

const ts = chain();
const compose = new Compose(ts);
const loop = () => {
  let d: unknown = item;
  for (const t of ts) d = applyTransform(t, d);
  return d;
};
const [loopUs, composeUs] = perCallUs(loop, () => compose.call(item));
const ours = { loopUs: +loopUs.toFixed(1), composeUs: +composeUs.toFixed(1), overheadUs: +(composeUs - loopUs).toFixed(1) };

const py = spawnSync('/usr/bin/python3', [new URL('./compose_overhead.py', import.meta.url).pathname, String(reps)], {
  env: { ...process.env, PYTHONPATH: '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops' },
  encoding: 'utf8',
});
const line = py.stdout.trim().split('\n').pop() ?? '';
let monai: { loopUs: number; composeUs: number; overheadUs: number } | null = null;
try {
  monai = JSON.parse(line);
} catch {
  console.error(`python twin failed: ${py.stderr.slice(-2000)}`);
}
console.log(JSON.stringify({
  bench: 'compose_overhead', clock: cpuClock ? 'cpu' : 'wall', transforms: ts.length, tensors: keys.length, reps, ours, monai,
  composeRatio: monai ? +(ours.composeUs / monai.composeUs).toFixed(3) : null,
  overheadShareOurs: +(ours.overheadUs / ours.composeUs).toFixed(3),
}));
for (const t of Object.values(item)) t.dispose();

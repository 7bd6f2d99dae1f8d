// Native image kernels against scipy/skimage on a 128^3 volume (same values on both sides: torch.rand
// after manualSeed(0)), in ms, 2 threads unless BENCH_THREADS says otherwise; one JSON line per case.
//   edt:         torch.ops.distanceTransformEdt, 2% zeros, sampling (1.5, 1.5, 2) vs scipy.ndimage.distance_transform_edt
//   edt_indices: the same with returnIndices, unit sampling
//   label:       torch.ops.connectedComponents, 40% foreground, connectivity 1 vs skimage.measure.label
// BENCH_CLOCK=cpu times by process CPU time on both sides (steadier on a loaded machine; counts every thread).
// Run: node --conditions=source --import tsx bench/torch/imgproc.ts [case...]
import * as torch from '@monai-ts/torch';

import { benchSettings, ratio, round, runPython, timeReps } from '../harness.js';

const s = benchSettings({ reps: 5 });

function volume(threshold: number): torch.Tensor {
  torch.manualSeed(0);
  return torch.tidy(() => torch.rand([128, 128, 128]).gt(threshold));
}

function run(x: torch.Tensor, fn: (x: torch.Tensor) => void): number {
  const ms = timeReps(s, () => torch.tidy(() => fn(x))).median;
  x.dispose();
  return ms;
}

const cases: Record<string, () => number> = {
  edt: () => run(volume(0.02), (x) => torch.ops.distanceTransformEdt(x, { sampling: [1.5, 1.5, 2.0] })),
  edt_indices: () => run(volume(0.02), (x) => torch.ops.distanceTransformEdt(x, { returnIndices: true })),
  label: () => run(volume(0.6), (x) => torch.ops.connectedComponents(x, { connectivity: 1 })),
};

const selected = process.argv.slice(2).filter((a) => a in cases);
for (const name of selected.length ? selected : Object.keys(cases)) {
  const ours = cases[name]();
  const py = runPython<{ value: number }>(new URL('./imgproc.py', import.meta.url), [s.threads, name])?.value ?? null;
  console.log(JSON.stringify({ bench: `imgproc.${name}`, unit: 'ms', threads: s.threads, clock: s.cpuClock ? 'cpu' : 'wall', ours: round(ours, 2), python: round(py, 2), ratio: ratio(ours, py) }));
}

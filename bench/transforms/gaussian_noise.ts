// RandGaussianNoise (prob 1, std 0.1, seed 0) on a 1x96x96x96 float32 ramp against MONAI 1.4 in
// /usr/bin/python3, both with BENCH_THREADS (default 2) threads: 884,736 normal draws per call, so this
// times numpy's legacy Gaussian (ours: native/random_state.cc) plus the add. The first call's output
// sums must agree (same seed, same draws).
// Prints one JSON line: ours and MONAI's median and best ms per call over BENCH_REPS (default 15, after
// a warm-up) and the ratios ours/MONAI (target < 1.0); BENCH_CLOCK=cpu times process CPU instead.
// BENCH_JS=1 keeps every draw in the JS loop (RandomState.nativeMinDraws = Infinity), for comparison.
// Run: node --conditions=source --import tsx bench/transforms/gaussian_noise.ts
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { RandGaussianNoise } from '../../packages/monai/src/transforms/intensity/index.js';
import { RandomState } from '../../packages/monai/src/utils/random_state.js';

import { benchSettings, ratio, round, runPython, timeReps } from '../harness.js';

const s = benchSettings({ reps: 15 });
const jsOnly = process.env.BENCH_JS === '1';
if (jsOnly) RandomState.nativeMinDraws = Infinity;

const n = 96 ** 3;
const img = MetaTensor.wrap(torch.tidy(() => torch.arange(n, { dtype: 'float32' }).div(n).reshape([1, 96, 96, 96])));
const t = new RandGaussianNoise({ prob: 1, std: 0.1 });
t.setRandomState({ seed: 0 });
let firstSum = 0;
const ours = timeReps(s, (i) => {
  const out = t.call(img);
  if (i === 0) firstSum = torch.tidy(() => out.double().sum().item() as number);
  out.dispose();
});
img.dispose();

const py = runPython<{ ms: number; best: number; first_sum: number }>(new URL('./gaussian_noise.py', import.meta.url), [s.threads, s.reps, s.cpuClock ? 'cpu' : 'wall'], { monai: true });
console.log(JSON.stringify({
  bench: 'transforms.rand_gaussian_noise_96', draws: jsOnly ? 'js' : 'native', unit: s.unit, threads: s.threads, reps: s.reps, shape: [1, 96, 96, 96], ours: round(ours.median), monai: round(py?.ms),
  ratio: ratio(ours.median, py?.ms),
  oursBest: round(ours.best), monaiBest: round(py?.best), ratioBest: ratio(ours.best, py?.best),
  firstSumAgrees: py ? Math.abs(py.first_sum - firstSum) <= 1e-9 * Math.abs(firstSum) : null,
}));

// HistogramNormalize (256 bins, 0..255) on a 1x96x96x96 float32 sawtooth ramp against MONAI 1.4 in
// /usr/bin/python3, both with BENCH_THREADS (default 2) threads: np.histogram and np.interp over the
// image (ours: native/interp.cc). The first call's output sums must agree.
// Prints one JSON line: ours and MONAI's median and best ms per call over BENCH_REPS (default 15, after
// a warm-up) and the ratios ours/MONAI (target < 1.0); BENCH_CLOCK=cpu times process CPU instead.
// Run: node --conditions=source --import tsx bench/transforms/histogram_normalize.ts
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { HistogramNormalize } from '../../packages/monai/src/transforms/intensity/index.js';

import { benchSettings, ratio, round, runPython, timeReps } from '../harness.js';

const s = benchSettings({ reps: 15 });

const n = 96 ** 3;
const img = MetaTensor.wrap(torch.tidy(() => torch.arange(n, { dtype: 'float32' }).remainder(9973).mul(0.1).reshape([1, 96, 96, 96])));
const t = new HistogramNormalize({});
let firstSum = 0;
const ours = timeReps(s, (i) => {
  const out = t.call(img);
  if (i === 0) firstSum = torch.tidy(() => out.double().sum().item() as number);
  out.dispose();
});
img.dispose();

const py = runPython<{ ms: number; best: number; first_sum: number }>(new URL('./histogram_normalize.py', import.meta.url), [s.threads, s.reps, s.cpuClock ? 'cpu' : 'wall'], { monai: true });
console.log(JSON.stringify({
  bench: 'transforms.histogram_normalize_96', unit: s.unit, threads: s.threads, reps: s.reps, shape: [1, 96, 96, 96], ours: round(ours.median), monai: round(py?.ms),
  ratio: ratio(ours.median, py?.ms),
  oursBest: round(ours.best), monaiBest: round(py?.best), ratioBest: ratio(ours.best, py?.best),
  firstSumAgrees: py ? Math.abs(py.first_sum - firstSum) <= 1e-9 * Math.abs(firstSum) : null,
}));

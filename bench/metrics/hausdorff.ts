// HausdorffDistanceMetric (includeBackground false, mean) on a 128^3 pair, one-hot, 2 classes, batch 1,
// against MONAI 1.4 in /usr/bin/python3, both with BENCH_THREADS (default 2) threads, in one run.
// Prints one JSON line: ours and MONAI's median ms over BENCH_REPS (default 3, after a warm-up), the
// ratio ours/MONAI (target <= 1.0) and both metric values (they must agree).
// BENCH_CLOCK=cpu times by process CPU time on both sides (steadier on a loaded machine; counts every thread).
// Run: node --conditions=source --import tsx bench/metrics/hausdorff.ts
import * as torch from '@monai-ts/torch';
import { HausdorffDistanceMetric } from '../../packages/monai/src/metrics/index.js';

import { benchSettings, ratio, round, runPython, timeReps } from '../harness.js';

const s = benchSettings({ reps: 3 });

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
let value = Number.NaN;
const m = new HausdorffDistanceMetric({ includeBackground: false, reduction: 'mean' });
const ours = timeReps(s, () => {
  torch.tidy(() => {
    m.call(p, y);
    value = (m.aggregate() as torch.Tensor).item();
  });
  m.reset();
});
torch.dispose([p, y]);

const py = runPython<{ ms: number; value: number }>(new URL('./hausdorff.py', import.meta.url), [s.threads, s.reps], { monai: true });
console.log(JSON.stringify({
  bench: 'metrics.hausdorff_128', unit: 'ms', threads: s.threads, reps: s.reps, clock: s.cpuClock ? 'cpu' : 'wall', ours: round(ours.median), monai: round(py?.ms),
  ratio: ratio(ours.median, py?.ms), value: +value.toFixed(6), monaiValue: round(py?.value, 6),
}));

// Lazy vs eager resampling: the 5-transform spatial chain of the lazy tests (Spacingd, Orientationd,
// Rotated, Zoomd, Flipd) on a 1-channel 192x192x128 float32 volume, eager (five resamples) and lazy (one
// composed resample through applyPendingTransforms), BENCH_THREADS (default 2) threads. Prints one JSON line:
// median ms of each over BENCH_REPS (default 3, after a warm-up) and the speedup eager/lazy (target > 1).
// BENCH_CLOCK=cpu times process CPU (user+sys) instead of wall time.
// Run: node --conditions=source --import tsx bench/transforms/lazy_chain.ts
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { applyTransform, type Transform } from '../../packages/monai/src/transforms/transform.js';
import { Flipd, Orientationd, Rotated, Spacingd, Zoomd } from '../../packages/monai/src/transforms/spatial/index.js';
import { applyPendingTransforms } from '../../packages/monai/src/transforms/lazy/index.js';

import { benchSettings, round, timeReps } from '../harness.js';

const s = benchSettings({ reps: 3 });

const chain = (): Transform[] => [
  new Spacingd({ keys: ['image'], pixdim: [1.1, 1.3, 1.4] }),
  new Orientationd({ keys: ['image'], axcodes: 'LPS' }),
  new Rotated({ keys: ['image'], angle: [0.2, 0.0, 0.1] }),
  new Zoomd({ keys: ['image'], zoom: 1.2, mode: 'trilinear' }),
  new Flipd({ keys: ['image'], spatialAxis: 0 }),
];
const img = MetaTensor.wrap(torch.rand([1, 192, 192, 128]), { affine: [-0.9, 0, 0, 10, 0, 1.1, 0, -4, 0, 0, 1.6, 3, 0, 0, 0, 1] });

function time(lazy: boolean): { ms: number; shape: number[] } {
  let shape: number[] = [];
  const ms = timeReps(s, () =>
    torch.tidy(() => {
      let d: Record<string, unknown> = { image: img };
      for (const t of chain()) d = applyTransform(t, d, { lazy }) as Record<string, unknown>;
      if (lazy) d = applyPendingTransforms(d) as Record<string, unknown>;
      shape = (d.image as torch.Tensor).shape;
    }),
  ).median;
  return { ms, shape };
}

const eager = time(false);
const lazy = time(true);
img.dispose();
console.log(
  JSON.stringify({
    bench: 'transforms.lazy_chain_192x192x128',
    unit: s.unit,
    threads: s.threads,
    reps: s.reps,
    eager: round(eager.ms),
    lazy: round(lazy.ms),
    speedup: +(eager.ms / lazy.ms).toFixed(2),
    shape: lazy.shape,
    sameShape: eager.shape.join('x') === lazy.shape.join('x'),
  }),
);

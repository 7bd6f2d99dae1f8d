// The spleen preprocessing chain (LoadImaged, EnsureChannelFirstd, Orientationd RAS, Spacingd (1.5, 1.5, 2.0)
// bilinear/nearest, ScaleIntensityRanged -57..164 -> 0..1 clipped, CropForegroundd) on generated 512x512x90
// int16 .nii.gz volumes (written once by spleen_chain.py with nibabel; both sides read the same files),
// against MONAI 1.4 in /usr/bin/python3, both with BENCH_THREADS (default 2) threads, in one run.
// Prints one JSON line: median ms per item over BENCH_REPS passes (default 3, after a warm-up pass) for
// each side, per-stage medians, ratio monai/ours (target >= 2), and both outputs' shapes and sums (must agree).
// BENCH_CLOCK=cpu times process CPU (user+sys) instead of wall time: steadier on a loaded machine.
// Run: node --conditions=source --import tsx bench/transforms/spleen_chain.ts
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { LoadImaged } from '../../packages/monai/src/transforms/io/index.js';
import { EnsureChannelFirstd } from '../../packages/monai/src/transforms/utility/ensure_channel_first.js';
import { Orientationd, Spacingd } from '../../packages/monai/src/transforms/spatial/index.js';
import { ScaleIntensityRanged } from '../../packages/monai/src/transforms/intensity/index.js';
import { CropForegroundd } from '../../packages/monai/src/transforms/croppad/dictionary.js';

import { benchSettings, round, runPython } from '../harness.js';

const { threads, reps, cpuClock, unit, now } = benchSettings({ reps: 3 });
const nItems = Number(process.env.BENCH_ITEMS ?? 2);

const here = path.dirname(fileURLToPath(import.meta.url));
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const dir = path.join(os.tmpdir(), `monai-ts-bench-spleen-${nItems}`);
if (!fs.existsSync(path.join(dir, `lab_${nItems - 1}.nii.gz`))) {
  const r = spawnSync(python, [path.join(here, 'spleen_chain.py'), 'make', dir, String(nItems)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not write the benchmark volumes with nibabel');
}

type Item = Record<string, unknown>;
const keys = ['image', 'label'];
const chain: { name: string; call: (d: Item) => Item }[] = [
  new LoadImaged({ keys }),
  new EnsureChannelFirstd({ keys }),
  new Orientationd({ keys, axcodes: 'RAS' }),
  new Spacingd({ keys, pixdim: [1.5, 1.5, 2.0], mode: ['bilinear', 'nearest'] }),
  new ScaleIntensityRanged({ keys: ['image'], aMin: -57, aMax: 164, bMin: 0, bMax: 1, clip: true }),
  new CropForegroundd({ keys, sourceKey: 'image' }),
].map((t) => ({ name: t.constructor.name, call: (d: Item) => (t as unknown as { call(d: Item): Item }).call(d) }));

const items = Array.from({ length: nItems }, (_, i) => ({ image: path.join(dir, `img_${i}.nii.gz`), label: path.join(dir, `lab_${i}.nii.gz`) }));
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

function runOurs(): { ms: number; stages: Record<string, number>; outs: unknown[] } {
  const perItem: number[] = [];
  const stages: Record<string, number[]> = Object.fromEntries(chain.map((t) => [t.name, []]));
  const outs: unknown[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    for (const it of items) {
      torch.tidy(() => {
        const t0 = now();
        let d: Item = { ...it };
        for (const t of chain) {
          const s = now();
          d = t.call(d);
          if (rep > 0) stages[t.name].push(now() - s);
        }
        if (rep > 0) perItem.push(now() - t0);
        if (rep === 0) outs.push(Object.fromEntries(['image', 'label'].map((k) => [k, [(d[k] as torch.Tensor).shape, +((d[k] as torch.Tensor).float().sum().item() as number)]])));
      });
    }
  }
  return { ms: median(perItem), stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, +median(v).toFixed(1)])), outs };
}

const ours = runOurs();
const py = runPython<{ ms: number; stages: Record<string, number>; outs: unknown[] }>(new URL('./spleen_chain.py', import.meta.url), ['time', dir, threads, reps, cpuClock ? 'cpu' : 'wall'], { monai: true });
console.log(
  JSON.stringify({
    bench: 'transforms.spleen_chain_512x512x90',
    unit,
    threads,
    reps,
    items: nItems,
    ours: round(ours.ms),
    monai: round(py?.ms),
    speedup: py ? +(py.ms / ours.ms).toFixed(2) : null,
    stages: ours.stages,
    monaiStages: py ? Object.fromEntries(Object.entries(py.stages).map(([k, v]) => [k, +v.toFixed(1)])) : null,
    outs: ours.outs,
    monaiOuts: py?.outs ?? null,
  }),
);

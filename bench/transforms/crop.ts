// The random crop stage of the spleen pipeline: RandCropByPosNegLabeld (4 samples of 96^3, pos 1, neg 1,
// imageKey image, imageThreshold 0) on a generated 1x226x157x113 volume (the size Spacingd (1.5, 1.5, 2)
// gives a 512x512x90 CT), against MONAI 1.4 in /usr/bin/python3, both with BENCH_THREADS (default 2)
// threads, in one run. Both sides seed 0; the first call's crop centres must agree.
// Prints one JSON line: ours and MONAI's median and best ms per call over BENCH_REPS (default 9, after a
// warm-up) and the ratios ours/MONAI (target <= 1.0); on a loaded machine compare the best times, or set
// BENCH_CLOCK=cpu to time process CPU (user + system, all threads) on both sides instead of wall time.
// Run: node --conditions=source --import tsx bench/transforms/crop.ts
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { RandCropByPosNegLabeld } from '../../packages/monai/src/transforms/croppad/index.js';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const reps = Number(process.env.BENCH_REPS ?? 9);
const cpuClock = process.env.BENCH_CLOCK === 'cpu';
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
torch.setNumThreads(threads);
const SHAPE = [226, 157, 113];

/** As crop.py: an intensity ramp with a zero border (background where image <= 0) and a ball label. */
function volume(): [MetaTensor, MetaTensor] {
  return torch.tidy(() => {
    const [z, y, x] = torch.meshgrid(SHAPE.map((n) => torch.arange(n, { dtype: 'float32' })), 'ij');
    const img = z.mul(0.5).add(y.mul(0.25)).add(x.mul(0.125)).div(100);
    img.narrow(0, 0, 10).zero_();
    img.narrow(0, SHAPE[0] - 10, 10).zero_();
    const label = z.sub(140).square().add(y.sub(70).square()).add(x.sub(60).square()).lt(30 * 30).float();
    return [MetaTensor.wrap(img.unsqueeze(0)), MetaTensor.wrap(label.unsqueeze(0))] as [MetaTensor, MetaTensor];
  });
}

const [img, label] = volume();
const t = new RandCropByPosNegLabeld({ keys: ['image', 'label'], labelKey: 'label', spatialSize: [96, 96, 96], pos: 1, neg: 1, numSamples: 4, imageKey: 'image', imageThreshold: 0 }).setRandomState({ seed: 0 });
const times: number[] = [];
let centres: number[][] = [];
for (let i = 0; i <= reps; i++) {
  const s = now();
  const out = t.call({ image: img, label });
  times.push(now() - s);
  if (i === 0) centres = out.map((o) => (o.image as MetaTensor).meta.crop_center as number[]);
  for (const o of out) torch.dispose([o.image as MetaTensor, o.label as MetaTensor]);
}
torch.dispose([img, label]);
const sorted = times.slice(1).sort((a, b) => a - b);
const ours = sorted[Math.floor(sorted.length / 2)];
const oursBest = sorted[0];

const script = fileURLToPath(new URL('./crop.py', import.meta.url));
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const monaiPath = process.env.MONAI_SRC ?? '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops';
const r = spawnSync(python, [script, String(threads), String(reps), cpuClock ? 'cpu' : 'wall'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: monaiPath } });
if (r.status !== 0) console.error(r.stderr);
const py = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; best: number; centres: number[][] }) : null;
console.log(JSON.stringify({
  bench: 'transforms.rand_crop_by_pos_neg_label_4x96', unit: cpuClock ? 'cpu ms' : 'ms', threads, reps, shape: [1, ...SHAPE], ours: +ours.toFixed(1), monai: py ? +py.ms.toFixed(1) : null,
  ratio: py ? +(ours / py.ms).toFixed(3) : null,
  oursBest: +oursBest.toFixed(1), monaiBest: py ? +py.best.toFixed(1) : null, ratioBest: py ? +(oursBest / py.best).toFixed(3) : null, centresAgree: py ? JSON.stringify(py.centres) === JSON.stringify(centres) : null,
}));

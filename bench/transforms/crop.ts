// The random crop stage of the spleen pipeline: RandCropByPosNegLabeld (4 samples of 96^3, pos 1, neg 1,
// imageKey image, imageThreshold 0) on a generated 1x226x157x113 volume (the size Spacingd (1.5, 1.5, 2)
// gives a 512x512x90 CT), against MONAI 1.4 in /usr/bin/python3, both with BENCH_THREADS (default 2)
// threads, in one run. Both sides seed 0; the first call's crop centres must agree.
// Prints one JSON line: ours and MONAI's median and best ms per call over BENCH_REPS (default 9, after a
// warm-up) and the ratios ours/MONAI (target <= 1.0); on a loaded machine compare the best times, or set
// BENCH_CLOCK=cpu to time process CPU (user + system, all threads) on both sides instead of wall time.
// Run: node --conditions=source --import tsx bench/transforms/crop.ts
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../packages/monai/src/data/meta_tensor.js';
import { RandCropByPosNegLabeld } from '../../packages/monai/src/transforms/croppad/index.js';

import { benchSettings, ratio, round, runPython, timeReps } from '../harness.js';

const s = benchSettings({ reps: 9 });
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
let centres: number[][] = [];
const ours = timeReps(s, (i) => {
  const out = t.call({ image: img, label });
  if (i === 0) centres = out.map((o) => (o.image as MetaTensor).meta.crop_center as number[]);
  for (const o of out) torch.dispose([o.image as MetaTensor, o.label as MetaTensor]);
});
torch.dispose([img, label]);

const py = runPython<{ ms: number; best: number; centres: number[][] }>(new URL('./crop.py', import.meta.url), [s.threads, s.reps, s.cpuClock ? 'cpu' : 'wall'], { monai: true });
console.log(JSON.stringify({
  bench: 'transforms.rand_crop_by_pos_neg_label_4x96', unit: s.unit, threads: s.threads, reps: s.reps, shape: [1, ...SHAPE], ours: round(ours.median), monai: round(py?.ms),
  ratio: ratio(ours.median, py?.ms),
  oursBest: round(ours.best), monaiBest: round(py?.best), ratioBest: ratio(ours.best, py?.best), centresAgree: py ? JSON.stringify(py.centres) === JSON.stringify(centres) : null,
}));

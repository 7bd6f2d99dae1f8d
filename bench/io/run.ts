// IO benchmark: load a 512x512x200 int16 .nii.gz with LoadImage, against nibabel in /usr/bin/python3
// on the same machine. Prints JSON lines; ratio = monai-ts seconds / nibabel seconds (< 1: faster).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { LoadImage, SaveImage } from '../../packages/monai/src/transforms/io/index.js';
import type { MetaTensor } from '../../packages/monai/src/data/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const py = '/usr/bin/python3';
const reps = Number(process.env.BENCH_REPS ?? 5);
const dir = path.join(os.tmpdir(), 'monai-ts-bench-io');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'ct_512x512x200_int16.nii.gz');
if (!fs.existsSync(file)) {
  const r = spawnSync(py, [path.join(here, 'load_nibabel.py'), 'make', file], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not create the benchmark volume with nibabel');
}

const plain = path.join(dir, 'ct_512x512x200_int16.nii');
if (!fs.existsSync(plain)) spawnSync(py, [path.join(here, 'load_nibabel.py'), 'uncompress', file, plain], { stdio: 'inherit' });

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeLoad(dtype: torch.DType | null, f = file): number {
  const load = new LoadImage({ dtype });
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const img = load.call(f) as MetaTensor;
    ts.push((performance.now() - t0) / 1000);
    if (i === 0 && (img.shape.join('x') !== '512x512x200' || img.dtype !== (dtype ?? 'int16'))) throw new Error(`unexpected ${img.shape} ${img.dtype}`);
    img.dispose();
  }
  return median(ts);
}

for (const [f, label] of [
  [file, '.nii.gz'],
  [plain, '.nii'],
] as const) {
timeLoad(null, f); // warm up (module loading, page cache)
const ours = { int16: timeLoad(null, f), float32: timeLoad('float32', f) };
const r = spawnSync(py, [path.join(here, 'load_nibabel.py'), 'time', f, String(reps)], { encoding: 'utf8' });
let theirs: Record<string, number> | null = null;
if (r.status === 0) theirs = JSON.parse(r.stdout.trim().split('\n').pop()!);
const size = fs.statSync(f).size;
for (const k of ['int16', 'float32'] as const) {
  console.log(
    JSON.stringify({
      bench: label === '.nii.gz' ? 'io.load_nifti_gz' : 'io.load_nifti',
      case: `512x512x200 int16 ${label} -> ${k}`,
      file_mb: +(size / 2 ** 20).toFixed(1),
      monai_ts_s: +ours[k].toFixed(4),
      nibabel_s: theirs ? +theirs[k].toFixed(4) : null,
      ratio: theirs ? +(ours[k] / theirs[k]).toFixed(3) : null,
      torch_threads: torch.getNumThreads(),
      reps,
      node: process.version,
    }),
  );
}
}

// writing: the int16 volume to .nii.gz (SaveImage, channel-first input) vs nib.save
{
  const img = new LoadImage({ dtype: null, ensureChannelFirst: true }).call(file) as MetaTensor;
  const outDir = path.join(dir, 'out');
  const save = new SaveImage({ outputDir: outDir, outputPostfix: 'w', outputDtype: null, separateFolder: false, printLog: false });
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    save.call(img);
    ts.push((performance.now() - t0) / 1000);
  }
  img.dispose();
  const ours = median(ts);
  const r = spawnSync(py, [path.join(here, 'load_nibabel.py'), 'save', file, String(reps), path.join(outDir, 'nib.nii.gz')], { encoding: 'utf8' });
  const theirs = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').pop()!).save_int16 as number) : null;
  console.log(
    JSON.stringify({
      bench: 'io.save_nifti_gz',
      case: '512x512x200 int16 -> .nii.gz (gzip level 1, as nibabel)',
      monai_ts_s: +ours.toFixed(4),
      nibabel_s: theirs ? +theirs.toFixed(4) : null,
      ratio: theirs ? +(ours / theirs).toFixed(3) : null,
      torch_threads: torch.getNumThreads(),
      reps,
      node: process.version,
    }),
  );
}

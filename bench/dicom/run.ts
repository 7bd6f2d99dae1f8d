// DICOM series load benchmark: a 200-slice 512x512 int16 CT-like series (rescale intercept -1024, so the
// result is float32), generated with pydicom in a temporary folder, loaded by our PydicomReader (read +
// getData to a tensor in MONAI's index order) and by MONAI's PydicomReader (or the equivalent pydicom/numpy
// steps) in /usr/bin/python3 on the same machine. One JSON line per case: ours, Python's, ours/Python (ms).
//   BENCH_PYTHON (default /usr/bin/python3), MONAI_SRC (a MONAI checkout to put on PYTHONPATH),
//   BENCH_SLICES / BENCH_SIZE to change the volume.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { PydicomReader } from '../../packages/monai/src/data/dicom/index.js';

const threads = Number(process.env.BENCH_THREADS ?? torch.config().hardwareConcurrency);
torch.setNumThreads(threads);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const slices = Number(process.env.BENCH_SLICES ?? 200);
const size = Number(process.env.BENCH_SIZE ?? 512);
const here = (f: string) => fileURLToPath(new URL(`./${f}`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'monai-ts-dicom-bench-'));
try {
  const made = spawnSync(python, [here('make_series.py'), dir, String(slices), String(size)], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`cannot generate the series with ${python} (pydicom needed): ${made.stderr}`);

  const ours = () => {
    const r = new PydicomReader();
    const t0 = performance.now();
    const [t] = r.getData(r.read(dir));
    const ms = performance.now() - t0;
    if (t.shape.join('x') !== `${size}x${size}x${slices}`) throw new Error(`unexpected shape ${t.shape}`);
    t.dispose();
    return ms;
  };
  const env = { ...process.env, ...(process.env.MONAI_SRC ? { PYTHONPATH: process.env.MONAI_SRC } : {}) };
  let best = Infinity, py = Infinity, impl = '';
  ours(); // warm-up (codec-free path, but file cache and JIT)
  for (let round = 0; round < 2; round++) {
    const times = [ours(), ours(), ours()].sort((a, b) => a - b);
    best = Math.min(best, times[1]);
    const r = spawnSync(python, [here('load_pydicom.py'), dir, '3'], { encoding: 'utf8', env });
    if (r.status === 0) {
      const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
      py = Math.min(py, o.value);
      impl = o.impl;
    }
  }
  console.log(JSON.stringify({
    bench: `dicom.series_${slices}x${size}x${size}`, unit: 'ms', threads, ours: +best.toFixed(1),
    python: Number.isFinite(py) ? +py.toFixed(1) : null, python_impl: impl || null,
    ratio: Number.isFinite(py) ? +(best / py).toFixed(3) : null,
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Cache-build bench (issue 9 acceptance): a CacheDataset of 6 spleen-sized volumes (512x512x90 int16
// .nii.gz, LPS anisotropic affine, see spleen_like.ts) through the spleen deterministic chain, built with
// numWorkers 2, against MONAI 1.4's CacheDataset(num_workers=2) in Python (cache_build.py) in the same run.
// Prints JSON lines: the per-stage profile of one item on this thread, both build times and their ratio
// (target <= 0.5), and the agreement of the cached outputs (shapes equal, max |difference| <= 1e-5).
//   node --conditions=source --import tsx bench/data/cache_build.ts
//   BENCH_WORKERS (default 2), BENCH_ITEMS (default 6), BENCH_DIR (volumes folder), BENCH_PYTHON (/usr/bin/python3),
//   BENCH_SKIP_PYTHON=1 (ours only), BENCH_PROFILE=0 (no per-stage profile)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as torch from '@monai-ts/torch';
import { CacheDataset } from '../../packages/monai/src/data/dataset.js';
import { threadsPerWorker } from '../../packages/monai/src/data/blocking_pool.js';
import { readNpyData, readNpyFile } from '../../packages/monai/src/data/formats/npy.js';
import { disposeItem } from '../../packages/monai/src/data/item_codec.js';
import { Compose } from '../../packages/monai/src/transforms/compose.js';
import { loadTransformRegistry } from '../../packages/monai/src/transforms/serialize.js';
import { spleenChain } from './spleen_chain.js';
import { spleenLikeFiles } from './spleen_like.js';
import { pythonEnv } from '../harness.js';

const workers = Number(process.env.BENCH_WORKERS ?? 2);
const count = Number(process.env.BENCH_ITEMS ?? 6);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const PYTHONPATH = ['/work/pysrc/monai', '/work/pysrc/ignite', '/work/pysrc/einops', process.env.PYTHONPATH].filter(Boolean).join(':');

const tGen = performance.now();
const files = spleenLikeFiles(count);
const genMs = performance.now() - tGen;
await loadTransformRegistry();
const env = { cores: os.availableParallelism(), load1: +os.loadavg()[0].toFixed(2), mainThreads: torch.getNumThreads(), workerThreads: threadsPerWorker(workers) };

type Item = { image: torch.Tensor; label: torch.Tensor };

/** One item through the chain on this thread, stage by stage (plus a separate inflate of its two files). */
function profile(file: { image: string; label: string }): Record<string, number> {
  const ms: Record<string, number> = {};
  let t = performance.now();
  for (const f of [file.image, file.label]) zlib.gunzipSync(fs.readFileSync(f));
  ms.gzipInflate = performance.now() - t;
  let d: unknown = file;
  const chain = new Compose(spleenChain());
  chain.transforms.forEach((_, k) => {
    t = performance.now();
    d = chain.call(d, { start: k, end: k + 1 });
    ms[chain.transforms[k].constructor.name] = performance.now() - t;
  });
  disposeItem(d);
  // LoadImaged inflates as it decodes; a separate gunzipSync of both files estimates the inflate share
  ms.loadBeyondInflate = Math.max(0, ms.LoadImaged - ms.gzipInflate);
  for (const k of Object.keys(ms)) ms[k] = Math.round(ms[k]);
  return ms;
}

if (process.env.BENCH_PROFILE !== '0') {
  // with the intra-op threads each cache worker gets
  torch.setNumThreads(env.workerThreads);
  profile(files[0]); // warm-up (first-call costs)
  console.log(JSON.stringify({ bench: 'cache_build_stages', item: 1, threads: env.workerThreads, ms: profile(files[1]) }));
  torch.setNumThreads(env.mainThreads);
}

// MONAI first (its outputs are kept for the comparison), then ours; both read the same files from the page cache
let monai: { seconds: number; torch_threads: number } | null = null;
const dump = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-build-monai-'));
try {
  if (process.env.BENCH_SKIP_PYTHON !== '1') {
    const list = path.join(dump, 'files.json');
    fs.writeFileSync(list, JSON.stringify(files));
    const r = spawnSync(python, [new URL('./cache_build.py', import.meta.url).pathname, list, '--workers', String(workers), '--dump', dump], {
      env: pythonEnv({ ...process.env, PYTHONPATH, PYTHONWARNINGS: 'ignore' }),
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) console.log(JSON.stringify({ bench: 'cache_build', monai: null, error: (r.stderr || String(r.error)).slice(-2000) }));
    else monai = JSON.parse(r.stdout.trim().split('\n').pop()!);
  }

  const t0 = performance.now();
  const ds = new CacheDataset<Item>(files, spleenChain(), { numWorkers: workers, progress: false });
  const oursS = (performance.now() - t0) / 1000;
  const cache = (ds as unknown as { cache: Item[] }).cache;
  console.log(
    JSON.stringify({
      bench: 'cache_build',
      items: count,
      shape: cache[0].image.shape,
      numWorkers: workers,
      oursSeconds: +oursS.toFixed(3),
      monaiSeconds: monai?.seconds ?? null,
      ratio: monai ? +(oursS / monai.seconds).toFixed(3) : null,
      target: 0.5,
      monaiTorchThreads: monai?.torch_threads ?? null,
      generateSeconds: +(genMs / 1000).toFixed(1),
      ...env,
    }),
  );

  if (monai) {
    // agreement: each cached item's image and label against MONAI's (float32 .npy)
    let worst = 0;
    const shapesEqual: boolean[] = [];
    cache.forEach((item, i) => {
      for (const k of ['image', 'label'] as const) {
        const [a] = readNpyFile(path.join(dump, `${k}_${i}.npy`));
        const ours = item[k];
        const same = JSON.stringify(a.shape) === JSON.stringify(ours.shape);
        shapesEqual.push(same);
        if (!same) continue;
        torch.tidy(() => {
          const ref = torch.empty(a.shape, { dtype: 'float32' });
          ref.withData((d) => readNpyData(a, new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
          worst = Math.max(worst, ours.to({ dtype: 'float32' }).sub(ref).abs().max().item() as number);
        });
      }
    });
    console.log(JSON.stringify({ bench: 'cache_build_agreement', shapesEqual: shapesEqual.every(Boolean), maxAbsDiff: worst, tolerance: 1e-5, ok: shapesEqual.every(Boolean) && worst <= 1e-5 }));
  }
  ds.disposeCache();
} finally {
  fs.rmSync(dump, { recursive: true, force: true });
}

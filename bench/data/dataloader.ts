// DataLoader benchmark: a pipeline costing about 20 ms per item (MakeItem + Spin, from the tests'
// helper module, so it travels to workers), items/s with numWorkers 0 and 2 and their ratio (issue 9
// target: >= 1.8 on a machine with 2 free cores); then memory over many batches with 2 workers (live
// tensors, tensor bytes and RSS after the first and the last batch).
//   BENCH_ITEMS (default 100), BENCH_MS (default 20), BENCH_BATCHES (default 5000), BENCH_WORKERS (default 2)
import * as os from 'node:os';
import * as torch from '@monai-ts/torch';
import { DataLoader } from '../../packages/monai/src/data/dataloader.js';
import { Dataset } from '../../packages/monai/src/data/dataset.js';
import { RandGaussianNoised } from '../../packages/monai/src/transforms/intensity/dictionary.js';
import { registerTransforms } from '../../packages/monai/src/transforms/serialize.js';
import { MakeItem, Spin } from '../../packages/monai/test/data/helpers/loader_transforms.js';

const items = Number(process.env.BENCH_ITEMS ?? 100);
const ms = Number(process.env.BENCH_MS ?? 20);
const batches = Number(process.env.BENCH_BATCHES ?? 5000);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
await registerTransforms(new URL('../../packages/monai/test/data/helpers/loader_transforms.ts', import.meta.url).href);

/** items/s over one epoch, after a warm-up epoch (persistent workers: the steady state of training) */
async function rate(numWorkers: number): Promise<{ rate: number; startMs: number }> {
  const ds = new Dataset(Array.from({ length: items }, (_, i) => i), [new MakeItem([1, 64, 64]), new Spin(ms)]);
  const loader = new DataLoader<{ img: torch.Tensor }>(ds, { batchSize: 2, numWorkers, persistentWorkers: numWorkers > 0 });
  const epoch = async (): Promise<number> => {
    const t0 = performance.now();
    for await (const b of loader) b.img.dispose();
    return performance.now() - t0;
  };
  const first = await epoch();
  const steady = await epoch();
  await loader.close();
  return { rate: items / (steady / 1000), startMs: first - steady };
}

const r0 = (await rate(0)).rate;
const { rate: rN, startMs } = await rate(workers);
console.log(JSON.stringify({ bench: 'dataloader_throughput', msPerItem: ms, items, cores: os.cpus().length, load1: os.loadavg()[0], itemsPerSec0: +r0.toFixed(2), [`itemsPerSec${workers}`]: +rN.toFixed(2), ratio: +(rN / r0).toFixed(3), workerStartMs: Math.round(startMs) }));

const ds = new Dataset(Array.from({ length: batches * 2 }, (_, i) => i), [new MakeItem([1, 64, 64]), new RandGaussianNoised({ keys: ['img'], prob: 1 })]);
const loader = new DataLoader<{ img: torch.Tensor }>(ds, { batchSize: 2, numWorkers: workers });
let n = 0;
let first: { live: number; bytes: number; rss: number } | null = null;
const t0 = performance.now();
for await (const b of loader) {
  b.img.dispose();
  if (++n === 1) first = { live: torch.memory().liveTensors, bytes: torch.memory().bytes, rss: process.memoryUsage().rss };
}
const last = { live: torch.memory().liveTensors, bytes: torch.memory().bytes, rss: process.memoryUsage().rss };
console.log(JSON.stringify({ bench: 'dataloader_memory', batches: n, seconds: +((performance.now() - t0) / 1000).toFixed(1), first, last, rssGrowthMiB: +((last.rss - first!.rss) / 2 ** 20).toFixed(1) }));

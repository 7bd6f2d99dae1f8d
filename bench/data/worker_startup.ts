// Worker startup: time to the first batch of a 2-worker DataLoader (the workers start, load the library
// and rebuild the dataset), with the library loaded by each worker through tsx from the sources, and
// through the built dist/ (worker_loader.ts; needs `npm run build` after the last source change). Two
// pipelines: package transforms only, and one with a user TypeScript module (tsx + redirect to dist).
// Each measurement runs in a fresh process (the loader choice is made once per process).
//   node --conditions=source --import tsx bench/data/worker_startup.ts     (BENCH_REPEAT, default 3;
//   BENCH_LOADER=dist measures the build even when a source file changed after it)
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';

const HELPERS = new URL('../../packages/monai/test/data/helpers/loader_transforms.ts', import.meta.url).href;

if (process.env.WORKER_STARTUP_CHILD) {
  const torch = await import('@monai-ts/torch');
  const { DataLoader } = await import('../../packages/monai/src/data/dataloader.js');
  const { Dataset } = await import('../../packages/monai/src/data/dataset.js');
  const { workerLoader } = await import('../../packages/monai/src/data/worker_loader.js');
  const { registerTransforms } = await import('../../packages/monai/src/transforms/serialize.js');
  const { ScaleIntensityd } = await import('../../packages/monai/src/transforms/intensity/dictionary.js');
  const withUser = process.env.WORKER_STARTUP_CHILD === 'user';
  let transforms: unknown[];
  const data = Array.from({ length: 4 }, (_, i) => ({ img: torch.full([1, 4, 4], i) }));
  if (withUser) {
    await registerTransforms(HELPERS);
    const { TagThread } = await import(HELPERS);
    transforms = [new ScaleIntensityd({ keys: ['img'] }), new TagThread()];
  } else transforms = [new ScaleIntensityd({ keys: ['img'] })];
  const mode = workerLoader(new URL('../../packages/monai/src/data/worker_entry.ts', import.meta.url), withUser ? [HELPERS] : []).mode;
  const loader = new DataLoader<{ img: InstanceType<typeof torch.Tensor> }>(new Dataset(data, transforms as never), { batchSize: 2, numWorkers: 2 });
  await (await import('../../packages/monai/src/transforms/serialize.js')).loadTransformRegistry(); // the main thread's part, not timed
  const t0 = performance.now();
  for await (const b of loader) {
    const ms = performance.now() - t0;
    b.img.dispose();
    console.log(JSON.stringify({ mode, ms: Math.round(ms) }));
    break;
  }
  data.forEach((d) => d.img.dispose());
} else {
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const pipeline of ['package', 'user']) {
    const row: Record<string, unknown> = { bench: 'worker_startup', numWorkers: 2, pipeline, cores: os.availableParallelism(), load1: +os.loadavg()[0].toFixed(1) };
    for (const loaderEnv of ['tsx', process.env.BENCH_LOADER ?? 'auto']) {
      const ms: number[] = [];
      let mode = '';
      for (let r = 0; r < repeat; r++) {
        const c = spawnSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname], {
          env: { ...process.env, WORKER_STARTUP_CHILD: pipeline, MONAI_TS_WORKER_LOADER: loaderEnv },
          encoding: 'utf8',
        });
        if (c.status !== 0) throw new Error(c.stderr);
        const out = JSON.parse(c.stdout.trim().split('\n').pop()!);
        ms.push(out.ms);
        mode = out.mode;
      }
      row[`${mode}Ms`] = median(ms);
    }
    console.log(JSON.stringify(row));
  }
}

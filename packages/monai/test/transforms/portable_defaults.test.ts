// The transforms whose constructors used to create default closures (DataStats(d), Lambda(d),
// RandLambda(d), MaskIntensity(d), MeanEnsemble(d), VoteEnsemble(d), SaveImage(d)) now hold named,
// exported defaults, so they are described and revived (same class, same defaults) and run in a 2-worker
// DataLoader with the same results as on the main thread and no fallback warning. Lambda/Lambdad take
// { module, name } function specs that workers import.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import * as T from '../../src/transforms/index.js';
import { Dataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';
import { FunctionRef, describeTransform, loadTransformRegistry, reviveTransform } from '../../src/transforms/serialize.js';
import { consoleInfo, identityFunc } from '../../src/transforms/utility/array.js';
import { isPositive } from '../../src/transforms/utils.js';
import { defaultNameFormatter } from '../../src/transforms/io/array.js';
import { disposeDeep } from '../../src/data/shared_item.js';
import { MakeItem } from '../data/helpers/loader_transforms.js';

const HELPERS = new URL('../data/helpers/loader_transforms.ts', import.meta.url).href;
const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-portable-'));
before(async () => {
  await loadTransformRegistry();
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const double = { module: HELPERS, name: 'double' };

function fourteen(): [string, T.Transform][] {
  const out = path.join(tmp, 'saved');
  return [
    ['DataStats', new T.DataStats()],
    ['DataStatsd', new T.DataStatsd({ keys: ['img'] })],
    ['Lambda', new T.Lambda({ func: double })],
    ['Lambdad', new T.Lambdad({ keys: ['img'], func: double })],
    ['RandLambda', new T.RandLambda({ func: double, prob: 0.5 })],
    ['RandLambdad', new T.RandLambdad({ keys: ['img'], func: double, prob: 0.5 })],
    ['MaskIntensity', new T.MaskIntensity()],
    ['MaskIntensityd', new T.MaskIntensityd({ keys: ['img'], maskKey: 'img' })],
    ['MeanEnsemble', new T.MeanEnsemble()],
    ['MeanEnsembled', new T.MeanEnsembled({ keys: ['img', 'img2'], outputKey: 'mean' })],
    ['VoteEnsemble', new T.VoteEnsemble()],
    ['VoteEnsembled', new T.VoteEnsembled({ keys: ['img'], outputKey: 'vote' })],
    ['SaveImage', new T.SaveImage({ outputDir: out, printLog: false })],
    ['SaveImaged', new T.SaveImaged({ keys: ['img'], outputDir: out, printLog: false, separateFolder: false })],
  ];
}

test('each of the 14 is described and revived with its named defaults', async () => {
  await T.registerFunctionRefs(fourteen()); // the module of the { module, name } specs (a DataLoader does this itself)
  for (const [name, t] of fourteen()) {
    const back = reviveTransform<T.Transform>(describeTransform(t, name));
    assert.equal(Object.getPrototypeOf(back), Object.getPrototypeOf(t), name);
  }
  const [ds, , lam, , , , mask, , , mean, , , save] = fourteen().map(([, t]) => t) as [T.DataStats, unknown, T.Lambda, unknown, unknown, unknown, T.MaskIntensity, unknown, unknown, T.MeanEnsembled, unknown, unknown, T.SaveImage];
  assert.equal(ds.logger, consoleInfo);
  assert.equal(lam.invFunc, identityFunc);
  assert.ok(lam.func instanceof FunctionRef);
  assert.equal(mask.selectFn, isPositive);
  assert.ok(mean.ensemble instanceof T.MeanEnsemble);
  assert.equal(save.nameFormatter, defaultNameFormatter);
  assert.deepEqual(save.writerNames, save.writers.map((w) => w.name));
  assert.ok(save.writerNames.length > 0);
});

function pipeline(outDir: string): Dataset {
  return new Dataset([1, 2, 3, 4, 5], [
    new MakeItem([1, 4, 5]),
    new T.DataStatsd({ keys: ['img'], logger: null, valueRange: false, dataShape: false, dataType: false, prefix: 'portable-test' }),
    new T.Lambdad({ keys: ['img'], func: double }),
    new T.RandLambdad({ keys: ['img'], func: double, prob: 0.5 }),
    new T.MaskIntensityd({ keys: ['img'], maskKey: 'img' }),
    new T.CopyItemsd({ keys: ['img'], names: ['img2'] }),
    new T.MeanEnsembled({ keys: ['img', 'img2'], outputKey: 'mean' }),
    new T.VoteEnsembled({ keys: ['img'], outputKey: 'vote' }),
    new T.SaveImaged({ keys: ['img'], outputDir: outDir, printLog: false, separateFolder: false, outputPostfix: 'p' }),
    new T.Lambda({ func: { module: HELPERS, name: 'tagThreadFn' } }),
  ]);
}

test('the 14 run in a 2-worker DataLoader: same results as on the main thread, made in workers, no fallback', async () => {
  const warnings: string[] = [];
  const onWarn = (w: Error & { code?: string }) => warnings.push(String(w.code));
  process.on('warning', onWarn);
  const logged: string[] = [];
  const info = console.info;
  console.info = (m: string) => logged.push(m);
  const runs: { values: number[][]; threads: number[] }[] = [];
  try {
    for (const numWorkers of [0, 2]) {
      const dir = path.join(tmp, `w${numWorkers}`);
      const values: number[][] = [];
      const threads: number[] = [];
      const g = new torch.Generator().manualSeed(3);
      for await (const b of new DataLoader<Record<string, MetaTensor | number[]>>(pipeline(dir), { batchSize: 2, numWorkers, generator: g })) {
        for (const k of ['img', 'img2', 'mean', 'vote']) values.push(Array.from((b[k] as MetaTensor).data() as Float32Array));
        threads.push(...(b.lambdaThread as number[]));
        disposeDeep(b);
      }
      runs.push({ values, threads });
      assert.equal(fs.readdirSync(dir).length, 5, `numWorkers ${numWorkers}: SaveImaged wrote one file per item`);
    }
  } finally {
    console.info = info;
    process.off('warning', onWarn);
  }
  assert.deepEqual(runs[1].values, runs[0].values);
  assert.ok(runs[0].threads.every((t) => t === 0));
  assert.ok(runs[1].threads.every((t) => t !== 0), `the Lambda ran in workers (threads ${runs[1].threads})`);
  assert.ok(!warnings.includes('MONAI_TS_NOT_PORTABLE'), 'no main-thread fallback');
  // the first batch holds items 1 and 2, doubled by Lambdad and maybe again by RandLambdad: 2 or 4, 4 or 8
  assert.ok(runs[0].values[0].every((v) => [2, 4, 8].includes(v)), `doubled values, got ${runs[0].values[0]}`);
  // the main thread's DataStats logged through console.info (the default logger); workers log on their own console
  assert.ok(logged.some((m) => m.includes('portable-test')), 'DataStatsd used the default logger');
});

test('function specs: clear errors for an unloaded module, a missing export, a bad spec', async () => {
  const url = 'data:text/javascript,export function triple(x) { return x * 3 }';
  const lam = new T.Lambda({ func: { module: url, name: 'triple' } });
  assert.throws(() => lam.call(2), /Lambda: function 'triple' of module 'data:text\/javascript,.*' is not loaded: `await registerTransforms/);
  await T.registerTransforms(url);
  assert.equal(lam.call(2), 6);
  assert.throws(() => new T.Lambda({ func: { module: url, name: 'nope' } }).call(2), /exports no function 'nope' \(its functions: triple\)/);
  assert.throws(() => new T.Lambda({ func: { module: url } as never }), /must be a function/);
  assert.throws(() => new T.Lambdad({ keys: ['a'], func: { module: './rel.js', name: 'f' } }), /module must be an absolute path or a URL/);
  // an absolute path is the same module as its file URL
  const ref = new FunctionRef({ module: new URL(HELPERS).pathname, name: 'double' });
  assert.equal(ref.module, HELPERS);
});

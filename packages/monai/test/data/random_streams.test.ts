// DataLoader randomStreams 'monai': the same batches as MONAI 1.4's DataLoader for a seeded generator
// (tools/goldens/data/make_random_streams.py), over two epochs, with numWorkers 0, 2, and 2 persistent;
// the default 'perItem' streams stay independent of numWorkers; a wrong value is refused.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { DataLoader, MetaTensor } from '../../src/data/index.js';
import { Dataset } from '../../src/data/dataset.js';
import { RandGaussianNoised, RandShiftIntensityd } from '../../src/transforms/intensity/dictionary.js';
import { RandFlipd } from '../../src/transforms/spatial/dictionary_random.js';
import { registerTransforms } from '../../src/transforms/serialize.js';
import { MakeItem } from './helpers/loader_transforms.js';

const HELPERS = new URL('./helpers/loader_transforms.ts', import.meta.url).href;
interface Case {
  numWorkers: number;
  persistentWorkers: boolean;
  epochs: { ids: number[]; values: number[] }[][];
}
const G = JSON.parse(readFileSync(new URL('../../../../tools/goldens/data/random_streams.json', import.meta.url), 'utf8')) as { cases: Case[] };
const start = torch.memory().liveTensors;

before(async () => {
  await registerTransforms(HELPERS);
});

function pipeline(): Dataset {
  return new Dataset(Array.from({ length: 10 }, (_, i) => i), [
    new MakeItem(),
    new RandGaussianNoised({ keys: ['img'], prob: 0.7 }),
    new RandShiftIntensityd({ keys: ['img'], offsets: 2, prob: 0.5 }),
    new RandFlipd({ keys: ['img'], prob: 0.5, spatialAxis: 1 }),
  ]);
}

async function epoch(loader: DataLoader<{ img: MetaTensor; id: number[] }>): Promise<{ ids: number[]; values: number[] }[]> {
  const out = [];
  for await (const b of loader) {
    out.push({ ids: b.id, values: Array.from(b.img.data() as Float32Array) });
    b.img.dispose();
  }
  return out;
}

for (const c of G.cases) {
  test(`'monai' streams give MONAI's batches: numWorkers ${c.numWorkers}${c.persistentWorkers ? ', persistent' : ''}, two epochs`, async () => {
    const loader = new DataLoader<{ img: MetaTensor; id: number[] }>(pipeline(), {
      batchSize: 3,
      shuffle: true,
      numWorkers: c.numWorkers,
      persistentWorkers: c.persistentWorkers,
      generator: new torch.Generator().manualSeed(7),
      randomStreams: 'monai',
    });
    try {
      for (let e = 0; e < c.epochs.length; e++) {
        const got = await epoch(loader);
        const want = c.epochs[e];
        assert.deepEqual(got.map((b) => b.ids), want.map((b) => b.ids), `epoch ${e}: order`);
        for (let b = 0; b < want.length; b++) {
          assert.equal(got[b].values.length, want[b].values.length);
          // the Python values are float32 printed as float64: equal up to f32 rounding of the noise
          for (let k = 0; k < want[b].values.length; k++) {
            assert.ok(Math.abs(got[b].values[k] - want[b].values[k]) <= 1e-6 * Math.max(1, Math.abs(want[b].values[k])), `epoch ${e} batch ${b} value ${k}: ${got[b].values[k]} vs ${want[b].values[k]}`);
          }
        }
      }
    } finally {
      await loader.close();
    }
  });
}

test("'monai' batches depend on numWorkers (as in MONAI), 'perItem' batches do not", async () => {
  const [w0, w2] = G.cases;
  assert.notDeepEqual(w0.epochs[0].map((b) => b.values), w2.epochs[0].map((b) => b.values));
  const runs = [];
  for (const numWorkers of [0, 2]) {
    runs.push(await epoch(new DataLoader(pipeline(), { batchSize: 3, shuffle: true, numWorkers, generator: new torch.Generator().manualSeed(7) })));
  }
  assert.deepEqual(runs[1], runs[0]);
});

test('a wrong randomStreams is refused, naming the option', () => {
  assert.throws(() => new DataLoader(new Dataset([1]), { randomStreams: 'python' as never }), /DataLoader: randomStreams must be 'perItem' or 'monai', got python/);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'random_streams tests leaked tensors');
});

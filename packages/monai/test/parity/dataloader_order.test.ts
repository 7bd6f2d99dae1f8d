// DataLoader order against torch 1.13 / MONAI 1.4 (golden: tools/goldens/parity/make_dataloader.py):
// shuffled batch order over three epochs with a seeded generator and with torch.manualSeed and no
// generator, dropLast, batch sizes that do not divide; listDataCollate flattening multi-sample items.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { DataLoader, Dataset } from '../../src/data/index.js';

const G = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../tools/goldens/parity/dataloader.json', import.meta.url)), 'utf8'));
const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

type Case = { n: number; batch_size: number; drop_last: boolean; seed: number; generator: boolean; epochs: number[][][] };
for (const c of G.cases as Case[]) {
  test(`shuffle order: n ${c.n}, batchSize ${c.batch_size}, dropLast ${c.drop_last}, ${c.generator ? 'Generator' : 'torch.manualSeed'}(${c.seed}), 3 epochs equal torch's`, async () => {
    const ds = new Dataset(Array.from({ length: c.n }, (_, i) => i));
    let gen: torch.Generator | null = null;
    if (c.generator) {
      gen = new torch.Generator();
      gen.manualSeed(c.seed);
    } else torch.manualSeed(c.seed);
    const loader = new DataLoader(ds, { batchSize: c.batch_size, shuffle: true, dropLast: c.drop_last, generator: gen, collateFn: (b) => b });
    const epochs: number[][][] = [];
    for (let e = 0; e < 3; e++) {
      const batches: number[][] = [];
      for await (const b of loader) batches.push(b as number[]);
      epochs.push(batches);
    }
    assert.deepEqual(epochs, c.epochs);
    assert.equal(loader.length, c.epochs[0].length);
  });
}

test("listDataCollate flattens multi-sample items in MONAI's order (item-major, samples in order), last batch short", async () => {
  const items = Array.from({ length: 5 }, (_, i) => Array.from({ length: 3 }, (_, k) => ({ v: torch.tensor(10 * i + k) })));
  const got: number[][] = [];
  for await (const b of new DataLoader(new Dataset(items), { batchSize: 2 })) {
    const v = (b as { v: Tensor }).v;
    got.push(Array.from(v.data() as ArrayLike<number | bigint>, Number));
    v.dispose();
  }
  assert.deepEqual(got, G.multi_sample);
  torch.dispose(items.flat().map((x) => x.v));
});

test("shuffle order with 2 worker threads (persistent) over 3 epochs equals torch's for a seeded Generator", async () => {
  const c = (G.cases as Case[])[0];
  const gen = new torch.Generator();
  gen.manualSeed(c.seed);
  const loader = new DataLoader(new Dataset(Array.from({ length: c.n }, (_, i) => i)), { batchSize: c.batch_size, shuffle: true, generator: gen, numWorkers: 2, persistentWorkers: true });
  try {
    const epochs: number[][][] = [];
    for (let e = 0; e < 3; e++) {
      const batches: number[][] = [];
      for await (const b of loader) batches.push(b as number[]);
      epochs.push(batches);
    }
    assert.deepEqual(epochs, c.epochs);
  } finally {
    await loader.close();
  }
});

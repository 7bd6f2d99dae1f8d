// SmartCacheHandler: with a SupervisedTrainer over a SmartCacheDataset, start() at STARTED, updateCache()
// after each epoch and shutdown() at COMPLETED, as MONAI; the epochs see MONAI's cache windows
// (tools/goldens/data/smartcache.json: 8 items, cacheNum 4, replaceRate 0.5, no shuffle).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { SmartCacheDataset, DataLoader } from '../../src/data/index.js';
import { disposeItem } from '../../src/data/item_codec.js';
import { Events, SupervisedTrainer } from '../../src/engines/index.js';
import { SmartCacheHandler } from '../../src/handlers/index.js';
import { DiceLoss } from '../../src/losses/index.js';
import { Transform } from '../../src/transforms/transform.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

type Item = { id: number; image: Tensor; label: Tensor };
/** A deterministic (so cached) copying transform: the cache then owns its tensors, not the data list. */
class CopyItem extends Transform {
  call(d: unknown): unknown {
    const x = d as Item;
    return { id: x.id, image: x.image.clone(), label: x.label.clone() };
  }
}

test('SmartCacheHandler moves the cache window once per epoch of a SupervisedTrainer', async () => {
  const golden = (readGolden('data/smartcache.json') as { n: number; replaceRate: number; shuffle: boolean; rounds: number[][] }[])
    .find((c) => c.n === 8 && c.replaceRate === 0.5 && !c.shuffle)!;
  torch.manualSeed(3);
  const data: Item[] = Array.from({ length: 8 }, (_, id) => torch.tidy(() => {
    const image = torch.rand([1, 8, 8]);
    const label = torch.cat([image.lt(0.5), image.ge(0.5)], { dim: 0 }).float();
    return { id, image: torch.keep(image), label: torch.keep(label) };
  }));
  const ds = new SmartCacheDataset(data, new CopyItem(), { cacheNum: 4, replaceRate: 0.5, progress: false, shuffle: false });
  const calls: string[] = [];
  let depth = 0; // updateCache calls start itself: record only the handler's (outermost) calls
  for (const m of ['start', 'updateCache', 'shutdown'] as const) {
    const orig = ds[m].bind(ds);
    ds[m] = () => {
      if (depth === 0) calls.push(m);
      depth++;
      try {
        orig();
      } finally {
        depth--;
      }
    };
  }
  torch.manualSeed(0);
  const net = new torch.nn.Sequential(new torch.nn.Conv2d(1, 2, 3, { padding: 1 }), new torch.nn.Softmax({ dim: 1 }));
  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  const loader = new DataLoader(ds, { batchSize: 2 });
  const trainer = new SupervisedTrainer({ maxEpochs: 3, trainDataLoader: loader, network: net, optimizer: opt, lossFunction: new DiceLoss() });
  new SmartCacheHandler(ds).attach(trainer);
  const windows: number[][] = [];
  trainer.on(Events.EPOCH_STARTED, () => {
    calls.push('epoch');
    windows.push(Array.from({ length: ds.length }, (_, i) => {
      const item = ds.get(i) as Item;
      const id = item.id;
      disposeItem(item);
      return id;
    }));
  });
  await trainer.run();
  assert.deepEqual(calls, ['start', 'epoch', 'updateCache', 'epoch', 'updateCache', 'epoch', 'updateCache', 'shutdown']);
  assert.deepEqual(windows, golden.rounds.slice(0, 3));
  opt.dispose();
  net.dispose();
  ds.disposeCache();
  data.forEach((d) => torch.dispose([d.image, d.label]));
});

test('SmartCacheHandler rejects anything but a SmartCacheDataset', () => {
  assert.throws(() => new SmartCacheHandler([] as never), /SmartCacheHandler: smartcacher must be a SmartCacheDataset, found Array/);
});

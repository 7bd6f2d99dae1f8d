// Data-parallel training of a small 3D UNet on generated spheres, one process per rank:
//
//   npx monai-ts-run --nproc-per-node 2 examples/distributed/train_unet.ts
//
// Each rank joins torch.distributed's default group (Gloo, from the launcher's environment), wraps the
// UNet in DistributedDataParallel (gradients averaged across ranks during backward) and trains it with
// MONAI's SupervisedTrainer. Two ways to split the data, as in MONAI's DDP tutorials:
//   --split sampler    (default) every rank builds the same CacheDataset, a DistributedSampler hands each
//                      rank its share of the indices, reshuffled per epoch (the trainer calls setEpoch)
//   --split partition  partitionDataset gives each rank its own items and each rank caches only those
// Rank 0 prints the epoch losses averaged over all ranks and, with --out DIR, writes the final weights.
// Every rank ends with one JSON line (its items, losses, a checksum of its parameters) that the example's
// test reads: the checksums must agree, since DDP keeps the replicas identical.
//
// Options: --epochs N (5), --items N (16), --size N (32, the cube's side), --batch N (2), --seed N (0),
//          --split sampler|partition, --out DIR.
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import {
  CacheDataset, DataLoader, DiceLoss, DistributedSampler, Events, RandFlipd, ScaleIntensityd, SupervisedTrainer, UNet, partitionDataset,
  type Engine,
} from 'monai-ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const epochs = Number(arg('epochs', '5'));
const items = Number(arg('items', '16'));
const size = Number(arg('size', '32'));
const batchSize = Number(arg('batch', '2'));
const seed = Number(arg('seed', '0'));
const split = arg('split', 'sampler');
const out = process.argv.includes('--out') ? path.resolve(arg('out', '.')) : null;
if (split !== 'sampler' && split !== 'partition') throw new Error(`--split must be 'sampler' or 'partition', found '${split}'`);

const dist = torch.distributed;
if (!dist.distributedEnv()) {
  throw new Error('train_unet.ts runs one process per rank: start it with `npx monai-ts-run --nproc-per-node 2 examples/distributed/train_unet.ts`');
}
dist.initProcessGroup({ backend: 'gloo' });
const rank = dist.getRank();
const worldSize = dist.getWorldSize();
console.log(`pid ${process.pid}`);

/** A noisy cube with a sphere of random centre and radius; the label marks the sphere. Same on every rank. */
function makeItem(id: number): { id: number; image: Tensor; label: Tensor } {
  const g = new torch.Generator().manualSeed(seed * 100003 + id);
  try {
    return torch.tidy(() => {
      const [cx, cy, cz, r] = torch.rand([4], { generator: g }).toArray() as number[];
      const axis = torch.arange(size, { dtype: 'float32' });
      const d2 = (c: number, shape: number[]) => axis.sub(size * (0.3 + 0.4 * c)).pow(2).reshape(shape);
      const dist2 = d2(cx, [size, 1, 1]).add(d2(cy, [1, size, 1])).add(d2(cz, [1, 1, size]));
      const label = dist2.lt((size * (0.12 + 0.12 * r)) ** 2).float().unsqueeze(0);
      const image = label.mul(2).add(torch.randn([1, size, size, size], { generator: g }).mul(0.7));
      return { id, image: torch.keep(image), label: torch.keep(label) };
    });
  } finally {
    g.dispose();
  }
}

const all = Array.from({ length: items }, (_, i) => i);
const mine = split === 'partition' ? partitionDataset(all, { numPartitions: worldSize, shuffle: true, seed, evenDivisible: true })[rank] : all;
const transform = [new ScaleIntensityd({ keys: 'image' }), new RandFlipd({ keys: ['image', 'label'], prob: 0.5, spatialAxis: 0 })];
const source = mine.map(makeItem);
const dataset = new CacheDataset(source, transform, { progress: false });
const sampler = split === 'sampler' ? new DistributedSampler(dataset, { shuffle: true, seed }) : null;
const loader = new DataLoader(dataset, { batchSize, sampler, shuffle: sampler === null });

torch.manualSeed(seed); // the same initial weights everywhere (DDP also broadcasts rank 0's at wrap)
const unet = new UNet({ spatialDims: 3, inChannels: 1, outChannels: 2, channels: [8, 16, 32], strides: [2, 2], numResUnits: 1 });
const model = new torch.nn.parallel.DistributedDataParallel(unet);
const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
const trainer = new SupervisedTrainer({
  maxEpochs: epochs,
  trainDataLoader: loader,
  network: model,
  optimizer,
  lossFunction: new DiceLoss({ toOnehotY: true, softmax: true }),
});

let sum = 0;
let count = 0;
const losses: number[] = [];
trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => {
  // The output is decollated (one dict per item, as MONAI); each carries the batch loss as a number.
  const output = e.state.output as { loss: number }[];
  sum += output[0].loss;
  count += 1;
});
trainer.on(Events.EPOCH_COMPLETED, (e: Engine) => {
  // Every rank's mean over its batches, averaged across ranks (an allReduce, so all ranks take part).
  const mean = torch.tensor([sum / Math.max(count, 1)], { dtype: 'float64' });
  dist.allReduce(mean);
  losses.push(mean.item() / worldSize);
  mean.dispose();
  [sum, count] = [0, 0];
  if (rank === 0) console.log(`epoch ${e.state.epoch}/${epochs}: mean Dice loss ${losses.at(-1)!.toFixed(4)} over ${worldSize} ranks`);
});

const t0 = performance.now();
await trainer.run();
const seconds = (performance.now() - t0) / 1000;

if (out && rank === 0) {
  torch.save(unet.stateDict(), path.join(out, 'unet_ddp.pt'));
  console.log(`rank 0 saved ${path.join(out, 'unet_ddp.pt')}`);
}
const checksum = torch.tidy(() => [...unet.parameters()].reduce((acc, p) => acc + p.double().abs().sum().item(), 0));
const seen = sampler ? [...sampler] : mine;
console.log(JSON.stringify({ rank, worldSize, split, items: seen, losses, checksum, seconds: Number(seconds.toFixed(2)) }));

optimizer.dispose();
model.dispose();
await loader.close();
dataset.disposeCache();
torch.dispose(source.flatMap((s) => [s.image, s.label]));
dist.destroyProcessGroup();

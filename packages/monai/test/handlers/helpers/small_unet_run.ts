// The acceptance run of issue 10: 2 epochs of a small 2-D UNet on generated data, with ValidationHandler
// (SupervisedEvaluator + MeanDice), CheckpointSaver (trainer: every epoch, final; evaluator: key metric),
// StatsHandler and TensorBoard handlers, as MONAI's unet_training_dict tutorial assembles them.
// Used by training_run.test.ts, and runnable as a script (exits non-zero with the message on failure):
//   node --conditions=source --import tsx packages/monai/test/handlers/helpers/small_unet_run.ts <dir> [none|handler|network]
// It writes <dir>/ckpt/*.pt, <dir>/tb/{train,val}/events.*, and <dir>/final.json (parameter sums and
// the engine's numbers) that tools/goldens/handlers/load_checkpoint_monai.py checks against MONAI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { Events, SupervisedEvaluator, SupervisedTrainer, type Engine } from '../../../src/engines/index.js';
import {
  CheckpointSaver, MeanDice, StatsHandler, TensorBoardImageHandler, TensorBoardStatsHandler, ValidationHandler, fromEngine,
} from '../../../src/handlers/index.js';
import { DiceLoss } from '../../../src/losses/index.js';
import { UNet } from '../../../src/networks/nets/index.js';

export type FailAt = 'none' | 'handler' | 'network';
export const UNET_CONFIG = { spatialDims: 2, inChannels: 1, outChannels: 2, channels: [4, 8], strides: [2], numResUnits: 1 };

export interface RunResult {
  trainer: SupervisedTrainer;
  evaluator: SupervisedEvaluator;
  losses: [number, number][];
  valDice: [number, number][];
  error: Error | null;
  dispose(): void;
}

type Item = { image: Tensor; label: Tensor; pred: Tensor; loss: number };

/** Seeded discs on noise: image [B, 1, 16, 16], one-hot label [B, 2, 16, 16]. */
function makeData(batches: number, seed: number): { image: Tensor; label: Tensor }[] {
  torch.manualSeed(seed);
  return Array.from({ length: batches }, () => torch.tidy(() => {
    const yy = torch.arange(16).view([16, 1]).expand([16, 16]);
    const xx = torch.arange(16).view([1, 16]).expand([16, 16]);
    const masks = [0, 1].map(() => {
      const [cy, cx] = torch.randint(4, 12, [2]).tolist() as number[];
      return yy.sub(cy).pow(2).add(xx.sub(cx).pow(2)).le(16).float().unsqueeze(0);
    });
    const fg = torch.stack(masks); // [2, 1, 16, 16]
    const image = fg.add(torch.rand([2, 1, 16, 16]).mul(0.3));
    const label = torch.cat([fg.neg().add(1), fg], { dim: 1 });
    return { image: torch.keep(image), label: torch.keep(label) };
  }));
}

export async function smallUnetRun(dir: string, failAt: FailAt = 'none'): Promise<RunResult> {
  const ckptDir = join(dir, 'ckpt');
  mkdirSync(ckptDir, { recursive: true });
  const train = makeData(2, 1);
  const val = makeData(1, 2);
  torch.manualSeed(0);
  const net = new UNet(UNET_CONFIG);
  let forwards = 0;
  const origForward = net.forward.bind(net);
  if (failAt === 'network') {
    net.forward = ((x: Tensor) => {
      if (net.training && ++forwards === 3) throw new Error('UNet forward failed on purpose (training iteration 3)');
      return origForward(x);
    }) as typeof net.forward;
  }
  const opt = new torch.optim.Adam(net.parameters(), { lr: 0.01 });
  const postPred = (d: unknown): unknown => {
    const o = d as Item;
    return { ...o, pred: torch.oneHot(o.pred.argmax({ dim: 0 }), 2).permute([2, 0, 1]).float() };
  };

  // the evaluator; its epoch is the trainer's (ValidationHandler passes it)
  const valTb = new TensorBoardStatsHandler({ logDir: join(dir, 'tb', 'val'), outputTransform: () => null });
  const valImages = new TensorBoardImageHandler({
    logDir: join(dir, 'tb', 'val'), batchTransform: (b: Item[]) => [b.map((i) => i.image), b.map((i) => i.label)],
    outputTransform: (o: Item[]) => o.map((i) => i.pred), maxChannels: 2,
  });
  const meanDice = new MeanDice({ includeBackground: true, outputTransform: fromEngine(['pred', 'label']) });
  const evaluator = new SupervisedEvaluator({
    valDataLoader: val, network: net, postprocessing: postPred,
    keyValMetric: { val_mean_dice: meanDice },
    valHandlers: [
      new StatsHandler({ name: 'val_log', outputTransform: () => null }),
      valTb, valImages,
      new CheckpointSaver({ saveDir: ckptDir, saveDict: { net }, saveKeyMetric: true, keyMetricNSaved: 1 }),
    ],
  });

  const trainTb = new TensorBoardStatsHandler({ logDir: join(dir, 'tb', 'train'), outputTransform: fromEngine(['loss'], true) as (o: never) => unknown });
  const trainer = new SupervisedTrainer({
    maxEpochs: 2, trainDataLoader: train, network: net, optimizer: opt, lossFunction: new DiceLoss({ softmax: true }),
  });
  // attached once the trainer exists (it is in its own saveDict); the CheckpointSaver before the
  // StatsHandler, since the first EXCEPTION_RAISED handler that rethrows ends that event (Ignite)
  for (const h of [
    new ValidationHandler({ interval: 1, validator: evaluator }),
    new CheckpointSaver({ saveDir: ckptDir, saveDict: { net, opt, trainer }, saveInterval: 1, nSaved: 2, saveFinal: true }),
    new StatsHandler({ name: 'train_log', outputTransform: fromEngine(['loss'], true) as (o: never) => unknown }),
    trainTb,
  ]) h.attach(trainer);
  if (failAt === 'handler') {
    trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => {
      if (e.state.iteration === 3) throw new Error('a handler failed on purpose (iteration 3)');
    });
  }
  const losses: [number, number][] = [];
  const valDice: [number, number][] = [];
  trainer.on(Events.ITERATION_COMPLETED, (e: Engine) => void losses.push([e.state.iteration, (e.state.output as Item[])[0].loss]));
  evaluator.on(Events.EPOCH_COMPLETED, (e: Engine) => void valDice.push([e.state.epoch, e.state.metrics.val_mean_dice as number]));
  let error: Error | null = null;
  try {
    await trainer.run();
  } catch (e) {
    error = e as Error;
  } finally {
    for (const h of [trainTb, valTb, valImages]) h.close();
  }
  const sums = torch.tidy(() => Object.fromEntries(Object.entries(net.stateDict()).map(([k, t]) => [k, (t as Tensor).double().sum().item()])));
  writeFileSync(join(dir, 'final.json'), JSON.stringify({ config: UNET_CONFIG, iteration: trainer.state.iteration, epoch: trainer.state.epoch, sums, losses, valDice, error: error?.message ?? null }));
  return {
    trainer, evaluator, losses, valDice, error,
    dispose: () => {
      meanDice.dispose();
      opt.dispose();
      net.dispose();
      torch.dispose([train, val]);
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dir, fail = 'none'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: small_unet_run.ts <dir> [none|handler|network]');
  const r = await smallUnetRun(dir, fail as FailAt);
  r.dispose();
  if (r.error) throw r.error;
  process.stdout.write(`trained: iteration ${r.trainer.state.iteration}, val_mean_dice ${JSON.stringify(r.valDice)}\n`);
}

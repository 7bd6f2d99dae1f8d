// The spleen fast-training recipe as MONAI's tutorial runs it: CacheDataset over the deterministic
// prefix, random pos/neg crops, UNet, DiceCELoss, Novograd (or Adam), optional AMP, a SupervisedTrainer
// whose validation (every valInterval epochs) runs a SupervisedEvaluator with sliding-window inference
// and the mean Dice, keeping the best model. Checkpoints: output/checkpoints/best.pt (the network's state
// dict, as torch.save(model.state_dict())) and last.pt (network, optimizer, trainer counters, best metric)
// after every epoch, so an interrupted run resumes where its last epoch ended.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { CacheDataset } from '../../data/dataset.js';
import { DataLoader } from '../../data/dataloader.js';
import { loadDecathlonDatalist, type DatalistItem } from '../../data/decathlon_datalist.js';
import { SupervisedTrainer } from '../../engines/trainer.js';
import { SupervisedEvaluator } from '../../engines/evaluator.js';
import { Events } from '../../engines/events.js';
import { IgniteMetricHandler } from '../../handlers/ignite_metric.js';
import { SlidingWindowInferer } from '../../inferers/inferer.js';
import { DiceCELoss } from '../../losses/dice_ce.js';
import { DiceMetric } from '../../metrics/meandice.js';
import { Novograd } from '../../optimizers/novograd.js';
import { setDeterminism } from '../../utils/misc.js';
import type { SpleenConfig } from './config.js';
import { buildSpleenUNet } from './network.js';
import { spleenTrainTransforms, spleenValTransforms } from './transforms.js';

/** What a caller hears while training runs (the demo's progress bar, the CLI's log lines). */
export interface TrainProgress {
  onStart?(info: { trainCases: number; valCases: number; epochLength: number; startEpoch: number; maxEpochs: number; device: string; parameters: number; cacheSeconds: number }): void;
  onIteration?(info: { epoch: number; iteration: number; epochLength: number; loss: number }): void;
  onEpoch?(info: { epoch: number; seconds: number; meanLoss: number }): void;
  onValidation?(info: { epoch: number; dice: number; bestDice: number; bestEpoch: number; seconds: number; elapsed: number }): void;
}

export interface TrainResult {
  bestDice: number;
  bestEpoch: number;
  /** the last epoch completed (counting resumed ones) */
  epoch: number;
  /** seconds of each epoch run in this call (training only, validation excluded) */
  epochSeconds: number[];
  /** seconds from the start of this call to the first validation at or above targetDice (null: not reached) */
  secondsToTarget: number | null;
  /** seconds of this call in all, caching included */
  totalSeconds: number;
  /** epoch this call started from (0 for a fresh run) */
  resumedFrom: number;
  /** stopped by the abort signal */
  interrupted: boolean;
  bestCheckpoint: string;
  lastCheckpoint: string;
}

export interface TrainOptions {
  progress?: TrainProgress;
  /** abort: training stops after the current iteration; last.pt keeps the last completed epoch */
  signal?: AbortSignal;
}

export function resolveDevice(d: string): string {
  if (d === 'auto') return torch.cuda.isAvailable() ? 'cuda:0' : 'cpu';
  if (d.startsWith('cuda') && !torch.cuda.isAvailable()) throw new Error(`device '${d}' asked for, but this libtorch has no CUDA device`);
  return d;
}

/** dataset.json's training list split as the tutorial does: the last numVal cases validate. */
export function splitDatalist(cfg: Pick<SpleenConfig, 'data' | 'numVal'>): { train: DatalistItem[]; val: DatalistItem[] } {
  const file = path.join(cfg.data, 'dataset.json');
  if (!fs.existsSync(file)) throw new Error(`data ${cfg.data}: no dataset.json (expected a Decathlon-layout folder: dataset.json, imagesTr/, labelsTr/)`);
  const all = loadDecathlonDatalist(file, { dataListKey: 'training' });
  if (all.length <= cfg.numVal) throw new Error(`data ${cfg.data}: ${all.length} training cases, need more than numVal (${cfg.numVal}) to keep some for training`);
  for (const item of all) for (const k of ['image', 'label']) if (!fs.existsSync(item[k] as string)) throw new Error(`data ${cfg.data}: dataset.json lists ${String(item[k])}, which does not exist`);
  return { train: all.slice(0, all.length - cfg.numVal), val: all.slice(all.length - cfg.numVal) };
}

export const checkpointPaths = (output: string): { dir: string; best: string; last: string } => {
  const dir = path.join(output, 'checkpoints');
  return { dir, best: path.join(dir, 'best.pt'), last: path.join(dir, 'last.pt') };
};

/** Trains the recipe on cfg.data; resolves when the epochs are done, targetDice is reached or the signal aborts. */
export async function trainSpleen(cfg: SpleenConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const device = resolveDevice(cfg.device);
  const { train, val } = splitDatalist(cfg);
  setDeterminism({ seed: cfg.seed });
  const ckpt = checkpointPaths(cfg.output);
  fs.mkdirSync(ckpt.dir, { recursive: true });

  const trainDs = new CacheDataset(train, spleenTrainTransforms(cfg), { cacheRate: cfg.cacheRate, numWorkers: cfg.numWorkers || null, progress: false });
  const valDs = new CacheDataset(val, spleenValTransforms(cfg), { cacheRate: cfg.cacheRate, numWorkers: cfg.numWorkers || null, progress: false });
  const cacheSeconds = elapsed();
  const trainLoader = new DataLoader(trainDs, { batchSize: cfg.batchSize, shuffle: true, numWorkers: cfg.numWorkers });
  const valLoader = new DataLoader(valDs, { batchSize: 1, numWorkers: 0 });

  const network = buildSpleenUNet(cfg).to(device as torch.Device);
  const params = [...network.parameters()];
  const optimizer = cfg.optimizer === 'novograd' ? new Novograd(params, { lr: cfg.lr }) : new torch.optim.Adam(params, { lr: cfg.lr });
  const lossFunction = new DiceCELoss({ toOnehotY: true, softmax: true, squaredPred: true, batch: true });
  const dice = new IgniteMetricHandler({
    metricFn: new DiceMetric({ includeBackground: false, numClasses: 2 }),
    // the argmax label map [B, 1, ...] against the label: no one-hot copies of whole volumes
    outputTransform: ((o: { pred: Tensor; label: Tensor }) => [o.pred.argmax({ dim: 1, keepdim: true }), o.label]) as (o: never) => unknown,
    saveDetails: false,
  });
  const evaluator = new SupervisedEvaluator({
    device: device as torch.Device, valDataLoader: valLoader, network, amp: cfg.amp, decollate: false,
    inferer: new SlidingWindowInferer({ roiSize: cfg.swRoi ?? cfg.roi, swBatchSize: cfg.swBatchSize, overlap: 0.25 }),
    keyValMetric: { val_mean_dice: dice },
  });
  const trainer = new SupervisedTrainer({
    device: device as torch.Device, maxEpochs: cfg.epochs, trainDataLoader: trainLoader, network, optimizer, lossFunction, amp: cfg.amp, decollate: false,
  });

  let bestDice = -1;
  let bestEpoch = -1;
  let resumedFrom = 0;
  if (cfg.resume && fs.existsSync(ckpt.last)) {
    const rest = torch.loadCheckpoint(ckpt.last, { network, optimizer, trainer });
    bestDice = typeof rest.best_metric === 'number' ? rest.best_metric : -1;
    bestEpoch = typeof rest.best_metric_epoch === 'number' ? rest.best_metric_epoch : -1;
    torch.dispose(rest);
    resumedFrom = trainer.state.epoch;
    if (trainer.state.maxEpochs !== cfg.epochs) trainer.state.maxEpochs = Math.max(cfg.epochs, trainer.state.epoch);
  }
  evaluator.state.bestMetric = bestDice;
  evaluator.state.bestMetricEpoch = bestEpoch;

  const epochSeconds: number[] = [];
  let secondsToTarget: number | null = null;
  let epochStart = 0;
  let lossSum = 0;
  let interrupted = false;
  const onAbort = (): void => {
    interrupted = true;
    trainer.terminate();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const p = options.progress;

  trainer.on(Events.EPOCH_STARTED, () => {
    epochStart = performance.now();
    lossSum = 0;
  });
  trainer.on(Events.ITERATION_COMPLETED, (e) => {
    const loss = (e.state.output as { loss: Tensor }).loss.item();
    lossSum += loss;
    const epochLength = e.state.epochLength ?? 0;
    p?.onIteration?.({ epoch: e.state.epoch, iteration: ((e.state.iteration - 1) % epochLength) + 1, epochLength, loss });
  });
  trainer.on(Events.EPOCH_COMPLETED, async (e) => {
    if (interrupted) return; // a partial epoch: last.pt keeps the previous one
    const seconds = (performance.now() - epochStart) / 1000;
    epochSeconds.push(seconds);
    p?.onEpoch?.({ epoch: e.state.epoch, seconds, meanLoss: lossSum / (e.state.epochLength ?? 1) });
    if (e.state.epoch % cfg.valInterval === 0 || e.state.epoch === e.state.maxEpochs) {
      const v0 = performance.now();
      await evaluator.run(e.state.epoch);
      const d = evaluator.state.metrics.val_mean_dice as number;
      if (d > bestDice) {
        bestDice = d;
        bestEpoch = e.state.epoch;
        torch.saveCheckpoint(ckpt.best, { network });
      }
      p?.onValidation?.({ epoch: e.state.epoch, dice: d, bestDice, bestEpoch, seconds: (performance.now() - v0) / 1000, elapsed: elapsed() });
      if (cfg.targetDice !== null && d >= cfg.targetDice) {
        secondsToTarget ??= elapsed();
        e.terminate();
      }
    }
    torch.saveCheckpoint(ckpt.last, { network, optimizer, trainer, best_metric: bestDice, best_metric_epoch: bestEpoch });
  });

  try {
    const epochLength = trainer.state.epochLength ?? 0;
    p?.onStart?.({
      trainCases: train.length, valCases: val.length, epochLength, startEpoch: resumedFrom, maxEpochs: cfg.epochs, device,
      parameters: params.reduce((n, t) => n + t.numel(), 0), cacheSeconds,
    });
    if (resumedFrom < cfg.epochs) await trainer.run();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    dice.dispose();
    optimizer.dispose();
    network.dispose();
    lossFunction.dispose();
    trainDs.disposeCache();
    valDs.disposeCache();
  }
  return {
    bestDice, bestEpoch, epoch: trainer.state.epoch, epochSeconds, secondsToTarget, totalSeconds: elapsed(), resumedFrom, interrupted,
    bestCheckpoint: ckpt.best, lastCheckpoint: ckpt.last,
  };
}

// The spleen fast-training recipe as MONAI's tutorial runs it: CacheDataset over the deterministic
// prefix, random pos/neg crops, UNet, DiceCELoss, Novograd (or Adam), optional AMP, a SupervisedTrainer
// whose validation (every valInterval epochs) runs a SupervisedEvaluator with sliding-window inference
// and MeanDice (ValidationHandler), with StatsHandler logging (MONAI's lines, at INFO) and CheckpointSaver
// writing output/checkpoints/best_metric_model.pt (the network's state dict, as the tutorial's
// torch.save(model.state_dict())) and checkpoint_epoch=N.pt after every epoch (network, optimizer, trainer
// counters, best metric), which CheckpointLoader restores so an interrupted run resumes after its last epoch.
import { DashboardHandler, type Dashboard } from '../../dashboard/index.js';
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
import { CheckpointLoader } from '../../handlers/checkpoint_loader.js';
import { CheckpointSaver } from '../../handlers/checkpoint_saver.js';
import { MeanDice } from '../../handlers/mean_dice.js';
import { StatsHandler } from '../../handlers/stats_handler.js';
import { getLogger, LogLevel } from '../../handlers/logging.js';
import { TensorBoardImageHandler, TensorBoardStatsHandler } from '../../handlers/tensorboard_handlers.js';
import { SummaryWriter } from '../../utils/tensorboard/summary_writer.js';
import { ValidationHandler } from '../../handlers/validation_handler.js';
import { SlidingWindowInferer } from '../../inferers/inferer.js';
import { DiceCELoss } from '../../losses/dice_ce.js';
import { Novograd } from '../../optimizers/novograd.js';
import { setDeterminism } from '../../utils/misc.js';
import { loadTransformRegistry } from '../../transforms/serialize.js';
import type { SpleenConfig } from './config.js';
import { parameterChecksum, rankShare, type SpleenRank } from './distributed.js';
import { BackgroundEpochCheckpoint, EPOCH_FILE } from './epoch_checkpoint.js';
import { buildSpleenUNet } from './network.js';
import { spleenTrainTransforms, spleenValTransforms } from './transforms.js';

/** What a caller hears while training runs (the demo's progress bar, the CLI's log lines). */
export interface TrainProgress {
  onStart?(info: { trainCases: number; valCases: number; epochLength: number; startEpoch: number; maxEpochs: number; device: string; parameters: number; cacheSeconds: number; targetReached: boolean }): void;
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
  /** the latest epoch checkpoint (null when no epoch completed) */
  lastCheckpoint: string | null;
  /** set in a multi-rank run: sum of |w| over the final parameters (equal on every rank) */
  parameterChecksum?: number;
}

export interface TrainOptions {
  progress?: TrainProgress;
  /** abort: training stops after the current iteration; last.pt keeps the last completed epoch */
  signal?: AbortSignal;
  /** print StatsHandler's MONAI log lines (loggers 'spleen.train', 'spleen.val' at INFO; default false: WARNING) */
  logStats?: boolean;
  /** a started live dashboard to feed (loss, validation Dice, the first validation volume) */
  dashboard?: Dashboard;
  /** this process is one rank of a multi-rank run whose default process group is initialized (distributed.ts) */
  distributed?: SpleenRank;
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

const BEST = 'best_metric_model.pt';

/** The checkpoint folder, its best model, and its latest epoch checkpoint (null when none). */
export function checkpointPaths(output: string): { dir: string; best: string; last: string | null } {
  const dir = path.join(output, 'checkpoints');
  let last: string | null = null;
  let lastEpoch = -1;
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) {
      const m = EPOCH_FILE.exec(f);
      if (m && Number(m[1]) > lastEpoch) [lastEpoch, last] = [Number(m[1]), path.join(dir, f)];
    }
  }
  return { dir, best: path.join(dir, BEST), last };
}

/** The best validation Dice and its epoch, saved with each epoch checkpoint (a stateful for the savers). */
class BestMetric {
  value = -1;
  epoch = -1;
  stateDict(): Record<string, number> {
    return { best_metric: this.value, best_metric_epoch: this.epoch };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.value = typeof sd.best_metric === 'number' ? sd.best_metric : -1;
    this.epoch = typeof sd.best_metric_epoch === 'number' ? sd.best_metric_epoch : -1;
  }
}

/** Trains the recipe on cfg.data; resolves when the epochs are done, targetDice is reached or the signal aborts. */
export async function trainSpleen(cfg: SpleenConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const device = resolveDevice(cfg.device);
  const rank = options.distributed;
  const lead = !rank || rank.rank === 0;
  const split = splitDatalist(cfg);
  // each rank caches and trains on its own share (MONAI's tutorial: partitionDataset per rank)
  const train = rank ? rankShare(split.train, rank, 'train', cfg.seed) : split.train;
  const val = rank ? rankShare(split.val, rank, 'val', cfg.seed) : split.val;
  setDeterminism({ seed: cfg.seed });
  const ckpt = checkpointPaths(cfg.output);
  fs.mkdirSync(ckpt.dir, { recursive: true });

  // worker threads rebuild the pipelines from their descriptions, which needs the transform registry
  if (cfg.numWorkers > 0) await loadTransformRegistry();
  const trainDs = new CacheDataset(train, spleenTrainTransforms(cfg), { cacheRate: cfg.cacheRate, numWorkers: cfg.numWorkers || null, progress: false });
  const valDs = new CacheDataset(val, spleenValTransforms(cfg), { cacheRate: cfg.cacheRate, numWorkers: cfg.numWorkers || null, progress: false });
  const cacheSeconds = elapsed();
  // workers kept across epochs: starting a pool (threads loading the addon and the pipeline) cost ~3.9 s
  // at the start of every epoch on 2 cores (bench/flagship/epoch_profile.ts, BENCH_WORKERS=2)
  const trainLoader = new DataLoader(trainDs, { batchSize: cfg.batchSize, shuffle: true, numWorkers: cfg.numWorkers, persistentWorkers: cfg.numWorkers > 0, randomStreams: 'monai' });
  const valLoader = new DataLoader(valDs, { batchSize: 1, numWorkers: 0 });

  const network = buildSpleenUNet(cfg).to(device as torch.Device);
  // DDP averages the gradients across ranks in backward; checkpoints and validation use the bare UNet
  const model = rank ? new torch.nn.parallel.DistributedDataParallel(network) : network;
  const params = [...network.parameters()];
  const optimizer = cfg.optimizer === 'novograd' ? new Novograd(params, { lr: cfg.lr }) : new torch.optim.Adam(params, { lr: cfg.lr });
  const lossFunction = new DiceCELoss({ toOnehotY: true, softmax: true, squaredPred: true, batch: true });
  const best = new BestMetric();
  const dice = new MeanDice({
    includeBackground: false, numClasses: 2, saveDetails: false,
    // the argmax label map [B, 1, ...] against the label: no one-hot copies of whole volumes
    outputTransform: ((o: { pred: Tensor; label: Tensor }) => [o.pred.argmax({ dim: 1, keepdim: true }), o.label]) as (o: never) => unknown,
  });
  const bestSaver = new CheckpointSaver({ saveDir: ckpt.dir, saveDict: { network }, saveKeyMetric: true, keyMetricFilename: BEST });
  const evaluator = new SupervisedEvaluator({
    device: device as torch.Device, valDataLoader: valLoader, network, amp: cfg.amp, decollate: false,
    inferer: new SlidingWindowInferer({ roiSize: cfg.swRoi ?? cfg.roi, swBatchSize: cfg.swBatchSize, overlap: 0.25 }),
    keyValMetric: { val_mean_dice: dice },
    valHandlers: [new StatsHandler({ iterationLog: false, name: 'spleen.val' }), bestSaver],
  });
  const trainer = new SupervisedTrainer({
    device: device as torch.Device, maxEpochs: cfg.epochs, trainDataLoader: trainLoader, network: model, optimizer, lossFunction, amp: cfg.amp, decollate: false,
    trainHandlers: [
      new StatsHandler({ name: 'spleen.train', tagName: 'train_loss', outputTransform: (o: unknown) => (o as { loss: Tensor }).loss.item() }),
    ],
  });
  for (const n of ['spleen.train', 'spleen.val']) getLogger(n).setLevel(options.logStats ? LogLevel.INFO : LogLevel.WARNING);
  const epochSaver = new BackgroundEpochCheckpoint(ckpt.dir, { network, optimizer, trainer, best });

  let resumedFrom = 0;
  if (cfg.resume && ckpt.last) {
    // loads at STARTED, before the handlers below read the restored counters
    new CheckpointLoader({ loadPath: ckpt.last, loadDict: { network, optimizer, trainer, best }, mapLocation: device }).attach(trainer);
  }

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
  // iterations run back to back through microtasks; one event-loop turn per iteration lets a signal
  // handler (Ctrl-C) run and abort
  if (options.signal) trainer.on(Events.ITERATION_COMPLETED, () => new Promise<void>((r) => setImmediate(r)));
  const p = options.progress;
  const reached = (d: number): boolean => cfg.targetDice !== null && d >= cfg.targetDice;

  trainer.on(Events.STARTED, (e) => {
    resumedFrom = e.state.epoch;
    if (resumedFrom > 0 && best.value >= 0) {
      // the best model on disk competes with this run's validations
      if (fs.existsSync(ckpt.best)) bestSaver.loadStateDict({ saved: [[best.value, BEST]] });
      evaluator.state.bestMetric = best.value;
      evaluator.state.bestMetricEpoch = best.epoch;
    }
    p?.onStart?.({
      trainCases: train.length, valCases: val.length, epochLength: e.state.epochLength ?? 0, startEpoch: resumedFrom, maxEpochs: cfg.epochs, device,
      parameters: params.reduce((n, t) => n + t.numel(), 0), cacheSeconds, targetReached: reached(best.value),
    });
    // a run that already reached its target does not train further
    if (reached(best.value)) e.terminate();
  });
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
  // handlers fire in registration order: epoch timing, then validation, then the epoch checkpoint
  trainer.on(Events.EPOCH_COMPLETED, (e) => {
    if (interrupted) return;
    const seconds = (performance.now() - epochStart) / 1000;
    epochSeconds.push(seconds);
    p?.onEpoch?.({ epoch: e.state.epoch, seconds, meanLoss: lossSum / (e.state.epochLength ?? 1) });
  });
  // the epoch's time is reported before its validation runs
  new ValidationHandler({ validator: evaluator, interval: cfg.valInterval }).attach(trainer);
  if (options.dashboard) new DashboardHandler(options.dashboard).attach(trainer).attachEvaluator(evaluator);
  let validationStart = 0;
  evaluator.on(Events.STARTED, () => (validationStart = performance.now()));
  evaluator.on(Events.COMPLETED, (ev) => {
    const d = ev.state.metrics.val_mean_dice as number;
    const epoch = trainer.state.epoch;
    if (d > best.value) [best.value, best.epoch] = [d, epoch];
    p?.onValidation?.({ epoch, dice: d, bestDice: best.value, bestEpoch: best.epoch, seconds: (performance.now() - validationStart) / 1000, elapsed: elapsed() });
    if (reached(d)) {
      secondsToTarget ??= elapsed();
      trainer.terminate();
    }
  });
  // TensorBoard: training loss per iteration, validation Dice per epoch, and the last validation
  // volume's image, label and prediction as GIFs (plotted at its iteration: batches are freed at epoch end)
  const writer = cfg.tensorboard && lead ? new SummaryWriter(path.join(cfg.output, 'tensorboard')) : null;
  if (writer) {
    new TensorBoardStatsHandler({ summaryWriter: writer, tagName: 'train_loss', outputTransform: ((o: { loss: Tensor }) => o.loss.item()) as (o: never) => unknown }).attach(trainer);
    new TensorBoardStatsHandler({ summaryWriter: writer, iterationLog: false, globalEpochTransform: () => trainer.state.epoch }).attach(evaluator);
    new TensorBoardImageHandler({
      summaryWriter: writer, epochLevel: false, interval: val.length, globalIterTransform: () => trainer.state.epoch,
      batchTransform: ((b: { image: Tensor; label: Tensor }) => [b.image, b.label]) as (b: never) => unknown,
      outputTransform: ((o: { pred: Tensor }) => o.pred.argmax({ dim: 1, keepdim: true })) as (o: never) => unknown,
    }).attach(evaluator);
  }
  // after validation and the best-metric update, so the epoch checkpoint holds them; the file is written
  // while the next epoch trains, and drops older epoch files (an earlier run's too) once it is in place
  if (lead) trainer.on(Events.EPOCH_COMPLETED, (e) => epochSaver.save(e.state.epoch));

  let checksum: number | undefined;
  try {
    await trainer.run();
    if (rank) checksum = parameterChecksum(network);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await trainLoader.close();
    await epochSaver.close();
    writer?.close();
    dice.dispose();
    optimizer.dispose();
    model.dispose(); // DDP's dispose frees the UNet too
    lossFunction.dispose();
    trainDs.disposeCache();
    valDs.disposeCache();
  }
  return {
    bestDice: best.value, bestEpoch: best.epoch, epoch: trainer.state.epoch, epochSeconds, secondsToTarget, totalSeconds: elapsed(), resumedFrom, interrupted,
    bestCheckpoint: ckpt.best, lastCheckpoint: checkpointPaths(cfg.output).last, ...(checksum === undefined ? {} : { parameterChecksum: checksum }),
  };
}

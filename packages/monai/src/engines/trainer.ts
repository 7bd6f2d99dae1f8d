// MONAI's trainers: SupervisedTrainer (one forward, loss, backward and optimizer step per iteration, with
// IterationEvents between) and GanTrainer (discriminator then generator updates).
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { SimpleInferer, type Inferer } from '../inferers/inferer.js';
import type { Predictor } from '../inferers/utils.js';
import type { State } from './engine.js';
import { IterationEvents } from './events.js';
import { CommonKeys, GanKeys, type PreparedBatch } from './utils.js';
import { Workflow, WORKFLOW_KEYS, type WorkflowOptions, type AttachableHandler, type AttachableMetric, type DataSource } from './workflow.js';

type Network = torch.nn.Module;
type Optimizer = torch.optim.Optimizer;
type LossFunction = ((pred: never, target: never) => Tensor) | { forward(pred: never, target: never): Tensor };
type LossCall = (pred: unknown, target: unknown) => Tensor;

const callLoss = (f: LossFunction, pred: unknown, target: unknown): Tensor =>
  typeof f === 'function' ? (f as LossCall)(pred, target) : (f.forward as LossCall).call(f, pred, target);

/** Base of trainers: a GradScaler when amp is on (active on CUDA only), and the train statistics. */
export abstract class Trainer extends Workflow {
  scaler: torch.amp.GradScaler | null = null;

  override async run(): Promise<State> {
    // MONAI's torch.cuda.amp.GradScaler is inert without CUDA; CPU autocast (bfloat16) needs no scaling.
    if (this.amp && this.scaler === null) this.scaler = new torch.amp.GradScaler({ enabled: this.autocastDevice() === 'cuda' });
    return super.run();
  }

  /** MONAI's get_train_stats. */
  getTrainStats(): Record<string, unknown> {
    return { total_epochs: this.state.maxEpochs, total_iterations: this.state.epochLength, epoch: this.state.epoch, iteration: this.state.iteration };
  }

  protected autocastDevice(): 'cpu' | 'cuda' {
    return typeof this.state.device === 'string' && this.state.device.startsWith('cuda') ? 'cuda' : 'cpu';
  }
}

export interface SupervisedTrainerOptions extends Omit<WorkflowOptions, 'dataLoader' | 'keyMetric' | 'handlers'> {
  trainDataLoader: DataSource;
  network: Network;
  optimizer: Optimizer;
  lossFunction: LossFunction;
  inferer?: Inferer | null;
  keyTrainMetric?: Record<string, AttachableMetric> | null;
  trainHandlers?: AttachableHandler | AttachableHandler[] | null;
  /** zero the gradients by setting them to null (default false) */
  optimSetToNone?: boolean;
}
const SUPERVISED_TRAINER_KEYS = [
  ...WORKFLOW_KEYS.filter((k) => k !== 'dataLoader' && k !== 'keyMetric' && k !== 'handlers'),
  'trainDataLoader', 'network', 'optimizer', 'lossFunction', 'inferer', 'keyTrainMetric', 'trainHandlers', 'optimSetToNone',
];

/**
 * Supervised training: per iteration prepareBatch, network forward through the inferer
 * (FORWARD_COMPLETED), loss (its mean, LOSS_COMPLETED), backward (BACKWARD_COMPLETED), optimizer step,
 * MODEL_COMPLETED. state.output holds image, label, pred and loss. Gradient accumulation, as in MONAI 1.4,
 * is done with a custom iterationUpdate.
 */
export class SupervisedTrainer extends Trainer {
  readonly network: Network;
  readonly optimizer: Optimizer;
  readonly lossFunction: LossFunction;
  readonly inferer: Inferer;
  readonly optimSetToNone: boolean;

  constructor(options: SupervisedTrainerOptions) {
    checkOptions('SupervisedTrainer', options, SUPERVISED_TRAINER_KEYS, ['maxEpochs', 'trainDataLoader', 'network', 'optimizer', 'lossFunction']);
    const { trainDataLoader, keyTrainMetric, trainHandlers, network, optimizer, lossFunction, inferer, optimSetToNone, ...rest } = options;
    super({ ...rest, dataLoader: trainDataLoader, keyMetric: keyTrainMetric, handlers: null });
    this.network = network;
    this.optimizer = optimizer;
    this.lossFunction = lossFunction;
    this.inferer = inferer ?? new SimpleInferer();
    this.optimSetToNone = optimSetToNone ?? false;
    // handlers attach after the trainer's own members exist (MONAI attaches them last too)
    if (trainHandlers) for (const h of Array.isArray(trainHandlers) ? trainHandlers : [trainHandlers]) h.attach(this);
  }

  protected iteration(engine: this, batchdata: unknown): unknown {
    if (batchdata === null || batchdata === undefined) throw new Error('SupervisedTrainer: the iteration got no batch data');
    const prepared = engine.prepareBatch(batchdata, engine.state.device, engine.nonBlocking) as PreparedBatch;
    if (!Array.isArray(prepared)) throw new TypeError('SupervisedTrainer: prepareBatch must return [inputs, targets] or [inputs, targets, args, kwargs]');
    const [inputs, targets] = prepared;
    const args = prepared.length > 2 ? (prepared as unknown[])[2] as unknown[] : [];
    const kwargs = prepared.length > 2 ? (prepared as unknown[])[3] as Record<string, unknown> : null;
    const extra = kwargs && Object.keys(kwargs).length ? [...args, kwargs] : args;
    const out: Record<string, unknown> = { [CommonKeys.IMAGE]: inputs, [CommonKeys.LABEL]: targets };
    engine.state.output = out;
    const forwardAndLoss = (): void => {
      out[CommonKeys.PRED] = engine.inferer.call(inputs, engine.network as unknown as Predictor, ...extra);
      engine.fireEvent(IterationEvents.FORWARD_COMPLETED);
      out[CommonKeys.LOSS] = callLoss(engine.lossFunction, out[CommonKeys.PRED], targets).mean();
      engine.fireEvent(IterationEvents.LOSS_COMPLETED);
    };
    engine.network.train();
    engine.optimizer.zeroGrad({ setToNone: engine.optimSetToNone });
    if (engine.amp && engine.scaler !== null) {
      torch.autocast({ deviceType: engine.autocastDevice() }, forwardAndLoss);
      engine.scaler.scale(out[CommonKeys.LOSS] as Tensor).backward();
      engine.fireEvent(IterationEvents.BACKWARD_COMPLETED);
      engine.scaler.step(engine.optimizer);
      engine.scaler.update();
    } else {
      forwardAndLoss();
      (out[CommonKeys.LOSS] as Tensor).backward();
      engine.fireEvent(IterationEvents.BACKWARD_COMPLETED);
      engine.optimizer.step();
    }
    engine.fireEvent(IterationEvents.MODEL_COMPLETED);
    return engine.state.output;
  }
}

export interface GanTrainerOptions extends Omit<WorkflowOptions, 'dataLoader' | 'keyMetric' | 'handlers' | 'prepareBatch'> {
  trainDataLoader: DataSource;
  gNetwork: Network;
  gOptimizer: Optimizer;
  gLossFunction: (fakes: Tensor) => Tensor;
  dNetwork: Network;
  dOptimizer: Optimizer;
  dLossFunction: (fakes: Tensor, reals: Tensor) => Tensor;
  gInferer?: Inferer | null;
  dInferer?: Inferer | null;
  dTrainSteps?: number;
  latentShape?: number;
  /** (batchdata, device, nonBlocking) => reals; default: defaultPrepareBatch's reals or image */
  dPrepareBatch?: (batchdata: unknown, device: string | null, nonBlocking: boolean) => Tensor;
  /** (batchSize, latentShape, device, nonBlocking) => latents; default: torch.randn */
  gPrepareBatch?: (batchSize: number, latentShape: number, device: string | null, nonBlocking: boolean) => Tensor;
  gUpdateLatents?: boolean;
  keyTrainMetric?: Record<string, AttachableMetric> | null;
  trainHandlers?: AttachableHandler | AttachableHandler[] | null;
  optimSetToNone?: boolean;
}
const GAN_KEYS = [
  ...WORKFLOW_KEYS.filter((k) => k !== 'dataLoader' && k !== 'keyMetric' && k !== 'handlers' && k !== 'prepareBatch'),
  'trainDataLoader', 'gNetwork', 'gOptimizer', 'gLossFunction', 'dNetwork', 'dOptimizer', 'dLossFunction', 'gInferer', 'dInferer',
  'dTrainSteps', 'latentShape', 'dPrepareBatch', 'gPrepareBatch', 'gUpdateLatents', 'keyTrainMetric', 'trainHandlers', 'optimSetToNone',
];

/**
 * GAN training (MONAI's GanTrainer): per batch, fakes from the loader's batchSize of random latents (the batch's size for a plain iterable); dTrainSteps
 * discriminator updates (dLossFunction(fakes, reals), losses summed); optionally new latents; one generator update. state.output holds reals, fakes,
 * latents, g_loss and d_loss.
 */
export class GanTrainer extends Trainer {
  readonly gNetwork: Network;
  readonly gOptimizer: Optimizer;
  readonly gLossFunction: (fakes: Tensor) => Tensor;
  readonly dNetwork: Network;
  readonly dOptimizer: Optimizer;
  readonly dLossFunction: (fakes: Tensor, reals: Tensor) => Tensor;
  readonly gInferer: Inferer;
  readonly dInferer: Inferer;
  readonly dTrainSteps: number;
  readonly latentShape: number;
  readonly gUpdateLatents: boolean;
  readonly optimSetToNone: boolean;
  private readonly gPrepare: NonNullable<GanTrainerOptions['gPrepareBatch']>;

  constructor(options: GanTrainerOptions) {
    checkOptions('GanTrainer', options, GAN_KEYS, ['maxEpochs', 'trainDataLoader', 'gNetwork', 'gOptimizer', 'gLossFunction', 'dNetwork', 'dOptimizer', 'dLossFunction']);
    const o = options;
    super({
      device: o.device, maxEpochs: o.maxEpochs, dataLoader: o.trainDataLoader, epochLength: o.epochLength, nonBlocking: o.nonBlocking,
      prepareBatch: o.dPrepareBatch ?? ((b, d) => { const r = b instanceof Tensor ? b : (b as Record<string, Tensor>)[GanKeys.REALS] ?? (b as Record<string, Tensor>)[CommonKeys.IMAGE]; return d && r.device !== d ? r.to(d) : r; }),
      iterationUpdate: o.iterationUpdate, postprocessing: o.postprocessing, keyMetric: o.keyTrainMetric, additionalMetrics: o.additionalMetrics,
      metricCmpFn: o.metricCmpFn, amp: o.amp, eventNames: o.eventNames, eventToAttr: o.eventToAttr, decollate: o.decollate, handlers: null,
    });
    if (!Number.isInteger(o.dTrainSteps ?? 1) || (o.dTrainSteps ?? 1) < 1) throw new Error(`GanTrainer: dTrainSteps must be a positive integer, found ${String(o.dTrainSteps)}`);
    this.gNetwork = o.gNetwork;
    this.gOptimizer = o.gOptimizer;
    this.gLossFunction = o.gLossFunction;
    this.dNetwork = o.dNetwork;
    this.dOptimizer = o.dOptimizer;
    this.dLossFunction = o.dLossFunction;
    this.gInferer = o.gInferer ?? new SimpleInferer();
    this.dInferer = o.dInferer ?? new SimpleInferer();
    this.dTrainSteps = o.dTrainSteps ?? 1;
    this.latentShape = o.latentShape ?? 64;
    this.gUpdateLatents = o.gUpdateLatents ?? true;
    this.optimSetToNone = o.optimSetToNone ?? false;
    this.gPrepare = o.gPrepareBatch ?? ((n, l, d) => torch.randn([n, l], d ? { device: d as torch.Device } : {}));
    if (o.trainHandlers) for (const h of Array.isArray(o.trainHandlers) ? o.trainHandlers : [o.trainHandlers]) h.attach(this);
  }

  protected iteration(engine: this, batchdata: unknown): unknown {
    if (batchdata === null || batchdata === undefined) throw new Error('GanTrainer: the iteration got no batch data');
    const dev = engine.state.device;
    const reals = engine.prepareBatch(batchdata, dev, engine.nonBlocking) as Tensor;
    // MONAI draws the loader's batch size of latents, also for a shorter last batch
    const loaderBatch = (engine.dataLoader as { batchSize?: unknown }).batchSize;
    const n = typeof loaderBatch === 'number' ? loaderBatch : reals.shape[0];
    let latents = engine.gPrepare(n, engine.latentShape, dev, engine.nonBlocking);
    let fakes = engine.gInferer.call(latents, engine.gNetwork as unknown as Predictor) as Tensor;
    let dLoss = 0;
    for (let s = 0; s < engine.dTrainSteps; s++) {
      engine.dOptimizer.zeroGrad({ setToNone: engine.optimSetToNone });
      const loss = engine.dLossFunction(fakes, reals);
      loss.backward();
      engine.dOptimizer.step();
      dLoss = Math.fround(dLoss + loss.item()); // MONAI sums into a float32 tensor
    }
    if (engine.gUpdateLatents) latents = engine.gPrepare(n, engine.latentShape, dev, engine.nonBlocking);
    fakes = engine.gInferer.call(latents, engine.gNetwork as unknown as Predictor) as Tensor;
    engine.gOptimizer.zeroGrad({ setToNone: engine.optimSetToNone });
    const gLoss = engine.gLossFunction(fakes);
    gLoss.backward();
    engine.gOptimizer.step();
    return { [GanKeys.REALS]: reals, [GanKeys.FAKES]: fakes, [GanKeys.LATENTS]: latents, [GanKeys.GLOSS]: gLoss.item(), [GanKeys.DLOSS]: dLoss };
  }
}

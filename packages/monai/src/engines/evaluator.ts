// MONAI's evaluators: run networks without gradients over validation data, optionally as an epoch of a
// trainer (run(globalEpoch)), computing the key validation metric and tracking the best one.
import * as torch from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../data/options.js';
import { SimpleInferer, type Inferer } from '../inferers/inferer.js';
import type { Predictor } from '../inferers/utils.js';
import type { State } from './engine.js';
import { IterationEvents } from './events.js';
import { CommonKeys, type PreparedBatch } from './utils.js';
import { Workflow, WORKFLOW_KEYS, type WorkflowOptions, type AttachableHandler, type AttachableMetric, type DataSource } from './workflow.js';

type Network = torch.nn.Module;
export type EvaluatorMode = 'eval' | 'train';

export interface EvaluatorOptions extends Omit<WorkflowOptions, 'dataLoader' | 'keyMetric' | 'handlers' | 'maxEpochs'> {
  valDataLoader: DataSource;
  keyValMetric?: Record<string, AttachableMetric> | null;
  valHandlers?: AttachableHandler | AttachableHandler[] | null;
  /** 'eval' (default): network.eval() without gradients; 'train': network.train() without gradients */
  mode?: EvaluatorMode;
}
const EVALUATOR_KEYS = [
  ...WORKFLOW_KEYS.filter((k) => k !== 'dataLoader' && k !== 'keyMetric' && k !== 'handlers' && k !== 'maxEpochs'),
  'valDataLoader', 'keyValMetric', 'valHandlers', 'mode',
];

/** Base of evaluators: one epoch per run, numbered by the trainer's epoch. */
export abstract class Evaluator extends Workflow {
  readonly mode: EvaluatorMode;

  constructor(options: EvaluatorOptions) {
    const { valDataLoader, keyValMetric, valHandlers, mode, ...rest } = options;
    super({ ...rest, maxEpochs: 1, dataLoader: valDataLoader, keyMetric: keyValMetric, handlers: null });
    this.mode = checkChoice(new.target.name, 'mode', mode ?? 'eval', ['eval', 'train'] as const);
  }

  /** Attaches the handlers once the subclass's members exist. */
  protected attachHandlers(h: AttachableHandler | AttachableHandler[] | null | undefined): void {
    if (h) for (const x of Array.isArray(h) ? h : [h]) x.attach(this);
  }

  /** One validation epoch, numbered globalEpoch (the trainer's epoch when run from a ValidationHandler). */
  override async run(globalEpoch = 1): Promise<State> {
    this.state.maxEpochs = Math.max(globalEpoch, 1);
    this.state.epoch = globalEpoch - 1;
    this.state.iteration = 0;
    return super.run();
  }

  /** MONAI's evaluator get_stats: rank, best validation epoch and metric. */
  getValidationStats(): Record<string, unknown> {
    return { rank: this.state.rank, best_validation_epoch: this.state.bestMetricEpoch, best_validation_metric: this.state.bestMetric };
  }

  /** Runs fn with the network in this evaluator's mode and gradients off, restoring its training flag. */
  protected inMode<T>(network: Network, fn: () => T): T {
    const wasTraining = network.training;
    if (this.mode === 'eval') network.eval();
    else network.train();
    try {
      return torch.noGrad(fn);
    } finally {
      network.train(wasTraining);
    }
  }

  protected prepared(batchdata: unknown): [torch.Tensor, torch.Tensor | null, unknown[]] {
    if (batchdata === null || batchdata === undefined) throw new Error(`${this.constructor.name}: the iteration got no batch data`);
    const p = this.prepareBatch(batchdata, this.state.device, this.nonBlocking) as PreparedBatch;
    if (!Array.isArray(p)) throw new TypeError(`${this.constructor.name}: prepareBatch must return [inputs, targets] or [inputs, targets, args, kwargs]`);
    const args = p.length > 2 ? ((p as unknown[])[2] as unknown[]) : [];
    const kwargs = p.length > 2 ? ((p as unknown[])[3] as Record<string, unknown>) : null;
    return [p[0], p[1], kwargs && Object.keys(kwargs).length ? [...args, kwargs] : args];
  }

  protected autocastDevice(): 'cpu' | 'cuda' {
    return typeof this.state.device === 'string' && this.state.device.startsWith('cuda') ? 'cuda' : 'cpu';
  }
}

export interface SupervisedEvaluatorOptions extends EvaluatorOptions {
  network: Network;
  inferer?: Inferer | null;
}

/** Runs one network through the inferer per batch: output has image, label and pred. */
export class SupervisedEvaluator extends Evaluator {
  readonly network: Network;
  readonly inferer: Inferer;

  constructor(options: SupervisedEvaluatorOptions) {
    checkOptions('SupervisedEvaluator', options, [...EVALUATOR_KEYS, 'network', 'inferer'], ['valDataLoader', 'network']);
    const { network, inferer, valHandlers, ...rest } = options;
    super(rest);
    this.network = network;
    this.inferer = inferer ?? new SimpleInferer();
    this.attachHandlers(valHandlers);
  }

  protected iteration(engine: this, batchdata: unknown): unknown {
    const [inputs, targets, extra] = engine.prepared(batchdata);
    const out: Record<string, unknown> = { [CommonKeys.IMAGE]: inputs, [CommonKeys.LABEL]: targets };
    engine.state.output = out;
    const forward = (): unknown => engine.inferer.call(inputs, engine.network as unknown as Predictor, ...extra);
    out[CommonKeys.PRED] = engine.inMode(engine.network, () => (engine.amp ? torch.autocast({ deviceType: engine.autocastDevice() }, forward) : forward()));
    engine.fireEvent(IterationEvents.FORWARD_COMPLETED);
    engine.fireEvent(IterationEvents.MODEL_COMPLETED);
    return engine.state.output;
  }
}

export interface EnsembleEvaluatorOptions extends EvaluatorOptions {
  networks: Network[];
  /** output keys of the networks' predictions (default pred_0, pred_1, ...) */
  predKeys?: string[] | null;
  inferer?: Inferer | null;
}

/** Runs several networks on each batch; prediction i goes to output[predKeys[i]]. */
export class EnsembleEvaluator extends Evaluator {
  readonly networks: Network[];
  readonly predKeys: string[];
  readonly inferer: Inferer;

  constructor(options: EnsembleEvaluatorOptions) {
    checkOptions('EnsembleEvaluator', options, [...EVALUATOR_KEYS, 'networks', 'predKeys', 'inferer'], ['valDataLoader', 'networks']);
    const { networks, predKeys, inferer, valHandlers, ...rest } = options;
    super(rest);
    if (!Array.isArray(networks) || !networks.length) throw new TypeError('EnsembleEvaluator: networks must be a non-empty list of modules');
    this.networks = networks;
    this.predKeys = predKeys ?? networks.map((_, i) => `${CommonKeys.PRED}_${i}`);
    if (this.predKeys.length !== networks.length) throw new Error(`EnsembleEvaluator: predKeys must have one key per network (${networks.length}), found ${this.predKeys.length}`);
    this.inferer = inferer ?? new SimpleInferer();
    this.attachHandlers(valHandlers);
  }

  protected iteration(engine: this, batchdata: unknown): unknown {
    const [inputs, targets, extra] = engine.prepared(batchdata);
    const out: Record<string, unknown> = { [CommonKeys.IMAGE]: inputs, [CommonKeys.LABEL]: targets };
    engine.state.output = out;
    engine.networks.forEach((net, i) => {
      const forward = (): unknown => engine.inferer.call(inputs, net as unknown as Predictor, ...extra);
      out[engine.predKeys[i]] = engine.inMode(net, () => (engine.amp ? torch.autocast({ deviceType: engine.autocastDevice() }, forward) : forward()));
    });
    engine.fireEvent(IterationEvents.FORWARD_COMPLETED);
    engine.fireEvent(IterationEvents.MODEL_COMPLETED);
    return engine.state.output;
  }
}

// MONAI's Workflow: an Engine with a data loader, batch preparation, decollation and post-processing at
// MODEL_COMPLETED, metrics attached by name, the best key metric tracked, and handlers attached.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import type { TransformLike } from '../transforms/transform.js';
import { Engine, State, isBatchSource, type ProcessFunction } from './engine.js';
import { Events, IterationEvents, EventName } from './events.js';
import { asPrepareBatchFn, defaultMetricCmpFn, defaultPrepareBatch, engineApplyTransform, type Device, type PrepareBatch, type PrepareBatchFn } from './utils.js';

/** Anything with attach(engine, name): the metric handlers (IgniteMetricHandler and its subclasses). */
export interface AttachableMetric {
  attach(engine: Workflow, name: string): void;
}
/** Anything with attach(engine): StatsHandler, CheckpointSaver, ... */
export interface AttachableHandler {
  attach(engine: Workflow): void;
}

export type DataSource = Iterable<unknown> | AsyncIterable<unknown>;

export interface WorkflowOptions {
  device?: Device;
  maxEpochs: number;
  dataLoader: DataSource;
  /** iterations per epoch; required unless the data has a length */
  epochLength?: number | null;
  nonBlocking?: boolean;
  prepareBatch?: PrepareBatchFn | PrepareBatch;
  iterationUpdate?: ProcessFunction<never> | null;
  postprocessing?: TransformLike | null;
  keyMetric?: Record<string, AttachableMetric> | null;
  additionalMetrics?: Record<string, AttachableMetric> | null;
  metricCmpFn?: (current: number, prevBest: number) => boolean;
  handlers?: AttachableHandler | AttachableHandler[] | null;
  amp?: boolean;
  eventNames?: (EventName | string)[] | null;
  eventToAttr?: Record<string, string> | null;
  decollate?: boolean;
}

export const WORKFLOW_KEYS = [
  'device', 'maxEpochs', 'dataLoader', 'epochLength', 'nonBlocking', 'prepareBatch', 'iterationUpdate', 'postprocessing',
  'keyMetric', 'additionalMetrics', 'metricCmpFn', 'handlers', 'amp', 'eventNames', 'eventToAttr', 'decollate',
] as const;

/** The state of a workflow: Ignite's plus MONAI's keys. */
export interface WorkflowState extends State {
  rank: number;
  metricDetails: Record<string, unknown>;
  device: Device;
  keyMetricName: string | null;
  bestMetric: number;
  bestMetricEpoch: number;
}

const isDict = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor);

/**
 * Splits a batch dict into per-item dicts with detached tensors (MONAI's Decollated(detach=True)):
 * batched tensors are unbound along dim 0, 0-d tensors become numbers, other values repeat per item.
 */
export function decollateDetached(x: unknown): unknown {
  if (x instanceof Tensor) return x.dim() === 0 ? x.item() : torch.unbind(x.detach(), { dim: 0 });
  if (Array.isArray(x)) return x.map((v) => (v instanceof Tensor ? v.detach() : v));
  if (!isDict(x)) return x;
  let n = -1;
  for (const v of Object.values(x)) if (v instanceof Tensor && v.dim() > 0) { n = v.shape[0]; break; }
  if (n < 0) return [x];
  const cols: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(x)) {
    if (v instanceof Tensor && v.dim() > 0 && v.shape[0] === n) cols[k] = torch.unbind(v.detach(), { dim: 0 });
    else if (Array.isArray(v) && v.length === n) cols[k] = v;
    else {
      const one = v instanceof Tensor ? (v.dim() === 0 ? v.item() : v.detach()) : v;
      cols[k] = Array.from({ length: n }, () => one);
    }
  }
  return Array.from({ length: n }, (_, i) => Object.fromEntries(Object.keys(cols).map((k) => [k, cols[k][i]])));
}

export abstract class Workflow extends Engine {
  declare state: WorkflowState;
  readonly dataLoader: DataSource;
  readonly nonBlocking: boolean;
  readonly prepareBatch: PrepareBatchFn;
  readonly metricCmpFn: (current: number, prevBest: number) => boolean;
  readonly amp: boolean;

  constructor(options: WorkflowOptions) {
    const update = (options.iterationUpdate ?? ((engine: Workflow, batch: unknown) => engine.iteration(engine, batch))) as unknown as ProcessFunction<Engine>;
    super(update);
    const name = new.target.name;
    if (!isBatchSource(options.dataLoader)) {
      throw new TypeError(`${name}: the data loader must be an iterable or async iterable of batches (a DataLoader), found ${typeof options.dataLoader}`);
    }
    if (!Number.isInteger(options.maxEpochs) || options.maxEpochs < 0) throw new Error(`${name}: maxEpochs must be an integer >= 0, found ${String(options.maxEpochs)}`);
    let epochLength = options.epochLength ?? null;
    if (epochLength === null) {
      const n = (options.dataLoader as { length?: unknown }).length;
      if (typeof n !== 'number') throw new Error(`${name}: epochLength must be given when the data loader has no length`);
      epochLength = n;
    }
    this.state = new State({
      rank: 0, seed: 0, iteration: 0, epoch: 0, maxEpochs: options.maxEpochs, epochLength, output: null, batch: null,
      metrics: {}, metricDetails: {}, dataloader: null, device: options.device ?? null, keyMetricName: null, bestMetric: -1, bestMetricEpoch: -1,
    }) as WorkflowState;
    this.dataLoader = options.dataLoader;
    // a DataLoader over a DistributedSampler reshuffles per epoch (MONAI sets the sampler's epoch)
    const sampler = (options.dataLoader as { sampler?: { setEpoch?: unknown } }).sampler;
    if (sampler && typeof sampler.setEpoch === 'function') {
      this.on(Events.EPOCH_STARTED, (e: Workflow) => (sampler.setEpoch as (n: number) => void).call(sampler, e.state.epoch));
    }
    this.nonBlocking = options.nonBlocking ?? false;
    this.prepareBatch = asPrepareBatchFn(options.prepareBatch ?? defaultPrepareBatch);
    this.metricCmpFn = options.metricCmpFn ?? defaultMetricCmpFn;
    this.amp = options.amp ?? false;
    this.registerEvents([...(options.eventNames ?? []), ...Object.values(IterationEvents)], options.eventToAttr ?? undefined);
    if (options.decollate ?? true) this.registerDecollate();
    if (options.postprocessing) this.registerPostprocessing(options.postprocessing);
    if (options.keyMetric) this.registerMetrics(options.keyMetric, options.additionalMetrics ?? null);
    if (options.handlers) for (const h of Array.isArray(options.handlers) ? options.handlers : [options.handlers]) h.attach(this);
  }

  private registerDecollate(): void {
    this.on(IterationEvents.MODEL_COMPLETED, (e: Workflow) => {
      if (Array.isArray(e.state.batch) || isDict(e.state.batch)) e.state.batch = decollateDetached(e.state.batch);
      if (Array.isArray(e.state.output) || isDict(e.state.output)) e.state.output = decollateDetached(e.state.output);
    });
  }

  private registerPostprocessing(post: TransformLike): void {
    this.on(IterationEvents.MODEL_COMPLETED, (e: Workflow) => {
      const { batch, output } = e.state;
      if (!Array.isArray(batch) || !Array.isArray(output)) {
        [e.state.batch, e.state.output] = engineApplyTransform(batch, output, post);
      } else {
        for (let i = 0; i < Math.min(batch.length, output.length); i++) [batch[i], output[i]] = engineApplyTransform(batch[i], output[i], post);
      }
    });
  }

  private registerMetrics(keyMetric: Record<string, AttachableMetric>, additional: Record<string, AttachableMetric> | null): void {
    const names = Object.keys(keyMetric);
    if (!names.length) throw new Error(`${this.constructor.name}: keyMetric must name one metric, found an empty object`);
    this.state.keyMetricName = names[0];
    for (const [n, m] of Object.entries({ ...keyMetric, ...(additional ?? {}) })) m.attach(this, n);
    this.on(Events.EPOCH_COMPLETED, (e: Workflow) => {
      const key = e.state.keyMetricName;
      if (key === null) return;
      const v = e.state.metrics[key];
      if (typeof v !== 'number') {
        process.emitWarning(`${this.constructor.name}: key metric '${key}' is not a scalar; skipping the best-metric comparison (use reduction 'mean' or another key metric)`);
        return;
      }
      if (e.state.bestMetricEpoch === -1 || this.metricCmpFn(v, e.state.bestMetric)) {
        e.state.bestMetric = v;
        e.state.bestMetricEpoch = e.state.epoch;
      }
    });
  }

  /** One iteration of this workflow (the default process function). */
  protected abstract iteration(engine: this, batchdata: unknown): unknown;

  /** Runs the workflow over its data loader for state.maxEpochs epochs (resuming a loaded state). */
  override async run(): Promise<State> {
    if (this.state.epochLength === 0) {
      process.emitWarning(`${this.constructor.name}: the data loader is empty or epochLength is 0; skipping run`);
      return this.state;
    }
    return super.run(this.dataLoader, { maxEpochs: this.state.maxEpochs as number });
  }

  /** Values of state keys by name (MONAI's get_stats). */
  getStats(...keys: string[]): Record<string, unknown> {
    return Object.fromEntries(keys.map((k) => [k, this.state[k] ?? null]));
  }
}

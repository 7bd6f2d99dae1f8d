// MONAI's IgniteMetricHandler: attaches a cumulative metric (DiceMetric, ...) or a loss to an engine as
// Ignite's epoch-wise Metric does: reset at EPOCH_STARTED, update with outputTransform(state.output) at
// ITERATION_COMPLETED, aggregate into state.metrics[name] (and the per-item buffer into
// state.metricDetails[name]) at EPOCH_COMPLETED. Metric handlers (MeanDice, ...) extend it.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import type { CumulativeIterationMetric, TensorOrList } from '../metrics/metric.js';
import { gatherBuffersAcrossRanks } from './utils.js';

/** Something with a loss's forward(yPred, y) (a LossMetric is made of it). */
export type LossLike = ((yPred: Tensor, y: Tensor) => Tensor) | { forward(yPred: Tensor, y: Tensor): Tensor };

export interface IgniteMetricHandlerOptions {
  metricFn?: CumulativeIterationMetric | null;
  lossFn?: LossLike | null;
  /** maps state.output to [yPred, y] (default: the output itself) */
  outputTransform?: (output: never) => unknown;
  /** keep the per-item buffer in state.metricDetails[name] (default true) */
  saveDetails?: boolean;
}
const KEYS = ['metricFn', 'lossFn', 'outputTransform', 'saveDetails'];

/** A metric over a loss: the mean of the loss per call, averaged over the epoch (MONAI's LossMetric, mean reduction). */
class LossMetric {
  private values: number[] = [];
  constructor(private readonly loss: LossLike) {}
  call(yPred: TensorOrList, y: TensorOrList): void {
    const p = Array.isArray(yPred) ? torch.stack(yPred) : yPred;
    const t = Array.isArray(y) ? torch.stack(y) : y;
    const v = torch.tidy(() => (typeof this.loss === 'function' ? this.loss(p, t) : this.loss.forward(p, t)).mean().item());
    this.values.push(v);
  }
  aggregate(): number {
    return this.values.length ? this.values.reduce((a, b) => a + b, 0) / this.values.length : NaN;
  }
  getBuffer(): number[] {
    return [...this.values];
  }
  reset(): void {
    this.values = [];
  }
}

type MetricLike = Pick<CumulativeIterationMetric, 'reset' | 'aggregate' | 'getBuffer'> & { call(yPred: TensorOrList, y: TensorOrList): unknown };

export class IgniteMetricHandler {
  readonly metricFn: MetricLike;
  readonly outputTransform: (output: unknown) => unknown;
  readonly saveDetails: boolean;
  protected engine: Engine | null = null;
  protected name: string | null = null;
  // tensors this handler put into the engine state, freed when replaced
  private published: unknown[] = [];

  constructor(options: IgniteMetricHandlerOptions = {}) {
    const owner = new.target.name;
    checkOptions(owner, options, KEYS);
    const { metricFn, lossFn } = options;
    if (!metricFn && !lossFn) throw new Error(`${owner}: give metricFn or lossFn`);
    if (metricFn && lossFn) throw new Error(`${owner}: give metricFn or lossFn, not both`);
    // a metric's buffers cover every rank when torch.distributed runs (MONAI's Cumulative gathers them)
    this.metricFn = metricFn ? (gatherBuffersAcrossRanks(metricFn) as unknown as MetricLike) : (new LossMetric(lossFn as LossLike) as unknown as MetricLike);
    this.outputTransform = (options.outputTransform as ((o: unknown) => unknown) | undefined) ?? ((x: unknown) => x);
    this.saveDetails = options.saveDetails ?? true;
  }

  reset(): void {
    this.metricFn.reset();
  }

  /** Adds one iteration's [yPred, y] (each a batch tensor or a list of channel-first tensors). */
  update(output: unknown): void {
    if (!Array.isArray(output) || output.length !== 2) {
      throw new Error(`${this.constructor.name}.update: the transformed output must be [yPred, y], found ${Array.isArray(output) ? `a list of ${output.length}` : typeof output}`);
    }
    this.metricFn.call(output[0] as TensorOrList, output[1] as TensorOrList);
  }

  /** The aggregated metric: a number for a scalar, else a tensor (kept until the next compute). */
  compute(): unknown {
    let result = this.metricFn.aggregate() as unknown;
    if (Array.isArray(result)) {
      if (result.length > 1) process.emitWarning(`${this.constructor.name}: the metric returned several values; only the first is recorded`);
      const rest = result.slice(1);
      result = result[0];
      torch.dispose(rest);
    }
    if (this.saveDetails) {
      if (!this.engine || this.name === null) throw new Error(`${this.constructor.name}.compute: attach() the handler to an engine first`);
      const details = this.metricFn.getBuffer();
      this.publish(details);
      (this.engine.state.metricDetails as Record<string, unknown>)[this.name] = details;
    }
    if (result instanceof Tensor) {
      const sq = result.squeeze();
      if (sq !== result) result.dispose();
      if (sq.dim() === 0) {
        const v = sq.item();
        sq.dispose();
        return v;
      }
      this.publish(sq);
      return sq;
    }
    return result;
  }

  private publish(x: unknown): void {
    const found: Tensor[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Tensor) found.push(torch.keep(v));
      else if (Array.isArray(v)) v.forEach(walk);
    };
    walk(x);
    this.published.push(...found);
  }

  /** Frees the tensors this handler last put into the engine state (state.metrics / metricDetails). */
  private releasePublished(): void {
    torch.dispose(this.published);
    this.published = [];
  }

  /** Frees the metric's buffers and what this handler put into the engine state; the handler stays usable. */
  dispose(): void {
    this.releasePublished();
    this.reset();
  }

  private readonly onStarted = (): void => {
    this.releasePublished();
    this.reset();
  };

  private readonly onIterationCompleted = (engine: Engine): void => {
    torch.noGrad(() => this.update(this.outputTransform(engine.state.output)));
  };

  private readonly onCompleted = (engine: Engine, name: string): void => {
    engine.state.metrics[name] = this.compute();
  };

  /** Attaches epoch-wise as Ignite's Metric.attach: reset, update per iteration, compute at epoch end. */
  attach(engine: Engine, name: string): void {
    if (!engine.hasEventHandler(this.onStarted, Events.EPOCH_STARTED)) engine.addEventHandler(Events.EPOCH_STARTED, this.onStarted);
    if (!engine.hasEventHandler(this.onIterationCompleted, Events.ITERATION_COMPLETED)) engine.addEventHandler(Events.ITERATION_COMPLETED, this.onIterationCompleted);
    engine.addEventHandler(Events.EPOCH_COMPLETED, this.onCompleted, name);
    this.engine = engine;
    this.name = name;
    if (this.saveDetails && !engine.state.metricDetails) engine.state.metricDetails = {};
  }
}

// MONAI's MetricLogger: records (iteration, loss) at every trainer iteration and (iteration, value) per
// metric, from the trainer's state and, when given, from an evaluator at the end of each of its runs.
// Tensors are stored as numbers (or nested lists), so nothing recorded outlives the engine's memory.
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';

export const MetricLoggerKeys = { METRICS: 'Metrics', LOSS: 'Loss' } as const;

/** The default lossTransform: output[0].loss (the loss copied into every decollated item). */
function lossFromOutput(output: unknown): unknown {
  const first = Array.isArray(output) ? output[0] : undefined;
  if (first === null || typeof first !== 'object' || !('loss' in first)) {
    throw new TypeError(`MetricLogger: the default lossTransform reads output[0].loss, found ${Array.isArray(output) ? 'no loss in the first item' : typeof output}; give a lossTransform`);
  }
  return (first as Record<string, unknown>).loss;
}

const plain = (v: unknown): unknown => (v instanceof Tensor ? (v.numel() === 1 ? v.item() : v.tolist()) : v);

export interface MetricLoggerOptions {
  lossTransform?: (output: never) => unknown;
  metricTransform?: (value: never) => unknown;
  evaluator?: Engine | null;
}

export class MetricLogger {
  readonly lossTransform: (output: unknown) => unknown;
  readonly metricTransform: (value: unknown) => unknown;
  loss: [number, unknown][] = [];
  metrics: Record<string, [number, unknown][]> = {};
  iteration = 0;

  constructor(options: MetricLoggerOptions = {}) {
    checkOptions('MetricLogger', options, ['lossTransform', 'metricTransform', 'evaluator']);
    this.lossTransform = (options.lossTransform as (o: unknown) => unknown) ?? lossFromOutput;
    this.metricTransform = (options.metricTransform as (v: unknown) => unknown) ?? ((x: unknown) => x);
    if (options.evaluator) this.attachEvaluator(options.evaluator);
  }

  attach(engine: Engine): void {
    engine.addEventHandler(Events.ITERATION_COMPLETED, this.onIteration);
  }

  /** Records the evaluator's metrics when each of its runs completes, at the trainer's current iteration. */
  attachEvaluator(evaluator: Engine): void {
    evaluator.addEventHandler(Events.COMPLETED, this.logMetrics);
  }

  private readonly onIteration = (engine: Engine): void => {
    this.iteration = engine.state.iteration;
    this.loss.push([this.iteration, plain(this.lossTransform(engine.state.output))]);
    this.logMetrics(engine);
  };

  /** Records every value in engine.state.metrics under its name. */
  readonly logMetrics = (engine: Engine): void => {
    for (const [m, v] of Object.entries(engine.state.metrics)) (this.metrics[m] ??= []).push([this.iteration, plain(this.metricTransform(v))]);
  };

  stateDict(): { Loss: [number, unknown][]; Metrics: Record<string, [number, unknown][]> } {
    return { [MetricLoggerKeys.LOSS]: this.loss, [MetricLoggerKeys.METRICS]: this.metrics } as { Loss: [number, unknown][]; Metrics: Record<string, [number, unknown][]> };
  }

  loadStateDict(sd: Record<string, unknown>): void {
    for (const k of [MetricLoggerKeys.LOSS, MetricLoggerKeys.METRICS]) if (!(k in (sd ?? {}))) throw new Error(`MetricLogger.loadStateDict: required key '${k}' is absent`);
    this.loss.splice(0, this.loss.length, ...(sd[MetricLoggerKeys.LOSS] as [number, unknown][]));
    for (const k of Object.keys(this.metrics)) delete this.metrics[k];
    Object.assign(this.metrics, sd[MetricLoggerKeys.METRICS] as Record<string, [number, unknown][]>);
  }
}

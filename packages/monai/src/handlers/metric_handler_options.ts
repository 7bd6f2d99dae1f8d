// Shared construction of the metric handlers (MeanDice, ROCAUC, ...): one options object holding the
// metric's options and the handler's (outputTransform, saveDetails), unknown keys rejected under the
// handler's name, and a metric whose buffers are gathered across ranks when torch.distributed is running.
import { checkOptions } from '../data/options.js';
import type { CumulativeIterationMetric } from '../metrics/metric.js';
import type { IgniteMetricHandlerOptions } from './ignite_metric.js';
import { gatherBuffersAcrossRanks } from './utils.js';

/** The options every metric handler takes besides its metric's. */
export interface MetricHandlerCommonOptions {
  /** maps state.output to [yPred, y] (default: the output itself; see fromEngine) */
  outputTransform?: (output: never) => unknown;
  /** keep the per-item values in state.metricDetails[name] (default true) */
  saveDetails?: boolean;
}

/**
 * Checks `options` against the metric's keys plus the common ones and builds the IgniteMetricHandler options;
 * errors from the metric's constructor are re-thrown under the handler's name.
 */
export function metricHandlerOptions<O extends object>(
  owner: string,
  options: O & MetricHandlerCommonOptions,
  metricKeys: readonly string[],
  makeMetric: (metricOptions: Partial<O>) => CumulativeIterationMetric,
  common: readonly ('outputTransform' | 'saveDetails')[] = ['outputTransform', 'saveDetails'],
): IgniteMetricHandlerOptions {
  checkOptions(owner, options, [...metricKeys, ...common]);
  const metricOptions: Record<string, unknown> = {};
  for (const k of metricKeys) if ((options as Record<string, unknown>)[k] !== undefined) metricOptions[k] = (options as Record<string, unknown>)[k];
  let metric: CumulativeIterationMetric;
  try {
    metric = makeMetric(metricOptions as Partial<O>);
  } catch (e) {
    if (e instanceof Error) {
      const Ctor = e.constructor as new (m: string) => Error;
      throw new Ctor(`${owner}: ${e.message}`);
    }
    throw e;
  }
  if (options.outputTransform !== undefined && typeof options.outputTransform !== 'function') {
    throw new TypeError(`${owner}: outputTransform must be a function (output) => [yPred, y], found ${typeof options.outputTransform}`);
  }
  if (options.saveDetails !== undefined && typeof options.saveDetails !== 'boolean') throw new TypeError(`${owner}: saveDetails must be a boolean, found ${typeof options.saveDetails}`);
  return { metricFn: gatherBuffersAcrossRanks(metric), outputTransform: options.outputTransform, saveDetails: options.saveDetails };
}

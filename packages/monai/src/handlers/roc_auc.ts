// MONAI's ROCAUC handler: the AUC of every prediction and label of an epoch (no per-item details).
// With average 'none' the metric gives one AUC per class and, as in MONAI, only the first is recorded.
import { ROCAUCMetric, type ROCAUCMetricOptions } from '../metrics/rocauc.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface ROCAUCOptions extends ROCAUCMetricOptions, Pick<MetricHandlerCommonOptions, 'outputTransform'> {}

export class ROCAUC extends IgniteMetricHandler {
  constructor(options: ROCAUCOptions = {}) {
    const o = metricHandlerOptions('ROCAUC', options, ['average'], (m) => new ROCAUCMetric(m), ['outputTransform']);
    super({ ...o, saveDetails: false });
  }
}

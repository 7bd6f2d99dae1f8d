// MONAI's ConfusionMatrix handler: one confusion-matrix metric (sensitivity, f1 score, ...) over an epoch;
// the details are the [items, classes, 4] matrices (tp, fp, tn, fn).
import { ConfusionMatrixMetric, type ConfusionMatrixMetricOptions } from '../metrics/confusion_matrix.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface ConfusionMatrixOptions extends Pick<ConfusionMatrixMetricOptions, 'includeBackground' | 'computeSample' | 'reduction'>, MetricHandlerCommonOptions {
  /** one metric name (MONAI's names and aliases). Default 'hit_rate'. */
  metricName?: string;
}

export class ConfusionMatrix extends IgniteMetricHandler {
  readonly metricName: string;
  constructor(options: ConfusionMatrixOptions = {}) {
    if (options?.metricName !== undefined && typeof options.metricName !== 'string') {
      throw new TypeError(`ConfusionMatrix: metricName must be one name (a string), found ${JSON.stringify(options.metricName)}`);
    }
    super(metricHandlerOptions('ConfusionMatrix', options, ['includeBackground', 'metricName', 'computeSample', 'reduction'], (o) => new ConfusionMatrixMetric(o)));
    this.metricName = options.metricName ?? 'hit_rate';
  }
}

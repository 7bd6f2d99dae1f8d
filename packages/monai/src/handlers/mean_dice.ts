// MONAI's MeanDice handler: DiceMetric over an epoch (mean over items and classes by default).
import { DiceMetric, type DiceMetricOptions } from '../metrics/meandice.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface MeanDiceOptions extends Pick<DiceMetricOptions, 'includeBackground' | 'reduction' | 'numClasses' | 'returnWithLabel'>, MetricHandlerCommonOptions {}

export class MeanDice extends IgniteMetricHandler {
  constructor(options: MeanDiceOptions = {}) {
    super(metricHandlerOptions('MeanDice', options, ['includeBackground', 'reduction', 'numClasses', 'returnWithLabel'], (o) => new DiceMetric(o)));
  }
}

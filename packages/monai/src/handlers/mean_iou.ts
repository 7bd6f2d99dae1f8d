// MONAI's MeanIoUHandler: MeanIoU over an epoch.
import { MeanIoU, type MeanIoUOptions } from '../metrics/meaniou.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface MeanIoUHandlerOptions extends Pick<MeanIoUOptions, 'includeBackground' | 'reduction'>, MetricHandlerCommonOptions {}

export class MeanIoUHandler extends IgniteMetricHandler {
  constructor(options: MeanIoUHandlerOptions = {}) {
    super(metricHandlerOptions('MeanIoUHandler', options, ['includeBackground', 'reduction'], (o) => new MeanIoU(o)));
  }
}

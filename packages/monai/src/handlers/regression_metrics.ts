// MONAI's regression metric handlers: MSE, MAE, RMSE and PSNR per item, reduced over an epoch.
import { MAEMetric, MSEMetric, PSNRMetric, RMSEMetric, type RegressionMetricOptions } from '../metrics/regression.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface RegressionHandlerOptions extends Pick<RegressionMetricOptions, 'reduction'>, MetricHandlerCommonOptions {}

export class MeanSquaredError extends IgniteMetricHandler {
  constructor(options: RegressionHandlerOptions = {}) {
    super(metricHandlerOptions('MeanSquaredError', options, ['reduction'], (o) => new MSEMetric(o)));
  }
}

export class MeanAbsoluteError extends IgniteMetricHandler {
  constructor(options: RegressionHandlerOptions = {}) {
    super(metricHandlerOptions('MeanAbsoluteError', options, ['reduction'], (o) => new MAEMetric(o)));
  }
}

export class RootMeanSquaredError extends IgniteMetricHandler {
  constructor(options: RegressionHandlerOptions = {}) {
    super(metricHandlerOptions('RootMeanSquaredError', options, ['reduction'], (o) => new RMSEMetric(o)));
  }
}

export interface PeakSignalToNoiseRatioOptions extends RegressionHandlerOptions {
  /** the largest possible value of the data (255 for 8-bit images). Required. */
  maxVal: number;
}

export class PeakSignalToNoiseRatio extends IgniteMetricHandler {
  constructor(options: PeakSignalToNoiseRatioOptions) {
    super(metricHandlerOptions('PeakSignalToNoiseRatio', options, ['maxVal', 'reduction'], (o) => new PSNRMetric(o as PeakSignalToNoiseRatioOptions)));
  }
}

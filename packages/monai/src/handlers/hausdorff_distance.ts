// MONAI's HausdorffDistance handler: HausdorffDistanceMetric over an epoch.
import { HausdorffDistanceMetric, type HausdorffDistanceMetricOptions } from '../metrics/hausdorff_distance.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface HausdorffDistanceOptions extends Pick<HausdorffDistanceMetricOptions, 'includeBackground' | 'distanceMetric' | 'percentile' | 'directed' | 'reduction'>, MetricHandlerCommonOptions {}

export class HausdorffDistance extends IgniteMetricHandler {
  constructor(options: HausdorffDistanceOptions = {}) {
    super(metricHandlerOptions('HausdorffDistance', options, ['includeBackground', 'distanceMetric', 'percentile', 'directed', 'reduction'], (o) => new HausdorffDistanceMetric(o)));
  }
}

// MONAI's SurfaceDistance handler: the average surface distance over an epoch.
import { SurfaceDistanceMetric, type SurfaceDistanceMetricOptions } from '../metrics/surface_distance.js';
import { IgniteMetricHandler } from './ignite_metric.js';
import { metricHandlerOptions, type MetricHandlerCommonOptions } from './metric_handler_options.js';

export interface SurfaceDistanceHandlerOptions extends Pick<SurfaceDistanceMetricOptions, 'includeBackground' | 'symmetric' | 'distanceMetric' | 'reduction'>, MetricHandlerCommonOptions {}

export class SurfaceDistance extends IgniteMetricHandler {
  constructor(options: SurfaceDistanceHandlerOptions = {}) {
    super(metricHandlerOptions('SurfaceDistance', options, ['includeBackground', 'symmetric', 'distanceMetric', 'reduction'], (o) => new SurfaceDistanceMetric(o)));
  }
}

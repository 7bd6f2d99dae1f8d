export { IgniteMetricHandler, type IgniteMetricHandlerOptions, type LossLike } from './ignite_metric.js';

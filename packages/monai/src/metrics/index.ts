// Metrics (MONAI monai/metrics).
export { Metric, IterationMetric, Cumulative, CumulativeIterationMetric, type TensorOrList, type MetricCallOptions } from './metric.js';
export {
  METRIC_REDUCTIONS, DISTANCE_METRICS, type MetricReduction, type DistanceMetric, type Spacing, ignoreBackground, doMetricReduction,
  getMaskEdges, getSurfaceDistance, getEdgeSurfaceDistance, prepareSpacing, isBinaryTensor,
  type GetMaskEdgesOptions, type SurfaceDistanceOptions, type EdgeSurfaceDistanceOptions, type EdgeSurfaceDistance,
} from './utils.js';
export { subvoxelMeasureTable as getCodeToMeasureTable } from './surface_tables.js';
export { DiceMetric, DiceHelper, computeDice, type DiceMetricOptions, type DiceHelperOptions, type ComputeDiceOptions } from './meandice.js';
export { MeanIoU, computeIou, type MeanIoUOptions, type ComputeIouOptions } from './meaniou.js';
export {
  ConfusionMatrixMetric, getConfusionMatrix, computeConfusionMatrixMetric, checkConfusionMatrixMetricName, type ConfusionMatrixMetricOptions,
} from './confusion_matrix.js';
export { ROCAUCMetric, computeRocAuc, AVERAGES, type Average, type ROCAUCMetricOptions } from './rocauc.js';
export { HausdorffDistanceMetric, computeHausdorffDistance, type HausdorffDistanceMetricOptions, type ComputeHausdorffDistanceOptions } from './hausdorff_distance.js';
export { computePercentHausdorffDistance, type ComputePercentHausdorffDistanceOptions } from './hausdorff_distance.js';
export { SurfaceDistanceMetric, computeAverageSurfaceDistance, type SurfaceDistanceMetricOptions, type ComputeAverageSurfaceDistanceOptions } from './surface_distance.js';
export { SurfaceDiceMetric, computeSurfaceDice, type SurfaceDiceMetricOptions, type ComputeSurfaceDiceOptions } from './surface_dice.js';
export { GeneralizedDiceScore, computeGeneralizedDice, WEIGHT_TYPES, type WeightType, type GeneralizedDiceScoreOptions, type ComputeGeneralizedDiceOptions } from './generalized_dice.js';
export {
  RegressionMetric, MSEMetric, MAEMetric, RMSEMetric, PSNRMetric, SSIMMetric, MultiScaleSSIMMetric, computeMeanErrorMetrics, computeSsimAndCs, computeMsSsim,
  KERNEL_TYPES, type KernelType, type RegressionMetricOptions, type PSNRMetricOptions, type SsimOptions, type SSIMMetricOptions, type MultiScaleSSIMOptions,
  type MultiScaleSSIMMetricOptions,
} from './regression.js';
export { CumulativeAverage } from './cumulative_average.js';

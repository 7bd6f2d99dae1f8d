export { IgniteMetricHandler, type IgniteMetricHandlerOptions, type LossLike } from './ignite_metric.js';
export { Logger, LogLevel, getLogger, setupLogger, formatRecord, engineLoggerName, DEFAULT_FMT, type LogRecord, type LogSink, type SetupLoggerOptions } from './logging.js';
export { StatsHandler, DEFAULT_KEY_VAL_FORMAT, DEFAULT_TAG, type StatsHandlerOptions, type LogWhen } from './stats_handler.js';
export { type KeyVarFormat } from './stats_format.js';
export { CheckpointSaver, type CheckpointSaverOptions } from './checkpoint_saver.js';
export { CheckpointLoader, type CheckpointLoaderOptions } from './checkpoint_loader.js';
export { ValidationHandler, type ValidationHandlerOptions } from './validation_handler.js';
export { LrScheduleHandler, type LrScheduleHandlerOptions, type LrSchedulerLike } from './lr_schedule_handler.js';
export { EarlyStopHandler, type EarlyStopHandlerOptions } from './earlystop_handler.js';
export { TensorBoardHandler, TensorBoardStatsHandler, TensorBoardImageHandler, type TensorBoardHandlerOptions, type TensorBoardStatsHandlerOptions, type TensorBoardImageHandlerOptions } from './tensorboard_handlers.js';
export { MeanDice, type MeanDiceOptions } from './mean_dice.js';
export { MeanIoUHandler, type MeanIoUHandlerOptions } from './mean_iou.js';
export { ROCAUC, type ROCAUCOptions } from './roc_auc.js';
export { ConfusionMatrix, type ConfusionMatrixOptions } from './confusion_matrix.js';
export { HausdorffDistance, type HausdorffDistanceOptions } from './hausdorff_distance.js';
export { SurfaceDistance, type SurfaceDistanceHandlerOptions } from './surface_distance.js';
export { MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError, PeakSignalToNoiseRatio, type RegressionHandlerOptions, type PeakSignalToNoiseRatioOptions } from './regression_metrics.js';
export { type MetricHandlerCommonOptions } from './metric_handler_options.js';
export { MetricsSaver, type MetricsSaverOptions } from './metrics_saver.js';
export { ClassificationSaver, type ClassificationSaverOptions } from './classification_saver.js';
export { CSVSaver, type CSVSaverOptions } from './csv_saver.js';
export { MetricLogger, MetricLoggerKeys, type MetricLoggerOptions } from './metric_logger.js';
export {
  fromEngine, ignoreData, stoppingFnFromMetric, stoppingFnFromLoss, writeMetricsReports, evenlyDivisibleAllGather, stringListAllGather,
  gatherBuffersAcrossRanks, activeDistributed, rankAndWorldSize, metaFilenames, SUMMARY_OPS, type DistributedLike, type WriteMetricsReportsOptions,
} from './utils.js';
export { Timer, IterationTimer, type TimerAttachOptions } from './timer.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';
export { SmartCacheHandler } from './smartcache_handler.js';

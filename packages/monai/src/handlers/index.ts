export { IgniteMetricHandler, type IgniteMetricHandlerOptions, type LossLike } from './ignite_metric.js';
export { Logger, LogLevel, getLogger, setupLogger, formatRecord, engineLoggerName, DEFAULT_FMT, type LogRecord, type LogSink, type SetupLoggerOptions } from './logging.js';
export { StatsHandler, DEFAULT_KEY_VAL_FORMAT, DEFAULT_TAG, type StatsHandlerOptions, type LogWhen } from './stats_handler.js';
export { type KeyVarFormat } from './stats_format.js';
export { CheckpointSaver, type CheckpointSaverOptions } from './checkpoint_saver.js';
export { CheckpointLoader, type CheckpointLoaderOptions } from './checkpoint_loader.js';
export { ValidationHandler, type ValidationHandlerOptions } from './validation_handler.js';
export { LrScheduleHandler, type LrScheduleHandlerOptions, type LrSchedulerLike } from './lr_schedule_handler.js';
export { EarlyStopHandler, type EarlyStopHandlerOptions } from './earlystop_handler.js';

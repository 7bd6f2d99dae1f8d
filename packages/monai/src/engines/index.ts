export { Events, IterationEvents, EventName, FilteredEvent, EventsList, defineEvents, type EventFilter, type EventFilterOptions, type EventLike } from './events.js';
export { Engine, State, type Handler, type ProcessFunction, type RunOptions, type RemovableEventHandle } from './engine.js';
export { Workflow, decollateDetached, type WorkflowOptions, type WorkflowState, type AttachableMetric, type AttachableHandler, type DataSource } from './workflow.js';
export { Trainer, SupervisedTrainer, GanTrainer, type SupervisedTrainerOptions, type GanTrainerOptions } from './trainer.js';
export { Evaluator, SupervisedEvaluator, EnsembleEvaluator, type EvaluatorOptions, type SupervisedEvaluatorOptions, type EnsembleEvaluatorOptions, type EvaluatorMode } from './evaluator.js';
export {
  CommonKeys, GanKeys, PrepareBatch, PrepareBatchDefault, PrepareBatchExtraInput, defaultPrepareBatch, engineApplyTransform, defaultMetricCmpFn, defaultMakeLatent, getDevicesSpec,
  type PrepareBatchFn, type PreparedBatch, type Device,
} from './utils.js';

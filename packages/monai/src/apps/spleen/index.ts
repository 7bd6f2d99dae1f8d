// monai.apps spleen: MONAI's spleen fast-training recipe as library code (config, pipelines, train, infer, evaluate).
export { DEFAULT_SPLEEN_CONFIG, ConfigError, validateSpleenConfig, type SpleenConfig } from './config.js';
export { spleenTrainTransforms, spleenValTransforms, spleenInferTransforms } from './transforms.js';
export { buildSpleenUNet, loadSpleenModel, type NetworkConfig, type LoadedModel } from './network.js';
export { trainSpleen, splitDatalist, checkpointPaths, resolveDevice, type TrainProgress, type TrainResult, type TrainOptions } from './train.js';
export { inferSpleen, listInputImages, type InferConfig, type InferResult } from './infer.js';
export { evaluateSegmentations, pairPredictions, scoreCase, type CaseScore, type EvaluationSummary } from './evaluate.js';
export { consoleProgress, type ConsoleProgressOptions } from './report.js';
export { launchSpleenRanks, joinSpleenRanks, leaveSpleenRanks, currentSpleenRank, rankShare, checkRankShares, checkRankDevice, parameterChecksum, type SpleenRank, type LaunchSpleenOptions } from './distributed.js';

// monai.apps synthetic data: a generated CT task in the Decathlon layout.
export { generateSyntheticCtTask, syntheticTaskHash, HU, type SyntheticCtTaskOptions, type SyntheticCtTask } from './ct_task.js';

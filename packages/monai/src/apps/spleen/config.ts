// The spleen recipe's configuration: MONAI's fast-training tutorial parameters, with defaults sized for
// the synthetic task on a small CPU. Configs come from JSON or YAML files (the CLI) or code; every wrong
// field gets its own line naming the field, what was expected and what was found.
import { suggestion } from '../../data/options.js';

export interface SpleenConfig {
  /** Decathlon-layout folder with dataset.json (Task09_Spleen or the synthetic task) */
  data: string;
  /** output folder: checkpoints, TensorBoard events, predictions */
  output: string;
  epochs: number;
  /** validate every this many epochs */
  valInterval: number;
  /** training crop size (RandCropByPosNegLabeld) and sliding-window size */
  roi: number[];
  /** sliding-window size at validation and inference (default: roi) */
  swRoi: number[] | null;
  swBatchSize: number;
  /** target spacing of Spacingd, mm */
  pixdim: number[];
  /** HU window of ScaleIntensityRanged, mapped to [0, 1] */
  intensityRange: number[];
  cacheRate: number;
  /** threads building the cache and loading batches (0: the main thread) */
  numWorkers: number;
  batchSize: number;
  /** crops per volume (RandCropByPosNegLabeld numSamples) */
  numSamples: number;
  /** the last numVal training cases of dataset.json validate */
  numVal: number;
  amp: boolean;
  optimizer: 'novograd' | 'adam';
  lr: number;
  seed: number;
  channels: number[];
  strides: number[];
  numResUnits: number;
  norm: 'batch' | 'instance';
  /** stop once the validation Dice reaches this (null: run every epoch) */
  targetDice: number | null;
  /** continue from output/checkpoints/last.pt when it exists */
  resume: boolean;
  /** write TensorBoard event files under output/tensorboard */
  tensorboard: boolean;
  /** 'cpu', 'cuda', 'cuda:N', or 'auto' (CUDA when available) */
  device: string;
  /** local ranks training data-parallel (DistributedDataParallel, one process each); 1: this process alone */
  ranks: number;
}

/**
 * Defaults: MONAI's fast-training tutorial (UNet 16-256 with 2 residual units and batch norm, DiceCE,
 * Novograd, pixdim 1.5x1.5x2, window -57..164) with crops and epochs sized for the synthetic task on CPU.
 */
export const DEFAULT_SPLEEN_CONFIG: Omit<SpleenConfig, 'data'> = {
  output: 'runs/spleen',
  epochs: 40,
  valInterval: 1,
  roi: [48, 48, 32],
  swRoi: null,
  swBatchSize: 4,
  pixdim: [1.5, 1.5, 2.0],
  intensityRange: [-57, 164],
  cacheRate: 1.0,
  numWorkers: 0,
  batchSize: 2,
  numSamples: 2,
  numVal: 4,
  amp: false,
  optimizer: 'novograd',
  lr: 2e-3,
  seed: 0,
  channels: [16, 32, 64, 128, 256],
  strides: [2, 2, 2, 2],
  numResUnits: 2,
  norm: 'batch',
  targetDice: null,
  resume: true,
  tensorboard: true,
  device: 'auto',
  ranks: 1,
};

/** A config that failed validation: one line per wrong field in `problems`. */
export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(problems.map((p) => `${source}: ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const show = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `${JSON.stringify(v)} (a list of ${v.length})`;
  return `${JSON.stringify(v)} (${typeof v})`;
};

type Check = (v: unknown) => string | null;
const int = (min: number): Check => (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min ? null : `an integer >= ${min}`);
const num = (lo: number, hi: number, loOpen = false): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && v <= hi ? null : `a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`;
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'a non-empty string (a path)');
const oneOf = (...c: string[]): Check => (v) => (typeof v === 'string' && c.includes(v) ? null : `one of ${c.map((x) => `'${x}'`).join(', ')}`);
const list = (len: number | null, each: Check, what: string): Check => (v) =>
  Array.isArray(v) && (len === null ? v.length > 0 : v.length === len) && v.every((x) => each(x) === null) ? null : `${len === null ? 'a list' : `a list of ${len}`} ${what}`;
const nullable = (c: Check): Check => (v) => (v === null ? null : (c(v) === null ? null : `${c(v)} or null`));
const device: Check = (v) => (typeof v === 'string' && /^(auto|cpu|cuda(:\d+)?)$/.test(v) ? null : "'auto', 'cpu', 'cuda' or 'cuda:N'");

const CHECKS: Record<keyof SpleenConfig, Check> = {
  data: str,
  output: str,
  epochs: int(1),
  valInterval: int(1),
  roi: list(3, int(8), 'integers >= 8'),
  swRoi: nullable(list(3, int(8), 'integers >= 8')),
  swBatchSize: int(1),
  pixdim: list(3, num(0, Infinity, true), 'positive numbers (mm)'),
  intensityRange: list(2, num(-Infinity, Infinity), 'numbers [min, max] (HU)'),
  cacheRate: num(0, 1),
  numWorkers: int(0),
  batchSize: int(1),
  numSamples: int(1),
  numVal: int(1),
  amp: bool,
  optimizer: oneOf('novograd', 'adam'),
  lr: num(0, 10, true),
  seed: int(0),
  channels: list(null, int(1), 'positive integers, at least 2'),
  strides: list(null, int(1), 'positive integers'),
  numResUnits: int(0),
  norm: oneOf('batch', 'instance'),
  targetDice: nullable(num(0, 1, true)),
  resume: bool,
  tensorboard: bool,
  device,
  ranks: int(1),
};

/**
 * Checks a parsed config (unknown keys, types, ranges, cross-field rules) and fills the defaults.
 * `source` names where it came from (a file) in the error lines.
 */
export function validateSpleenConfig(raw: unknown, source = 'config'): SpleenConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(source, [`expected a mapping of fields (data, epochs, ...), found ${show(raw)}`]);
  const problems: string[] = [];
  const known = Object.keys(CHECKS);
  for (const k of Object.keys(raw)) {
    if (!known.includes(k)) problems.push(`unknown field '${k}'${suggestion(k, known)}`);
  }
  const merged = { ...DEFAULT_SPLEEN_CONFIG, ...(raw as Record<string, unknown>) } as Record<string, unknown>;
  if (merged.data === undefined) problems.push("field 'data': required (the folder with dataset.json), found nothing");
  for (const [k, check] of Object.entries(CHECKS)) {
    if (!(k in merged) || !known.includes(k)) continue;
    const want = check(merged[k]);
    if (want !== null) problems.push(`field '${k}': expected ${want}, found ${show(merged[k])}`);
  }
  if (!problems.length) {
    const c = merged as unknown as SpleenConfig;
    if (c.channels.length < 2) problems.push(`field 'channels': expected at least 2 levels, found ${show(c.channels)}`);
    else if (c.strides.length < c.channels.length - 1) problems.push(`field 'strides': expected ${c.channels.length - 1} strides (one per level below the top of channels), found ${show(c.strides)}`);
    if (c.ranks > c.numVal) problems.push(`field 'ranks': expected at most numVal (${c.numVal}) ranks, each validating its share of the validation cases, found ${show(c.ranks)}`);
    if (c.intensityRange[0] >= c.intensityRange[1]) problems.push(`field 'intensityRange': expected [min, max] with min < max, found ${show(c.intensityRange)}`);
  }
  if (problems.length) throw new ConfigError(source, problems);
  return merged as unknown as SpleenConfig;
}

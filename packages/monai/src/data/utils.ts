/**
 * Splitting datalists (MONAI's monai/data/utils.py): partitionDataset, partitionDatasetClasses,
 * resampleDatalist and selectCrossValidationFolds, with numpy-compatible shuffles so a seed gives the
 * same partitions as MONAI in Python.
 */
import { RandomState } from '../utils/random_state.js';

export interface PartitionDatasetOptions {
  /** relative sizes of the partitions (takes precedence over numPartitions) */
  ratios?: readonly number[] | null;
  /** number of interleaved partitions of (nearly) equal size */
  numPartitions?: number | null;
  /** shuffle before splitting, with numpy's RandomState(seed) (default false) */
  shuffle?: boolean;
  seed?: number;
  /** with evenDivisible, drop the tail instead of padding with repeated items (default false) */
  dropLast?: boolean;
  /** give every partition the same length (default false) */
  evenDivisible?: boolean;
}

const PARTITION_KEYS = ['ratios', 'numPartitions', 'shuffle', 'seed', 'dropLast', 'evenDivisible'];

function checkKeys(who: string, options: object, allowed: readonly string[]): void {
  for (const k of Object.keys(options)) if (!allowed.includes(k)) throw new TypeError(`${who}: unknown option '${k}' (known: ${allowed.join(', ')})`);
}

/**
 * Splits `data` into partitions (MONAI's partition_dataset): by `ratios` (consecutive runs, sizes rounded
 * half up) or into `numPartitions` interleaved parts (item i goes to part i % n), optionally padded or
 * trimmed to equal lengths.
 */
export function partitionDataset<T>(data: readonly T[], options: PartitionDatasetOptions = {}): T[][] {
  checkKeys('partitionDataset', options, PARTITION_KEYS);
  const { ratios = null, numPartitions = null, shuffle = false, seed = 0, dropLast = false, evenDivisible = false } = options;
  if (!Array.isArray(data)) throw new TypeError('partitionDataset: data must be an array');
  const n = data.length;
  let indices = Array.from({ length: n }, (_, i) => i);
  if (shuffle) new RandomState(seed).shuffle(indices);
  if (ratios && ratios.length) {
    if (ratios.some((r) => typeof r !== 'number' || !(r >= 0))) throw new RangeError(`partitionDataset: ratios must be non-negative numbers, got [${ratios.join(', ')}]`);
    const rsum = ratios.reduce((a, b) => a + b, 0);
    const out: T[][] = [];
    let next = 0;
    for (const r of ratios) {
      const start = next;
      next = Math.min(start + Math.trunc((r / rsum) * n + 0.5), n);
      out.push(indices.slice(start, next).map((i) => data[i]));
    }
    return out;
  }
  if (!numPartitions) throw new TypeError('partitionDataset: give numPartitions or ratios');
  if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new RangeError(`partitionDataset: numPartitions must be a positive integer, got ${numPartitions}`);
  if (!evenDivisible && dropLast) throw new Error('partitionDataset: dropLast only works when evenDivisible is true');
  if (n < numPartitions) throw new RangeError(`partitionDataset: ${n} items are not enough for ${numPartitions} partitions`);
  const numSamples = dropLast && n % numPartitions !== 0 ? Math.ceil((n - numPartitions) / numPartitions) : Math.ceil(n / numPartitions);
  const total = evenDivisible ? numSamples * numPartitions : n;
  if (!dropLast && total - n > 0) indices = indices.concat(indices.slice(0, total - n));
  else indices = indices.slice(0, total);
  const out: T[][] = [];
  for (let p = 0; p < numPartitions; p++) {
    const part: T[] = [];
    for (let i = p; i < total; i += numPartitions) part.push(data[indices[i]]);
    out.push(part);
  }
  return out;
}

/**
 * Partitions each class separately, then merges the per-class parts (MONAI's partition_dataset_classes),
 * so every partition keeps the class proportions. Classes are visited in sorted order, as MONAI does.
 */
export function partitionDatasetClasses<T>(data: readonly T[], classes: readonly (number | string)[], options: PartitionDatasetOptions = {}): T[][] {
  checkKeys('partitionDatasetClasses', options, PARTITION_KEYS);
  if (!Array.isArray(classes) || classes.length !== data.length) throw new RangeError(`partitionDatasetClasses: classes must have one entry per item (${data.length}), got ${Array.isArray(classes) ? classes.length : typeof classes}`);
  const byClass = new Map<number | string, number[]>();
  classes.forEach((c, i) => {
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  });
  const keys = [...byClass.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let parts: number[][] = [];
  for (const k of keys) {
    const per = partitionDataset(byClass.get(k)!, options);
    if (parts.length === 0) parts = per;
    else per.forEach((p, i) => parts[i]?.push(...p));
  }
  const rs = new RandomState(options.seed ?? 0);
  return parts.map((idx) => {
    if (options.shuffle) rs.shuffle(idx);
    return idx.map((j) => data[j]);
  });
}

/**
 * Repeats a datalist `floor(factor)` times and adds the first `frac(factor)` share of it (randomly picked
 * with `randomPick`, numpy-seeded), as MONAI's resample_datalist.
 */
export function resampleDatalist<T>(data: readonly T[], factor: number, options: { randomPick?: boolean; seed?: number } = {}): T[] {
  if (!(factor >= 0)) throw new RangeError(`resampleDatalist: factor must be >= 0, got ${factor}`);
  const repeats = Math.trunc(factor);
  const scale = factor - repeats;
  const out: T[] = [];
  for (let i = 0; i < repeats; i++) out.push(...data.map((d) => structuredClone(d)));
  if (scale > 1e-6) out.push(...partitionDataset(data, { ratios: [scale, 1 - scale], shuffle: options.randomPick ?? false, seed: options.seed ?? 0 })[0]);
  return out;
}

/** Concatenates the partitions named by `folds` (negative indices count from the end, as Python's). */
export function selectCrossValidationFolds<T>(partitions: readonly (readonly T[])[], folds: number | readonly number[]): T[] {
  const list = typeof folds === 'number' ? [folds] : folds;
  const out: T[] = [];
  for (const f of list) {
    const idx = f < 0 ? partitions.length + f : f;
    if (!Number.isInteger(f) || idx < 0 || idx >= partitions.length) throw new RangeError(`selectCrossValidationFolds: fold ${f} is out of range for ${partitions.length} partitions`);
    out.push(...partitions[idx]);
  }
  return out;
}

/**
 * DistributedSampler (MONAI's monai/data/samplers.py over torch.utils.data.DistributedSampler): each rank
 * reads every numReplicas-th index of a (seeded, per-epoch) permutation; MONAI's evenDivisible=false
 * lets ranks have different lengths instead of repeating items.
 */
import * as torch from '@monai-ts/torch';

export interface DistributedSamplerOptions {
  /** pad (true, default) so every rank gets the same number of items, or not (MONAI's even_divisible=False) */
  evenDivisible?: boolean;
  /** default: torch.distributed.getWorldSize() of the initialized default group */
  numReplicas?: number;
  /** default: torch.distributed.getRank() */
  rank?: number;
  shuffle?: boolean;
  /** permutation seed; the epoch is added to it (setEpoch) */
  seed?: number;
  dropLast?: boolean;
}

export class DistributedSampler implements Iterable<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly datasetLength: number;
  numSamples: number;
  totalSize: number;
  epoch = 0;

  constructor(dataset: { length: number }, options: DistributedSamplerOptions = {}) {
    for (const k of Object.keys(options)) if (!['evenDivisible', 'numReplicas', 'rank', 'shuffle', 'seed', 'dropLast'].includes(k)) throw new TypeError(`DistributedSampler: unknown option '${k}'`);
    const n = dataset?.length;
    if (!Number.isInteger(n) || n < 0) throw new TypeError('DistributedSampler: dataset must have a length');
    // As PyTorch: unset numReplicas/rank come from the default process group.
    const dist = torch.distributed;
    if ((options.numReplicas === undefined || options.rank === undefined) && !dist.isInitialized()) {
      throw new TypeError('DistributedSampler: numReplicas and rank are required when torch.distributed is not initialized (call torch.distributed.initProcessGroup() first, or pass both)');
    }
    const { numReplicas = dist.getWorldSize(), rank = dist.getRank(), evenDivisible = true } = options;
    if (!Number.isInteger(numReplicas) || numReplicas < 1) throw new RangeError(`DistributedSampler: numReplicas must be a positive integer, got ${numReplicas}`);
    if (!Number.isInteger(rank) || rank < 0 || rank >= numReplicas) throw new RangeError(`DistributedSampler: rank must be in [0, ${numReplicas - 1}], got ${rank}`);
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    this.datasetLength = n;
    this.numSamples = this.dropLast && n % numReplicas !== 0 ? Math.ceil((n - numReplicas) / numReplicas) : Math.ceil(n / numReplicas);
    this.totalSize = this.numSamples * numReplicas;
    if (!evenDivisible) {
      if (n < numReplicas) throw new RangeError(`DistributedSampler: the dataset length (${n}) is less than the number of ranks (${numReplicas})`);
      // MONAI accepts this and then fails torch's length assertion when iterating
      if (this.dropLast && n % numReplicas !== 0) throw new RangeError('DistributedSampler: dropLast cannot be used with evenDivisible false when the length is not a multiple of numReplicas');
      const extra = this.totalSize - n;
      if (rank + extra >= numReplicas) this.numSamples -= 1;
      this.totalSize = n;
    }
  }

  get length(): number {
    return this.numSamples;
  }

  /** Changes the permutation of the next iteration (PyTorch's set_epoch). */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  /** This rank's indices for the current epoch. */
  indices(): number[] {
    const n = this.datasetLength;
    let idx: number[];
    if (this.shuffle) {
      const g = new torch.Generator().manualSeed(this.seed + this.epoch);
      try {
        idx = torch.tidy(() => Array.from(torch.randperm(n, { generator: g }).toTypedArray() as BigInt64Array, Number));
      } finally {
        g.dispose();
      }
    } else idx = Array.from({ length: n }, (_, i) => i);
    if (!this.dropLast) {
      const pad = this.totalSize - idx.length;
      if (pad > 0) {
        const base = idx.slice();
        while (idx.length < this.totalSize) idx.push(...base.slice(0, this.totalSize - idx.length));
      }
    } else idx = idx.slice(0, this.totalSize);
    const out: number[] = [];
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) out.push(idx[i]);
    return out;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}

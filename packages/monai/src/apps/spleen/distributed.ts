// The spleen recipe on several local ranks (config field `ranks`), as MONAI's distributed fast-training
// tutorial runs it: every rank joins torch.distributed's default group from the launcher's environment,
// caches only its own share of the training cases (partitionDataset per rank, padded so that every rank
// runs the same number of iterations, which DDP's gradient all-reduce needs), trains a
// DistributedDataParallel UNet and validates its share of the validation cases; MeanDice gathers the
// buffers across ranks, so every rank sees the same Dice and stops at the same epoch. Only rank 0 writes
// (CheckpointSaver and StatsHandler act on rank 0 only; TensorBoard and progress are off elsewhere).
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { partitionDataset } from '../../data/utils.js';
import type { DatalistItem } from '../../data/decathlon_datalist.js';
import type { SpleenConfig } from './config.js';

/** Where this process sits in a multi-rank run. */
export interface SpleenRank {
  rank: number;
  worldSize: number;
  localRank: number;
}

/**
 * This rank's share of the cases. Training shares are shuffled with the recipe's seed and padded to equal
 * lengths (every rank must run the same number of iterations); validation shares are not padded, so no
 * case is counted twice in the gathered Dice.
 */
export function rankShare(items: readonly DatalistItem[], r: Pick<SpleenRank, 'rank' | 'worldSize'>, kind: 'train' | 'val', seed: number): DatalistItem[] {
  if (items.length < r.worldSize) {
    const field = kind === 'train' ? 'training cases (dataset.json minus numVal)' : 'validation cases (numVal)';
    throw new Error(`ranks ${r.worldSize}: only ${items.length} ${field}; each rank needs at least one (use fewer ranks or more cases)`);
  }
  return partitionDataset(items, { numPartitions: r.worldSize, shuffle: kind === 'train', seed, evenDivisible: kind === 'train' })[r.rank];
}

/** Checks, before any rank starts, that every rank will get training and validation cases. */
export function checkRankShares(split: { train: readonly DatalistItem[]; val: readonly DatalistItem[] }, ranks: number): void {
  for (const kind of ['train', 'val'] as const) rankShare(split[kind], { rank: 0, worldSize: ranks }, kind, 0);
}

/** CUDA ranks each take one local device and talk over NCCL: both must be there before the ranks start. */
export function checkRankDevice(resolvedDevice: string, ranks: number): void {
  if (!resolvedDevice.startsWith('cuda')) return;
  const n = torch.cuda.deviceCount();
  if (n < ranks) throw new Error(`ranks ${ranks}: training on CUDA takes one device per rank, this machine has ${n} (use fewer ranks or device: cpu)`);
  if (!torch.distributed.isNcclAvailable()) throw new Error(`ranks ${ranks}: training on CUDA needs NCCL, which this libtorch lacks (use device: cpu)`);
}

/**
 * The rank this process runs as, or null when it was not started by the launcher. A process started by
 * a launcher with a different world size than the config's `ranks` is an error.
 */
export function currentSpleenRank(cfg: Pick<SpleenConfig, 'ranks'>): SpleenRank | null {
  const env = torch.distributed.distributedEnv();
  if (!env || cfg.ranks <= 1) return null;
  if (env.worldSize !== cfg.ranks) throw new Error(`ranks ${cfg.ranks}: this process was started as rank ${env.rank} of a world of ${env.worldSize}`);
  return { rank: env.rank, worldSize: env.worldSize, localRank: env.localRank };
}

/**
 * Joins the default process group (Gloo; NCCL when the recipe trains on CUDA) and returns the config this
 * rank trains with: CUDA ranks each take their local device, and only rank 0 writes TensorBoard events.
 */
export function joinSpleenRanks(cfg: SpleenConfig, r: SpleenRank, resolvedDevice: string): SpleenConfig {
  const cuda = resolvedDevice.startsWith('cuda');
  torch.distributed.initProcessGroup({ backend: cuda ? 'nccl' : 'gloo' });
  return { ...cfg, device: cuda ? `cuda:${r.localRank}` : resolvedDevice, tensorboard: cfg.tensorboard && r.rank === 0 };
}

export function leaveSpleenRanks(): void {
  if (torch.distributed.isInitialized()) torch.distributed.destroyProcessGroup();
}

/** Sum of |w| over all parameters in float64: equal on every rank when DDP kept the replicas in step. */
export function parameterChecksum(module: torch.nn.Module): number {
  return torch.tidy(() => [...module.parameters()].reduce((acc, p) => acc + p.double().abs().sum().item(), 0));
}

/** The monai-ts bin, which every rank runs (from the sources when this module runs from them). */
const BIN = fileURLToPath(new URL('../../../bin/monai-ts.mjs', import.meta.url));

export interface LaunchSpleenOptions {
  ranks: number;
  /** the bin's arguments for every rank (the train command) */
  args: string[];
  stdout: Writable;
  stderr: Writable;
}

/**
 * Starts `ranks` local ranks of the monai-ts bin through @monai-ts/torch's launcher (torchrun's
 * environment, output lines prefixed "[rank N]:", a failed rank stops the others) and waits for them.
 * Resolves to the failure message of the first rank that failed, or null.
 */
export async function launchSpleenRanks(o: LaunchSpleenOptions): Promise<string | null> {
  const env = { ...process.env };
  // ranks run the TypeScript sources when this process does (the bin picks dist/ otherwise)
  if (import.meta.url.endsWith('.ts') && !/conditions[= ]source/.test(env.NODE_OPTIONS ?? '')) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --conditions=source`.trim();
  const r = await torch.distributed.launch(
    { nprocPerNode: o.ranks, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 0, runId: `spleen-${process.pid}`, noPython: false, standalone: true, script: BIN, scriptArgs: o.args },
    { stdout: o.stdout, stderr: o.stderr, env },
  );
  if (r.signal) return `stopped by ${r.signal}`;
  if (!r.failure) return r.exitCode === 0 ? null : `the ranks ended with exit code ${r.exitCode}`;
  const f = r.failure;
  return `rank ${f.rank} of ${o.ranks} failed (${f.error ?? (f.signal ? `killed by ${f.signal}` : `exit code ${f.exitCode}`)}); the other ranks were stopped`;
}

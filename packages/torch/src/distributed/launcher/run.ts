// Starts this node's ranks and supervises them as torchrun does with a static rendezvous: each rank gets
// torchrun's environment; the first rank to fail (non-zero exit or a signal) stops the others (SIGTERM,
// then SIGKILL after a grace period) and its code becomes the launcher's. Each rank leads its own process
// group so that stopping a rank also stops whatever it started; the launcher forwards SIGINT/SIGTERM/SIGHUP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, constants as osConstants } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Writable } from 'node:stream';
import { LaunchArgsError, type LaunchOptions } from './args.js';
import { LinePrefixer } from './prefix.js';

export interface LaunchIO {
  stdout?: Writable;
  stderr?: Writable;
  /** Environment the ranks inherit (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between SIGTERM and SIGKILL when stopping ranks (default 5000). */
  killGraceMs?: number;
  /** Install handlers that forward the launcher's SIGINT/SIGTERM/SIGHUP to the ranks (default true). */
  forwardSignals?: boolean;
}

export interface RankFailure {
  rank: number;
  localRank: number;
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the rank could not be started at all. */
  error?: string;
}

export interface LaunchResult {
  /** The launcher's exit code: 0, the failed rank's code, or 128+n for a signal. */
  exitCode: number;
  /** The first rank that failed, if one did. */
  failure: RankFailure | null;
  /** The signal the launcher itself received, if any. */
  signal: NodeJS.Signals | null;
  pids: number[];
}

interface Rank {
  rank: number;
  localRank: number;
  child: ChildProcess;
  exited: boolean;
  done: Promise<void>;
}

const LOG = 'monai-ts-run:';

/** 'auto' is the GPU count when CUDA is available, else the CPU count (torchrun's rule). */
export async function resolveNprocPerNode(n: LaunchOptions['nprocPerNode']): Promise<number> {
  if (typeof n === 'number') return n;
  if (n === 'cpu') return availableParallelism();
  // Only here does the launcher load libtorch: to count GPUs.
  const { cuda } = await import('../../runtime.js');
  const gpus = cuda.isAvailable() ? cuda.deviceCount() : 0;
  if (n === 'gpu' && gpus === 0) throw new LaunchArgsError("--nproc-per-node gpu: this libtorch sees no CUDA device (use a number, 'cpu' or 'auto')");
  return gpus > 0 ? gpus : availableParallelism();
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

// Each node rank gets a pipe from the launcher on fd 3 (WATCHDOG_FD). A worker thread in the rank waits
// for its end: if the launcher dies without stopping the ranks (SIGKILL, a crash), the rank kills its
// own process group, even while its main thread is busy in a long synchronous call.
const WATCHDOG_FD = 3;
const WATCHDOG_ENV = 'MONAI_TS_RUN_WATCHDOG_FD';
const WATCHDOG_WORKER = `
const net = require('node:net');
const { workerData } = require('node:worker_threads');
const die = () => { try { process.kill(-workerData.pid, 'SIGKILL'); } catch { process.kill(workerData.pid, 'SIGKILL'); } };
const s = new net.Socket({ fd: workerData.fd, readable: true, writable: false });
s.on('data', () => {});
s.on('end', die);
s.on('error', die);
`;
// Runs before the script. The variable is dropped at once so that processes the rank forks (with its
// execArgv) do not take another fd 3 for the launcher's pipe.
const WATCHDOG_MODULE = `data:text/javascript,${encodeURIComponent(`
import { Worker } from 'node:worker_threads';
const fd = Number(process.env.${WATCHDOG_ENV});
delete process.env.${WATCHDOG_ENV};
if (fd === ${WATCHDOG_FD}) new Worker(${JSON.stringify(WATCHDOG_WORKER)}, { eval: true, workerData: { fd, pid: process.pid } }).unref();
`)}`;

/** The argv that runs the script: node for .js/.mjs/.cjs, node --import tsx for TypeScript. */
export function rankCommand(o: Pick<LaunchOptions, 'script' | 'scriptArgs' | 'noPython'>): string[] {
  if (o.noPython) return [o.script, ...o.scriptArgs];
  const path = resolvePath(o.script);
  if (!existsSync(path)) throw new LaunchArgsError(`script not found: ${o.script} (looked at ${path})`);
  const watchdog = ['--import', WATCHDOG_MODULE];
  if (/\.[cm]?ts$/.test(path)) return [process.execPath, ...watchdog, '--import', tsxLoader(), path, ...o.scriptArgs];
  return [process.execPath, ...watchdog, path, ...o.scriptArgs];
}

// tsx is found next to the launcher first (this repository), then from the working directory.
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    try {
      return import.meta.resolve('tsx', pathToFileURL(resolvePath('package.json')).href);
    } catch {
      throw new LaunchArgsError('running a TypeScript script needs the tsx package (npm install --save-dev tsx), or compile it and pass the .js file');
    }
  }
}

/** Environment of one rank, as torchrun sets it. */
export function rankEnv(o: LaunchOptions, nproc: number, localRank: number, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const worldSize = o.nnodes * nproc;
  const rank = o.nodeRank * nproc + localRank;
  const env: NodeJS.ProcessEnv = {
    ...base,
    RANK: String(rank),
    LOCAL_RANK: String(localRank),
    WORLD_SIZE: String(worldSize),
    LOCAL_WORLD_SIZE: String(nproc),
    GROUP_RANK: String(o.nodeRank),
    GROUP_WORLD_SIZE: String(o.nnodes),
    ROLE_RANK: String(rank),
    ROLE_WORLD_SIZE: String(worldSize),
    ROLE_NAME: 'default',
    MASTER_ADDR: o.masterAddr,
    MASTER_PORT: String(o.masterPort),
    TORCHELASTIC_RUN_ID: o.runId,
    TORCHELASTIC_RESTART_COUNT: '0',
    TORCHELASTIC_MAX_RESTARTS: '0',
    // No store is hosted by this launcher: rank 0 serves the TCPStore, as plain env:// expects.
    TORCHELASTIC_USE_AGENT_STORE: 'False',
  };
  // NCCL errors then abort the rank instead of hanging it, so the failure reaches the launcher.
  if (base.NCCL_ASYNC_ERROR_HANDLING === undefined) env.NCCL_ASYNC_ERROR_HANDLING = '1';
  if (base.TORCH_NCCL_ASYNC_ERROR_HANDLING === undefined) env.TORCH_NCCL_ASYNC_ERROR_HANDLING = '1';
  return env;
}

function signalNumber(sig: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[sig] ?? 1;
}

function describe(f: RankFailure): string {
  const what = f.error ?? (f.signal ? `killed by ${f.signal}` : `exit code ${f.exitCode}`);
  return `rank ${f.rank} (local rank ${f.localRank}, pid ${f.pid ?? 'none'}) failed: ${what}`;
}

/** Runs the job on this node and resolves when every rank has ended. */
export async function launch(o: LaunchOptions, io: LaunchIO = {}): Promise<LaunchResult> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const base = { ...(io.env ?? process.env) };
  const grace = io.killGraceMs ?? 5000;
  const nproc = await resolveNprocPerNode(o.nprocPerNode);
  if (o.standalone) o = { ...o, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: await freePort() };
  const argv = rankCommand(o);

  // torchrun sets OMP_NUM_THREADS=1 for several ranks; we split the cores instead, which keeps CPU
  // training usable while avoiding oversubscription.
  if (nproc > 1 && base.OMP_NUM_THREADS === undefined) {
    base.OMP_NUM_THREADS = String(Math.max(1, Math.floor(availableParallelism() / nproc)));
    stderr.write(`${LOG} OMP_NUM_THREADS is not set; using ${base.OMP_NUM_THREADS} thread(s) per rank for ${nproc} ranks on ${availableParallelism()} cores\n`);
  }

  const ranks: Rank[] = [];
  let failure: RankFailure | null = null;
  let received: NodeJS.Signals | null = null;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  const signalGroup = (r: Rank, sig: NodeJS.Signals): void => {
    if (r.child.pid === undefined) return;
    try {
      process.kill(-r.child.pid, sig); // the whole process group the rank leads
    } catch {
      // the group is gone already
    }
  };
  const stopAll = (sig: NodeJS.Signals): void => {
    if (!stopping) {
      stopping = true;
      killTimer = setTimeout(() => ranks.forEach((r) => signalGroup(r, 'SIGKILL')), grace);
    }
    for (const r of ranks) if (!r.exited) signalGroup(r, sig);
  };
  const onFailure = (f: RankFailure): void => {
    if (failure || received) return;
    failure = f;
    stderr.write(`${LOG} ${describe(f)}\n`);
    const others = ranks.filter((r) => !r.exited && r.rank !== f.rank).map((r) => r.rank);
    if (others.length) stderr.write(`${LOG} stopping the other ranks (${others.join(', ')})\n`);
    stopAll('SIGTERM');
  };

  const forward = (sig: NodeJS.Signals): void => {
    if (received) {
      ranks.forEach((r) => signalGroup(r, 'SIGKILL')); // a second signal: no more waiting
      return;
    }
    received = sig;
    stderr.write(`${LOG} received ${sig}, passing it to the ranks\n`);
    stopAll(sig);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  if (io.forwardSignals !== false) signals.forEach((s) => process.on(s, forward));
  // The ranks lead their own process groups, so nothing else stops them if this process ends early
  // (an uncaught exception, process.exit): kill what is still running on the way out.
  const onExit = (): void => ranks.forEach((r) => !r.exited && signalGroup(r, 'SIGKILL'));
  process.on('exit', onExit);

  try {
    for (let localRank = 0; localRank < nproc; localRank++) {
      const rank = o.nodeRank * nproc + localRank;
      const env = rankEnv(o, nproc, localRank, base);
      if (!o.noPython) env[WATCHDOG_ENV] = String(WATCHDOG_FD);
      const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe', o.noPython ? 'ignore' : 'pipe'], detached: true });
      const r: Rank = { rank, localRank, child, exited: false, done: Promise.resolve() };
      const out = new LinePrefixer(`[rank ${rank}]: `, stdout);
      const err = new LinePrefixer(`[rank ${rank}]: `, stderr);
      child.stdout!.on('data', (b: Buffer) => out.write(b));
      child.stderr!.on('data', (b: Buffer) => err.write(b));
      r.done = new Promise<void>((res) => {
        child.once('error', (e) => {
          r.exited = true;
          onFailure({ rank, localRank, pid: child.pid, exitCode: 127, signal: null, error: `could not start ${argv[0]}: ${e.message}` });
          res();
        });
        child.once('exit', (code, signal) => {
          r.exited = true;
          if (code !== 0) onFailure({ rank, localRank, pid: child.pid, exitCode: code, signal });
          // A grandchild may hold the pipes open; do not wait on it forever.
          const t = setTimeout(() => child.stdio.forEach((p) => p?.destroy()), 2000);
          child.once('close', () => clearTimeout(t));
        });
        child.once('close', () => {
          out.end();
          err.end();
          res();
        });
      });
      ranks.push(r);
    }
    await Promise.all(ranks.map((r) => r.done));
    // Anything a rank left running in its group goes too once the job has failed or was interrupted.
    if (stopping) ranks.forEach((r) => signalGroup(r, 'SIGKILL'));
  } finally {
    clearTimeout(killTimer);
    signals.forEach((s) => process.removeListener(s, forward));
    process.removeListener('exit', onExit);
  }

  const pids = ranks.map((r) => r.child.pid ?? -1);
  const sig = received as NodeJS.Signals | null;
  if (sig) return { exitCode: 128 + signalNumber(sig), failure, signal: sig, pids };
  const f = failure as RankFailure | null;
  if (!f) return { exitCode: 0, failure: null, signal: null, pids };
  const exitCode = f.signal ? 128 + signalNumber(f.signal) : f.exitCode ?? 1;
  return { exitCode, failure: f, signal: null, pids };
}

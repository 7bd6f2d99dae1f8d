// What every benchmark here shares: the BENCH_* settings, a clock, repeated timing and the Python side.
//   BENCH_THREADS  libtorch intra-op threads on both sides (default per bench, usually 2)
//   BENCH_REPS     timed repetitions after the warm-up (default per bench)
//   BENCH_CLOCK    'cpu' times process CPU (user + system, every thread) instead of wall time: steadier
//                  on a loaded machine, but it also charges Node's background threads to us
//   BENCH_PYTHON   the Python interpreter (default /usr/bin/python3)
//   MONAI_SRC      PYTHONPATH for MONAI and its deps (default /work/pysrc/{monai,ignite,einops})
//   BENCH_MONAI_OMP  OpenMP wait policy of the Python side: PASSIVE (default: MONAI's fastest on 2 cores,
//                  2.0-2.35 s per spleen epoch against 2.1-2.66 with libgomp's spin and 2.6-2.9 ACTIVE),
//                  ACTIVE, or 'default' (libgomp's own, as a plain python3). Ours keeps @monai-ts/torch's
//                  default (a bounded spin) unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set.
//   BENCH_MONAI_MALLOC  'ours' gives the Python side @monai-ts/torch's glibc malloc settings (mmap threshold
//                  32 MiB, trim threshold 64 MiB, top pad 256 MiB; native/addon.cc) through MALLOC_*_
//                  variables; unset, Python runs with glibc's defaults, as a plain python3 does
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

export interface BenchSettings {
  threads: number;
  reps: number;
  cpuClock: boolean;
  /** 'cpu ms' or 'ms', for the JSON line. */
  unit: string;
  /** Milliseconds: wall time, or process CPU time with BENCH_CLOCK=cpu. */
  now: () => number;
}

/** Reads the BENCH_* settings and sets libtorch's thread count. */
export function benchSettings(defaults: { threads?: number; reps?: number } = {}): BenchSettings {
  const threads = Number(process.env.BENCH_THREADS ?? defaults.threads ?? 2);
  const reps = Number(process.env.BENCH_REPS ?? defaults.reps ?? 5);
  const cpuClock = process.env.BENCH_CLOCK === 'cpu';
  torch.setNumThreads(threads);
  const now = cpuClock
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();
  return { threads, reps, cpuClock, unit: cpuClock ? 'cpu ms' : 'ms', now };
}

export interface Timing {
  median: number;
  best: number;
  times: number[];
}

/** Times `fn` `reps` times after `warm` untimed calls; `i` is the call's index counting warm-ups. */
export function timeReps(s: BenchSettings, fn: (i: number) => void, reps = s.reps, warm = 1): Timing {
  const times: number[] = [];
  for (let i = 0; i < warm + reps; i++) {
    const t = s.now();
    fn(i);
    if (i >= warm) times.push(s.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], best: sorted[0], times };
}

/** The OpenMP policy of the Python side (BENCH_MONAI_OMP), as it appears in results. */
export function pythonOmpPolicy(): string {
  const p = process.env.BENCH_MONAI_OMP ?? 'PASSIVE';
  return (p === 'default' ? "libgomp's default" : p) + (process.env.BENCH_MONAI_MALLOC === 'ours' ? " (malloc: monai-ts's settings)" : '');
}

/** `env` with the Python side's OpenMP wait policy (BENCH_MONAI_OMP) in place of ours. */
export function pythonEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  const p = process.env.BENCH_MONAI_OMP ?? 'PASSIVE';
  if (p === 'default') delete out.OMP_WAIT_POLICY;
  else out.OMP_WAIT_POLICY = p;
  if (process.env.BENCH_MONAI_MALLOC === 'ours') Object.assign(out, { MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(64 << 20), MALLOC_TOP_PAD_: String(256 << 20) });
  return out;
}

/**
 * Runs a Python script next to the bench (`new URL('./x.py', import.meta.url)`) and parses the last
 * line of its stdout as JSON; null, with the reason on stderr, when it fails.
 */
export function runPython<T>(script: URL, args: readonly (string | number)[], options: { monai?: boolean; env?: Record<string, string> } = {}): T | null {
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
  const env = pythonEnv({ ...process.env, ...options.env });
  if (options.monai) env.PYTHONPATH = process.env.MONAI_SRC ?? '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops';
  if (process.env.BENCH_CLOCK === 'cpu') env.BENCH_CLOCK = 'cpu';
  const r = spawnSync(python, [fileURLToPath(script), ...args.map(String)], { encoding: 'utf8', env });
  if (r.status !== 0) {
    console.error(`${fileURLToPath(script)} failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/** `a / b` to 3 decimals, null when `b` is missing. */
export function ratio(a: number, b: number | null | undefined): number | null {
  return b === null || b === undefined || !Number.isFinite(b) ? null : +(a / b).toFixed(3);
}

/** `v` to `d` decimals (null stays null). */
export function round(v: number | null | undefined, d = 1): number | null {
  return v === null || v === undefined ? null : +v.toFixed(d);
}

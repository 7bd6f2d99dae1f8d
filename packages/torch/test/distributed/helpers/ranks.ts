// Starts ranks of a distributed test as child processes (Node through tsx, or Python) on one free
// port and collects what each prints as its last stdout line (JSON).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const RANK_SCRIPT = fileURLToPath(new URL('./rank_main.ts', import.meta.url));
export const PY_RANK_SCRIPT = fileURLToPath(new URL('./py_rank.py', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface RankResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON, or null. */
  result: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RankSpec {
  /** 'node' (runs rank_main.ts) or 'python' (runs py_rank.py with /usr/bin/python3). */
  kind?: 'node' | 'python';
  env?: Record<string, string>;
}

/** Runs one process per spec with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT set; resolves when all exit. */
export async function runRanks(scenario: string, specs: RankSpec[], options: { timeoutMs?: number; port?: number } = {}): Promise<RankResult[]> {
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 30_000;
  const procs = specs.map((spec, rank) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      RANK: String(rank),
      WORLD_SIZE: String(specs.length),
      LOCAL_RANK: String(rank),
      LOCAL_WORLD_SIZE: String(specs.length),
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: String(port),
      OMP_NUM_THREADS: '1',
      ...spec.env,
    };
    const [cmd, args] =
      spec.kind === 'python'
        ? ['/usr/bin/python3', [PY_RANK_SCRIPT, scenario]]
        : [process.execPath, ['--conditions=source', '--import', 'tsx', RANK_SCRIPT, scenario]];
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise<RankResult>((res) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const last = stdout.trim().split('\n').pop() ?? '';
        let result = null;
        try {
          result = JSON.parse(last);
        } catch {
          result = null;
        }
        res({ code, signal, stdout, stderr, result });
      });
    });
  });
  return Promise.all(procs);
}

/** A readable account of a failed rank for assertion messages. */
export function explain(r: RankResult, rank: number): string {
  return `rank ${rank} exited with ${r.code ?? r.signal}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

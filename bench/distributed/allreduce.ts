// allReduce (sum) of 1, 4, 16 and 64 MiB float32 tensors between 2 local ranks over Gloo: ours
// (torch.distributed of @monai-ts/torch) against torch.distributed in /usr/bin/python3 (allreduce.py).
// Each side runs as 2 processes on 127.0.0.1; a size is timed as the median of its repetitions, each
// repetition bracketed by barriers out of the clock. Sides alternate ROUNDS times (default 2) and the
// best round per size counts, so a busy moment of a shared machine does not decide the ratio. The CPU
// columns are rank 0's process CPU time per allreduce (all its threads, Gloo's included): steadier
// than wall time on a loaded machine, and equal when both sides run the same c10d/Gloo code.
// Run: node --conditions=source --import tsx bench/distributed/allreduce.ts
// Output: one JSON line per size, then a table; ratio = ours / python (lower is better).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

export const SIZES_MIB = [1, 4, 16, 64];
const REPS: Record<number, number> = { 1: 40, 4: 20, 16: 10, 64: 5 };

async function rank(): Promise<void> {
  const D = torch.distributed;
  D.initProcessGroup({ backend: 'gloo' });
  const out: Record<string, number> = {};
  for (const mib of SIZES_MIB) {
    const t = torch.ones([(mib * 1024 * 1024) / 4]);
    D.allReduce(t); // warm-up: connections and buffers
    const times: number[] = [];
    let cpu = 0;
    for (let i = 0; i < REPS[mib]; i++) {
      D.barrier();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      D.allReduce(t);
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1000;
    }
    t.dispose();
    times.sort((a, b) => a - b);
    out[mib] = times[times.length >> 1];
    out[`cpu${mib}`] = cpu / REPS[mib];
  }
  D.destroyProcessGroup();
  if (process.env.RANK === '0') console.log(JSON.stringify(out));
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function side(kind: 'ours' | 'python'): Promise<Record<string, number>> {
  const port = await freePort();
  const self = fileURLToPath(import.meta.url);
  const py = fileURLToPath(new URL('./allreduce.py', import.meta.url));
  const runs = [0, 1].map(
    (r) =>
      new Promise<string>((res, rej) => {
        const env = { ...process.env, RANK: String(r), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), OMP_NUM_THREADS: '1' };
        const [cmd, args] = kind === 'python' ? [process.env.BENCH_PYTHON ?? '/usr/bin/python3', [py]] : [process.execPath, ['--conditions=source', '--import', 'tsx', self]];
        const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`${kind} rank ${r} exited with ${code}`))));
      }),
  );
  const [out0] = await Promise.all(runs);
  return JSON.parse(out0.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 2);
  const best = { ours: {} as Record<string, number>, python: {} as Record<string, number> };
  for (let i = 0; i < rounds; i++)
    for (const kind of ['ours', 'python'] as const) {
      const r = await side(kind);
      for (const [k, v] of Object.entries(r)) best[kind][k] = Math.min(best[kind][k] ?? Infinity, v);
    }
  const rows = SIZES_MIB.map((mib) => {
    const ours = best.ours[mib];
    const python = best.python[mib];
    const oc = best.ours[`cpu${mib}`];
    const pc = best.python[`cpu${mib}`];
    return {
      bench: `distributed.allreduce.${mib}MiB`, unit: 'ms', ours: +ours.toFixed(2), python: +python.toFixed(2), ratio: +(ours / python).toFixed(3),
      oursCpu: +oc.toFixed(2), pythonCpu: +pc.toFixed(2), cpuRatio: +(oc / pc).toFixed(3), oursGBps: +((mib / 1024) / (ours / 1000)).toFixed(2),
    };
  });
  for (const r of rows) console.log(JSON.stringify(r));
  console.log('\n| size | ours ms | python ms | ours/python | ours CPU ms | python CPU ms | CPU ratio |\n|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.bench.split('.').pop()} | ${r.ours} | ${r.python} | ${r.ratio} | ${r.oursCpu} | ${r.pythonCpu} | ${r.cpuRatio} |`);
}

if (process.env.RANK !== undefined) await rank();
else await main();

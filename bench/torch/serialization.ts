// torch.load / torch.save of a 2.4 GB state dict (float32 tensors of 100 MB, written by PyTorch)
// here and in Python torch (bench/torch/serialization.py), each measured in a fresh process with the
// file in the page cache, alternating sides, BENCH_ROUNDS rounds (default 3). Prints one JSON line
// per case with the best and the median seconds and the best round's peak RSS (bytes, the
// process's maxRSS including the runtime itself).
// BENCH_MB sets the size (default 2400), BENCH_TMP the folder (default the OS temp folder).
// Our save includes an fsync (atomic write); Python's time is given without and with one.
// On a VM, writing a fresh 2.4 GB (even to tmpfs) varies several-fold from run to run with the
// host's memory and disk; compare best with best, and look at the medians.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const self = fileURLToPath(import.meta.url);

function child(mode: string, file: string, out?: string): void {
  torch.setNumThreads(1);
  const base = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  const sd = torch.load(file) as Record<string, torch.Tensor>;
  const loadS = (performance.now() - t) / 1000;
  let seconds = loadS;
  if (mode === 'save') {
    const s = performance.now();
    torch.save(sd, out!);
    seconds = (performance.now() - s) / 1000;
  }
  const n = Object.keys(sd).length;
  torch.dispose(sd);
  console.log(JSON.stringify({ seconds, peak_rss: process.resourceUsage().maxRSS * 1024, base_rss: base, tensors: n }));
}

function run(cmd: string, args: string[]): Record<string, number> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function main(): void {
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
  const script = fileURLToPath(new URL('./serialization.py', import.meta.url));
  const mb = Number(process.env.BENCH_MB ?? 2400);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_TMP ?? os.tmpdir(), 'monai-ts-bench-ser-'));
  const file = path.join(dir, 'python.pt');
  try {
    const made = run(python, [script, 'make', file, String(mb)]);
    const node = (mode: string, out?: string) =>
      run(process.execPath, ['--conditions=source', '--import', 'tsx', self, '--child', mode, file, ...(out ? [out] : [])]);
    for (const mode of ['load', 'save']) {
      let ours: Record<string, number> | null = null;
      let py: Record<string, number> | null = null;
      const oursS: number[] = [];
      const pyS: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const outTs = path.join(dir, 'ours.pt');
        const outPy = path.join(dir, 'py.pt');
        const o = node(mode, mode === 'save' ? outTs : undefined);
        fs.rmSync(outTs, { force: true });
        const p = run(python, [script, mode, file, ...(mode === 'save' ? [outPy] : [])]);
        fs.rmSync(outPy, { force: true });
        oursS.push(o.seconds!);
        pyS.push(p.seconds!);
        if (!ours || o.seconds < ours.seconds) ours = o;
        if (!py || p.seconds < py.seconds) py = p;
      }
      console.log(JSON.stringify({
        bench: `torch.${mode}_${mb}MB`, unit: 's', file_bytes: made.bytes,
        ours: +ours!.seconds.toFixed(3), python: +py!.seconds.toFixed(3), ratio: +(ours!.seconds / py!.seconds).toFixed(3),
        ours_median: +median(oursS).toFixed(3), python_median: +median(pyS).toFixed(3), rounds,
        ...(mode === 'save' ? { python_with_fsync: +py!.seconds_with_fsync!.toFixed(3) } : {}),
        ours_peak_rss: ours!.peak_rss, python_peak_rss: py!.peak_rss, ours_base_rss: ours!.base_rss, python_base_rss: py!.base_rss,
      }));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') child(process.argv[3]!, process.argv[4]!, process.argv[5]);
else main();

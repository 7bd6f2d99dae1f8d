// npm run bench [-- <filter>...]: the benchmark suite. Runs each stage of the spleen recipe (load,
// deterministic chain, cache build, random crops, train step, sliding window, time to Dice 0.9) as its
// own child process, here and in MONAI 1.4 in /usr/bin/python3, collects each stage's JSON line and prints
// a markdown table (ours, MONAI, ours/MONAI, what was measured), saved with the raw lines as
// bench/results/<date>-<host>[-<filter>].{md,json}. A stage that fails shows its error in its row and the
// suite goes on; the exit code is 1 when any stage failed.
//   filters: stage ids or bench file paths (substrings); `all` adds the other benches (torch core ops,
//            serialization, DICOM, lazy chain, image kernels, Hausdorff); none: the seven stages
//   MONAI_SRC      PYTHONPATH for MONAI and its deps (default /work/pysrc/{monai,ignite,einops} when there;
//                  empty or absent: the MONAI column says n/a)
//   BENCH_REPS     timed repetitions per stage (each bench's default otherwise); also sets BENCH_STEPS and
//                  BENCH_ROUNDS=1 of the network benches unless given
//   BENCH_STAGE_TIMEOUT  seconds before a stage is stopped and reported failed (default 3600)
//   BENCH_VERBOSE=1 passes each stage's stderr through; BENCH_THREADS, BENCH_CLOCK: see harness.ts
//   OpenMP wait policy: ours @monai-ts/torch's default (GOMP_SPINCOUNT=100000) unless OMP_WAIT_POLICY or
//   GOMP_SPINCOUNT is set; MONAI's BENCH_MONAI_OMP (default PASSIVE, its fastest here; bench/harness.ts)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';

interface Stage {
  id: string;
  name: string;
  /** bench file, relative to bench/ */
  file: string;
  /** the JSON line this row reports */
  line: (j: Line) => boolean;
  measured: string;
  /** env defaults for this stage (the caller's environment wins) */
  env?: Record<string, string>;
  /** an extra bench: every line with both sides becomes a row */
  extra?: boolean;
}
type Line = Record<string, unknown>;

const reps = process.env.BENCH_REPS;
const quickNets: Record<string, string> = reps ? { BENCH_STEPS: reps, BENCH_ROUNDS: '1' } : {};
const byName = (name: string) => (j: Line): boolean => j.bench === name;

const STAGES: Stage[] = [
  {
    id: 'load', name: 'load', file: 'io/run.ts', line: (j) => j.bench === 'io.load_nifti_gz' && String(j.case).endsWith('float32'),
    measured: 'LoadImage of a 512x512x200 int16 .nii.gz to float32 vs nibabel (MONAI\'s reader) + astype, median',
  },
  {
    id: 'chain', name: 'deterministic chain', file: 'transforms/spleen_chain.ts', line: byName('transforms.spleen_chain_512x512x90'),
    measured: 'LoadImaged..CropForegroundd (spleen prefix) per 512x512x90 item, median',
  },
  {
    id: 'cache', name: 'cache build', file: 'data/cache_build.ts', line: byName('cache_build'), env: { BENCH_PROFILE: '0' },
    measured: 'CacheDataset of 6 512x512x90 volumes through the spleen prefix, 2 workers',
  },
  {
    id: 'crop', name: 'random crops', file: 'transforms/crop.ts', line: byName('transforms.rand_crop_by_pos_neg_label_4x96'),
    measured: 'RandCropByPosNegLabeld 4x96^3 from 1x226x157x113, median',
  },
  {
    id: 'train', name: 'train step', file: 'networks/unet_step.ts', line: byName('networks.unet_spleen_train_step'), env: quickNets,
    measured: 'spleen UNet forward+backward+Adam, batch 2x1x96^3, DiceLoss, median',
  },
  {
    id: 'sliding', name: 'sliding window', file: 'networks/sliding_window.ts', line: byName('monai.sliding_window_unet_224x224x160'), env: quickNets,
    measured: 'slidingWindowInference 224x224x160, roi 96^3, batch 4, gaussian, eval UNet, best',
  },
  {
    id: 'dice', name: 'time to Dice 0.9', file: 'flagship/time_to_dice.ts', line: byName('flagship.time_to_dice'),
    measured: 'spleen recipe on the synthetic task (seed 0, 12+4 cases 96x96x40) until val Dice >= 0.9, caching included; target ratio <= 0.6',
  },
];
const EXTRAS: Stage[] = ['torch/core.ts', 'torch/training.ts', 'torch/serialization.ts', 'dicom/run.ts', 'transforms/lazy_chain.ts', 'torch/imgproc.ts', 'metrics/hausdorff.ts'].map((file) => ({
  id: file.replace(/\.ts$/, '').replace('/', '.'), name: file, file, line: () => true, measured: '', extra: true,
}));

/** Ours and MONAI's numbers from a line, whatever each bench calls them; ratio always ours / MONAI. */
function reading(j: Line): { ours: number | null; monai: number | null; unit: string } {
  const num = (...keys: string[]): number | null => {
    for (const k of keys) if (typeof j[k] === 'number' && Number.isFinite(j[k])) return j[k] as number;
    return null;
  };
  const seconds = j.oursSeconds !== undefined || j.monai_ts_s !== undefined;
  return {
    ours: num('ours', 'oursSeconds', 'monai_ts_s'),
    monai: num('monai', 'python', 'monaiSeconds', 'nibabel_s'),
    unit: typeof j.unit === 'string' ? j.unit : seconds ? 's' : '',
  };
}

interface Row {
  id: string;
  name: string;
  measured: string;
  ok: boolean;
  ours: number | null;
  monai: number | null;
  unit: string;
  ratio: number | null;
  error: string | null;
  seconds: number;
}
interface StageRun { stage: Stage; rows: Row[]; lines: Line[]; exitCode: number | null; seconds: number; stderrTail: string }

const monaiSrc = process.env.MONAI_SRC ?? (existsSync('/work/pysrc/monai') ? '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops' : '');
const oursOmp = process.env.OMP_WAIT_POLICY ?? `GOMP_SPINCOUNT=${process.env.GOMP_SPINCOUNT ?? '100000'}`;
const monaiOmp = (process.env.BENCH_MONAI_OMP ?? 'PASSIVE') === 'default' ? "libgomp's default" : (process.env.BENCH_MONAI_OMP ?? 'PASSIVE');
const timeoutS = Number(process.env.BENCH_STAGE_TIMEOUT ?? 3600);
const verbose = process.env.BENCH_VERBOSE === '1';

// the running stage's process group: Ctrl-C stops it too (it is detached, so the terminal's signal misses it)
let current: number | null = null;
process.on('SIGINT', () => {
  if (current !== null) {
    try {
      process.kill(-current, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  process.exit(130);
});

function runStage(stage: Stage): Promise<StageRun> {
  const file = fileURLToPath(new URL(`./${stage.file}`, import.meta.url));
  const env: NodeJS.ProcessEnv = {
    ...stage.env, ...process.env, MONAI_SRC: monaiSrc, MONAI_PYTHONPATH: monaiSrc,
    ...(monaiSrc ? {} : { BENCH_SKIP_PYTHON: '1' }),
  };
  const t0 = performance.now();
  return new Promise((resolve) => {
    // own process group, so a timeout stops the Python side too
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child.pid ?? null;
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20000);
      if (verbose) process.stderr.write(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutS * 1000);
    const done = (code: number | null, spawnError?: Error): void => {
      clearTimeout(timer);
      current = null;
      const seconds = (performance.now() - t0) / 1000;
      const lines: Line[] = [];
      for (const l of out.split('\n')) {
        if (!l.startsWith('{')) continue;
        try {
          lines.push(JSON.parse(l) as Line);
        } catch {
          /* a log line that starts with a brace */
        }
      }
      const tail = lastLines(err, 3);
      const failure = spawnError ? spawnError.message : timedOut ? `stopped after ${timeoutS} s (BENCH_STAGE_TIMEOUT)` : code !== 0 ? `exit ${code}: ${tail || 'no message'}` : null;
      resolve({ stage, rows: rowsOf(stage, lines, failure, seconds), lines, exitCode: code, seconds, stderrTail: tail });
    };
    child.on('error', (e) => done(null, e));
    child.on('close', (code) => done(code));
  });
}

function lastLines(s: string, n: number): string {
  return s.trim().split('\n').filter((l) => l.trim()).slice(-n).join(' | ').slice(-300);
}

function rowsOf(stage: Stage, lines: Line[], failure: string | null, seconds: number): Row[] {
  const picked = lines.filter(stage.line);
  const row = (j: Line | null, name: string, measured: string): Row => {
    const r = j ? reading(j) : { ours: null, monai: null, unit: '' };
    const lineError = j && typeof j.error === 'string' ? j.error : null;
    const error = failure ?? (j === null ? 'no result line' : r.ours === null ? (lineError ?? 'no number for ours') : null);
    return {
      id: stage.id, name, measured, ok: error === null, ours: r.ours, monai: r.monai, unit: r.unit, error: error ?? lineError,
      ratio: r.ours !== null && r.monai !== null && r.monai > 0 ? +(r.ours / r.monai).toFixed(3) : null, seconds: +seconds.toFixed(1),
    };
  };
  if (!stage.extra) return [row(picked[0] ?? null, stage.name, stage.measured)];
  if (!picked.length) return [row(null, stage.name, '')];
  return picked.map((j) => row(j, String(j.bench ?? stage.name), typeof j.case === 'string' ? j.case : stage.file));
}

function selected(filters: string[]): Stage[] {
  if (!filters.length) return STAGES;
  if (filters.includes('all')) return [...STAGES, ...EXTRAS];
  const pick = [...STAGES, ...EXTRAS].filter((s) => filters.some((f) => s.id.includes(f) || s.file.includes(f) || s.name.includes(f)));
  if (!pick.length) {
    console.error(`npm run bench: no stage matches ${filters.map((f) => `'${f}'`).join(', ')}; stages: ${STAGES.map((s) => s.id).join(', ')}; extras: ${EXTRAS.map((s) => s.id).join(', ')}; or 'all'`);
    process.exit(2);
  }
  return pick;
}

const fmt = (v: number | null, unit: string): string => (v === null ? '' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`.trim());
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(rows: Row[]): string {
  const out = ['| stage | ours | MONAI | ours/MONAI | measured |', '|---|---:|---:|---:|---|'];
  for (const r of rows) {
    const monai = r.monai !== null ? fmt(r.monai, r.unit) : monaiSrc ? (r.ok ? 'failed (see notes)' : '') : 'n/a';
    const ours = r.ok ? fmt(r.ours, r.unit) : `**failed**: ${r.error}`;
    out.push(`| ${cell(r.name)} | ${cell(ours)} | ${cell(monai)} | ${r.ratio === null ? '' : r.ratio.toFixed(2)} | ${cell(r.measured)} |`);
  }
  return out.join('\n');
}

function libtorchVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../packages/torch/package.json', import.meta.url), 'utf8')) as { version: string };
    return `@monai-ts/torch ${pkg.version}`;
  } catch {
    return '@monai-ts/torch';
  }
}

const filters = process.argv.slice(2);
const stages = selected(filters);
const started = new Date();
const load0 = os.loadavg();
const runs: StageRun[] = [];
for (const stage of stages) {
  process.stderr.write(`bench: ${stage.id} (${stage.file}) ...`);
  const r = await runStage(stage);
  runs.push(r);
  process.stderr.write(` ${r.rows.every((x) => x.ok) ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(0)} s\n`);
}
const rows = runs.flatMap((r) => r.rows);
const failed = rows.filter((r) => !r.ok);

const host = os.hostname();
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const meta = {
  date: started.toISOString(), host, cpu, cores: os.availableParallelism(), node: process.version, torch: libtorchVersion(),
  load1: [+load0[0].toFixed(1), +os.loadavg()[0].toFixed(1)], threads: Number(process.env.BENCH_THREADS ?? 2), clock: process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall',
  reps: reps ?? 'per bench', monaiSrc: monaiSrc || null, ompWaitPolicy: { ours: oursOmp, monai: monaiOmp }, command: `${['MONAI_SRC', 'BENCH_REPS', 'BENCH_THREADS', 'BENCH_CLOCK', 'BENCH_EPOCHS'].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]} `).join('')}npm run bench${filters.length ? ` -- ${filters.join(' ')}` : ''}`,
  seconds: +((Date.now() - started.getTime()) / 1000).toFixed(0),
};
const notes = runs.flatMap((r) => {
  const n: string[] = [];
  const pyErr = r.lines.map((j) => j.monaiError ?? j.pythonError ?? j.python_error).find((e) => typeof e === 'string');
  if (monaiSrc && r.rows.some((x) => x.ok && x.monai === null)) n.push(`${r.stage.id}: MONAI side gave no number${pyErr ? `: ${String(pyErr)}` : r.stderrTail ? `: ${r.stderrTail}` : ''}`);
  return n;
});
const md = [
  `# Benchmarks ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${host}`,
  '',
  `${cpu}, ${meta.cores} cores, load average ${meta.load1[0]} at the start and ${meta.load1[1]} at the end; Node ${meta.node}, ${meta.torch}; ` +
    `${meta.threads} libtorch threads each side, ${meta.clock} clock, reps ${meta.reps}; OpenMP wait: ours ${oursOmp}, MONAI ${monaiOmp}; ` +
    `MONAI: ${monaiSrc ? `1.4 from ${monaiSrc} in ${process.env.BENCH_PYTHON ?? '/usr/bin/python3'}` : 'not given (MONAI_SRC), n/a'}. ` +
    `Ratio < 1: monai-ts faster. ${meta.seconds} s in all.`,
  '',
  `Command: \`${meta.command}\``,
  '',
  table(rows),
  ...(notes.length ? ['', 'Notes:', ...notes.map((n) => `- ${n}`)] : []),
  '',
].join('\n');
process.stdout.write(md);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const base = `${dir}${started.toISOString().slice(0, 10)}-${host.replace(/[^\w.-]/g, '_')}${filters.length ? `-${filters.join('_').replace(/[^\w.-]/g, '_')}` : ''}`;
writeFileSync(`${base}.md`, md);
writeFileSync(`${base}.json`, JSON.stringify({ meta, rows, stages: runs.map((r) => ({ id: r.stage.id, file: r.stage.file, exitCode: r.exitCode, seconds: +r.seconds.toFixed(1), lines: r.lines, stderrTail: r.stderrTail })) }, null, 2) + '\n');
process.stderr.write(`bench: saved ${base}.md and .json${failed.length ? `; ${failed.length} failed: ${failed.map((f) => f.id).join(', ')}` : ''}\n`);
process.exitCode = failed.length ? 1 : 0;

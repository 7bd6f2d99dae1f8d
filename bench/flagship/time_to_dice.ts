// Time to validation Dice 0.90: the spleen recipe (packages/monai/src/apps/spleen, the demo's defaults:
// UNet 16-256 x2 res units, DiceCE, Novograd lr 2e-3, crops 48x48x32 x2, batch 2, cache rate 1, validation
// every epoch with a 0.25-overlap sliding window) on the synthetic CT task (generateSyntheticCtTask, seed
// BENCH_SEED (default 0), 16 training cases of 96x96x40, the last 4 validating), here and in MONAI 1.4
// (tools/flagship/spleen_monai.py through time_to_dice.py) on the same generated files, CPU, BENCH_THREADS
// (default 2) libtorch threads each, one run per side (ours first), each until Dice >= BENCH_TARGET (default
// 0.9) or BENCH_EPOCHS (default 40) epochs. Both clocks start before the caches are built.
// Prints one JSON line: seconds to the target on each side (wall, or process CPU with BENCH_CLOCK=cpu), their
// ratio ours/MONAI (target <= 0.6), epochs, best Dice, seconds per epoch after caching (training, validation
// and ours' checkpoints) and their ratio, cache seconds, both clocks.
// Both sides save the best-metric model (CheckpointSaver, save_key_metric); ours also snapshots an epoch
// checkpoint every epoch (written every 30 s and at the end, for Ctrl-C resume); TensorBoard is off on
// both sides. The two sides draw different random crops, so they can need different epoch counts: compare
// the seconds per epoch too.
// Run: node --conditions=source --import tsx bench/flagship/time_to_dice.ts
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticCtTask } from '../../packages/monai/src/apps/synthetic/ct_task.js';
import { DEFAULT_SPLEEN_CONFIG, validateSpleenConfig } from '../../packages/monai/src/apps/spleen/config.js';
import { trainSpleen } from '../../packages/monai/src/apps/spleen/train.js';
import { benchSettings, pythonEnv, pythonOmpPolicy, ratio, round } from '../harness.js';

const s = benchSettings();
const target = Number(process.env.BENCH_TARGET ?? 0.9);
const epochs = Number(process.env.BENCH_EPOCHS ?? 40);
const seed = Number(process.env.BENCH_SEED ?? 0);
const verbose = process.env.BENCH_VERBOSE === '1';
const log = (m: string): void => void (verbose && console.error(m));

const root = path.join(os.tmpdir(), 'monai-ts-bench-flagship');
const task = generateSyntheticCtTask({ outputDir: path.join(root, `task-seed${seed}`), seed, numTest: 0 });
const output = fs.mkdtempSync(path.join(root, 'run-'));
const cfg = validateSpleenConfig({ ...DEFAULT_SPLEEN_CONFIG, data: task.root, output, epochs, targetDice: target, resume: false, tensorboard: false, device: 'cpu', seed }, 'time_to_dice');
const load0 = os.loadavg()[0];
// OpenMP wait policy: ours is @monai-ts/torch's (a bounded spin) unless OMP_WAIT_POLICY/GOMP_SPINCOUNT is
// set; MONAI's is BENCH_MONAI_OMP (harness.ts: PASSIVE, its fastest here, unless set)
const oursOmp = process.env.OMP_WAIT_POLICY ?? (process.env.GOMP_SPINCOUNT !== undefined ? `GOMP_SPINCOUNT=${process.env.GOMP_SPINCOUNT}` : 'GOMP_SPINCOUNT=100000 (@monai-ts/torch default)');

// ours
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let cpuToTarget: number | null = null;
let cacheSeconds: number | null = null;
const dice: number[] = [];
const valSeconds: number[] = [];
const c0 = cpuNow();
let r;
try {
  r = await trainSpleen(cfg, {
    progress: {
      onStart: (i) => void (cacheSeconds = i.cacheSeconds),
      onValidation: (v) => {
        dice.push(+v.dice.toFixed(4));
        valSeconds.push(v.seconds);
        if (v.dice >= target) cpuToTarget ??= cpuNow() - c0;
        log(`ours epoch ${v.epoch}: Dice ${v.dice.toFixed(4)} (${v.elapsed.toFixed(1)} s)`);
      },
    },
  });
} finally {
  fs.rmSync(output, { recursive: true, force: true });
}
const mean = (v: number[]): number | null => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
const ours = {
  wall: r.secondsToTarget, cpu: cpuToTarget as number | null, epochs: r.epoch, best: +r.bestDice.toFixed(4),
  epochSeconds: round(mean(r.epochSeconds), 2), dice,
};

// MONAI 1.4, same files and stopping rule
interface MonaiResult { seconds_to_target: number | null; cpu_seconds: number; epoch_seconds: number[]; dice: number[]; cache_seconds: number; best: number | null; epochs: number; threads: number }
let monai: MonaiResult | null = null;
let monaiError: string | null = null;
const monaiSrc = process.env.MONAI_SRC ?? '/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops';
if (monaiSrc) {
  const script = fileURLToPath(new URL('../../tools/flagship/spleen_monai.py', import.meta.url));
  const args = [fileURLToPath(new URL('./time_to_dice.py', import.meta.url)), script, s.threads, '--data', task.root, '--epochs', epochs, '--target', target, '--roi', cfg.roi.join(','), '--lr', cfg.lr, '--num-val', cfg.numVal];
  const env = pythonEnv({ ...process.env, PYTHONPATH: monaiSrc, PYTHONWARNINGS: 'ignore', OMP_NUM_THREADS: String(s.threads) });
  const py = spawnSync(process.env.BENCH_PYTHON ?? '/usr/bin/python3', args.map(String), { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (py.status === 0) monai = JSON.parse(py.stdout.trim().split('\n').pop()!) as MonaiResult;
  else monaiError = `spleen_monai.py exit ${py.status}: ${(py.stderr || String(py.error)).trim().split('\n').slice(-1)[0]}`;
  if (verbose) console.error(py.stderr);
} else monaiError = 'MONAI_SRC is empty';

const perEpoch = (to: number | null, cache: number | null, n: number): number | null => (to === null || cache === null || !n ? null : round((to - cache) / n, 2));
const pick = (wall: number | null, cpu: number | null): number | null => (s.cpuClock ? cpu : wall);
// MONAI's CPU time runs to the end of its run, which is the target when it reached it
const monaiCpu = monai && monai.seconds_to_target !== null ? monai.cpu_seconds : null;
const oursS = pick(ours.wall, ours.cpu);
const monaiS = monai ? pick(monai.seconds_to_target, monaiCpu) : null;
console.log(JSON.stringify({
  bench: 'flagship.time_to_dice', unit: s.cpuClock ? 'cpu s' : 's', threads: s.threads, oursOmp, monaiOmpWaitPolicy: pythonOmpPolicy(), target, maxEpochs: epochs, seed, task: task.hash,
  ours: round(oursS, 1), monai: round(monaiS, 1), ratio: oursS !== null ? ratio(oursS, monaiS) : null, ratioTarget: 0.6,
  oursEpochs: ours.epochs, monaiEpochs: monai?.epochs ?? null, oursBest: ours.best, monaiBest: monai?.best ?? null,
  // per epoch, from the end of caching to the target: training, validation and (ours) checkpoints
  oursSecondsPerEpoch: perEpoch(ours.wall, cacheSeconds, ours.epochs), monaiSecondsPerEpoch: monai ? perEpoch(monai.seconds_to_target, monai.cache_seconds, monai.epochs) : null,
  ratioPerEpoch: ratio(perEpoch(ours.wall, cacheSeconds, ours.epochs) ?? NaN, monai ? perEpoch(monai.seconds_to_target, monai.cache_seconds, monai.epochs) : null),
  oursTrainSecondsPerEpoch: ours.epochSeconds, oursValSeconds: round(mean(valSeconds), 2),
  oursCacheSeconds: round(cacheSeconds, 1), monaiCacheSeconds: round(monai?.cache_seconds, 1),
  oursWall: round(ours.wall, 1), oursCpu: round(ours.cpu, 1), monaiWall: round(monai?.seconds_to_target, 1), monaiCpu: round(monaiCpu, 1),
  oursDice: ours.dice, monaiDice: monai?.dice ?? null, load1: [+load0.toFixed(1), +os.loadavg()[0].toFixed(1)],
  ...(ours.wall === null ? { error: `ours did not reach Dice ${target} in ${epochs} epochs (best ${ours.best})` } : {}),
  ...(monaiError ? { monaiError } : {}),
}));

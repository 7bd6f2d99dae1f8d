// Where the spleen recipe's time goes: per-iteration seconds of the first epochs, each epoch's training and
// validation seconds, and cache seconds, on the synthetic task the time_to_dice bench uses (seed BENCH_SEED,
// default 0), CPU, no target, TensorBoard with BENCH_TB=1 (as the demo), BENCH_WORKERS loader/cache threads
// (default 0). Prints one JSON line.
// Run: node --conditions=source --import tsx bench/flagship/epoch_profile.ts   (BENCH_EPOCHS, default 3)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSyntheticCtTask } from '../../packages/monai/src/apps/synthetic/ct_task.js';
import { DEFAULT_SPLEEN_CONFIG, validateSpleenConfig } from '../../packages/monai/src/apps/spleen/config.js';
import { trainSpleen } from '../../packages/monai/src/apps/spleen/train.js';

const epochs = Number(process.env.BENCH_EPOCHS ?? 3);
const seed = Number(process.env.BENCH_SEED ?? 0);
const root = path.join(os.tmpdir(), 'monai-ts-bench-flagship');
const task = generateSyntheticCtTask({ outputDir: path.join(root, `task-seed${seed}`), seed, numTest: 0 });
const output = fs.mkdtempSync(path.join(root, 'run-'));
const cfg = validateSpleenConfig({ ...DEFAULT_SPLEEN_CONFIG, data: task.root, output, epochs, targetDice: null, resume: false, tensorboard: process.env.BENCH_TB === '1', numWorkers: Number(process.env.BENCH_WORKERS ?? 0), device: 'cpu', seed }, 'epoch_profile');
const round = (x: number): number => +x.toFixed(3);
const iters: number[][] = [];
const train: number[] = [];
const val: number[] = [];
let cache = 0;
let last = 0;
const t0 = performance.now();
try {
  await trainSpleen(cfg, {
    progress: {
      onStart: (i) => {
        cache = i.cacheSeconds;
        last = performance.now();
      },
      onIteration: (i) => {
        const now = performance.now();
        (iters[i.epoch - 1] ??= []).push(round((now - last) / 1000));
        last = now;
      },
      onEpoch: (e) => void train.push(round(e.seconds)),
      onValidation: (v) => {
        val.push(round(v.seconds));
        last = performance.now();
      },
    },
  });
} finally {
  fs.rmSync(output, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'flagship.epoch_profile', cacheSeconds: round(cache), total: round((performance.now() - t0) / 1000), train, val, iters, load1: +os.loadavg()[0].toFixed(1) }));

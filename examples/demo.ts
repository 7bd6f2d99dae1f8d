// npm run demo: MONAI's spleen fast-training recipe end to end on a synthetic CT task, with nothing
// downloaded. Generates the task once (cached under demo-output/task), trains the tutorial's UNet with
// DiceCE and Novograd until the validation Dice reaches 0.90 (or 40 epochs), segments the test images
// back in their own grids, scores the validation predictions in that original space, and prints a summary.
// Ctrl-C stops after the current iteration, keeping the last epoch's checkpoint; running again resumes.
//
// Options: --epochs N, --target D (stop at this validation Dice; 0 trains every epoch), --fresh (start
// over), --out DIR (default demo-output), --dashboard [PORT] (a live page on 127.0.0.1: curves and
// validation slices; no port or 0 picks a free one).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import {
  DEFAULT_SPLEEN_CONFIG, Dashboard, consoleProgress, evaluateSegmentations, generateSyntheticCtTask, inferSpleen, listInputImages, loadSpleenModel,
  splitDatalist, trainSpleen, validateSpleenConfig,
} from 'monai-ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const c = torch.config();
console.log(`monai-ts ${c.version} on Node ${c.node}; libtorch ${c.libtorch}, ${c.numThreads} threads, CUDA ${c.cuda ? 'yes' : 'no'}`);

const outRoot = path.resolve(arg('out', 'demo-output'));
if (process.argv.includes('--fresh')) fs.rmSync(path.join(outRoot, 'run'), { recursive: true, force: true });
const tg = performance.now();
const task = generateSyntheticCtTask({ outputDir: path.join(outRoot, 'task') });
console.log(`synthetic CT task ${task.generated ? `generated in ${((performance.now() - tg) / 1000).toFixed(1)} s` : 'reused (cached)'}: ${task.root}`);

const target = Number(arg('target', '0.9'));
const cfg = validateSpleenConfig({
  ...DEFAULT_SPLEEN_CONFIG, data: task.root, output: path.join(outRoot, 'run'), epochs: Number(arg('epochs', '40')), targetDice: target > 0 ? target : null,
}, 'demo');
console.log(`recipe: UNet ${JSON.stringify(cfg.channels)} x${cfg.numResUnits} res units, ${cfg.norm} norm; DiceCE; ${cfg.optimizer} lr ${cfg.lr}; crops ${cfg.roi.join('x')} x${cfg.numSamples}, batch ${cfg.batchSize}; pixdim ${cfg.pixdim.join('x')} mm`);

const abort = new AbortController();
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(130);
  process.stdout.write('\nCtrl-C: stopping after this iteration (press again to quit now)\n');
  abort.abort();
});

let dashboard: Dashboard | undefined;
const di = process.argv.indexOf('--dashboard');
if (di >= 0) {
  const p = process.argv[di + 1];
  dashboard = new Dashboard({ port: p !== undefined && /^\d+$/.test(p) ? Number(p) : 0, title: 'monai-ts demo: spleen recipe on synthetic CT' });
  console.log(`dashboard: ${await dashboard.start()}`);
}

const progress = consoleProgress();
const r = await trainSpleen(cfg, { progress, signal: abort.signal, dashboard });
progress.stop();
if (r.interrupted) {
  console.log(`stopped; the last completed epoch is in ${r.lastCheckpoint ?? '(none yet)'}. Run \`npm run demo\` again to resume.`);
  process.exit(130);
}

// inference on the test images, and on the validation images to score them in the original grid
const device = c.cuda ? 'cuda:0' : 'cpu';
const model = loadSpleenModel(r.bestCheckpoint, cfg, device);
const predDir = path.join(outRoot, 'predictions');
const valPredDir = path.join(outRoot, 'val_predictions');
const ti = performance.now();
const testFiles = listInputImages(path.join(task.root, 'imagesTs'));
inferSpleen(model, testFiles, predDir, cfg, device);
const { val } = splitDatalist(cfg);
inferSpleen(model, val.map((v) => v.image as string), valPredDir, cfg, device);
const inferSeconds = (performance.now() - ti) / 1000;
model.dispose();
const labelDir = path.join(outRoot, 'val_labels');
fs.rmSync(labelDir, { recursive: true, force: true });
fs.mkdirSync(labelDir, { recursive: true });
for (const v of val) fs.copyFileSync(v.label as string, path.join(labelDir, path.basename(v.label as string)));
const ev = evaluateSegmentations(valPredDir, labelDir, path.join(outRoot, 'val_metrics.csv'));

const mean = r.epochSeconds.length ? r.epochSeconds.reduce((a, b) => a + b, 0) / r.epochSeconds.length : NaN;
console.log('\nsummary');
console.log(`  epochs: ${r.epoch}${r.resumedFrom ? ` (resumed after ${r.resumedFrom})` : ''}; ${Number.isFinite(mean) ? `${mean.toFixed(1)} s per epoch (training)` : 'no epoch run now'}; ${r.totalSeconds.toFixed(1)} s in all`);
console.log(`  best validation Dice ${r.bestDice.toFixed(4)} at epoch ${r.bestEpoch}${r.secondsToTarget !== null ? `; Dice >= ${target} after ${r.secondsToTarget.toFixed(1)} s` : ''}`);
console.log(`  validation in the original grids (after Invertd): Dice ${ev.summary.dice.mean.toFixed(4)}, HD95 ${ev.summary.hd95.mean.toFixed(2)} mm over ${ev.cases.length} cases`);
console.log(`  inference: ${testFiles.length + val.length} volumes in ${inferSeconds.toFixed(1)} s`);
console.log(`  checkpoints: ${path.dirname(r.bestCheckpoint)} (best_metric_model.pt, last epoch)`);
console.log(`  test predictions: ${predDir}`);
console.log(`  validation metrics: ${ev.csv}`);
if (r.bestDice < 0.9) {
  console.log(`validation Dice ${r.bestDice.toFixed(4)} is below 0.90`);
  process.exitCode = 1;
}

// Acceptance (issue 10): 2 epochs of a small UNet with ValidationHandler (SupervisedEvaluator + MeanDice),
// CheckpointSaver, StatsHandler and TensorBoard handlers (helpers/small_unet_run.ts): MONAI's checkpoint
// names, every .pt loads back strictly, tfevents scalars equal the values the engines logged, images are
// written; an exception in a handler or in the network reaches EXCEPTION_RAISED (a final checkpoint is
// saved), the checkpoints stay loadable, and a script run exits non-zero with the message.
// MONAI itself loading these files is checked by tools/goldens/handlers/load_checkpoint_monai.py (by hand).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { Engine } from '../../src/engines/index.js';
import { CheckpointLoader, setupLogger } from '../../src/handlers/index.js';
import { pyFixed } from '../../src/handlers/py_format.js';
import { UNet } from '../../src/networks/nets/index.js';
import { listEventFiles, readEventFile, readScalars } from '../../src/utils/tensorboard/index.js';
import { smallUnetRun, UNET_CONFIG } from './helpers/small_unet_run.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const logLines: string[] = [];
setupLogger('train_log', { write: (l) => logLines.push(l) });
setupLogger('val_log', { write: (l) => logLines.push(l) });

/** Loads each file strictly into a fresh UNet (and Adam + engine for the multi-object files). */
function loadsBack(ckptDir: string, files: string[]): void {
  for (const f of files) {
    const net = new UNet(UNET_CONFIG);
    const opt = new torch.optim.Adam(net.parameters(), { lr: 0.01 });
    const engine = new Engine(() => 0);
    engine.state.maxEpochs = 2;
    try {
      const loadDict: Record<string, { loadStateDict(sd: never): unknown }> = f.startsWith('checkpoint_') ? { net, opt, trainer: engine } : { net };
      new CheckpointLoader({ loadPath: join(ckptDir, f), loadDict }).call(engine);
      if (f.startsWith('checkpoint_')) assert.equal(opt.state.size, [...net.parameters()].length, `${f}: Adam state restored`);
    } finally {
      opt.dispose();
      net.dispose();
    }
  }
}

test('2-epoch UNet run: MONAI checkpoint names, loadable files, tfevents scalars and images, MONAI log lines', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monai-trainrun-'));
  logLines.length = 0;
  const r = await smallUnetRun(dir);
  try {
    assert.equal(r.error, null);
    const best = Math.max(...r.valDice.map(([, d]) => d));
    const files = readdirSync(join(dir, 'ckpt')).sort();
    assert.deepEqual(files, ['checkpoint_epoch=1.pt', 'checkpoint_epoch=2.pt', 'checkpoint_final_iteration=4.pt', `net_key_metric=${pyFixed(best, 4)}.pt`]);
    loadsBack(join(dir, 'ckpt'), files);

    const train = readScalars(join(dir, 'tb', 'train'));
    assert.deepEqual(train.Loss.map((p) => [p.step, p.value]), r.losses.map(([s, v]) => [s, Math.fround(v)]));
    const val = readScalars(join(dir, 'tb', 'val'));
    assert.deepEqual(val.val_mean_dice.map((p) => [p.step, p.value]), r.valDice.map(([e, v]) => [e, Math.fround(v)]));
    const imageTags = listEventFiles(join(dir, 'tb', 'val')).flatMap((f) => readEventFile(f).flatMap((e) => (e.summary?.value ?? []).filter((v) => v.image).map((v) => `${e.step}:${v.tag}`)));
    assert.deepEqual(imageTags.filter((t) => t.endsWith('input_0_HW_0')), ['1:input_0_HW_0', '2:input_0_HW_0']);
    assert.ok(imageTags.includes('2:output_HW_1'), imageTags.join(' '));

    const plain = logLines.map((l) => l.replace(/^\S+ \S+ - INFO - /, ''));
    assert.deepEqual(plain.filter((l) => l.startsWith('Epoch: ')), r.losses.map(([s, v]) => `Epoch: ${s <= 2 ? 1 : 2}/2, Iter: ${((s - 1) % 2) + 1}/2 -- Loss: ${pyFixed(v, 4)} `));
    assert.ok(plain.includes(`Epoch[2] Metrics -- val_mean_dice: ${pyFixed(r.valDice[1][1], 4)} `), plain.join('\n'));
  } finally {
    r.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an exception in a trainer handler at iteration 3: final checkpoint at iteration 3, all files loadable, the run fails with the message', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monai-trainrun-h-'));
  const r = await smallUnetRun(dir, 'handler');
  try {
    assert.match(r.error?.message ?? '', /a handler failed on purpose \(iteration 3\)/);
    const files = readdirSync(join(dir, 'ckpt')).sort();
    assert.deepEqual(files.filter((f) => f.startsWith('checkpoint_')), ['checkpoint_epoch=1.pt', 'checkpoint_final_iteration=3.pt']);
    assert.equal(files.length, 3, files.join(' '));
    loadsBack(join(dir, 'ckpt'), files);
  } finally {
    r.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a network exception in a script run: exit code non-zero, the message on stderr, final checkpoint saved and loadable', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'monai-trainrun-n-'));
  try {
    const script = new URL('./helpers/small_unet_run.ts', import.meta.url).pathname;
    const p = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', script, dir, 'network'], { encoding: 'utf8' });
    assert.notEqual(p.status, 0);
    assert.match(p.stderr, /UNet forward failed on purpose \(training iteration 3\)/);
    const files = readdirSync(join(dir, 'ckpt')).sort();
    assert.deepEqual(files.filter((f) => f.startsWith('checkpoint_')), ['checkpoint_epoch=1.pt', 'checkpoint_final_iteration=3.pt']);
    loadsBack(join(dir, 'ckpt'), files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

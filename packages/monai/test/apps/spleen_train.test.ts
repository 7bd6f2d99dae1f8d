// trainSpleen on a tiny synthetic task (32x28x16 volumes, a 3-level UNet; seconds): an abort before the
// first epoch ends keeps no epoch checkpoint; a run resumes after its last epoch (the older epoch file
// removed); a run whose checkpoint reached targetDice does not train again; config errors per field.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { generateSyntheticCtTask } from '../../src/apps/synthetic/index.js';
import { ConfigError, checkpointPaths, trainSpleen, validateSpleenConfig, type SpleenConfig } from '../../src/apps/spleen/index.js';

const start = torch.memory().liveTensors;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-spleen-'));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const task = generateSyntheticCtTask({ outputDir: path.join(dir, 'task'), numTraining: 3, numTest: 0, size: [32, 28, 16], spacing: [2, 2, 3] });
const tiny = (output: string, extra: Partial<SpleenConfig> = {}): SpleenConfig => validateSpleenConfig({
  data: task.root, output, epochs: 1, numVal: 1, roi: [16, 16, 16], pixdim: [3, 3, 3], channels: [4, 8, 16], strides: [2, 2], numResUnits: 1,
  tensorboard: false, device: 'cpu', ...extra,
});
const epochFiles = (out: string): string[] => fs.readdirSync(path.join(out, 'checkpoints')).filter((f) => f.startsWith('checkpoint_epoch=')).sort();

test('an abort during the first epoch stops after that iteration and writes no epoch checkpoint', async () => {
  const out = path.join(dir, 'abort');
  const ac = new AbortController();
  let iterations = 0;
  const r = await trainSpleen(tiny(out, { epochs: 3 }), { signal: ac.signal, progress: { onIteration: () => { iterations += 1; ac.abort(); } } });
  assert.equal(r.interrupted, true);
  assert.equal(iterations, 1);
  assert.equal(r.lastCheckpoint, null);
  assert.deepEqual(epochFiles(out), []);
});

test('a second run resumes after the last epoch; one epoch file is kept', { timeout: 60_000 }, async () => {
  const out = path.join(dir, 'resume');
  const first = await trainSpleen(tiny(out));
  assert.deepEqual([first.resumedFrom, first.epoch, first.epochSeconds.length], [0, 1, 1]);
  assert.deepEqual(epochFiles(out), ['checkpoint_epoch=1.pt']);
  assert.ok(fs.existsSync(first.bestCheckpoint));
  const second = await trainSpleen(tiny(out, { epochs: 2 }));
  assert.deepEqual([second.resumedFrom, second.epoch, second.epochSeconds.length], [1, 2, 1]);
  assert.deepEqual(epochFiles(out), ['checkpoint_epoch=2.pt']);
  assert.equal(checkpointPaths(out).last, path.join(out, 'checkpoints', 'checkpoint_epoch=2.pt'));
  assert.ok(second.bestDice >= first.bestDice, 'the best Dice carries over');
});

test('numWorkers 2 (cache and loader on worker threads) trains to the same validation Dice as the main thread', { timeout: 60_000 }, async () => {
  const a = await trainSpleen(tiny(path.join(dir, 'w0')));
  const b = await trainSpleen(tiny(path.join(dir, 'w2'), { numWorkers: 2 }));
  assert.equal(b.bestDice, a.bestDice);
});

test('a checkpoint that reached targetDice is not trained further', { timeout: 60_000 }, async () => {
  const out = path.join(dir, 'target');
  const first = await trainSpleen(tiny(out, { targetDice: 1e-9 }));
  assert.ok(first.secondsToTarget !== null, 'any Dice reaches the target');
  const again = await trainSpleen(tiny(out, { epochs: 3, targetDice: 1e-9 }));
  assert.deepEqual([again.resumedFrom, again.epoch, again.epochSeconds.length], [1, 1, 0]);
});

test('validateSpleenConfig: defaults filled, one problem per field, cross-field rules', () => {
  const c = validateSpleenConfig({ data: 'd' });
  assert.equal(c.optimizer, 'novograd');
  assert.deepEqual(c.pixdim, [1.5, 1.5, 2.0]);
  assert.deepEqual(c.intensityRange, [-57, 164]);
  const err = (raw: unknown): string[] => {
    try {
      validateSpleenConfig(raw, 'cfg.yaml');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.problems;
    }
    assert.fail('no error');
  };
  assert.deepEqual(err({ data: 'd', optimizer: 'sgd', norm: 'layer', device: 'gpu' }), [
    "field 'optimizer': expected one of 'novograd', 'adam', found \"sgd\" (string)",
    "field 'norm': expected one of 'batch', 'instance', found \"layer\" (string)",
    "field 'device': expected 'auto', 'cpu', 'cuda' or 'cuda:N', found \"gpu\" (string)",
  ]);
  assert.deepEqual(err({ data: 'd', channels: [8, 16, 32], strides: [2] }), ["field 'strides': expected 2 strides (one per level below the top of channels), found [2] (a list of 1)"]);
  assert.deepEqual(err({ data: 'd', intensityRange: [100, -100] }), ["field 'intensityRange': expected [min, max] with min < max, found [100,-100] (a list of 2)"]);
  assert.deepEqual(err([1, 2]), ['expected a mapping of fields (data, epochs, ...), found [1,2] (a list of 2)']);
  assert.deepEqual(err({ data: 'd', targetDice: 0 }), ["field 'targetDice': expected a number in (0, 1] or null, found 0 (number)"]);
});

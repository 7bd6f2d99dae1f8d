// Resume (issue 10 item 5): a training killed with SIGKILL (kill -9) during epoch 3 of 4 and restarted
// from its last epoch checkpoint (network, Adam state, engine counters) ends with the parameters of an
// uninterrupted run, to 1e-6. Both runs are child processes (helpers/resume_child.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { Engine } from '../../src/engines/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));
const child = new URL('./helpers/resume_child.ts', import.meta.url).pathname;
const nodeArgs = ['--conditions=source', '--import', 'tsx', child];

function runChild(dir: string, mode: string): string {
  const r = spawnSync(process.execPath, [...nodeArgs, dir, mode], { encoding: 'utf8' });
  assert.equal(r.status, 0, `child ${mode} failed: ${r.stderr}`);
  return r.stdout;
}

test('kill -9 during epoch 3 of 4, restart from the epoch-2 checkpoint: final parameters equal an uninterrupted run (1e-6)', { timeout: 120_000 }, async () => {
  const dirFull = mkdtempSync(join(tmpdir(), 'monai-resume-full-'));
  const dir = mkdtempSync(join(tmpdir(), 'monai-resume-'));
  try {
    runChild(dirFull, 'full');
    const full = JSON.parse(readFileSync(join(dirFull, 'final_full.json'), 'utf8'));
    assert.deepEqual([full.epoch, full.iteration], [4, 12]);

    const p = spawn(process.execPath, [...nodeArgs, dir, 'killable'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((res) => p.on('exit', (code, sig) => res([code, sig])));
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('E3I8')) p.kill('SIGKILL');
    });
    const [code, sig] = await exit;
    assert.equal(sig, 'SIGKILL', `the child was killed, not exited (code ${code}): ${err}`);
    assert.ok(!existsSync(join(dir, 'final_killable.json')), 'the killed run did not finish');

    const resumed = runChild(dir, 'resume');
    assert.match(resumed, /resumed at epoch 2\n/);
    const res = JSON.parse(readFileSync(join(dir, 'final_resume.json'), 'utf8'));
    assert.deepEqual([res.epoch, res.iteration], [4, 12]);
    assert.equal(res.params.length, full.params.length);
    let maxDiff = 0;
    full.params.forEach((v: number, i: number) => (maxDiff = Math.max(maxDiff, Math.abs(v - res.params[i]))));
    assert.ok(maxDiff <= 1e-6, `max parameter difference ${maxDiff} (tolerance 1e-6)`);
  } finally {
    rmSync(dirFull, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Engine.stateDict / loadStateDict as Ignite: epoch from iteration, or iteration from epoch; bad dicts named', () => {
  const e = new Engine(() => null);
  e.loadStateDict({ epoch_length: 5, max_epochs: 4, iteration: 12 });
  assert.deepEqual([e.state.epoch, e.state.iteration, e.state.maxEpochs], [2, 12, 4]);
  assert.deepEqual(e.stateDict(), { epoch_length: 5, max_epochs: 4, iteration: 12 });
  e.loadStateDict({ epoch_length: 5, max_epochs: 4, epoch: 3 });
  assert.deepEqual([e.state.epoch, e.state.iteration], [3, 15]);
  assert.throws(() => e.loadStateDict({ epoch_length: 5, iteration: 1 }), /required key 'max_epochs' is absent/);
  assert.throws(() => e.loadStateDict({ epoch_length: 5, max_epochs: 2 }), /exactly one of 'iteration' or 'epoch'/);
});

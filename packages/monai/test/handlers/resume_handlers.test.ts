// Resume with the handlers (issue 10 item 5): a training killed with SIGKILL during epoch 3 of 4 and
// restarted with CheckpointLoader from the newest epoch-level CheckpointSaver file (network, Adam, StepLR,
// trainer) ends with the parameters and learning rate of an uninterrupted run, to 1e-6. Both runs are
// child processes (helpers/resume_child.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));
const child = new URL('./helpers/resume_child.ts', import.meta.url).pathname;
const nodeArgs = ['--conditions=source', '--import', 'tsx', child];

function runChild(dir: string, mode: string): string {
  const r = spawnSync(process.execPath, [...nodeArgs, dir, mode], { encoding: 'utf8' });
  assert.equal(r.status, 0, `child ${mode} failed: ${r.stderr}`);
  return r.stdout;
}

test('kill -9 in epoch 3 of 4, restart from checkpoint_epoch=2.pt: parameters and lr equal an uninterrupted run (1e-6)', { timeout: 120_000 }, async () => {
  const dirFull = mkdtempSync(join(tmpdir(), 'monai-resume-h-full-'));
  const dir = mkdtempSync(join(tmpdir(), 'monai-resume-h-'));
  try {
    runChild(dirFull, 'full');
    const full = JSON.parse(readFileSync(join(dirFull, 'final_full.json'), 'utf8'));
    assert.deepEqual([full.epoch, full.iteration, full.files], [4, 12, ['checkpoint_epoch=4.pt']]);

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
    assert.deepEqual(readdirSync(join(dir, 'ckpt')), ['checkpoint_epoch=2.pt'], 'only the epoch-2 checkpoint, no temporary file');

    const resumed = runChild(dir, 'resume');
    assert.match(resumed, /resumed from checkpoint_epoch=2\.pt at epoch 2\n/);
    const res = JSON.parse(readFileSync(join(dir, 'final_resume.json'), 'utf8'));
    assert.deepEqual([res.epoch, res.iteration], [4, 12]);
    assert.ok(Math.abs(res.lr - full.lr) <= 1e-12 && Math.abs(full.lr - 0.01 * 0.7 ** 4) < 1e-12, `lr ${res.lr} vs ${full.lr}`);
    assert.equal(res.params.length, full.params.length);
    let maxDiff = 0;
    full.params.forEach((v: number, i: number) => (maxDiff = Math.max(maxDiff, Math.abs(v - res.params[i]))));
    assert.ok(maxDiff <= 1e-6, `max parameter difference ${maxDiff} (tolerance 1e-6)`);
  } finally {
    rmSync(dirFull, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

// examples/distributed/train_unet.ts through monai-ts-run with 2 ranks, one short epoch per data split:
// DDP keeps both replicas identical, the ranks train on disjoint items covering the data set, the
// epoch loss is the same cross-rank mean everywhere, and only rank 0 writes the weights.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const start = torch.memory().liveTensors;
const dir = mkdtempSync(join(tmpdir(), 'monai-ddp-example-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'packages/torch/src/distributed/launcher/cli.ts');
const EXAMPLE = join(ROOT, 'examples/distributed/train_unet.ts');

interface RankReport {
  rank: number;
  worldSize: number;
  split: string;
  items: number[];
  losses: number[];
  checksum: number;
}

async function runExample(args: string[], onOut?: (all: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string; err: string }> {
  // The ranks resolve monai-ts and @monai-ts/torch to their sources, as this test does.
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=source`.trim() };
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--nproc-per-node', '2', '--standalone', EXAMPLE, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => {
    out += b;
    onOut?.(out, child);
  });
  child.stderr.on('data', (b) => (err += b));
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  return { code, out, err };
}

function reports(out: string): RankReport[] {
  return out
    .split('\n')
    .map((l) => /^\[rank \d\]: (\{.*\})$/.exec(l)?.[1])
    .filter((j): j is string => j !== undefined)
    .map((j) => JSON.parse(j) as RankReport)
    .sort((a, b) => a.rank - b.rank);
}

for (const split of ['sampler', 'partition']) {
  test(`2 ranks, --split ${split}: one epoch of DDP training, identical replicas, disjoint items, rank 0 saves`, async () => {
    const outDir = join(dir, split);
    mkdirSync(outDir);
    const r = await runExample(['--epochs', '1', '--items', '4', '--size', '16', '--batch', '1', '--split', split, '--out', outDir]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const [a, b] = reports(r.out);
    assert.deepEqual([a?.rank, b?.rank, a.worldSize, a.split], [0, 1, 2, split], r.out);
    assert.equal(a.checksum, b.checksum, 'DDP keeps the parameters of both ranks equal');
    assert.deepEqual(a.losses, b.losses, 'the logged epoch loss is the cross-rank mean on both ranks');
    assert.ok(a.losses.length === 1 && a.losses[0] > 0 && a.losses[0] < 1, `Dice loss ${a.losses}`);
    assert.equal(a.items.length, 2);
    assert.deepEqual([...a.items, ...b.items].sort(), [0, 1, 2, 3], 'the ranks share the items without overlap');
    assert.match(r.out, /\[rank 0\]: epoch 1\/1: mean Dice loss \d\.\d{4} over 2 ranks/);
    assert.deepEqual(r.out.match(/\[rank \d\]: rank 0 saved/g), ['[rank 0]: rank 0 saved']);
    const weights = join(outDir, 'unet_ddp.pt');
    assert.ok(existsSync(weights));
    const state = torch.load(weights) as Record<string, torch.Tensor>;
    const tensors = Object.values(state);
    assert.ok(tensors.length > 0 && tensors.every((t) => t instanceof torch.Tensor));
    torch.dispose(tensors);
  });
}

test('killing rank 1 during DDP training: the launcher stops rank 0, names rank 1 and exits 137 within seconds', async (t) => {
  let killedAt = 0;
  const r = await runExample(['--epochs', '50', '--items', '4', '--size', '16', '--batch', '1'], (all) => {
    const pid = /\[rank 1\]: pid (\d+)/.exec(all)?.[1];
    if (killedAt || !pid || !/\[rank 0\]: epoch 2\/50/.test(all)) return;
    killedAt = performance.now();
    process.kill(Number(pid), 'SIGKILL');
  });
  const stopMs = performance.now() - killedAt;
  assert.ok(killedAt > 0, `training reached epoch 2 with rank 1's pid printed:\n${r.out}\n${r.err}`);
  assert.equal(r.code, 137, r.err);
  assert.match(r.err, /monai-ts-run: rank 1 \(local rank 1, pid \d+\) failed: killed by SIGKILL/);
  t.diagnostic(`the launcher ended ${stopMs.toFixed(0)} ms after the kill`);
  assert.ok(stopMs < 10000, `${stopMs.toFixed(0)} ms`);
});

// `monai-ts train` with the config field `ranks`: validation of the field, each rank's share of the cases,
// and the bin training a tiny synthetic task on 2 local ranks (DistributedDataParallel over Gloo) for one
// epoch: one set of checkpoints and TensorBoard events (rank 0), the same final parameters and the same
// gathered validation Dice on both ranks; a rank that fails stops the job with a line naming it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { ConfigError, validateSpleenConfig } from '../../src/apps/spleen/config.js';
import { checkRankDevice, checkRankShares, rankShare } from '../../src/apps/spleen/distributed.js';
import { splitDatalist } from '../../src/apps/spleen/train.js';
import { generateSyntheticCtTask } from '../../src/apps/synthetic/index.js';

const start = torch.memory().liveTensors;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ranks-'));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const bin = fileURLToPath(new URL('../../bin/monai-ts.mjs', import.meta.url));
// the ranks' environment must not look like a rank itself (a test runner started by a launcher)
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'].includes(k)));

function runBin(args: string[]): Promise<{ code: number | null; out: string; err: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    // the sources under test, not a dist/ build that may be older
    const child = spawn(process.execPath, [bin, ...args], { env: { ...env, OMP_NUM_THREADS: '1', NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --conditions=source`.trim() } });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => resolve({ code, out, err, seconds: (performance.now() - t0) / 1000 }));
  });
}

// 5 cases: 3 train (2 per rank after padding), 2 validate (1 per rank)
const task = generateSyntheticCtTask({ outputDir: path.join(dir, 'task'), numTraining: 5, numTest: 0, size: [32, 28, 16], spacing: [2, 2, 3] });
const tiny = (out: string, data = task.root): string => {
  const f = path.join(dir, `${path.basename(out)}.json`);
  fs.writeFileSync(f, JSON.stringify({
    data, output: out, epochs: 1, numVal: 2, roi: [16, 16, 16], pixdim: [3, 3, 3], channels: [4, 8, 16], strides: [2, 2], numResUnits: 1, device: 'cpu', ranks: 2,
  }));
  return f;
};

test('config field ranks: an integer >= 1 (default 1), at most numVal; one line each', () => {
  assert.equal(validateSpleenConfig({ data: 'd' }).ranks, 1);
  assert.equal(validateSpleenConfig({ data: 'd', ranks: 4 }).ranks, 4);
  for (const [v, found] of [[0, '0 (number)'], [1.5, '1.5 (number)'], ['2', '"2" (string)']] as const) {
    assert.throws(() => validateSpleenConfig({ data: 'd', ranks: v }, 'c.json'), (e: Error) => e instanceof ConfigError && e.message === `c.json: field 'ranks': expected an integer >= 1, found ${found}`);
  }
  assert.throws(() => validateSpleenConfig({ data: 'd', ranks: 3, numVal: 2 }, 'c.json'),
    (e: Error) => e.message === "c.json: field 'ranks': expected at most numVal (2) ranks, each validating its share of the validation cases, found 3 (number)");
});

test("rankShare: training shares padded to equal length and covering every case; validation shares disjoint", () => {
  const { train, val } = splitDatalist({ data: task.root, numVal: 2 });
  const t = [0, 1].map((rank) => rankShare(train, { rank, worldSize: 2 }, 'train', 0));
  assert.deepEqual(t.map((s) => s.length), [2, 2]);
  assert.deepEqual(new Set(t.flat().map((c) => c.image)), new Set(train.map((c) => c.image)));
  const v = [0, 1].map((rank) => rankShare(val, { rank, worldSize: 2 }, 'val', 0));
  assert.deepEqual(v.flat().map((c) => c.image).sort(), val.map((c) => c.image).sort());
  assert.throws(() => checkRankShares({ train, val }, 4), /ranks 4: only 3 training cases \(dataset.json minus numVal\); each rank needs at least one/);
});

test('checkRankDevice: CPU ranks share the machine; CUDA ranks need one device each', () => {
  checkRankDevice('cpu', 8);
  const n = torch.cuda.deviceCount();
  assert.throws(() => checkRankDevice('cuda:0', n + 1), new RegExp(`^Error: ranks ${n + 1}: training on CUDA takes one device per rank, this machine has ${n} \\(use fewer ranks or device: cpu\\)$`));
});

test('the bin trains on 2 ranks: exit 0, one set of checkpoints, equal parameters and Dice on both ranks', { timeout: 120_000 }, async () => {
  const out = path.join(dir, 'run');
  const r = await runBin(['train', '--config', tiny(out)]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /training on 2 local ranks/);
  const sums = [0, 1].map((k) => {
    const m = new RegExp(`^\\[rank ${k}\\]: rank ${k} of 2: parameter checksum (\\S+)$`, 'm').exec(r.out);
    assert.ok(m, `rank ${k} reports its checksum:\n${r.out}`);
    return Number(m[1]);
  });
  assert.ok(Number.isFinite(sums[0]) && sums[0] > 0);
  assert.equal(sums[1], sums[0], 'DDP keeps the replicas identical (exact float64 sums)');
  const dice = [0, 1].map((k) => new RegExp(`^\\[rank ${k}\\]: trained to epoch 1 .* best validation Dice (\\S+)`, 'm').exec(r.out)?.[1]);
  assert.ok(dice[0] !== undefined && dice[0] === dice[1], `both ranks see the gathered Dice: ${dice}`);
  assert.deepEqual(fs.readdirSync(path.join(out, 'checkpoints')).sort(), ['best_metric_model.pt', 'checkpoint_epoch=1.pt']);
  // the bare UNet's state dict (no DDP 'module.' prefix), loadable by infer as a one-rank run's
  const best = torch.load(path.join(out, 'checkpoints', 'best_metric_model.pt')) as Record<string, torch.Tensor>;
  const keys = Object.keys(best);
  torch.dispose(Object.values(best));
  assert.ok(keys.length > 0 && keys.every((k) => !k.startsWith('module.')), `state dict keys: ${keys.slice(0, 3).join(', ')}`);
  assert.equal(fs.readdirSync(path.join(out, 'tensorboard')).filter((f) => f.startsWith('events.')).length, 1, 'rank 0 alone writes TensorBoard events');
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).ranks, 2);
  // progress lines come from rank 0 only
  assert.doesNotMatch(r.out, /\[rank 1\]: .*validation mean Dice/);
  assert.ok(r.seconds < 60, `2-rank run took ${r.seconds.toFixed(1)} s`);
});

test('a failing rank stops the job: exit 1 and one line naming the rank', { timeout: 120_000 }, async () => {
  // a copy of the task where one training case, in rank 1's share only, is not a NIfTI file
  const data = path.join(dir, 'task_bad');
  fs.cpSync(task.root, data, { recursive: true });
  const { train } = splitDatalist({ data, numVal: 2 });
  const [mine0, mine1] = [0, 1].map((rank) => rankShare(train, { rank, worldSize: 2 }, 'train', 0).map((c) => c.image as string));
  const victim = mine1.find((f) => !mine0.includes(f));
  assert.ok(victim, 'rank 1 has a case of its own');
  fs.writeFileSync(victim, 'not a nifti file');
  const r = await runBin(['train', '--config', tiny(path.join(dir, 'bad_run'), data)]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, /^monai-ts train: error: rank 1 of 2 failed \(exit code 1\); the other ranks were stopped$/m);
  assert.ok(!fs.existsSync(path.join(dir, 'bad_run', 'checkpoints', 'checkpoint_epoch=1.pt')));
});

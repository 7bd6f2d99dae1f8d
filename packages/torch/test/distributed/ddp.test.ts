// DistributedDataParallel on 2 ranks: training on half batches equals one process on the whole
// batch; noSync accumulates locally; findUnusedParameters; state dict keys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { runRanks, explain, type RankResult } from './helpers/ranks.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

function ok(rs: RankResult[]): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  rs.forEach((r, i) => assert.equal(r.code, 0, explain(r, i)));
  rs.forEach((r, i) => assert.equal(r.result.leaked, 0, `rank ${i} left tensors alive`));
  return rs.map((r) => r.result);
}

test('2 ranks x half batch, 5 SGD steps of a 3-D conv net = 1 process on the whole batch (1e-5), on every rank', async () => {
  const [r0, r1] = ok(await runRanks('ddp', [{}, {}]));
  for (const r of [r0, r1]) {
    assert.ok(r.diff <= 1e-5, `rank ${r.rank}: max |DDP - single process| = ${r.diff}`);
    assert.ok(r.moved > 1e-2, 'training moved the parameters');
    assert.deepEqual(r.keys, ['module.c1.weight', 'module.c1.bias', 'module.c2.weight', 'module.c2.bias', 'module.fc.weight', 'module.fc.bias']);
    assert.equal(r.moduleIsNet, true);
  }
  // Rank 1 started from other weights (seed 1): the wrap broadcast rank 0's, so the ranks agree exactly.
  assert.deepEqual(r0.params, r1.params);
});

test('noSync accumulates local gradients; the next synced backward averages the sum', async () => {
  for (const r of ok(await runRanks('noSync', [{}, {}]))) {
    assert.ok(r.localDiff <= 1e-6, `rank ${r.rank}: gradients inside noSync are the local ones (diff ${r.localDiff})`);
    assert.ok(r.syncedDiff <= 1e-5, `rank ${r.rank}: synced gradients = (sum over ranks and micro-batches) / 2 (diff ${r.syncedDiff})`);
    assert.equal(r.syncFlag, true, 'noSync restores gradient sync');
  }
});

test('findUnusedParameters lets a branch go unused; without it c10d explains the error', async () => {
  for (const r of ok(await runRanks('unused', [{}, {}]))) {
    // Linear(3 -> 2) on ones * (rank + 1), loss = sum: weight grads 2 and 4 average to 3, bias grads 2.
    assert.deepEqual(r.grad, [3, 3, 3, 3, 3, 3, 2, 2]);
    assert.equal(r.unusedGrad, true);
    assert.match(r.strictError, /Expected to have finished reduction in the prior iteration/);
    assert.match(r.strictError, /findUnusedParameters: true/);
  }
});

test('SyncBatchNorm (convertSyncBatchnorm) under DDP on half batches = BatchNorm3d on the whole batch', async () => {
  for (const r of ok(await runRanks('syncBn', [{}, {}]))) {
    assert.equal(r.isSync, true, 'the BatchNorm3d was replaced');
    assert.ok(r.yDiff <= 1e-5, `rank ${r.rank}: outputs differ by ${r.yDiff}`);
    assert.ok(r.gradDiff <= 1e-5, `rank ${r.rank}: parameter gradients differ by ${r.gradDiff}`);
    assert.ok(r.gxDiff <= 1e-6, `rank ${r.rank}: input gradients (2x the whole-batch mean loss's) differ by ${r.gxDiff}`);
    assert.ok(r.meanDiff <= 1e-6 && r.varDiff <= 1e-5, `rank ${r.rank}: running stats differ by ${r.meanDiff} / ${r.varDiff}`);
    assert.ok(r.evalDiff <= 1e-5, `rank ${r.rank}: eval outputs differ by ${r.evalDiff}`);
  }
});

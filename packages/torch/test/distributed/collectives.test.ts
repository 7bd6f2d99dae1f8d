// Every collective of torch.distributed between 2 Node ranks (child processes) over Gloo, with exact
// values; async works that leave the event loop running; JSON object collectives.
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

test('collectives over 2 ranks: values exact, errors name op, rank and world size', async () => {
  const [r0, r1] = ok(await runRanks('collectives', [{}, {}]));
  for (const [rank, r] of [r0, r1].entries()) {
    assert.equal(r.rank, rank);
    assert.equal(r.ws, 2);
    assert.equal(r.backend, 'gloo');
    assert.equal(r.initialized, true);
    // rank 0 has [1, 2, -1], rank 1 has [2, 3, -2]
    assert.deepEqual(r.allReduce_sum, [3, 5, -3]);
    assert.deepEqual(r.allReduce_product, [2, 6, 2]);
    assert.deepEqual(r.allReduce_min, [1, 2, -2]);
    assert.deepEqual(r.allReduce_max, [2, 3, -1]);
    assert.equal(r.allReduceInt, 11);
    assert.equal(r.avgError, `allReduce (rank ${rank} of 2): Cannot use ReduceOp.AVG with Gloo`);
    assert.deepEqual(r.broadcast, [2, 3, -2]);
    assert.deepEqual(r.allGather, [[1, 2, -1], [2, 3, -2]]);
    assert.equal(r.reduceScatterError, `reduceScatter (rank ${rank} of 2): ProcessGroupGloo does not support reduce_scatter`);
    assert.deepEqual(r.p2p, [7, 8, 9]);
    assert.deepEqual(r.bothAllReduce, [2]);
    assert.match(r.notContiguous, /^allReduce tensor: expected a contiguous tensor, found strides \[1, 3\] for shape \[3, 2\]/);
    assert.equal(r.wrongType, 'allReduce tensor: expected a Tensor, found an array');
    assert.match(r.badOp, /^allReduce: op must be one of sum, avg, .* found mean$/);
    assert.equal(r.initializedAfter, false);
    assert.match(r.notInitError, /^getRank: the default process group is not initialized/);
  }
  assert.deepEqual(r1.reduce, [3, 5, -3]);
  assert.deepEqual(r0.gather, [[1, 2, -1], [2, 3, -2]]);
  assert.equal(r1.gather, null);
  assert.deepEqual(r0.scatter, [10, 11]);
  assert.deepEqual(r1.scatter, [20, 21]);
  assert.equal(r1.recvFrom, 0);
  // newGroup([1]): rank 0 is no member (rank -1, collectives do nothing), rank 1 is rank 0 of 1.
  assert.equal(r0.soloRank, -1);
  assert.equal(r0.soloSize, -1);
  assert.deepEqual(r0.soloAllReduce, [1]);
  assert.equal(r1.soloRank, 0);
  assert.equal(r1.soloSize, 1);
  assert.deepEqual(r1.soloAllReduce, [2]);
  assert.equal(r1.badSrc, 'broadcast src: global rank 0 is not in the group (ranks 1)');
});

test('asyncOp: wait() resolves without blocking the event loop; waitSync, isend/irecv, barrier', async () => {
  const [r0, r1] = ok(await runRanks('async', [{}, {}]));
  for (const r of [r0, r1]) {
    assert.deepEqual(r.value, [3, 30]);
    assert.equal(r.waited, true);
    assert.equal(r.success, true);
    assert.equal(r.waitSync, true);
    assert.deepEqual(r.broadcast, [42]);
  }
  // Rank 1 joined 400 ms late: rank 0's 20 ms interval ran meanwhile (at least 5 times).
  assert.equal(r0.completedAtStart, false);
  assert.ok(r0.ticks >= 5, `rank 0's timers ran ${r0.ticks} times while waiting`);
  assert.deepEqual(r1.recv, [5, 6]);
  assert.equal(r1.sourceRank, 0);
});

test('allGatherObject, broadcastObjectList, gatherObject carry JSON values (tcp:// rendezvous, GLOO_SOCKET_IFNAME=lo)', async () => {
  const lo = { env: { GLOO_SOCKET_IFNAME: 'lo' } };
  const [r0, r1] = ok(await runRanks('objects', [lo, lo]));
  const gathered = [
    { rank: 0, name: 'r0', list: ['é'] },
    { rank: 1, name: 'r1', list: ['é', 'é', 'é', 'é'] },
  ];
  for (const r of [r0, r1]) {
    assert.deepEqual(r.gathered, gathered);
    assert.deepEqual(r.broadcast, [{ a: 1 }, 'two', [3], null]);
  }
  assert.equal(r0.gather, null);
  assert.deepEqual(r1.gather, [{ from: 0 }, { from: 1 }]);
});

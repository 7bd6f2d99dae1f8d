// Failures of distributed jobs become JS errors naming the operation, the rank and the world size:
// a collective whose peer never joins times out, and so does a rendezvous short of a rank.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { runRanks, explain } from './helpers/ranks.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

test('a collective the peer never joins fails after the group timeout (sync and async)', async () => {
  const rs = await runRanks('timeout', [{}, {}]);
  rs.forEach((r, i) => assert.equal(r.code, 0, explain(r, i)));
  const r0 = rs[0].result;
  assert.match(r0.syncError, /^allReduce \(rank 0 of 2\): .*Timed out waiting 1500ms/);
  assert.ok(r0.syncMs >= 1400 && r0.syncMs < 6000, `the timeout hit after ${r0.syncMs} ms (group timeout 1500 ms)`);
  assert.match(r0.asyncError, /^allReduce \(rank 0 of 2\): /);
  assert.equal(r0.leaked, 0);
});

test('a peer that exits makes the next collective fail at once, naming op, rank and world size', async () => {
  const [r0, r1] = await runRanks('peerGone', [{}, {}]);
  assert.equal(r1.code, 3, explain(r1, 1));
  assert.equal(r0.code, 0, explain(r0, 0));
  assert.match(r0.result.error, /^allReduce \(rank 0 of 2\): .*(Connection closed by peer|Connection reset by peer|Broken pipe)/);
  assert.ok(r0.result.ms < 10_000, `failed after ${r0.result.ms} ms (group timeout 20 s)`);
  assert.equal(r0.result.leaked, 0);
});

test('a rendezvous missing a rank fails within the timeout, naming rank and world size', async () => {
  const [r] = await runRanks('lonely', [{ env: { WORLD_SIZE: '2' } }]);
  assert.equal(r.code, 0, explain(r, 0));
  assert.match(r.result.error, /^initProcessGroup \(rank 0 of 2, env:\/\/\): .*Timeout.*\(not every rank joined within the timeout\)$/);
  assert.ok(r.result.ms < 8000, `gave up after ${r.result.ms} ms (timeout 1500 ms)`);
  assert.equal(r.result.initialized, false);
});

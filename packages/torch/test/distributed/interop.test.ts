// A Node rank and a Python PyTorch rank (/usr/bin/python3, Debian's python3-torch) join one Gloo group
// through env:// and agree on allReduce, broadcast and allGather, with either one as rank 0 (the
// TCPStore server). Needs python3-torch (scripts/install.mjs installs it as root): fails, never skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as torch from '../../src/index.js';
import { runRanks, explain } from './helpers/ranks.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

before(() => {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch.distributed as d; assert d.is_available() and d.is_gloo_available()'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `this test needs /usr/bin/python3 with PyTorch (Debian: apt-get install python3-torch; packages/torch/scripts/install.mjs does so as root): 'import torch.distributed' failed:\n${r.stderr ?? r.error}`);
});

const expected = { allReduce: [10, 12, 14, 16], broadcast: [3.5, -2], allGather: [[0, 0.25], [1, 1.25]], max: [2, 5] };

for (const order of [['node', 'python'], ['python', 'node']] as const) {
  test(`${order[0]} rank 0 + ${order[1]} rank 1 agree on allReduce, broadcast, allGather`, async () => {
    const rs = await runRanks('interop', order.map((kind) => ({ kind })));
    rs.forEach((r, i) => assert.equal(r.code, 0, explain(r, i)));
    rs.forEach((r, i) => {
      const { rank, leaked, ...values } = r.result;
      assert.equal(rank, i);
      assert.deepEqual(values, expected, `${order[i]} rank ${i}`);
      if (order[i] === 'node') assert.equal(leaked, 0);
    });
  });
}

// DistributedSampler takes numReplicas and rank from torch.distributed's default group when they are
// not given (as PyTorch's sampler under MONAI), and says what to do when no group exists.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { DistributedSampler } from '../../src/data/samplers.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-dist-sampler-'));
after(() => {
  torch.distributed.destroyProcessGroup();
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

test('without a process group, numReplicas and rank are both required, and the error says how to get them', () => {
  assert.equal(torch.distributed.isInitialized(), false);
  for (const options of [{}, { rank: 0 }, { numReplicas: 2 }]) {
    assert.throws(() => new DistributedSampler({ length: 4 }, options), /DistributedSampler: numReplicas and rank are required when torch.distributed is not initialized \(call torch.distributed.initProcessGroup\(\) first, or pass both\)/);
  }
});

test('with the default group initialized, the sampler takes its world size and rank; explicit values still win', () => {
  torch.distributed.initProcessGroup({ initMethod: `file://${path.join(tmp, 'store')}`, rank: 0, worldSize: 1 });
  const s = new DistributedSampler({ length: 5 }, { shuffle: false });
  assert.deepEqual([s.numReplicas, s.rank, [...s]], [1, 0, [0, 1, 2, 3, 4]]);
  const two = new DistributedSampler({ length: 5 }, { shuffle: false, numReplicas: 2 });
  assert.deepEqual([two.numReplicas, two.rank, [...two]], [2, 0, [0, 2, 4]]);
  const other = new DistributedSampler({ length: 5 }, { shuffle: false, numReplicas: 2, rank: 1 });
  assert.deepEqual([...other], [1, 3, 0]);
  torch.distributed.destroyProcessGroup();
});

// defaultMakeLatent (against MONAI 1.4's default_make_latent after torch.manual_seed, golden from
// tools/goldens/engines/make_latent.py; rtol 1e-6 float32) and getDevicesSpec.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { defaultMakeLatent, getDevicesSpec } from '../../src/engines/index.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

test('defaultMakeLatent draws torch.randn([numLatents, latentSize]) as MONAI does for a seed', () => {
  for (const c of readGolden('engines/latent.json')) {
    torch.manualSeed(c.seed);
    const z = defaultMakeLatent(c.numLatents, c.latentSize);
    assert.deepEqual(z.shape, [c.numLatents, c.latentSize]);
    assert.equal(z.dtype, 'float32');
    const got = Array.from(z.toArray() as ArrayLike<number>).flat() as number[];
    z.dispose();
    got.forEach((v, i) => assert.ok(Math.abs(v - c.values[i]) <= 1e-6 * Math.abs(c.values[i]) + 1e-7, `seed ${c.seed} [${i}] ${v} vs ${c.values[i]}`));
  }
  torch.tidy(() => assert.deepEqual(defaultMakeLatent(2, 3, 'cpu').shape, [2, 3]));
  assert.throws(() => defaultMakeLatent(2.5, 3), /defaultMakeLatent: numLatents must be a non-negative integer, found 2.5/);
});

test('getDevicesSpec: [] is the CPU, lists pass through, null is every CUDA device or an error', () => {
  assert.deepEqual(getDevicesSpec([]), ['cpu']);
  assert.deepEqual(getDevicesSpec(['cuda:1', 'cpu']), ['cuda:1', 'cpu']);
  const n = torch.cuda.isAvailable() ? torch.cuda.deviceCount() : 0;
  if (n === 0) assert.throws(() => getDevicesSpec(), /getDevicesSpec: no GPU devices available/);
  else assert.deepEqual(getDevicesSpec(null), Array.from({ length: n }, (_, i) => `cuda:${i}`));
  assert.throws(() => getDevicesSpec('cpu' as never), /getDevicesSpec: devices must be null or a list of device strings, found "cpu"/);
});

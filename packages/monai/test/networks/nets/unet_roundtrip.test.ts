// A UNet trained 3 steps here, written with torch.save, reads back (torch.load + strict loadStateDict)
// into a fresh UNet with the same outputs, and its state dict has exactly MONAI's keys and shapes for
// that configuration (golden case unet_3d_res_batch). Loading the same file into MONAI's UNet in
// Python is tools/goldens/networks/check_roundtrip.py (result in tools/goldens/networks/README.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { UNet } from '../../../src/networks/nets/unet.js';
import { TRAINED_UNET_OPTIONS, trainUNet3Steps } from './trained_unet.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-roundtrip-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start);
});
const here = path.dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(fs.readFileSync(path.join(here, '..', '..', '..', '..', '..', 'tools', 'goldens', 'networks', 'nets_a.json'), 'utf8'));

test('a UNet trained 3 steps saves with torch.save and reloads strictly with identical outputs and MONAI keys', () => {
  const { net, input, losses } = trainUNet3Steps();
  const fresh = new UNet({ ...TRAINED_UNET_OPTIONS, channels: [...TRAINED_UNET_OPTIONS.channels], strides: [...TRAINED_UNET_OPTIONS.strides] });
  try {
    assert.equal(losses.length, 3);
    assert.ok(losses[2] < losses[0], `training lowered the loss (${losses.join(', ')})`);
    const file = path.join(tmp, 'unet.pt');
    torch.tidy(() => {
      const sd = net.stateDict();
      assert.equal(sd['model.0.conv.unit0.adn.N.num_batches_tracked'].item(), 3, 'batch norm counted the 3 training steps');
      torch.save({ state_dict: sd, input }, file);
      const gcase = golden.cases.find((c: { name: string }) => c.name === 'unet_3d_res_batch');
      assert.deepEqual(Object.entries(sd).map(([k, v]) => [k, v.shape]), gcase.keys, "state-dict keys and shapes are MONAI's");
    });
    torch.tidy(() => {
      const loaded = torch.load(file) as { state_dict: Record<string, Tensor>; input: Tensor };
      fresh.loadStateDict(loaded.state_dict, { strict: true });
      fresh.eval();
      const a = torch.noGrad(() => net.forward(input));
      const b = torch.noGrad(() => fresh.forward(loaded.input));
      assert.ok(a.equal(b), 'the reloaded network gives the same output');
      const untrained = new UNet({ ...TRAINED_UNET_OPTIONS, channels: [4, 8, 16], strides: [2, 2] });
      try {
        untrained.eval();
        assert.ok(!torch.noGrad(() => untrained.forward(input)).equal(a), 'weights were really loaded');
      } finally {
        untrained.dispose();
      }
    });
  } finally {
    input.dispose();
    net.dispose();
    fresh.dispose();
  }
});

// UNet, BasicUNet, AutoEncoder, VarAutoEncoder, Generator, Discriminator, Critic, Classifier, Regressor
// against MONAI 1.4 (tools/goldens/networks/make_nets_a.py): for each case the parameter count, the
// state-dict keys and shapes in order, and, with MONAI's own weights loaded from the .pt MONAI wrote
// (loadStateDict strict), the eval-mode output for MONAI's seeded input. Outputs are compared
// element-wise with |ours - MONAI| <= 1e-4 * |MONAI| + 1e-5 * max|MONAI| (float32 sums over different
// kernel orders differ in the last bits; the max-scaled term covers values that cancel to near 0).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import * as networks from '../../../src/networks/index.js';
import { assertAllClose } from '../../../../torch/test/helpers/all_close.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start));

const here = path.dirname(fileURLToPath(import.meta.url));
const GOLD = path.join(here, '..', '..', '..', '..', '..', 'tools', 'goldens', 'networks');
interface Case {
  name: string;
  class: string;
  options: Record<string, unknown>;
  input_shape: number[];
  param_count: number;
  keys: [string, number[]][];
  output_shapes: number[][];
}
const index = JSON.parse(fs.readFileSync(path.join(GOLD, 'nets_a.json'), 'utf8')) as { cases: Case[] };

type Ctor = new (options: Record<string, unknown>) => nn.Module;
const classes = networks as unknown as Record<string, Ctor>;

function outputsOf(out: unknown): Tensor[] {
  return Array.isArray(out) ? (out as Tensor[]) : [out as Tensor];
}

for (const c of index.cases) {
  test(`${c.name}: ${c.class} matches MONAI (parameters, state-dict keys, output with MONAI's weights)`, () => {
    const Cls = classes[c.class];
    assert.ok(Cls, `no class ${c.class} exported from networks`);
    const net = new Cls(c.options);
    try {
      torch.tidy(() => {
        let count = 0;
        for (const p of net.parameters()) count += p.numel();
        assert.equal(count, c.param_count, 'parameter count');
        const sd = net.stateDict();
        assert.deepEqual(Object.entries(sd).map(([k, v]) => [k, v.shape]), c.keys);
        const saved = torch.load(path.join(GOLD, 'nets_a', `${c.name}.pt`)) as { state_dict: Record<string, Tensor>; input: Tensor; outputs: Tensor[] };
        net.loadStateDict(saved.state_dict);
        net.eval();
        const outs = torch.noGrad(() => outputsOf(net.forward(saved.input)));
        assert.equal(outs.length, saved.outputs.length, 'number of outputs');
        outs.forEach((o, i) => {
          const ref = saved.outputs[i];
          assert.deepEqual(o.shape, ref.shape, `output ${i} shape`);
          const scale = ref.abs().max().item();
          assertAllClose(o, ref, { rtol: 1e-4, atol: 1e-5 * Math.max(scale, 1e-6) });
        });
      });
    } finally {
      net.dispose();
    }
  });
}

// Blocks and layers against MONAI 1.4 (tools/goldens/networks/make_blocks_a.py): Convolution,
// ResidualUnit, SimpleASPP, ChannelSELayer, ResidualSELayer, SEBlock and the SENet bottlenecks,
// UpSample (deconv, deconvgroup, nontrainable, pixelshuffle), SubpixelUpsample, GaussianFilter,
// AffineTransform, SavitzkyGolayFilter, GaussianFilter (erf, sampled, scalespace). For each case: parameter count, state-dict keys and shapes, and the eval output
// with MONAI's weights loaded strictly, |ours - MONAI| <= 1e-4 * |MONAI| + 1e-5 * max|MONAI|.
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
  param_count: number;
  keys: [string, number[]][];
  output_shape: number[];
}
const index = JSON.parse(fs.readFileSync(path.join(GOLD, 'blocks_a.json'), 'utf8')) as { cases: Case[] };
type Ctor = new (options: Record<string, unknown>) => nn.Module & { forward(...x: Tensor[]): Tensor };
const classes = networks as unknown as Record<string, Ctor>;

for (const c of index.cases) {
  test(`${c.name}: ${c.class} matches MONAI`, () => {
    const Cls = classes[c.class];
    assert.ok(Cls, `no class ${c.class} exported from networks`);
    const m = new Cls(c.options);
    try {
      torch.tidy(() => {
        let count = 0;
        for (const p of m.parameters()) count += p.numel();
        assert.equal(count, c.param_count, 'parameter count');
        assert.deepEqual(Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape]), c.keys);
        const saved = torch.load(path.join(GOLD, 'blocks_a', `${c.name}.pt`)) as { state_dict: Record<string, Tensor>; inputs: Tensor[]; output: Tensor };
        m.loadStateDict(saved.state_dict);
        m.eval();
        const out = torch.noGrad(() => m.forward(...saved.inputs) as Tensor);
        assert.deepEqual(out.shape, c.output_shape);
        assertAllClose(out, saved.output, { rtol: 1e-4, atol: 1e-5 * Math.max(saved.output.abs().max().item(), 1e-6) });
      });
    } finally {
      m.dispose();
    }
  });
}

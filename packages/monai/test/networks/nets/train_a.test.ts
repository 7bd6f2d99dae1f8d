// Training mode against MONAI 1.4 (tools/goldens/networks/make_train_a.py): with MONAI's seeded weights,
// the training-mode output, the gradient of sum(net(x) * g) for every parameter (through libtorch
// autograd), and the batch-norm running statistics after the forward. Tolerance: |ours - MONAI| <=
// 1e-4 * |MONAI| + 1e-5 * max|MONAI| per tensor (gradients: at least 1e-6 of the largest gradient).
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
const cases = JSON.parse(fs.readFileSync(path.join(GOLD, 'train_a.json'), 'utf8')) as { name: string; class: string; options: Record<string, unknown> }[];
type Ctor = new (options: Record<string, unknown>) => nn.Module & { forward(x: Tensor): Tensor };
const classes = networks as unknown as Record<string, Ctor>;

// floor: an absolute tolerance from the network's scale. The bias of a convolution feeding a
// training-mode batch norm has a gradient that is exactly zero in exact arithmetic; both sides hold
// float32 rounding noise (1e-7..6e-5 against gradients up to ~120), which any change in kernel or
// summation order moves, so those are compared at 1e-6 of the network's largest gradient.
const close = (a: Tensor, b: Tensor, what: string, floor = 0) => {
  assert.deepEqual(a.shape, b.shape, what);
  try {
    assertAllClose(a, b, { rtol: 1e-4, atol: Math.max(1e-5 * Math.max(b.abs().max().item(), 1e-6), floor) });
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
};

for (const c of cases) {
  test(`${c.name}: training-mode output, parameter gradients and running statistics match MONAI`, () => {
    const net = new classes[c.class](c.options);
    try {
      torch.tidy(() => {
        const g = torch.load(path.join(GOLD, 'train_a', `${c.name}.pt`)) as {
          state_dict: Record<string, Tensor>; input: Tensor; g: Tensor; output: Tensor; grads: Record<string, Tensor>; buffers_after: Record<string, Tensor>;
        };
        net.loadStateDict(g.state_dict);
        net.train();
        const out = net.forward(g.input) as Tensor;
        close(out.detach(), g.output, 'output');
        out.mul(g.g).sum().backward();
        const params = Object.fromEntries(net.namedParameters());
        assert.deepEqual(Object.keys(params), Object.keys(g.grads));
        const gradScale = Math.max(...Object.values(g.grads).map((v) => v.abs().max().item()));
        for (const [k, p] of Object.entries(params)) {
          assert.ok(p.grad, `${k} has a gradient`);
          close(p.grad!, g.grads[k], k, 1e-6 * gradScale);
        }
        const sd = net.stateDict();
        for (const [k, v] of Object.entries(g.buffers_after)) close(sd[k].to({ dtype: 'float64' }), v.to({ dtype: 'float64' }), k);
      });
    } finally {
      net.zeroGrad();
      net.dispose();
    }
  });
}

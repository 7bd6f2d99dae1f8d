// Every loss against MONAI 1.4.0 across its options (tools/goldens/losses/make_losses.py): values at
// rtol 1e-5 / atol 1e-6 (float32), input gradients at rtol 1e-4 / atol 1e-6 (backward sums in a
// different order than the forward goldens, so one more digit of slack).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import {
  DeepSupervisionLoss, DiceCELoss, DiceFocalLoss, DiceLoss, FocalLoss, GeneralizedDiceFocalLoss, GeneralizedDiceLoss,
  GeneralizedWassersteinDiceLoss, MaskedDiceLoss, MaskedLoss, TverskyLoss,
} from '../../src/losses/index.js';
import { assertClose, fromGolden, readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const G = readGolden('losses/losses.json');
const VALUE_TOL = { rtol: 1e-5, atol: 1e-6 };
const GRAD_TOL = { rtol: 1e-4, atol: 1e-6 };
const CLASSES: Record<string, new (o?: any) => { forward(...a: Tensor[]): Tensor; dispose(): void }> = {
  DiceLoss, GeneralizedDiceLoss, DiceCELoss, DiceFocalLoss, GeneralizedDiceFocalLoss, FocalLoss, TverskyLoss, MaskedDiceLoss,
};
const ACTS: Record<string, (x: Tensor) => Tensor> = { tanh: (x) => x.tanh() };

function build(c: any): { forward(...a: any[]): Tensor; dispose(): void } {
  const o = { ...c.options };
  if (o.otherAct) o.otherAct = ACTS[o.otherAct];
  if (c.name.startsWith('masked loss dice')) return new MaskedLoss(DiceLoss, o);
  if (c.name.startsWith('masked loss focal')) return new MaskedLoss(new FocalLoss());
  if (c.loss === 'DeepSupervisionLoss') return new DeepSupervisionLoss(new DiceCELoss({ softmax: true, toOnehotY: true }), o);
  if (c.loss === 'GeneralizedWassersteinDiceLoss') return new GeneralizedWassersteinDiceLoss(o);
  return new CLASSES[c.loss](o);
}

for (const c of G.cases) {
  test(`${c.loss}: ${c.name} matches MONAI`, () => {
    const before = torch.memory().liveTensors;
    const loss = build(c);
    const args = c.args.map((a: string | string[]) => (Array.isArray(a) ? a.map((n) => fromGolden(G.inputs[n])) : fromGolden(G.inputs[a])));
    const x: Tensor = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (c.grad) x.requiresGrad_(true);
    const out = loss.forward(...args);
    assert.deepEqual(out.shape, c.shape, 'shape');
    assertClose(values(out), c.value, VALUE_TOL, 'value');
    if (c.grad) {
      torch.tidy(() => out.sum().backward());
      const grad = x.grad!;
      assertClose(values(grad), c.grad, GRAD_TOL, 'grad');
      grad.dispose();
    }
    torch.dispose([out, args, loss]);
    assert.equal(torch.memory().liveTensors, before, 'live tensors left behind');
  });
}

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

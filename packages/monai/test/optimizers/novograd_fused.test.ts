// Novograd's native group step (optim.novogradStep) against the same update written op by op from
// TypeScript (MONAI's Novograd.step, per parameter): equal bit for bit over several steps, for every
// option, float32 and float64 parameters, strided (non-contiguous) parameters, a parameter without a
// gradient and a zero first gradient; bad arguments give errors naming them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Tensor, optim } from '@monai-ts/torch';
import { Novograd, type NovogradOptions } from '../../src/optimizers/novograd.js';

const start = torch.memory().liveTensors;

interface RefState {
  avg: Tensor;
  sq: Tensor;
  mx: Tensor;
}

// MONAI's update, one parameter at a time, one op per call
function refStep(p: Tensor, s: RefState, o: Required<NovogradOptions>): void {
  torch.noGrad(() =>
    torch.tidy(() => {
      const grad = p.grad;
      if (grad === null) return;
      const [beta1, beta2] = o.betas;
      const norm = grad.pow(2).sum();
      if (s.sq.item() === 0) s.sq.copy_(norm);
      else s.sq.mul_(beta2).add_(norm, { alpha: 1 - beta2 });
      let denom: Tensor;
      if (o.amsgrad) {
        s.mx.copy_(torch.maximum(s.mx, s.sq));
        denom = s.mx.sqrt().add_(o.eps);
      } else denom = s.sq.sqrt().add_(o.eps);
      grad.div_(denom);
      if (o.weightDecay !== 0) grad.add_(p, { alpha: o.weightDecay });
      if (o.gradAveraging) grad.mul_(1 - beta1);
      s.avg.mul_(beta1).add_(grad);
      p.add_(s.avg, { alpha: -o.lr });
    }),
  );
}

function bits(t: Tensor): string {
  return Buffer.from((t.contiguous().data() as Float32Array | Float64Array).buffer).toString('hex');
}

const CASES: Required<NovogradOptions>[] = [
  { lr: 1e-3, betas: [0.9, 0.98], eps: 1e-8, weightDecay: 0, gradAveraging: false, amsgrad: false },
  { lr: 0.05, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01, gradAveraging: true, amsgrad: false },
  { lr: 0.01, betas: [0.95, 0.999], eps: 1e-8, weightDecay: 0.1, gradAveraging: false, amsgrad: true },
  { lr: 0.2, betas: [0, 0.5], eps: 0, weightDecay: 0, gradAveraging: true, amsgrad: true },
];

for (const dtype of ['float32', 'float64'] as const) {
  CASES.forEach((o, k) => {
    test(`native group step equals the op-by-op update bit for bit: case ${k}, ${dtype}`, () => torch.tidy(() => {
      torch.manualSeed(k);
      const shapes = [[3, 4, 5], [7], [2, 3], []];
      const make = (): Tensor[] => {
        torch.manualSeed(100 + k);
        const ps = shapes.map((s) => torch.randn(s, { dtype }));
        // a strided parameter: a transposed view's storage
        ps.push(torch.randn([6, 5], { dtype }).t());
        return ps.map((p) => p.requiresGrad_(true));
      };
      const ours = make();
      const ref = make();
      const refStates = ref.map((p) => ({ avg: torch.zerosLike(p), sq: torch.zeros([]), mx: torch.zeros([]) }));
      const opt = new Novograd(ours, o);
      for (let step = 0; step < 4; step++) {
        torch.manualSeed(1000 * step + k);
        const grads = [...shapes, [5, 6]].map((s, i) => (step === 0 && i === 1 ? torch.zeros(s, { dtype }) : torch.randn(s, { dtype })));
        for (let i = 0; i < ours.length; i++) {
          // parameter 2 has no gradient at step 1
          const none = step === 1 && i === 2;
          ours[i].grad = none ? null : grads[i].clone();
          ref[i].grad = none ? null : grads[i].clone();
        }
        opt.step();
        ref.forEach((p, i) => refStep(p, refStates[i], o));
        for (let i = 0; i < ours.length; i++) {
          assert.equal(bits(ours[i]), bits(ref[i]), `step ${step}, parameter ${i}`);
          const og = ours[i].grad;
          const rg = ref[i].grad;
          if (og && rg) assert.equal(bits(og), bits(rg), `step ${step}, parameter ${i}: normalised gradient`);
          og?.dispose();
          rg?.dispose();
          const st = opt.state.get(ours[i])!;
          assert.equal(bits(st.exp_avg as Tensor), bits(refStates[i].avg), `exp_avg ${i}`);
          assert.equal(bits(st.exp_avg_sq as Tensor), bits(refStates[i].sq), `exp_avg_sq ${i}`);
          if (o.amsgrad) assert.equal(bits(st.max_exp_avg_sq as Tensor), bits(refStates[i].mx), `max_exp_avg_sq ${i}`);
        }
        grads.forEach((g) => g.dispose());
      }
      // the step counter skips the step without a gradient
      assert.equal(opt.state.get(ours[2])!.step, 3);
      assert.equal(opt.state.get(ours[0])!.step, 4);
      opt.dispose();
      for (const p of [...ours, ...ref]) {
        p.grad = null;
        p.dispose();
      }
      refStates.forEach((s) => [s.avg, s.sq, s.mx].forEach((t) => t.dispose()));
    }));
  });
}

test('a parameter that never had a gradient gets no state', () => torch.tidy(() => {
  const a = torch.ones([3]).requiresGrad_(true);
  const b = torch.ones([3]).requiresGrad_(true);
  a.grad = torch.ones([3]);
  const opt = new Novograd([a, b], { lr: 0.1 });
  opt.step();
  assert.ok(opt.state.get(b) === undefined || Object.keys(opt.state.get(b)!).length === 0);
  assert.equal(opt.state.get(a)!.step, 1);
  opt.dispose();
  a.grad = null;
  a.dispose();
  b.dispose();
}));

test('novogradStep names its bad arguments', () => {
  const p = torch.ones([2]);
  const o = { lr: 1, beta1: 0.9, beta2: 0.9, eps: 0, weightDecay: 0, gradAveraging: false };
  assert.throws(() => optim.novogradStep([p], [], [p], null, o), /novogradStep: expAvg has 0 tensors for 1 parameters/);
  assert.throws(() => optim.novogradStep([p], [p], [p], [], o), /novogradStep: maxExpAvgSq has 0 tensors for 1 parameters/);
  assert.throws(() => optim.novogradStep([p], [p], [p], null, { ...o, lr: 'x' as never }), /novogradStep: lr, beta1, beta2, eps and weightDecay must be numbers/);
  p.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'novograd_fused tests leaked tensors');
});

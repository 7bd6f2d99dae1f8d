// optim, lrScheduler, clipping and amp together with nn.Module: a small regression trained with
// tidy-scoped steps under bf16 autocast and a GradScaler; memory stays flat, loss falls.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { GradScaler, autocast } from '../../src/amp/index.js';
import { clipGradNorm_ } from '../../src/nn_utils/index.js';

const start = torch.memory().liveTensors;

test('Linear + Adam + OneCycleLR + clipGradNorm_ + GradScaler under bf16 autocast: loss falls, live tensors stay flat', () => {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear({ inFeatures: 8, outFeatures: 16 }), new nn.ReLU(), new nn.Linear({ inFeatures: 16, outFeatures: 1 }));
  const [x, y] = torch.tidy(() => {
    const x = torch.randn([64, 8]);
    return [x, x.sum(1, { keepdim: true }).mul(0.5)];
  });
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const sched = new optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.05, totalSteps: 60 });
  const scaler = new GradScaler({ initScale: 256, growthInterval: 10 });
  const losses: number[] = [];
  const live: number[] = [];
  for (let step = 0; step < 60; step++) {
    const loss = torch.tidy(() => {
      opt.zeroGrad({ setToNone: true });
      const out = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => model.forward(x));
      assert.equal(out.dtype, 'bfloat16');
      const l = out.float().sub(y).pow(2).mean();
      (scaler.scale(l) as torch.Tensor).backward();
      scaler.unscale_(opt);
      clipGradNorm_(model.parameters(), 1.0);
      scaler.step(opt);
      scaler.update();
      return l.item();
    });
    sched.step();
    losses.push(loss);
    if (step > 0) live.push(torch.memory().liveTensors);
  }
  assert.ok(losses[59] < losses[0] * 0.2, `loss ${losses[0]} -> ${losses[59]}`);
  assert.ok(live.every((n) => n === live[0]), `live tensors per step vary: ${[...new Set(live)]}`);
  assert.equal(opt.state.size, 4);
  assert.equal(scaler.getScale(), 256 * 2 ** 6, 'grew every 10 clean steps');
  torch.dispose([opt, scaler, model, x, y]);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

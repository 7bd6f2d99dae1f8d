// GradScaler against PyTorch 1.13's GradScaler algorithm (tools/goldens/optim/make_goldens.py drives
// PyTorch's own class on CPU with its two CUDA kernels transcribed), and the autocast scope.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { GradScaler, autocast } from '../../src/amp/index.js';
import { clipGradNorm_ } from '../../src/nn_utils/index.js';
import { fixture, LeastSquares, flat, assertClose } from '../optim/helpers.js';

const start = torch.memory().liveTensors;
const G = fixture('grad_scaler.json');
const problem = new LeastSquares(G.problem, 'float32');

for (const run of G.runs) {
  const cfg = run.config;
  test(`GradScaler ${JSON.stringify(cfg)}: scale, growth tracker, skipped steps and params match PyTorch`, () => {
    const [w, c] = problem.params();
    const opt = cfg.optimizer === 'SGD' ? new optim.SGD([w, c], { lr: 0.05, momentum: 0.9 }) : new optim.Adam([w, c], { lr: 0.05 });
    const scaler = new GradScaler({
      initScale: cfg.init_scale, growthFactor: cfg.growth_factor, backoffFactor: cfg.backoff_factor, growthInterval: cfg.growth_interval,
    });
    assert.equal(scaler.getScale(), cfg.init_scale);
    run.steps.forEach((expected: any, step: number) => {
      opt.zeroGrad();
      torch.tidy(() => {
        let loss = problem.A.matmul(w).add(c).sub(problem.b).pow(2).mean();
        if (cfg.inf_steps.includes(step)) loss = loss.mul(Infinity);
        scaler.scale(loss).backward();
      });
      if (cfg.clip_steps.includes(step)) {
        scaler.unscale_(opt);
        clipGradNorm_([w, c], 0.5).dispose();
      }
      const before = flat(w, c);
      scaler.step(opt);
      const stepped = flat(w, c).some((v, i) => v !== before[i]);
      scaler.update();
      assert.equal(scaler.getScale(), expected.scale, `scale after step ${step}`);
      assert.equal(scaler.getGrowthTracker(), expected.growth_tracker, `growth tracker after step ${step}`);
      assert.equal(stepped, expected.stepped, `stepped at ${step}`);
      assertClose(flat(w, c), expected.params, 1e-5, `params after step ${step}`);
    });
    assert.deepEqual(scaler.stateDict(), run.state_dict);
    scaler.dispose();
    opt.dispose();
    torch.dispose([w, c]);
  });
}

test('GradScaler: stages, state dict round trip, disabled pass-through, explicit new scale', () => {
  const p = torch.tensor([1, 2], { dtype: 'float32' }).requiresGrad_(true);
  const opt = new optim.SGD([p], { lr: 0.1 });
  const scaler = new GradScaler({ initScale: 8, growthInterval: 1 });
  assert.throws(() => scaler.unscale_(opt), /_scale is None/);
  torch.tidy(() => scaler.scale(p.sum()).backward());
  torch.tidy(() => assert.deepEqual(p.grad!.toArray(), [8, 8]));
  scaler.unscale_(opt);
  torch.tidy(() => assert.deepEqual(p.grad!.toArray(), [1, 1]));
  assert.throws(() => scaler.unscale_(opt), /already been called/);
  scaler.step(opt);
  assert.throws(() => scaler.step(opt), /already been called/);
  assertClose(p.toArray(), [0.9, 1.9], 1e-6, 'stepped');
  scaler.update();
  assert.equal(scaler.getScale(), 16);
  scaler.update(4.0);
  assert.equal(scaler.getScale(), 4);
  const sd = scaler.stateDict();
  assert.deepEqual(sd, { scale: 4, growth_factor: 2, backoff_factor: 0.5, growth_interval: 1, _growth_tracker: 0 });
  const other = new GradScaler();
  other.loadStateDict(sd);
  assert.equal(other.getScale(), 4);
  assert.equal(other.getGrowthInterval(), 1);
  // arrays of outputs are scaled element by element
  const outs = torch.tidy(() => {
    const [a, b] = other.scale([torch.ones([1]), torch.ones([2])]);
    return [a.toArray(), b.toArray()];
  });
  assert.deepEqual(outs, [[4], [4, 4]]);
  const off = new GradScaler({ enabled: false });
  const x = torch.ones([1]);
  assert.equal(off.scale(x), x);
  assert.equal(off.getScale(), 1);
  assert.deepEqual(off.stateDict(), {});
  assert.throws(() => new GradScaler({ growthFactor: 0.5 }), /growth factor/);
  assert.throws(() => new GradScaler({ initscale: 2 } as any), /unknown option/);
  // growth that would overflow float32 keeps the scale (the kernel's isfinite check); the tracker resets
  const big = new GradScaler({ initScale: 3e38, growthInterval: 1 });
  torch.tidy(() => big.scale(p.sum()).backward());
  big.step(opt);
  big.update();
  assert.equal(big.getScale(), Math.fround(3e38));
  assert.equal(big.getGrowthTracker(), 0);
  big.dispose();
  x.dispose();
  scaler.dispose();
  other.dispose();
  opt.dispose();
  p.dispose();
});

test('GradScaler: bfloat16 and float64 gradients unscale; inf/nan in any of them skips the step', () => {
  const a = torch.tensor([1, 2], { dtype: 'bfloat16' }).requiresGrad_(true);
  const b = torch.tensor([3], { dtype: 'float64' }).requiresGrad_(true);
  const opt = new optim.SGD([a, b], { lr: 1 });
  const scaler = new GradScaler({ initScale: 4 });
  torch.tidy(() => scaler.scale(a.float().sum().add(b.sum())).backward());
  scaler.unscale_(opt);
  torch.tidy(() => {
    assert.equal(a.grad!.dtype, 'bfloat16');
    assert.deepEqual(a.grad!.toArray(), [1, 1]);
    assert.deepEqual(b.grad!.toArray(), [1]);
  });
  const ret = scaler.step(opt, () => 'closure result');
  assert.equal(ret, 'closure result');
  scaler.update();
  opt.zeroGrad();
  torch.tidy(() => scaler.scale(a.float().sum().add(b.sum().mul(NaN))).backward());
  const before = [a.toArray(), b.toArray()];
  assert.equal(scaler.step(opt), undefined);
  assert.deepEqual([a.toArray(), b.toArray()], before, 'skipped');
  scaler.update();
  assert.equal(scaler.getScale(), 2, 'backed off');
  const z = torch.zeros([1], { dtype: 'complex64' }).requiresGrad_(true);
  assert.throws(() => new optim.Adam([z]), /complex parameters are not supported/);
  scaler.dispose();
  opt.dispose();
  torch.dispose([a, b, z]);
});

test('autocast: bfloat16 matmul on CPU inside the scope, float32 outside; nesting restores the state', () => {
  const a = torch.ones([4, 4]);
  const inside = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () =>
    torch.tidy(() => {
      const m = a.matmul(a);
      const dt = m.dtype;
      const off = autocast({ deviceType: 'cpu', enabled: false }, () => torch.tidy(() => a.matmul(a).dtype));
      return [dt, off, m.toArray()[0][0]];
    }),
  );
  assert.deepEqual(inside, ['bfloat16', 'float32', 4]);
  assert.equal(torch.tidy(() => a.matmul(a).dtype), 'float32');
  a.dispose();
});

after(() => {
  problem.dispose();
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

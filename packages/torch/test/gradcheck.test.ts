// Autograd through the generic call agrees with finite differences for differentiable ops.
// Method as torch.autograd.gradcheck: float64 inputs, central differences with eps 1e-6, and
// |analytical - numerical| <= atol + rtol * |numerical| with atol 1e-5, rtol 1e-3, on the
// projection of the output onto a fixed random direction.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

type T = torch.Tensor;
const start = torch.memory().liveTensors;
const EPS = 1e-6;
const ATOL = 1e-5;
const RTOL = 1e-3;

function gradcheck(name: string, make: () => T[], fn: (...xs: T[]) => T, diffIdx?: number[]): void {
  torch.tidy(() => {
    torch.manualSeed(42);
    const inputs = make().map((t) => (t.dtype === 'float64' ? t.contiguous() : t));
    const which = diffIdx ?? inputs.map((t, i) => (t.dtype === 'float64' ? i : -1)).filter((i) => i >= 0);
    for (const i of which) inputs[i].requiresGrad_(true);
    const out0 = fn(...inputs);
    const v = torch.randnLike(out0);
    const analytical = torch.autograd.grad(out0.mul(v).sum(), which.map((i) => inputs[i]), { allowUnused: true });
    which.forEach((i, k) => {
      const x = inputs[i];
      const view = x.detach().data({ share: true }) as Float64Array;
      const a = analytical[k] ? (analytical[k]!.data() as Float64Array) : new Float64Array(view.length);
      const f = () => torch.noGrad(() => torch.tidy(() => fn(...inputs).mul(v).sum().item()));
      for (let j = 0; j < view.length; j++) {
        const orig = view[j];
        view[j] = orig + EPS;
        const plus = f();
        view[j] = orig - EPS;
        const minus = f();
        view[j] = orig;
        const num = (plus - minus) / (2 * EPS);
        if (!(Math.abs(a[j] - num) <= ATOL + RTOL * Math.abs(num)))
          assert.fail(`${name}: d/d(input ${i})[${j}] analytical ${a[j]} vs numerical ${num}`);
      }
    });
  });
}

const f64 = { dtype: 'float64' as const };
const rnd = (...s: number[]) => torch.randn(s, f64);
const pos = (...s: number[]) => torch.rand(s, f64).add(0.5);
const prob = (...s: number[]) => torch.rand(s, f64).mul(0.8).add(0.1);

const cases: [string, () => T[], (...x: T[]) => T, number[]?][] = [
  ['conv3d', () => [rnd(1, 2, 3, 3, 3), rnd(2, 2, 2, 2, 2), rnd(2)], (x, w, b) => torch.conv3d(x, w, { bias: b, padding: 1 })],
  ['conv_transpose3d', () => [rnd(1, 2, 2, 2, 2), rnd(2, 1, 2, 2, 2)], (x, w) => torch.convTranspose3d(x, w, { stride: 2 })],
  ['conv2d', () => [rnd(1, 2, 4, 4), rnd(3, 2, 3, 3)], (x, w) => torch.conv2d(x, w, { stride: 2, padding: 1 })],
  ['grid_sampler_2d', () => [rnd(1, 2, 3, 4), torch.rand([1, 2, 3, 2], f64).mul(1.6).sub(0.8)], (x, g) => torch.gridSampler(x, g, 0, 0, false)],
  ['grid_sampler_3d', () => [rnd(1, 1, 3, 3, 3), torch.rand([1, 2, 2, 2, 3], f64).mul(1.6).sub(0.8)], (x, g) => torch.gridSampler(x, g, 0, 1, true)],
  ['upsample_trilinear3d', () => [rnd(1, 1, 2, 3, 2)], (x) => torch.upsampleTrilinear3d(x, [3, 5, 4], false, null)],
  ['upsample_bilinear2d', () => [rnd(1, 2, 3, 3)], (x) => torch.upsampleBilinear2d(x, [5, 4], true, null)],
  ['upsample_bicubic2d', () => [rnd(1, 1, 3, 3)], (x) => torch.upsampleBicubic2d(x, [5, 5], false, null)],
  ['batch_norm', () => [rnd(4, 3, 2), rnd(3), rnd(3)], (x, w, b) => torch.batchNorm(x, w, b, null, null, true, 0.1, 1e-5, false)],
  ['layer_norm', () => [rnd(2, 3, 4), rnd(4), rnd(4)], (x, w, b) => torch.layerNorm(x, [4], { weight: w, bias: b })],
  ['group_norm', () => [rnd(2, 4, 3), rnd(4), rnd(4)], (x, w, b) => torch.groupNorm(x, 2, { weight: w, bias: b })],
  ['instance_norm', () => [rnd(2, 2, 5), rnd(2), rnd(2)], (x, w, b) => torch.instanceNorm(x, w, b, null, null, true, 0.1, 1e-5, false)],
  ['softmax', () => [rnd(3, 4)], (x) => torch.softmax(x, 1)],
  ['log_softmax', () => [rnd(3, 4)], (x) => torch.logSoftmax(x, 0)],
  ['mse_loss', () => [rnd(3, 4), rnd(3, 4)], (a, b) => torch.mseLoss(a, b)],
  ['smooth_l1_loss', () => [rnd(3, 4), rnd(3, 4)], (a, b) => torch.smoothL1Loss(a, b, { beta: 0.5 })],
  ['binary_cross_entropy', () => [prob(3, 4), prob(3, 4)], (a, b) => torch.binaryCrossEntropy(a, b), [0]],
  ['bce_with_logits', () => [rnd(3, 4), prob(3, 4), pos(4)], (a, b, w) => torch.binaryCrossEntropyWithLogits(a, b, { posWeight: w }), [0, 1]],
  ['nll_loss', () => [rnd(5, 3), torch.tensor([0, 2, 1, 1, 0])], (x, t) => torch.nllLoss(torch.logSoftmax(x, 1), t)],
  ['cross_entropy', () => [rnd(4, 3), torch.tensor([2, 0, 1, 1])], (x, t) => torch.crossEntropyLoss(x, t, { labelSmoothing: 0.1 })],
  ['kl_div', () => [rnd(3, 4), prob(3, 4)], (x, t) => torch.klDiv(torch.logSoftmax(x, 1), t, { reduction: 2 })],
  ['matmul', () => [rnd(2, 3, 4), rnd(4, 2)], (a, b) => torch.matmul(a, b)],
  ['avg_pool3d', () => [rnd(1, 1, 4, 4, 2)], (x) => torch.avgPool3d(x, [2, 2, 2], { padding: [1, 1, 1], countIncludePad: false })],
  ['max_pool2d', () => [rnd(1, 2, 4, 4)], (x) => torch.maxPool2d(x, [2, 2])],
  ['adaptive_avg_pool3d', () => [rnd(1, 1, 3, 4, 3)], (x) => torch.adaptiveAvgPool3d(x, [2, 2, 2])],
  ['sigmoid_tanh', () => [rnd(3, 3)], (x) => x.sigmoid().mul(x.tanh())],
  ['pow', () => [pos(3, 3), rnd(3, 3)], (a, b) => torch.pow(a, b)],
  ['atan2', () => [rnd(3, 3), rnd(3, 3)], (a, b) => torch.atan2(a, b)],
  ['cumsum_prod', () => [rnd(2, 4)], (x) => x.cumsum(1).prod(1)],
  ['vector_norm', () => [rnd(3, 4)], (x) => torch.linalgVectorNorm(x, { ord: 3, dim: [1] })],
  ['gelu_elu_silu', () => [rnd(3, 4)], (x) => torch.gelu(x).add(torch.elu(x)).add(torch.silu(x))],
  ['reflection_pad2d', () => [rnd(1, 1, 3, 3)], (x) => torch.reflectionPad2d(x, [1, 1, 2, 0])],
  ['var_mean', () => [rnd(3, 5)], (x) => torch.var(x, [1], { correction: 1 })],
  ['linear', () => [rnd(3, 4), rnd(2, 4), rnd(2)], (x, w, b) => torch.linear(x, w, { bias: b })],
  ['embedding', () => [rnd(5, 3), torch.tensor([[0, 4], [2, 2]])], (w, i) => torch.embedding(w, i)],
  ['gather', () => [rnd(3, 4), torch.tensor([[0, 3], [1, 1], [2, 0]])], (x, i) => torch.gather(x, 1, i)],
  ['lerp_div', () => [rnd(3), rnd(3), pos(3)], (a, b, c) => torch.lerp(a, b, 0.3).div(c)],
  ['cdist', () => [rnd(3, 2), rnd(4, 2)], (a, b) => torch.cdist(a, b)],
];

test(`gradcheck covers at least 30 differentiable ops (${cases.length})`, () => {
  assert.ok(cases.length >= 30);
});

for (const [name, make, fn, which] of cases) test(name, () => gradcheck(name, make, fn, which));

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'gradcheck leaked tensors');
});

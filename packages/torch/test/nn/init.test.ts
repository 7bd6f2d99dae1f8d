// Initialisation statistics: default-initialised layer weights and the nn.init functions drawn many
// times match PyTorch's formulas. Tolerances: a mean within 5 standard errors (sd / sqrt(n)); a
// standard deviation within 5 standard errors of the sample sd (sd * sqrt((kurtosis - 1) / 4n):
// kurtosis 1.8 for uniform, 3 for normal); uniform draws inside [-bound, bound] and reaching
// (1 - 10/n) of it. (The layer tests also check that the same seed gives bitwise PyTorch's values.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';

const init = nn.init;
const start = torch.memory().liveTensors;

interface Stats { n: number; mean: number; std: number; min: number; max: number }
function stats(ts: torch.Tensor[]): Stats {
  return torch.tidy(() => {
    const x = torch.cat(ts.map((t) => t.detach().to('float64').flatten()));
    return { n: x.numel(), mean: x.mean().item(), std: x.std().item(), min: x.min().item(), max: x.max().item() };
  });
}
function checkUniform(s: Stats, bound: number, what: string): void {
  const sd = bound / Math.sqrt(3);
  assert.ok(Math.abs(s.mean) < 5 * sd / Math.sqrt(s.n), `${what}: mean ${s.mean} (bound ${bound}, n ${s.n})`);
  assert.ok(Math.abs(s.std - sd) < 5 * sd * Math.sqrt(0.8 / (4 * s.n)), `${what}: std ${s.std}, expected ${sd}`);
  assert.ok(s.min >= -bound && s.max <= bound, `${what}: values within +-${bound} (found ${s.min}..${s.max})`);
  // n uniform draws miss the last fraction f of the range on one side with probability (1 - f/2)^n:
  // f = 10/n gives about e^-5
  const reach = bound * (1 - Math.min(0.5, 10 / s.n));
  assert.ok(s.min < -reach && s.max > reach, `${what}: values reach +-${reach} (found ${s.min}..${s.max})`);
}
function checkNormal(s: Stats, mean: number, sd: number, what: string): void {
  assert.ok(Math.abs(s.mean - mean) < 5 * sd / Math.sqrt(s.n), `${what}: mean ${s.mean}, expected ${mean}`);
  assert.ok(Math.abs(s.std - sd) < 5 * sd * Math.sqrt(2 / (4 * s.n)), `${what}: std ${s.std}, expected ${sd}`);
}

/** Builds `count` modules, pools the named tensors, disposes the modules. */
function draw(count: number, make: () => nn.Module, names: string[]): Stats[] {
  const mods = Array.from({ length: count }, make);
  try {
    return names.map((n) => stats(mods.map((m) => m.getParameter(n))));
  } finally {
    for (const m of mods) m.dispose();
  }
}

test('Linear: weight and bias uniform in +-1/sqrt(inFeatures)', () => {
  torch.manualSeed(1);
  const [w, b] = draw(40, () => new nn.Linear({ inFeatures: 50, outFeatures: 60 }), ['weight', 'bias']);
  checkUniform(w, 1 / Math.sqrt(50), 'Linear.weight');
  checkUniform(b, 1 / Math.sqrt(50), 'Linear.bias');
});

test('Bilinear: weight and bias uniform in +-1/sqrt(in1Features)', () => {
  const [w, b] = draw(60, () => new nn.Bilinear({ in1Features: 7, in2Features: 5, outFeatures: 30 }), ['weight', 'bias']);
  checkUniform(w, 1 / Math.sqrt(7), 'Bilinear.weight');
  checkUniform(b, 1 / Math.sqrt(7), 'Bilinear.bias');
});

test('Conv1d/2d/3d: uniform in +-1/sqrt(inChannels/groups * prod(kernel))', () => {
  const cases: [string, () => nn.Module, number][] = [
    ['Conv1d', () => new nn.Conv1d({ inChannels: 6, outChannels: 40, kernelSize: 5, groups: 2 }), 3 * 5],
    ['Conv2d', () => new nn.Conv2d({ inChannels: 4, outChannels: 32, kernelSize: [3, 2] }), 4 * 6],
    ['Conv3d', () => new nn.Conv3d({ inChannels: 2, outChannels: 16, kernelSize: 3 }), 2 * 27],
  ];
  for (const [name, make, fanIn] of cases) {
    const [w, b] = draw(40, make, ['weight', 'bias']);
    checkUniform(w, 1 / Math.sqrt(fanIn), `${name}.weight`);
    checkUniform(b, 1 / Math.sqrt(fanIn), `${name}.bias`);
  }
});

test('ConvTranspose1d/2d/3d: fan-in from weight.size(1) = outChannels/groups', () => {
  const cases: [string, () => nn.Module, number][] = [
    ['ConvTranspose1d', () => new nn.ConvTranspose1d({ inChannels: 40, outChannels: 6, kernelSize: 4, groups: 2 }), 3 * 4],
    ['ConvTranspose2d', () => new nn.ConvTranspose2d({ inChannels: 30, outChannels: 5, kernelSize: 2 }), 5 * 4],
    ['ConvTranspose3d', () => new nn.ConvTranspose3d({ inChannels: 20, outChannels: 3, kernelSize: 2 }), 3 * 8],
  ];
  for (const [name, make, fanIn] of cases) {
    const [w, b] = draw(40, make, ['weight', 'bias']);
    checkUniform(w, 1 / Math.sqrt(fanIn), `${name}.weight`);
    checkUniform(b, 1 / Math.sqrt(fanIn), `${name}.bias`);
  }
});

test('Embedding: N(0, 1) with the padding row zero', () => {
  const mods = Array.from({ length: 20 }, () => new nn.Embedding({ numEmbeddings: 100, embeddingDim: 30, paddingIdx: -1 }));
  try {
    const rows = mods.map((m) => torch.tidy(() => m.weight.at('0:99')));
    checkNormal(stats(rows), 0, 1, 'Embedding.weight');
    torch.dispose(rows);
    for (const m of mods) torch.tidy(() => assert.equal(m.weight.at(99).abs().sum().item(), 0));
  } finally {
    for (const m of mods) m.dispose();
  }
});

test('MultiheadAttention: xavier-uniform in_proj, zero biases, xavier-normal bias_k/v', () => {
  const E = 24;
  const mods = Array.from({ length: 30 }, () => new nn.MultiheadAttention({ embedDim: E, numHeads: 4, addBiasKv: true }));
  try {
    checkUniform(stats(mods.map((m) => m.in_proj_weight!)), Math.sqrt(6 / (E + 3 * E)), 'in_proj_weight');
    checkUniform(stats(mods.map((m) => m.out_proj.weight)), 1 / Math.sqrt(E), 'out_proj.weight');
    checkNormal(stats(mods.map((m) => m.bias_k!)), 0, Math.sqrt(2 / (2 * E)), 'bias_k');
    const zb = stats(mods.flatMap((m) => [m.in_proj_bias!, m.out_proj.bias!]));
    assert.equal(zb.min, 0);
    assert.equal(zb.max, 0);
  } finally {
    for (const m of mods) m.dispose();
  }
});

test('norm layers start at weight 1, bias 0, running mean 0, var 1; PReLU at its init value', () => {
  const ms: nn.Module[] = [
    new nn.BatchNorm2d({ numFeatures: 5 }), new nn.InstanceNorm3d({ numFeatures: 5, affine: true }),
    new nn.GroupNorm({ numGroups: 1, numChannels: 5 }), new nn.LayerNorm({ normalizedShape: [5] }),
  ];
  try {
    torch.tidy(() => {
      for (const m of ms) {
        const sd = m.stateDict();
        assert.deepEqual(sd.weight.toArray(), [1, 1, 1, 1, 1]);
        assert.deepEqual(sd.bias.toArray(), [0, 0, 0, 0, 0]);
      }
      const bn = ms[0] as nn.BatchNorm2d;
      assert.deepEqual(bn.runningMean!.toArray(), [0, 0, 0, 0, 0]);
      assert.deepEqual(bn.runningVar!.toArray(), [1, 1, 1, 1, 1]);
      assert.equal(bn.numBatchesTracked!.item(), 0);
      const pr = new nn.PReLU({ numParameters: 3, init: 0.1 });
      assert.deepEqual(pr.weight.toArray().map((v: number) => Math.round(v * 1e6) / 1e6), [0.1, 0.1, 0.1]);
      pr.dispose();
    });
  } finally {
    for (const m of ms) m.dispose();
  }
});

test('calculateGain follows PyTorch', () => {
  assert.equal(init.calculateGain('linear'), 1);
  assert.equal(init.calculateGain('conv3d'), 1);
  assert.equal(init.calculateGain('sigmoid'), 1);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('relu'), Math.sqrt(2));
  assert.equal(init.calculateGain('leaky_relu'), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.equal(init.calculateGain('leaky_relu', 0.2), Math.sqrt(2 / (1 + 0.04)));
  assert.equal(init.calculateGain('selu'), 0.75);
  assert.throws(() => init.calculateGain('swish'), /Unsupported nonlinearity/);
});

test('nn.init distributions: uniform_, normal_, xavier*, kaiming*, trunc_normal_', () => {
  torch.tidy(() => {
    const t = torch.empty([200, 300]);
    checkUniform(stats([init.uniform_(t, -0.3, 0.3)]), 0.3, 'uniform_');
    checkNormal(stats([init.normal_(t, 0.5, 2)]), 0.5, 2, 'normal_');
    checkUniform(stats([init.xavierUniform_(t, 2)]), 2 * Math.sqrt(6 / 500), 'xavierUniform_');
    checkNormal(stats([init.xavierNormal_(t)]), 0, Math.sqrt(2 / 500), 'xavierNormal_');
    checkUniform(stats([init.kaimingUniform_(t)]), Math.sqrt(2 / (1 + 0)) * Math.sqrt(3 / 300), 'kaimingUniform_ (a=0)');
    checkNormal(stats([init.kaimingNormal_(t, { mode: 'fan_out', nonlinearity: 'relu' })]), 0, Math.sqrt(2) / Math.sqrt(200), 'kaimingNormal_ fan_out');
    const c = torch.empty([64, 8, 3, 3]);
    checkUniform(stats([init.kaimingUniform_(c, { a: Math.sqrt(5) })]), 1 / Math.sqrt(72), 'kaimingUniform_ conv');
    // truncated normal N(0.3, 1) on [-1, 2]: moments of the truncated distribution
    const mu = 0.3, sigma = 1, a = -1, b = 2;
    const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const Phi = (x: number) => torch.tidy(() => torch.tensor([x / Math.SQRT2], { dtype: 'float64' }).erf().add(1).div(2).item());
    const al = (a - mu) / sigma, be = (b - mu) / sigma, Z = Phi(be) - Phi(al);
    const tm = mu + sigma * (phi(al) - phi(be)) / Z;
    const tv = sigma ** 2 * (1 + (al * phi(al) - be * phi(be)) / Z - ((phi(al) - phi(be)) / Z) ** 2);
    const s = stats([init.truncNormal_(t, mu, sigma, a, b)]);
    assert.ok(s.min >= a && s.max <= b, `truncNormal_ within [${a}, ${b}]`);
    assert.ok(Math.abs(s.mean - tm) < 5 * Math.sqrt(tv / s.n), `truncNormal_ mean ${s.mean} vs ${tm}`);
    assert.ok(Math.abs(s.std - Math.sqrt(tv)) < 5 * Math.sqrt(tv) * Math.sqrt(2 / (4 * s.n)), `truncNormal_ std ${s.std} vs ${Math.sqrt(tv)}`);
    // constants
    assert.equal(init.constant_(torch.empty([3]), 0.5).sum().item(), 1.5);
    assert.equal(init.ones_(torch.empty([4])).sum().item(), 4);
    assert.equal(init.zeros_(torch.ones([4])).sum().item(), 0);
  });
});

test('orthogonal_, eye_ and dirac_', () => {
  torch.tidy(() => {
    for (const shape of [[20, 50], [50, 20], [6, 2, 3, 4]]) {
      const w = init.orthogonal_(torch.empty(shape), 2);
      const m = w.reshape([shape[0], -1]);
      const small = shape[0] <= m.size(1) ? m.matmul(m.t()) : m.t().matmul(m);
      const eye = torch.eye(small.size(0)).mul(4);
      assert.ok((small.sub(eye).abs().max().item() as number) < 1e-4, `orthogonal_ ${JSON.stringify(shape)}: W W^T = gain^2 I`);
    }
    assert.deepEqual(init.eye_(torch.empty([2, 3])).toArray(), [[1, 0, 0], [0, 1, 0]]);
    const d = init.dirac_(torch.empty([2, 2, 3, 3]));
    const x = torch.randn([1, 2, 5, 5]);
    const y = nn.functional.conv2d(x, d, { padding: 1 });
    assert.ok(y.equal(x), 'dirac_ weights are the identity convolution');
  });
});

test('init is in place, under no-grad, on a parameter that requires grad', () => {
  const lin = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
  try {
    const w = lin.weight;
    assert.equal(init.xavierUniform_(w), w);
    assert.equal(w.requiresGrad, true);
    assert.equal(w.isLeaf, true);
  } finally {
    lin.dispose();
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

// Layers take PyTorch's positional constructor form beside the options object: each pair below must
// give the same printed form and, after the same seed, bitwise the same parameters and buffers.
// The file also typechecks both forms (tsc runs over tests): the @ts-expect-error lines are the
// misuses the declarations must reject.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';

const start = torch.memory().liveTensors;

type Pair = [name: string, positional: () => nn.Module, options: () => nn.Module];

/** Class weights shared by the loss pairs (disposed at the end). */
const classWeight = torch.tensor([1, 2, 0.5]);

// TransformerEncoder copies its layer; the originals are disposed at the end.
const layers: nn.Module[] = [];
const encoderLayer = () => {
  const l = new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16 });
  layers.push(l);
  return l;
};

const PAIRS: Pair[] = [
  ['Linear(3, 4)', () => new nn.Linear(3, 4), () => new nn.Linear({ inFeatures: 3, outFeatures: 4 })],
  ['Linear(3, 4, {bias})', () => new nn.Linear(3, 4, { bias: false }), () => new nn.Linear({ inFeatures: 3, outFeatures: 4, bias: false })],
  ['Linear(3, 4, false, cpu, float64)', () => new nn.Linear(3, 4, false, 'cpu', 'float64'), () => new nn.Linear({ inFeatures: 3, outFeatures: 4, bias: false, dtype: 'float64' })],
  ['Linear(3, {outFeatures})', () => new nn.Linear(3, { outFeatures: 4 }), () => new nn.Linear({ inFeatures: 3, outFeatures: 4 })],
  ['Bilinear(2, 3, 4)', () => new nn.Bilinear(2, 3, 4), () => new nn.Bilinear({ in1Features: 2, in2Features: 3, outFeatures: 4 })],
  ['Conv1d(2, 4, 3, 2)', () => new nn.Conv1d(2, 4, 3, 2), () => new nn.Conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2 })],
  ['Conv2d(2, 4, [3, 1], {groups})', () => new nn.Conv2d(2, 4, [3, 1], { groups: 2 }), () => new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: [3, 1], groups: 2 })],
  ['Conv3d(1, 16, 3, {padding})', () => new nn.Conv3d(1, 16, 3, { padding: 1 }), () => new nn.Conv3d({ inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 })],
  ['Conv3d(1, 16, 3, 1, 1)', () => new nn.Conv3d(1, 16, 3, 1, 1), () => new nn.Conv3d({ inChannels: 1, outChannels: 16, kernelSize: 3, stride: 1, padding: 1 })],
  [
    'Conv2d all nine',
    () => new nn.Conv2d(2, 4, 3, 2, 1, 2, 2, false, 'reflect'),
    () => new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 2, bias: false, paddingMode: 'reflect' }),
  ],
  ['Conv2d(1, 2, 3, 1, same)', () => new nn.Conv2d(1, 2, 3, 1, 'same'), () => new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: 'same' })],
  [
    'ConvTranspose1d(in, out, k, stride, padding, outputPadding, groups, bias, dilation)',
    () => new nn.ConvTranspose1d(2, 4, 3, 2, 1, 1, 2, false, 2),
    () => new nn.ConvTranspose1d({ inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 2 }),
  ],
  ['ConvTranspose2d(2, 3, 2, 2)', () => new nn.ConvTranspose2d(2, 3, 2, 2), () => new nn.ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 2, stride: 2 })],
  ['ConvTranspose3d(2, 3, 3, {padding})', () => new nn.ConvTranspose3d(2, 3, 3, { padding: 1 }), () => new nn.ConvTranspose3d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 })],
  ['BatchNorm1d(5, 1e-3, null)', () => new nn.BatchNorm1d(5, 1e-3, null), () => new nn.BatchNorm1d({ numFeatures: 5, eps: 1e-3, momentum: null })],
  ['BatchNorm2d(4, {affine})', () => new nn.BatchNorm2d(4, { affine: false }), () => new nn.BatchNorm2d({ numFeatures: 4, affine: false })],
  ['BatchNorm3d(16)', () => new nn.BatchNorm3d(16), () => new nn.BatchNorm3d({ numFeatures: 16 })],
  ['InstanceNorm1d(3, 1e-5, 0.1, true)', () => new nn.InstanceNorm1d(3, 1e-5, 0.1, true), () => new nn.InstanceNorm1d({ numFeatures: 3, affine: true })],
  ['InstanceNorm2d(3)', () => new nn.InstanceNorm2d(3), () => new nn.InstanceNorm2d({ numFeatures: 3 })],
  ['InstanceNorm3d(3, {trackRunningStats})', () => new nn.InstanceNorm3d(3, { trackRunningStats: true }), () => new nn.InstanceNorm3d({ numFeatures: 3, trackRunningStats: true })],
  ['GroupNorm(2, 6)', () => new nn.GroupNorm(2, 6), () => new nn.GroupNorm({ numGroups: 2, numChannels: 6 })],
  ['GroupNorm(2, 6, 1e-3, false)', () => new nn.GroupNorm(2, 6, 1e-3, false), () => new nn.GroupNorm({ numGroups: 2, numChannels: 6, eps: 1e-3, affine: false })],
  ['LayerNorm(8)', () => new nn.LayerNorm(8), () => new nn.LayerNorm({ normalizedShape: 8 })],
  ['LayerNorm([2, 3], 1e-6, true, false)', () => new nn.LayerNorm([2, 3], 1e-6, true, false), () => new nn.LayerNorm({ normalizedShape: [2, 3], eps: 1e-6, bias: false })],
  ['LocalResponseNorm(3, 1e-3)', () => new nn.LocalResponseNorm(3, 1e-3), () => new nn.LocalResponseNorm({ size: 3, alpha: 1e-3 })],
  ['Dropout(0.2)', () => new nn.Dropout(0.2), () => new nn.Dropout({ p: 0.2 })],
  ['Dropout3d(0.3, true)', () => new nn.Dropout3d(0.3, true), () => new nn.Dropout3d({ p: 0.3, inplace: true })],
  ['AlphaDropout(0.1)', () => new nn.AlphaDropout(0.1), () => new nn.AlphaDropout({ p: 0.1 })],
  ['ReLU(true)', () => new nn.ReLU(true), () => new nn.ReLU({ inplace: true })],
  ['ReLU6(true)', () => new nn.ReLU6(true), () => new nn.ReLU6({ inplace: true })],
  ['Hardtanh(-2, 2)', () => new nn.Hardtanh(-2, 2), () => new nn.Hardtanh({ minVal: -2, maxVal: 2 })],
  ['LeakyReLU(0.2)', () => new nn.LeakyReLU(0.2), () => new nn.LeakyReLU({ negativeSlope: 0.2 })],
  ['PReLU(3, 0.1)', () => new nn.PReLU(3, 0.1), () => new nn.PReLU({ numParameters: 3, init: 0.1 })],
  ['ELU(0.5, true)', () => new nn.ELU(0.5, true), () => new nn.ELU({ alpha: 0.5, inplace: true })],
  ['CELU(2)', () => new nn.CELU(2), () => new nn.CELU({ alpha: 2 })],
  ['SiLU(true)', () => new nn.SiLU(true), () => new nn.SiLU({ inplace: true })],
  ['GELU(tanh)', () => new nn.GELU('tanh'), () => new nn.GELU({ approximate: 'tanh' })],
  ['Softplus(2, 10)', () => new nn.Softplus(2, 10), () => new nn.Softplus({ beta: 2, threshold: 10 })],
  ['Softmax(1)', () => new nn.Softmax(1), () => new nn.Softmax({ dim: 1 })],
  ['Softmin(-1)', () => new nn.Softmin(-1), () => new nn.Softmin({ dim: -1 })],
  ['LogSoftmax(0)', () => new nn.LogSoftmax(0), () => new nn.LogSoftmax({ dim: 0 })],
  ['Threshold(0.1, 20)', () => new nn.Threshold(0.1, 20), () => new nn.Threshold({ threshold: 0.1, value: 20 })],
  ['GLU(1)', () => new nn.GLU(1), () => new nn.GLU({ dim: 1 })],
  ['MaxPool1d(3)', () => new nn.MaxPool1d(3), () => new nn.MaxPool1d({ kernelSize: 3 })],
  ['MaxPool2d(3, 2, 1)', () => new nn.MaxPool2d(3, 2, 1), () => new nn.MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 })],
  ['MaxPool3d(2, null, 0, 1, false, true)', () => new nn.MaxPool3d(2, null, 0, 1, false, true), () => new nn.MaxPool3d({ kernelSize: 2, ceilMode: true })],
  ['AvgPool1d(3, 1)', () => new nn.AvgPool1d(3, 1), () => new nn.AvgPool1d({ kernelSize: 3, stride: 1 })],
  ['AvgPool2d(2, {padding})', () => new nn.AvgPool2d(2, { padding: 1 }), () => new nn.AvgPool2d({ kernelSize: 2, padding: 1 })],
  ['AvgPool3d(3, 2, 1, true, false, 5)', () => new nn.AvgPool3d(3, 2, 1, true, false, 5), () => new nn.AvgPool3d({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 5 })],
  ['AdaptiveAvgPool1d(4)', () => new nn.AdaptiveAvgPool1d(4), () => new nn.AdaptiveAvgPool1d({ outputSize: 4 })],
  ['AdaptiveAvgPool2d([2, null])', () => new nn.AdaptiveAvgPool2d([2, null]), () => new nn.AdaptiveAvgPool2d({ outputSize: [2, null] })],
  ['AdaptiveAvgPool3d(1)', () => new nn.AdaptiveAvgPool3d(1), () => new nn.AdaptiveAvgPool3d({ outputSize: 1 })],
  ['AdaptiveMaxPool2d(2, true)', () => new nn.AdaptiveMaxPool2d(2, true), () => new nn.AdaptiveMaxPool2d({ outputSize: 2, returnIndices: true })],
  ['Upsample(null, 2, trilinear)', () => new nn.Upsample(null, 2, 'trilinear'), () => new nn.Upsample({ scaleFactor: 2, mode: 'trilinear' })],
  ['Upsample([4, 4])', () => new nn.Upsample([4, 4]), () => new nn.Upsample({ size: [4, 4] })],
  ['UpsamplingNearest2d(null, 3)', () => new nn.UpsamplingNearest2d(null, 3), () => new nn.UpsamplingNearest2d({ scaleFactor: 3 })],
  ['UpsamplingBilinear2d(5)', () => new nn.UpsamplingBilinear2d(5), () => new nn.UpsamplingBilinear2d({ size: 5 })],
  ['PixelShuffle(2)', () => new nn.PixelShuffle(2), () => new nn.PixelShuffle({ upscaleFactor: 2 })],
  ['PixelUnshuffle(2)', () => new nn.PixelUnshuffle(2), () => new nn.PixelUnshuffle({ downscaleFactor: 2 })],
  ['Flatten(0, 2)', () => new nn.Flatten(0, 2), () => new nn.Flatten({ startDim: 0, endDim: 2 })],
  ['Unflatten(1, [2, 3])', () => new nn.Unflatten(1, [2, 3]), () => new nn.Unflatten({ dim: 1, unflattenedSize: [2, 3] })],
  ['Embedding(10, 3)', () => new nn.Embedding(10, 3), () => new nn.Embedding({ numEmbeddings: 10, embeddingDim: 3 })],
  ['Embedding(10, 3, 0, 2.0)', () => new nn.Embedding(10, 3, 0, 2.0), () => new nn.Embedding({ numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0, maxNorm: 2.0 })],
  ['MultiheadAttention(16, 4)', () => new nn.MultiheadAttention(16, 4), () => new nn.MultiheadAttention({ embedDim: 16, numHeads: 4 })],
  [
    'MultiheadAttention(8, 2, 0, true, true, false, 4, 6, true)',
    () => new nn.MultiheadAttention(8, 2, 0, true, true, false, 4, 6, true),
    () => new nn.MultiheadAttention({ embedDim: 8, numHeads: 2, addBiasKv: true, kdim: 4, vdim: 6, batchFirst: true }),
  ],
  ['TransformerEncoderLayer(8, 2, 16)', () => new nn.TransformerEncoderLayer(8, 2, 16), () => new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16 })],
  [
    'TransformerEncoderLayer(8, 2, {normFirst})',
    () => new nn.TransformerEncoderLayer(8, 2, 32, 0.0, 'gelu', 1e-6, true, true),
    () => new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 32, dropout: 0.0, activation: 'gelu', layerNormEps: 1e-6, batchFirst: true, normFirst: true }),
  ],
  ['TransformerEncoder(layer, 2)', () => new nn.TransformerEncoder(encoderLayer(), 2), () => new nn.TransformerEncoder({ encoderLayer: encoderLayer(), numLayers: 2 })],
  ['ConstantPad1d(2, 0.5)', () => new nn.ConstantPad1d(2, 0.5), () => new nn.ConstantPad1d({ padding: 2, value: 0.5 })],
  ['ConstantPad3d([1, 2, 0, 0, 1, 1], {value})', () => new nn.ConstantPad3d([1, 2, 0, 0, 1, 1], { value: 1 }), () => new nn.ConstantPad3d({ padding: [1, 2, 0, 0, 1, 1], value: 1 })],
  ['ZeroPad2d(1)', () => new nn.ZeroPad2d(1), () => new nn.ZeroPad2d({ padding: 1 })],
  ['ReflectionPad2d([1, 0, 2, 0])', () => new nn.ReflectionPad2d([1, 0, 2, 0]), () => new nn.ReflectionPad2d({ padding: [1, 0, 2, 0] })],
  ['ReplicationPad3d(1)', () => new nn.ReplicationPad3d(1), () => new nn.ReplicationPad3d({ padding: 1 })],
  ['CrossEntropyLoss(weight, {labelSmoothing})', () => new nn.CrossEntropyLoss(classWeight, { labelSmoothing: 0.1 }), () => new nn.CrossEntropyLoss({ weight: classWeight, labelSmoothing: 0.1 })],
  ['NLLLoss(weight)', () => new nn.NLLLoss(classWeight), () => new nn.NLLLoss({ weight: classWeight })],
  ['BCELoss(weight, {reduction})', () => new nn.BCELoss(classWeight, { reduction: 'sum' }), () => new nn.BCELoss({ weight: classWeight, reduction: 'sum' })],
  ['BCEWithLogitsLoss(null, {posWeight})', () => new nn.BCEWithLogitsLoss(null, { posWeight: classWeight }), () => new nn.BCEWithLogitsLoss({ posWeight: classWeight })],
  ['HuberLoss(sum, 0.5)', () => new nn.HuberLoss('sum', 0.5), () => new nn.HuberLoss({ reduction: 'sum', delta: 0.5 })],
  ['CosineSimilarity(0, 1e-6)', () => new nn.CosineSimilarity(0, 1e-6), () => new nn.CosineSimilarity({ dim: 0, eps: 1e-6 })],
];

/** Builds with the same seed; returns [repr, state dict (the module's own tensors), module]. */
function build(make: () => nn.Module): [string, Record<string, torch.Tensor>, nn.Module] {
  torch.manualSeed(1234);
  const m = make();
  return [m.toString(), m.stateDict({ keepVars: true }), m];
}

for (const [name, positional, options] of PAIRS) {
  test(`positional form: ${name}`, () => {
    const [reprA, sdA, a] = build(positional);
    const [reprB, sdB, b] = build(options);
    try {
      assert.equal(a.constructor, b.constructor);
      assert.equal(reprA, reprB);
      assert.deepEqual(Object.keys(sdA), Object.keys(sdB));
      for (const k of Object.keys(sdA)) {
        assert.deepEqual(sdA[k].shape, sdB[k].shape, `shape of ${k}`);
        assert.equal(sdA[k].dtype, sdB[k].dtype, `dtype of ${k}`);
        assert.ok(torch.equal(sdA[k], sdB[k]), `${k}: same values bitwise`);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
}

test('positional form: same outputs (Conv3d, BatchNorm3d, Linear)', () => {
  torch.tidy(() => {
    const x = torch.randn([2, 1, 4, 4, 4]);
    const run = (conv: nn.Conv3d, bn: nn.BatchNorm3d, fc: nn.Linear) => fc.forward(bn.forward(conv.forward(x)).mean([2, 3, 4]));
    torch.manualSeed(7);
    const p = [new nn.Conv3d(1, 16, 3, 1, 1), new nn.BatchNorm3d(16), new nn.Linear(16, 2)] as const;
    torch.manualSeed(7);
    const o = [
      new nn.Conv3d({ inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 }),
      new nn.BatchNorm3d({ numFeatures: 16 }),
      new nn.Linear({ inFeatures: 16, outFeatures: 2 }),
    ] as const;
    try {
      assert.ok(torch.equal(run(...p), run(...o)));
    } finally {
      for (const m of [...p, ...o]) m.dispose();
    }
  });
});

test('positional form: misuse throws with the argument named', () => {
  assert.throws(() => new (nn.Linear as any)(3, 4, { inFeatures: 3 }), /Linear: got 'inFeatures' both as positional argument 1 and in the options/);
  assert.throws(() => new (nn.Conv3d as any)(1, 16, 3, 1, { stride: 2 }), /Conv3d: got 'stride' both as positional argument 4/);
  assert.throws(() => new (nn.Dropout as any)(0.1, false, true), /Dropout: takes at most 2 positional arguments \(p, inplace\), found 3/);
  assert.throws(() => new (nn.Linear as any)({ inFeatures: 3 }, 4), /Linear: the options object must be the last argument/);
  assert.throws(() => new (nn.Linear as any)(3), /Linear: missing required option 'outFeatures'/);
  // unknown keys of the trailing object keep the "did you mean"
  assert.throws(() => new (nn.Conv3d as any)(1, 16, 3, { paddng: 1 }), /Conv3d: unknown option 'paddng' \(did you mean 'padding'\?\)/);
  assert.throws(() => new (nn.BatchNorm3d as any)(16, { momentun: 0.2 }), /BatchNorm3d: unknown option 'momentun' \(did you mean 'momentum'\?\)/);
  // undefined means "not given": the options may then name it
  const l = new (nn.Linear as any)(3, undefined, { outFeatures: 5 }) as nn.Linear;
  assert.equal(l.outFeatures, 5);
  l.dispose();
});

// Type-level checks: these lines compile only while the declarations reject the misuse.
function typeChecks(): void {
  // @ts-expect-error outFeatures is required: positionally or in the trailing options
  new nn.Linear(3);
  // @ts-expect-error an argument given positionally cannot be named again
  new nn.Linear(3, 4, { inFeatures: 3 });
  // @ts-expect-error unknown option key
  new nn.Conv3d(1, 16, 3, { paddng: 1 });
  // @ts-expect-error stride is a number or number[]
  new nn.Conv3d(1, 16, 3, 'x');
  // @ts-expect-error too many positional arguments
  new nn.Dropout(0.1, false, true);
  // @ts-expect-error GroupNorm needs numChannels
  new nn.GroupNorm(2);
  const ok: nn.Module[] = [new nn.GroupNorm(2, { numChannels: 4 }), new nn.LayerNorm([2, 3], { eps: 1e-6 }), new nn.Softmax(), new nn.ReLU()];
  void ok;
}
void typeChecks;

after(() => {
  for (const l of layers) l.dispose();
  classWeight.dispose();
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

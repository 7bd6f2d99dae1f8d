// Losses beyond the golden values: bad input and options are errors naming the loss and the option,
// MONAI's warnings, state-dict keys as MONAI's, and weights as buffers.
import { test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import {
  DeepSupervisionLoss, DiceCELoss, DiceFocalLoss, DiceLoss, FocalLoss, GeneralizedDiceLoss, GeneralizedWassersteinDiceLoss, MaskedDiceLoss,
  MaskedLoss, TverskyLoss,
} from '../../src/losses/index.js';

const start = torch.memory().liveTensors;
let before = 0;
beforeEach(() => {
  before = torch.memory().liveTensors;
});
afterEach(() => {
  assert.equal(torch.memory().liveTensors, before, 'live tensors left behind by the test');
});

/** Runs fn and returns the warnings it emitted (process 'warning' events are asynchronous: collect via emitWarning). */
function warningsOf(fn: () => void): string[] {
  const seen: string[] = [];
  const orig = process.emitWarning;
  (process as any).emitWarning = (w: string | Error) => seen.push(String(w instanceof Error ? w.message : w));
  try {
    fn();
  } finally {
    process.emitWarning = orig;
  }
  return seen;
}

function data(): { x: Tensor; y: Tensor; lab: Tensor } {
  return torch.tidy(() => {
    torch.manualSeed(0);
    const x = torch.randn([2, 3, 4, 4]);
    const lab = torch.randint(0, 3, [2, 1, 4, 4]);
    const y = torch.zeros([2, 3, 4, 4]).scatter_(1, lab, 1);
    return { x, y, lab };
  });
}

test('unknown options, reductions and enum values are errors naming the loss and the option', () => {
  assert.throws(() => new DiceLoss({ reduction: 'avg' as any }), /DiceLoss: reduction must be one of 'none', 'mean', 'sum', found 'avg'/);
  assert.throws(() => new DiceLoss({ includeBackgound: false } as any), /DiceLoss: unknown option 'includeBackgound' \(did you mean 'includeBackground'\?\)/);
  assert.throws(() => new DiceLoss({ sigmoid: true, softmax: true }), /DiceLoss: sigmoid, softmax and otherAct are exclusive/);
  assert.throws(() => new TverskyLoss({ softmax: true, otherAct: (t: Tensor) => t }), /TverskyLoss: sigmoid, softmax and otherAct are exclusive/);
  assert.throws(() => new DiceLoss({ otherAct: 'tanh' as any }), /DiceLoss: otherAct must be null or a function/);
  assert.throws(() => new GeneralizedDiceLoss({ wType: 'squared' as any }), /GeneralizedDiceLoss: wType must be one of 'square', 'simple', 'uniform', found 'squared' \(did you mean 'square'\?\)/);
  assert.throws(() => new DiceCELoss({ reduction: 'none' as any }), /DiceCELoss: reduction must be one of 'mean', 'sum', found 'none'/);
  assert.throws(() => new DiceCELoss({ lambdaCe: -1 }), /DiceCELoss: lambdaCe should be no less than 0.0, found -1/);
  assert.throws(() => new DiceFocalLoss({ lambdaFocal: -0.5 }), /DiceFocalLoss: lambdaFocal should be no less than 0.0/);
  assert.throws(() => new FocalLoss({ alpha: 1.5 }), /FocalLoss: alpha should be in \[0, 1\], found 1.5/);
  assert.throws(() => new FocalLoss({ weight: 'x' as any }), /FocalLoss: weight must be a number, an array of numbers or a Tensor/);
  assert.throws(() => new GeneralizedWassersteinDiceLoss({ distMatrix: [[0, 1, 1], [1, 0, 1]] }), /GeneralizedWassersteinDiceLoss: distMatrix must be C x C, found 2 x 3/);
  assert.throws(() => new GeneralizedWassersteinDiceLoss({ distMatrix: [[0, 1], [1, 0]], weightingMode: 'gdl' as any }), /weightingMode must be one of 'default', 'GDL', found 'gdl' \(did you mean 'GDL'\?\)/);
  assert.throws(() => new GeneralizedWassersteinDiceLoss({} as any), /GeneralizedWassersteinDiceLoss: missing required option 'distMatrix'/);
  assert.throws(() => new DeepSupervisionLoss(new DiceLoss(), { weightMode: 'linear' as any }), /DeepSupervisionLoss: weightMode must be one of 'same', 'exp', 'two'/);
  assert.throws(() => new DeepSupervisionLoss((() => 0) as any), /DeepSupervisionLoss: loss must be a loss module/);
});

test('mismatched shapes and wrong channels are errors naming the loss', () => {
  const { x, y, lab } = data();
  const two = torch.zeros([2, 2, 4, 4]);
  assert.throws(() => new DiceLoss().forward(x, lab), /DiceLoss: ground truth has a different shape \(\[2, 1, 4, 4\]\) from input \(\[2, 3, 4, 4\]\); for a label-index target of shape \[B, 1, \.\.\.\] set toOnehotY=true/);
  assert.throws(() => new DiceLoss({ toOnehotY: true }).forward(x, y), /DiceLoss: toOnehotY expects a target of label indices with one channel/);
  assert.throws(() => new DiceLoss({ includeBackground: false }).forward(x, two), /DiceLoss: ground truth has a different shape \(\[2, 1, 4, 4\]\) from input \(\[2, 2, 4, 4\]\) after includeBackground=false/);
  const big = torch.fullLike(lab, 5);
  assert.throws(() => new FocalLoss({ toOnehotY: true }).forward(x, big), /FocalLoss: toOnehotY found label values in \[5, 5\], expected values in \[0, 2\] for 3 input channels/);
  assert.throws(() => new TverskyLoss().forward(x, two), /TverskyLoss: ground truth has a different shape/);
  assert.throws(() => new GeneralizedDiceLoss().forward(x, two), /GeneralizedDiceLoss: ground truth has a different shape/);
  assert.throws(() => new DiceCELoss().forward(x, two), /DiceCELoss: target must have 1 channel \(label indices\) or as many channels as input \(one-hot\)/);
  const flatLab = torch.zeros([2, 4, 4], { dtype: 'int64' });
  assert.throws(() => new DiceFocalLoss().forward(x, flatLab), /DiceFocalLoss: input and target must have the same number of dimensions, found input \[2, 3, 4, 4\] \(4 dims\) and target \[2, 4, 4\] \(3 dims\)/);
  const dw = new DiceLoss({ weight: [1, 2] });
  assert.throws(() => dw.forward(x, y), /DiceLoss: weight must have one value per class: 3 \(without the background class when includeBackground is false\), found 2/);
  const neg = new FocalLoss({ weight: [1, -2, 1] });
  assert.throws(() => neg.forward(x, y), /FocalLoss: weight values should be no less than 0, found -2/);
  const w = new GeneralizedWassersteinDiceLoss({ distMatrix: [[0, 1], [1, 0]] });
  assert.throws(() => w.forward(x, lab), /GeneralizedWassersteinDiceLoss: input must have shape \[B, 2, \.\.\.\] for a 2 x 2 distMatrix, found \[2, 3, 4, 4\]/);
  const mask3 = torch.ones([3, 1, 4, 4]);
  assert.throws(() => new MaskedDiceLoss().forward(x, y, mask3), /MaskedDiceLoss: batch size of mask \(\[3, 1, 4, 4\]\) must be one or equal to input's/);
  const mask2c = torch.ones([2, 2, 4, 4]);
  assert.throws(() => new MaskedLoss(new DiceLoss()).forward(x, y, mask2c), /MaskedLoss: mask \(\[2, 2, 4, 4\]\) must have only one channel/);
  torch.dispose([x, y, lab, two, big, flatLab, dw, neg, w, mask3, mask2c]);
});

test("MONAI's warnings: single channel with softmax / toOnehotY / includeBackground=false, softmax focal alpha, missing mask", () => {
  const x1 = torch.randn([2, 1, 4, 4]);
  const y1 = torch.ones([2, 1, 4, 4]);
  const loss = new DiceLoss({ softmax: true, toOnehotY: true, includeBackground: false });
  const w1 = warningsOf(() => loss.forward(x1, y1).dispose());
  assert.deepEqual(w1, [
    'DiceLoss: single channel prediction, `softmax=true` ignored.',
    'DiceLoss: single channel prediction, `toOnehotY=true` ignored.',
    'DiceLoss: single channel prediction, `includeBackground=false` ignored.',
  ]);
  // once per loss instance, as Python shows a warning once per call site
  assert.deepEqual(warningsOf(() => loss.forward(x1, y1).dispose()), []);
  const { x, y, lab } = data();
  const fl = new FocalLoss({ useSoftmax: true, alpha: 0.3, includeBackground: false });
  assert.deepEqual(warningsOf(() => fl.forward(x, y).dispose()), ['FocalLoss: `includeBackground=false`, `alpha` ignored when using softmax.']);
  assert.equal(fl.alpha, null);
  assert.deepEqual(warningsOf(() => new MaskedLoss(new DiceLoss()).forward(x, y).dispose()), ['MaskedLoss: No mask value specified for the MaskedLoss.']);
  torch.dispose([x1, y1, x, y, lab]);
});

test("state dicts have MONAI's keys; weights are buffers that follow to()", () => {
  const w = torch.tensor([0.2, 0.3, 0.5]);
  const dl = new DiceLoss({ weight: [1, 2, 3] });
  const dsd = dl.stateDict();
  assert.deepEqual(Object.keys(dsd), ['class_weight']);
  const ce = new DiceCELoss({ weight: w, includeBackground: false });
  const sd = ce.stateDict();
  assert.deepEqual(Object.keys(sd).sort(), ['binary_cross_entropy.pos_weight', 'cross_entropy.weight', 'dice.class_weight']);
  assert.deepEqual(sd['dice.class_weight'].toArray(), [0.3, 0.5].map(Math.fround));
  const df = new DiceFocalLoss({ weight: 0.5 });
  const dfsd = df.stateDict();
  assert.deepEqual(Object.keys(dfsd).sort(), ['dice.class_weight', 'focal.class_weight']);
  const ds = new DeepSupervisionLoss(new FocalLoss({ weight: [1, 2] }));
  const dssd = ds.stateDict();
  assert.deepEqual(Object.keys(dssd), ['loss.class_weight']);
  const f64 = new DiceLoss({ weight: [1, 2, 3] }).to('float64');
  assert.equal(f64.class_weight!.dtype, 'float64');
  torch.dispose([w, sd, ce, df, ds, f64, dl, dsd, dfsd, dssd]);
});

test('DeepSupervisionLoss weights per mode', () => {
  const d = new DiceLoss();
  assert.deepEqual(new DeepSupervisionLoss(d).getWeights(6), [1, 0.5, 0.25, 0.125, 0.0625, 0.0625]);
  assert.deepEqual(new DeepSupervisionLoss(d, { weightMode: 'two' }).getWeights(3), [1, 0.5, 0.5]);
  assert.deepEqual(new DeepSupervisionLoss(d, { weightMode: 'same' }).getWeights(0), [1]);
  assert.deepEqual(new DeepSupervisionLoss(d, { weights: [0.3, 0.2] }).getWeights(2), [0.3, 0.2]);
  // fewer explicit weights than levels: the mode's
  assert.deepEqual(new DeepSupervisionLoss(d, { weights: [0.3], weightMode: 'same' }).getWeights(2), [1, 1]);
  const t = torch.zeros([1]);
  assert.throws(() => new DeepSupervisionLoss(d).forward(null, t), /DeepSupervisionLoss: input shouldn't be null/);
  t.dispose();
});

test('a few Adam steps on DiceCELoss reduce it (gradients flow through libtorch autograd)', () => {
  const { x, y, lab } = data();
  const logits = torch.zeros([2, 3, 4, 4]).requiresGrad_(true);
  const loss = new DiceCELoss({ softmax: true, toOnehotY: true });
  const opt = new torch.optim.Adam([logits], { lr: 0.5 });
  const vals: number[] = [];
  for (let i = 0; i < 5; i++) {
    opt.zeroGrad();
    const l = loss.forward(logits, lab);
    vals.push(l.item());
    torch.tidy(() => l.backward());
    l.dispose();
    opt.step();
  }
  assert.ok(vals[4] < vals[0] * 0.5, `loss went ${vals.join(' -> ')}`);
  opt.dispose();
  torch.dispose([x, y, lab, logits]);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

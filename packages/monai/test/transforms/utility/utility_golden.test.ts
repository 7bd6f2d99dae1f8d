// Utility transforms against MONAI 1.4 (tools/goldens/transforms/utility/make_utility.py -> utility.json).
// Tolerances: exact for every layout, label, index, cast and item operation; 1e-12 for affines and for
// AddCoordinateChannels' coordinates (numpy's and torch's linspace may differ in the last ulp before the float32 cast).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import {
  AddCoordinateChannels, AsChannelLast, CastToType, ClassesToIndices, ConvertToMultiChannelBasedOnBratsClasses, EnsureType, FgBgToIndices,
  LabelToMask, Lambda, RandLambda, RemoveRepeatedChannel, RepeatChannel, SplitDim, SqueezeDim, Transpose,
} from '../../../src/transforms/utility/array.js';
import { ConcatItemsd, CopyItemsd, DeleteItemsd, RandLambdad, SelectItemsd } from '../../../src/transforms/utility/dictionary.js';

interface Enc { shape: number[]; dtype: string; values: (number | boolean)[] }
const G = JSON.parse(readFileSync(new URL('../../../../../tools/goldens/transforms/utility/utility.json', import.meta.url), 'utf8'));
const C = G.cases;
const start = torch.memory().liveTensors;

function dec(e: Enc): Tensor {
  const dtype = e.dtype as torch.DType;
  return torch.tidy(() => torch.tensor(e.values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)), { dtype: 'float64' }).to({ dtype }).reshape(e.shape));
}

function image(): MetaTensor {
  return MetaTensor.wrap(dec(G.image), { affine: Float64Array.from(G.affine), meta: { filename_or_obj: 'img.nii' } });
}

function same(t: unknown, e: Enc, what: string, tol = 0): void {
  assert.ok(t instanceof Tensor, `${what}: a tensor`);
  assert.deepEqual(t.shape, e.shape, `${what}: shape`);
  assert.equal(t.dtype, e.dtype, `${what}: dtype`);
  const got = (t.dtype === 'bool' ? t.toArray() : t.to({ dtype: 'float64' }).toArray()) as unknown;
  const flat = (Array.isArray(got) ? (got as unknown[]).flat(Infinity) : [got]) as (number | boolean)[];
  assert.equal(flat.length, e.values.length, `${what}: size`);
  for (let i = 0; i < flat.length; i++) {
    const a = flat[i];
    const b = e.values[i];
    if (tol === 0 || typeof a === 'boolean') assert.equal(a, b, `${what}: value ${i}`);
    else assert.ok(Math.abs((a as number) - (b as number)) <= tol, `${what}: value ${i}: ${a} vs ${b}`);
  }
}

function sameAffine(t: unknown, want: number[], what: string): void {
  assert.ok(t instanceof MetaTensor, `${what}: a MetaTensor`);
  const a = Array.from(t.affine);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(a[i] - want[i]) <= 1e-12, `${what}: affine[${i}] ${a[i]} vs ${want[i]}`);
}

/** Runs a case in a tidy scope: inputs and outputs made inside are freed. */
function run(name: string, fn: () => void): void {
  test(name, () => {
    const live = torch.memory().liveTensors;
    torch.tidy(fn);
    assert.equal(torch.memory().liveTensors, live, `${name}: no tensor left`);
  });
}

run('AsChannelLast, RepeatChannel, RemoveRepeatedChannel, Transpose, CastToType', () => {
  same(new AsChannelLast().call(image()), C.AsChannelLast, 'AsChannelLast');
  same(new RepeatChannel({ repeats: 2 }).call(image()), C.RepeatChannel2, 'RepeatChannel');
  same(new RemoveRepeatedChannel({ repeats: 2 }).call(dec(C.RemoveRepeatedChannel2.input)), C.RemoveRepeatedChannel2.out, 'RemoveRepeatedChannel');
  same(new Transpose({ indices: null }).call(image()), C.Transpose_none, 'Transpose(null)');
  same(new Transpose({ indices: [0, 2, 1, 3] }).call(image()), C.Transpose_0213, 'Transpose([0, 2, 1, 3])');
  const x = torch.tensor([[1.7, -2.2, 300.9]]);
  same(new CastToType({ dtype: 'int16' }).call(x), C.CastToType_int16, 'CastToType int16');
});

run('SplitDim shifts each piece\'s affine along the split axis (keepdim)', () => {
  for (const [name, opts] of [['SplitDim_last', { dim: -1 }], ['SplitDim_1', { dim: 1 }], ['SplitDim_0', { dim: 0 }]] as const) {
    const outs = new SplitDim(opts).call(image());
    assert.equal(outs.length, C[name].length, name);
    outs.forEach((o, i) => {
      same(o, C[name][i].out, `${name}[${i}]`);
      sameAffine(o, C[name][i].affine, `${name}[${i}]`);
    });
  }
});

run('SplitDim keepdim=false: values as MONAI; affines shifted as with keepdim (MONAI 1.4 leaves them unshifted, compat.md)', () => {
  const outs = new SplitDim({ dim: 2, keepdim: false }).call(image());
  const kept = new SplitDim({ dim: 2 }).call(image());
  outs.forEach((o, i) => {
    same(o, C.SplitDim_2_squeeze[i].out, `piece ${i}`);
    assert.deepEqual(Array.from((o as MetaTensor).affine), Array.from((kept[i] as MetaTensor).affine));
  });
  // MONAI's own affines are the unshifted input affine
  for (const c of C.SplitDim_2_squeeze) assert.deepEqual(c.affine, G.affine);
});

run('SqueezeDim drops the squeezed axis from the affine (MONAI\'s 3x3 embedded in 4x4)', () => {
  const input = MetaTensor.wrap(dec(C.SqueezeDim_2.input), { affine: Float64Array.from(G.affine) });
  const out = new SqueezeDim({ dim: 2 }).call(input);
  same(out, C.SqueezeDim_2.out, 'SqueezeDim(2)');
  sameAffine(out, C.SqueezeDim_2.affine, 'SqueezeDim(2)');
  const o0 = new SqueezeDim({ dim: 0 }).call(image());
  same(o0, C.SqueezeDim_0.out, 'SqueezeDim(0)');
  sameAffine(o0, C.SqueezeDim_0.affine, 'SqueezeDim(0)');
});

run('LabelToMask: label values and one-hot channels, merged or not', () => {
  const l1 = dec(C.labels.label1);
  const oh = dec(C.labels.onehot);
  same(new LabelToMask({ selectLabels: [1, 2] }).call(l1), C.LabelToMask_12, 'values [1, 2]');
  same(new LabelToMask({ selectLabels: [1, 2], mergeChannels: true }).call(l1), C.LabelToMask_12_merge, 'values [1, 2] merged');
  same(new LabelToMask({ selectLabels: [0, 2] }).call(oh), C.LabelToMask_onehot_02, 'channels [0, 2]');
  same(new LabelToMask({ selectLabels: [0, 2], mergeChannels: true }).call(oh), C.LabelToMask_onehot_02_merge, 'channels [0, 2] merged');
});

run('FgBgToIndices and ClassesToIndices (flat and unravelled, with image threshold and subsampling)', () => {
  const l1 = dec(C.labels.label1);
  const oh = dec(C.labels.onehot);
  const chk = (got: Tensor[], want: Enc[], what: string) => {
    assert.equal(got.length, want.length, what);
    got.forEach((g, i) => same(g, want[i], `${what}[${i}]`));
  };
  chk(new FgBgToIndices().call(l1), C.FgBg, 'FgBg');
  chk(new FgBgToIndices({ imageThreshold: 0.5 }).call(l1, image()), C.FgBg_image_05, 'FgBg image > 0.5');
  chk(new FgBgToIndices({ outputShape: [4, 5, 3] }).call(oh), C.FgBg_onehot_shape, 'FgBg one-hot unravelled');
  chk(new ClassesToIndices({ numClasses: 3 }).call(l1), C.Classes_3, 'Classes');
  chk(new ClassesToIndices({ numClasses: 3, imageThreshold: 0.3, maxSamplesPerClass: 2 }).call(l1, image()), C.Classes_3_image_max2, 'Classes image, max 2');
  chk(new ClassesToIndices({ outputShape: [4, 5, 3] }).call(oh), C.Classes_onehot_shape, 'Classes one-hot unravelled');
});

run('AddCoordinateChannels, ConvertToMultiChannelBasedOnBratsClasses', () => {
  same(new AddCoordinateChannels({ spatialDims: [0, 2] }).call(image()), C.AddCoordinateChannels_02, 'AddCoordinateChannels', 1e-7);
  same(new ConvertToMultiChannelBasedOnBratsClasses().call(dec(C.Brats.input)), C.Brats.out, 'Brats');
});

run('EnsureType: lists to tensors with MONAI\'s dtypes, dtype casts', () => {
  same(new EnsureType().call([1, 2.5, 3]), C.EnsureType_list, 'mixed list');
  same(new EnsureType().call([1, 2, 3]), C.EnsureType_int_list, 'int list');
  same(new EnsureType({ dtype: 'float64' }).call(torch.tensor([1.5, 2.0])), C.EnsureType_float64, 'float64');
});

run('ConcatItemsd, CopyItemsd, DeleteItemsd, SelectItemsd', () => {
  const d = { a: MetaTensor.wrap(torch.ones([1, 2, 2])), b: MetaTensor.wrap(torch.zeros([2, 2, 2])), c: 'text' };
  same(new ConcatItemsd({ keys: ['a', 'b'], name: 'ab' }).call(d).ab, C.ConcatItemsd, 'ConcatItemsd');
  assert.deepEqual(Object.keys(new CopyItemsd({ keys: ['a', 'c'], times: 2, names: ['a1', 'c1', 'a2', 'c2'] }).call(d)), C.CopyItemsd_keys);
  const nested = { img: 1, meta: { filename: 'x', spacing: 2, space_x: 3 }, label_1: 4, label_2: 5 };
  assert.deepEqual(new DeleteItemsd({ keys: 'meta.filename' }).call(nested), C.DeleteItemsd_nested);
  assert.deepEqual(new DeleteItemsd({ keys: ['label_\\d', 'meta.space_'], useRe: true }).call(nested), C.DeleteItemsd_re);
  assert.deepEqual(nested.meta, { filename: 'x', spacing: 2, space_x: 3 }, 'the input item is not changed');
  assert.deepEqual(Object.keys(new SelectItemsd({ keys: ['c', 'a'] }).call(d)), C.SelectItemsd);
});

run('Lambda output and record', () => {
  const out = new Lambda({ func: (x: Tensor) => x.add(1) }).call(image()) as MetaTensor;
  same(out, C.Lambda.out, 'Lambda');
  assert.deepEqual(out.appliedOperations.map((o) => o.class), C.Lambda.ops);
});

run('RandLambda / RandLambdad draw whether to run as MONAI for the same seeds', () => {
  for (const [seed, want] of Object.entries(C.RandLambda_draws as Record<string, boolean[]>)) {
    const r = new RandLambda({ func: (x: Tensor) => x.mul(2), prob: 0.5 }).setRandomState({ seed: Number(seed) });
    const got = want.map(() => {
      const o = r.call(image()) as MetaTensor;
      return o.appliedOperations[o.appliedOperations.length - 1].do_transforms;
    });
    assert.deepEqual(got, want, `RandLambda seed ${seed}`);
  }
  for (const [seed, want] of Object.entries(C.RandLambdad_draws as Record<string, boolean[]>)) {
    const r = new RandLambdad({ keys: ['a'], func: (x: Tensor) => x.mul(2), prob: 0.3 }).setRandomState({ seed: Number(seed) });
    const got = want.map(() => {
      const o = r.call({ a: MetaTensor.wrap(torch.ones([1, 2])) }).a as MetaTensor;
      return o.appliedOperations[o.appliedOperations.length - 1].do_transforms;
    });
    assert.deepEqual(got, want, `RandLambdad seed ${seed}`);
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

// Post-processing transforms against MONAI 1.4 (goldens from tools/goldens/transforms/post/make_post.py):
// every case of the golden file, with the stated tolerance (exact for label operations, thresholds and
// discretisation; 1e-6 relative for activations/ensembles, 1e-5 for Sobel, 1e-12 for the EDT), plus the
// dictionary forms, metadata, Invert/Invertd and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import * as post from '../../../src/transforms/post/index.js';
import { Transform, TransformError, applyTransform } from '../../../src/transforms/transform.js';
import { assertClose, fromGolden, readGolden, values } from '../../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

type Enc = { shape: number[]; dtype: string; data: number[] };
const G = readGolden('transforms/post/post_goldens.json') as { cases: { name: string; options: Record<string, unknown>; inputs: Enc[]; output: Enc | number[][]; tol: number }[] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CLASSES: Record<string, new (o: any) => Transform> = {
  Activations: post.Activations,
  AsDiscrete: post.AsDiscrete,
  KeepLargestConnectedComponent: post.KeepLargestConnectedComponent,
  RemoveSmallObjects: post.RemoveSmallObjects,
  LabelFilter: post.LabelFilter,
  FillHoles: post.FillHoles,
  LabelToContour: post.LabelToContour,
  MeanEnsemble: post.MeanEnsemble,
  VoteEnsemble: post.VoteEnsemble,
  SobelGradients: post.SobelGradients,
  DistanceTransformEDT: post.DistanceTransformEDT,
  ProbNMS: post.ProbNMS,
};

test('every golden case matches MONAI 1.4', () => {
  assert.ok(G.cases.length >= 50, 'golden file has its cases');
  const seen = new Set<string>();
  G.cases.forEach((c, i) => {
    const Cls = CLASSES[c.name];
    assert.ok(Cls, `no class for ${c.name}`);
    seen.add(c.name);
    const t = new Cls(c.options);
    const inputs = c.inputs.map(fromGolden);
    const what = `case ${i} ${c.name}(${JSON.stringify(c.options)})`;
    try {
      const y = t.call(inputs[0]) as torch.Tensor | number[][];
      if (Array.isArray(y)) {
        assert.deepEqual(y.length, (c.output as number[][]).length, `${what}: number of peaks`);
        y.forEach((row, k) => assertClose(row, (c.output as number[][])[k], { rtol: 1e-6, atol: 0 }, `${what} peak ${k}`));
        return;
      }
      const exp = c.output as Enc;
      assert.deepEqual(y.shape, exp.shape, `${what}: shape`);
      assertClose(values(y), exp.data, { rtol: c.tol, atol: c.tol ? 1e-7 : 0 }, what);
      y.dispose();
    } finally {
      inputs.forEach((x) => x.dispose());
    }
  });
  assert.deepEqual([...seen].sort(), Object.keys(CLASSES).sort(), 'every post transform has golden cases');
});

test('outputs keep the input metadata and never modify the input', () => {
  const lab = MetaTensor.wrap(torch.tensor([[[1, 0, 1], [0, 0, 0], [1, 1, 0]]], { dtype: 'float32' }), { affine: [2, 0, 0, 5, 0, 3, 0, 6, 0, 0, 1, 0, 0, 0, 0, 1] });
  lab.meta.filename_or_obj = 'x.nii';
  const before = values(lab);
  for (const t of [new post.KeepLargestConnectedComponent({ connectivity: 1 }), new post.FillHoles(), new post.LabelFilter({ appliedLabels: 1 }), new post.AsDiscrete({ threshold: 0.5 }), new post.LabelToContour(), new post.DistanceTransformEDT()]) {
    const y = t.call(lab);
    assert.ok(y instanceof MetaTensor, `${t.name} returns a MetaTensor`);
    assert.equal(y.meta.filename_or_obj, 'x.nii');
    assert.deepEqual(Array.from(y.affine), Array.from(lab.affine));
    assert.notEqual(y.meta, lab.meta, `${t.name}: metadata is copied, not shared`);
    y.dispose();
  }
  assert.deepEqual(values(lab), before, 'input unchanged');
  lab.dispose();
});

test('dictionary forms apply per key with per-key options', () => {
  const d = {
    pred: torch.tensor([[[0.2, 2.0]], [[1.0, -1.0]]]),
    label: torch.tensor([[[1, 0]]], { dtype: 'float32' }),
  };
  const out = new post.AsDiscreted({ keys: ['pred', 'label'], argmax: [true, false], toOnehot: 2 }).call(d);
  assert.deepEqual(values(out.pred as torch.Tensor), [0, 1, 1, 0]);
  assert.deepEqual(values(out.label as torch.Tensor), [0, 1, 1, 0]);
  const act = new post.Activationsd({ keys: 'pred', softmax: true }).call(d);
  assertClose(values(act.pred as torch.Tensor), [0.3100255, 0.9525741, 0.6899745, 0.0474259], { rtol: 1e-6, atol: 0 }, 'softmax');
  const ens = new post.MeanEnsembled({ keys: ['pred', 'pred'], outputKey: 'mean' }).call(d);
  assert.deepEqual(values(ens.mean as torch.Tensor), values(d.pred));
  for (const v of [out.pred, out.label, act.pred, ens.mean, d.pred, d.label]) (v as torch.Tensor).dispose();
});

test('Invert and Invertd undo a recorded transform on a prediction', async () => {
  // a tiny invertible transform: flips the last axis and records it
  class FlipLast extends Transform {
    call(x: torch.Tensor): torch.Tensor {
      const y = x instanceof MetaTensor ? x.withTensor(x.flip([-1])) : x.flip([-1]);
      return this.pushTransform(y, { extraInfo: { mode: 'bilinear', align_corners: false } });
    }
    inverse(x: unknown): unknown {
      if (x instanceof MetaTensor) {
        const rec = this.popTransform(x);
        assert.equal((rec.extra_info as Record<string, unknown>).mode, 'nearest', 'Invert converts the recorded mode to nearest');
        return x.withTensor(x.flip([-1]));
      }
      const d = { ...(x as Record<string, unknown>) };
      d.img = this.inverse(d.img);
      return d;
    }
  }
  const f = new FlipLast();
  const img = MetaTensor.wrap(torch.tensor([[1, 2, 3]], { dtype: 'float32' }));
  const flipped = f.call(img) as MetaTensor;
  const back = new post.Invert({ transform: f }).call(flipped);
  assert.deepEqual(values(back), [1, 2, 3]);
  const pred = MetaTensor.wrap(torch.tensor([[7, 8, 9]], { dtype: 'float32' }));
  const d = new post.Invertd({ keys: 'pred', origKeys: 'img', transform: f }).call({ img: flipped, pred });
  assert.deepEqual(values(d.pred as torch.Tensor), [9, 8, 7]);
  assert.notEqual(d.pred, pred, 'a new tensor; the prediction given is left as it was');
  assert.deepEqual(values(pred), [7, 8, 9]);
  // a plain tensor without `img_transforms` in the item: MONAI warns and leaves it
  const plain = torch.tensor([[1, 2]]);
  const warned: string[] = [];
  const onWarn = (w: Error) => warned.push(w.message);
  process.on('warning', onWarn);
  const same = new post.Invertd({ keys: 'pred', origKeys: 'img', transform: f }).call({ img: flipped, pred: plain });
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarn);
  assert.equal(same.pred, plain);
  assert.ok(warned.some((m) => /transform info of 'img' is not available/.test(m)), 'warned');
  plain.dispose();
  assert.equal(flipped.appliedOperations.length, 1, 'Invertd leaves the original record in place');
  for (const t of [img, flipped, back, pred, d.pred as torch.Tensor]) t.dispose();
});

test('bad input names the transform, the option and what was expected', () => {
  assert.throws(() => new post.AsDiscrete({ toOnehot: true as unknown as number }), /AsDiscrete: toOnehot=true\/false is not supported/);
  assert.throws(() => new post.AsDiscrete({ argmx: true } as never), /argmx.*argmax/s);
  assert.throws(() => new post.AsDiscrete({ rounding: 'round' as never }), /AsDiscrete.*rounding/);
  assert.throws(() => new post.KeepLargestConnectedComponent({ numComponents: 0 }), /numComponents must be a positive integer/);
  assert.throws(() => new post.SobelGradients({ kernelSize: 4 }), /kernelSize must be odd/);
  assert.throws(() => new post.Invert({ transform: {} as never }), /Invert: transform must be invertible/);
  const x = torch.zeros([1, 4, 4]);
  const ones = torch.ones([1, 4, 4]);
  assert.throws(() => new post.KeepLargestConnectedComponent({ connectivity: 3 }).call(ones), /connectivity must be an integer in \[1, 2\]/);
  assert.throws(() => new post.FillHoles({ connectivity: 0 }).call(ones), /FillHoles: connectivity must be an integer in \[1, 2\]/);
  const flat = x.flatten();
  assert.throws(() => new post.LabelToContour().call(flat), /LabelToContour: only 2D or 3D/);
  ones.dispose();
  flat.dispose();
  assert.throws(() => new post.AsDiscreted({ keys: 'pred' }).call({ label: x }), (e: Error) => /AsDiscreted: key 'pred' is not in the data/.test(e.message));
  assert.throws(() => applyTransform(new post.AsDiscreted({ keys: 'pred' }), { label: x }), (e: Error) => e instanceof TransformError && /AsDiscreted/.test(e.message));
  assert.deepEqual(new post.AsDiscreted({ keys: 'pred', allowMissingKeys: true }).call({ label: x }), { label: x });
  x.dispose();
});

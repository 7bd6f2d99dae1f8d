// Utility transforms: metadata, ownership, inverses, conversions and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor, identityAffine } from '../../../src/data/meta_tensor.js';
import { Compose } from '../../../src/transforms/compose.js';
import {
  CastToType, DataStats, EnsureType, Identity, Lambda, RandLambda, SimulateDelay, SplitDim, SqueezeDim, ToDevice, ToTensor, Transpose, unravelIndices,
} from '../../../src/transforms/utility/array.js';
import {
  CastToTyped, ClassesToIndicesd, ConcatItemsd, CopyItemsd, DataStatsd, DeleteItemsd, EnsureTyped, FgBgToIndicesd, IdentityD, IdentityDict, Identityd, Lambdad,
  RandLambdad, SelectItemsd, SplitDimd, SqueezeDimd, ToTensord, Transposed,
} from '../../../src/transforms/utility/dictionary.js';
import * as monai from '../../../src/index.js';

const start = torch.memory().liveTensors;

function img(name = 'a.nii'): MetaTensor {
  const a = identityAffine();
  a[3] = 5;
  return MetaTensor.wrap(torch.tidy(() => torch.arange(24, { dtype: 'float32' }).reshape([1, 2, 3, 4])), { affine: a, meta: { filename_or_obj: name } });
}

/** Runs fn in a tidy scope and checks it leaves nothing behind. */
function run(name: string, fn: () => void): void {
  test(name, () => {
    const live = torch.memory().liveTensors;
    torch.tidy(fn);
    assert.equal(torch.memory().liveTensors, live, `${name}: no tensor left`);
  });
}

run('outputs keep the input\'s metadata (deep copy) and the input is untouched', () => {
  const x = img();
  for (const out of [new Transpose({ indices: [0, 1, 3, 2] }).call(x), new CastToType({ dtype: 'int32' }).call(x), new SqueezeDim().call(x), ...new SplitDim().call(x)]) {
    assert.ok(out instanceof MetaTensor);
    assert.equal(out.meta.filename_or_obj, 'a.nii');
    assert.notEqual(out.affine, x.affine);
  }
  assert.equal(x.isDisposed, false);
  assert.deepEqual(x.shape, [1, 2, 3, 4]);
});

run('pass-throughs return the same object; conversions with nothing to do too', () => {
  const x = img();
  assert.equal(new Identity().call(x), x);
  assert.equal(new CastToType({ dtype: 'float32' }).call(x), x);
  assert.equal(new ToDevice({ device: 'cpu' }).call(x), x);
  assert.equal(new EnsureType().call(x), x);
  const t0 = Date.now();
  assert.equal(new SimulateDelay({ delayTime: 0.05 }).call(x), x);
  assert.ok(Date.now() - t0 >= 45, 'SimulateDelay blocks');
  assert.equal(IdentityD, Identityd);
  assert.equal(IdentityDict, Identityd);
  assert.equal(monai.EnsureTypeD, EnsureTyped, 'aliases are exported by the package');
  assert.equal(typeof monai.SplitDim, 'function');
});

run('ToTensor / EnsureType: tensors, typed arrays, numbers, nested values; track_meta; numpy data type', () => {
  const plain = torch.ones([2, 3]).t(); // not contiguous
  const m = new ToTensor().call(plain) as MetaTensor;
  assert.ok(m instanceof MetaTensor);
  assert.equal(plain.isDisposed, false, 'the input is kept');
  const tt = new ToTensor({ trackMeta: false }).call(new Float32Array([1, 2])) as Tensor;
  assert.equal(tt.constructor, Tensor);
  assert.equal(tt.dtype, 'float32');
  const n = new ToTensor().call(3) as Tensor;
  assert.deepEqual(n.shape, []);
  assert.equal(n.dtype, 'int64');
  const seq = new ToTensor({ wrapSequence: false }).call([1, 2.5, 's']) as unknown[];
  assert.equal((seq[0] as Tensor).dtype, 'int64');
  assert.equal((seq[1] as Tensor).dtype, 'float32');
  assert.equal(seq[2], 's');
  const dict = new EnsureType({ wrapSequence: false }).call({ a: [1, 2], b: 'x' }) as { a: Tensor[]; b: string };
  assert.equal(dict.a.length, 2);
  assert.equal(dict.b, 'x');
  const x = img();
  x.appliedOperations.push({ class: 'Flip' });
  const cleared = new ToTensor().call(x) as MetaTensor;
  assert.equal(cleared, x);
  assert.deepEqual(x.appliedOperations, [], 'ToTensor drops applied operations, as MONAI');
  const np = new EnsureType({ dataType: 'numpy' }).call(img()) as Tensor;
  assert.equal(np.constructor, Tensor, "'numpy' gives a plain tensor");
  assert.equal(np.device, 'cpu');
  const noMeta = new EnsureType({ trackMeta: false }).call(img()) as Tensor;
  assert.equal(noMeta.constructor, Tensor);
});

run('Lambda records itself and inverts through invFunc; a plain result becomes a MetaTensor, the input itself is shared', () => {
  const l = new Lambda({ func: (x: Tensor) => x.mul(2), invFunc: (x: Tensor) => x.div(2) });
  const x = img();
  const y = l.call(x) as MetaTensor;
  assert.equal(y.appliedOperations.at(-1)!.class, 'Lambda');
  const back = l.inverse(y) as MetaTensor;
  assert.ok(torch.equal(back, x));
  assert.equal(y.appliedOperations.length, 0, 'inverse popped the record');
  const p = torch.ones([2]);
  const same = new Lambda({ func: (t: Tensor) => t }).call(p) as MetaTensor;
  assert.ok(same instanceof MetaTensor);
  assert.equal(p.isDisposed, false, 'the input the function returned is not taken over');
  assert.throws(() => new Lambda().call(x), /Lambda: func must be a function/);
});

run('RandLambda: skipped calls give a copy, records do_transforms, inverse only undoes what ran', () => {
  const r = new RandLambda({ func: (x: Tensor) => x.add(1), invFunc: (x: Tensor) => x.sub(1), prob: 0 });
  const x = img();
  const y = r.call(x) as MetaTensor;
  assert.notEqual(y, x);
  assert.ok(torch.equal(y, x));
  assert.equal(y.appliedOperations.at(-1)!.do_transforms, false);
  assert.equal(r.inverse(y), y);
  const r1 = new RandLambda({ func: (t: Tensor) => t.add(1), invFunc: (t: Tensor) => t.sub(1), prob: 1 });
  const z = r1.call(x) as MetaTensor;
  assert.equal(z.appliedOperations.length, 1);
  assert.equal(z.appliedOperations[0].class, 'RandLambda');
  assert.ok(torch.equal(r1.inverse(z) as Tensor, x));
});

run('Transposed and ToTensord invert; Lambdad overwrite options; RandLambdad', () => {
  const t = new Transposed({ keys: 'img', indices: [0, 3, 1, 2] });
  const d = t.call({ img: img() });
  assert.deepEqual((d.img as Tensor).shape, [1, 4, 2, 3]);
  const back = t.inverse(d);
  assert.deepEqual((back.img as Tensor).shape, [1, 2, 3, 4]);
  assert.equal((back.img as MetaTensor).appliedOperations.length, 0);
  const tt = new ToTensord({ keys: 'img' });
  const inv = tt.inverse(tt.call({ img: img() }));
  assert.equal((inv.img as Tensor).constructor, Tensor, 'ToTensord.inverse gives a plain CPU tensor (MONAI: numpy)');
  const ld = new Lambdad({ keys: ['a', 'b'], func: (x: Tensor) => x.add(1), overwrite: [true, 'b_plus'] });
  const out = ld.call({ a: img(), b: img() });
  assert.ok(out.b_plus instanceof MetaTensor);
  assert.ok(out.b instanceof MetaTensor && !(out.b as MetaTensor).appliedOperations.length);
  const li = new Lambdad({ keys: 'a', func: (x: Tensor) => x.add(1), invFunc: (x: Tensor) => x.sub(1) });
  const fwd = li.call({ a: img() });
  const undone = li.inverse(fwd).a as MetaTensor;
  assert.ok(torch.equal(undone, img()), 'Lambdad.inverse applies invFunc (MONAI 1.4 ignores it)');
  assert.equal((fwd.a as MetaTensor).appliedOperations.length, 0, 'the Lambda record was popped');
  const rl = new RandLambdad({ keys: 'a', func: (x: Tensor) => x.mul(3), invFunc: (x: Tensor) => x.div(3), prob: 1 });
  const rd = rl.call({ a: img() });
  assert.equal(((rd.a as MetaTensor).appliedOperations[0].extra_info as Record<string, unknown>).lambda_info !== undefined, true);
  const ri = rl.inverse(rd);
  assert.ok(torch.equal(ri.a as Tensor, img()));
});

run('SplitDimd: keys with postfixes, or one dictionary per piece; existing keys are an error', () => {
  const d = new SplitDimd({ keys: 'img', dim: 1 }).call({ img: img(), other: 1 }) as Record<string, unknown>;
  assert.deepEqual(Object.keys(d), ['img', 'other', 'img_0', 'img_1']);
  const list = new SplitDimd({ keys: 'img', dim: 3, listOutput: true }).call({ img: img(), other: { x: 1 } }) as Record<string, unknown>[];
  assert.equal(list.length, 4);
  assert.deepEqual((list[2].img as Tensor).shape, [1, 2, 3, 1]);
  assert.notEqual(list[0].other, list[1].other, 'other values are copied per item');
  assert.throws(() => new SplitDimd({ keys: 'img', dim: 1 }).call({ img: img(), img_0: 1 }), /already contains key 'img_0'/);
});

run('CopyItemsd clones tensors (own storage and metadata); ConcatItemsd keeps the first key\'s metadata', () => {
  const x = img();
  const d = new CopyItemsd({ keys: 'img', times: 2 }).call({ img: x });
  const c = d.img_0 as MetaTensor;
  assert.ok(c instanceof MetaTensor && c !== x);
  c.fill_(7);
  assert.equal(x.max().item(), 23, 'a copy, not a view');
  c.affine[0] = 9;
  assert.equal(x.affine[0], 1);
  assert.throws(() => new CopyItemsd({ keys: 'img', names: ['img'] }).call({ img: x }), /already exists/);
  assert.throws(() => new CopyItemsd({ keys: 'img', times: 2, names: ['a'] }), /names must hold/);
  const cat = new ConcatItemsd({ keys: ['a', 'b'], name: 'ab' }).call({ a: img('first.nii'), b: img('second.nii') }).ab as MetaTensor;
  assert.deepEqual(cat.shape, [2, 2, 3, 4]);
  assert.equal(cat.meta.filename_or_obj, 'first.nii');
});

run('index dictionaries: FgBgToIndicesd with imageKey, ClassesToIndicesd; unravelIndices', () => {
  const label = torch.tensor([[[0, 1], [2, 0]]]);
  const d = new FgBgToIndicesd({ keys: 'label', imageKey: 'image' }).call({ label, image: torch.tensor([[[1, 1], [0, 1]]]) });
  assert.deepEqual((d.label_fg_indices as Tensor).toArray(), [1, 2]);
  assert.deepEqual((d.label_bg_indices as Tensor).toArray(), [0, 3]);
  assert.throws(() => new FgBgToIndicesd({ keys: 'label', imageKey: 'nope' }).call({ label }), /imageKey 'nope' is not in the data/);
  const c = new ClassesToIndicesd({ keys: 'label', numClasses: 3 }).call({ label });
  assert.deepEqual((c.label_cls_indices as Tensor[]).map((t) => t.toArray()), [[0, 3], [1], [2]]);
  assert.deepEqual(unravelIndices(torch.tensor([0, 5, 7]), [2, 4]).toArray(), [[0, 0], [1, 1], [1, 3]]);
});

run('DataStats writes type, shape, range, values, meta and custom info to its logger; DataStatsd per key', () => {
  const lines: string[] = [];
  const ds = new DataStats({ prefix: 'Img', dataValue: true, metaInfo: true, additionalInfo: (x) => (x as Tensor).numel(), logger: (m) => lines.push(m) });
  const x = img();
  assert.equal(ds.call(x), x);
  const msg = lines[0];
  assert.match(msg, /^DataStats: Img statistics:/);
  assert.match(msg, /Type: MetaTensor float32/);
  assert.match(msg, /Shape: \[1, 2, 3, 4\]/);
  assert.match(msg, /Value range: \(0, 23\)/);
  assert.match(msg, /Meta info: \{.*"filename_or_obj":"a.nii"/);
  assert.match(msg, /Additional info: 24/);
  const dd = new DataStatsd({ keys: ['a', 'b'], prefix: ['A', 'B'], valueRange: [true, false], logger: (m) => lines.push(m) });
  dd.call({ a: x, b: 'text' });
  assert.match(lines[1], /A statistics/);
  assert.match(lines[2], /B statistics:\nType: string None\nShape: None$/);
});

run('dictionary item tools: DeleteItemsd on a missing nested dict, SelectItemsd with a missing key', () => {
  assert.throws(() => new DeleteItemsd({ keys: 'a.b' }).call({ a: 1 }), /'a' is not a dictionary/);
  assert.throws(() => new SelectItemsd({ keys: ['x', 'y'] }).call({ x: 1 }), /key 'y' is not in the data/);
  assert.deepEqual(new SelectItemsd({ keys: ['x', 'y'], allowMissingKeys: true }).call({ x: 1, z: 2 }), { x: 1 });
});

run('bad input: unknown options, bad values, wrong shapes, missing keys name the transform', () => {
  assert.throws(() => new SqueezeDim({ dims: 1 } as never), /SqueezeDim: unknown option 'dims'.*did you mean 'dim'/);
  assert.throws(() => new CastToType({ dtype: 'foo' as never }), /CastToType: dtype must be a dtype name/);
  assert.throws(() => new SqueezeDim({ dim: 1 }).call(img()), /SqueezeDim: can only squeeze a singleton dimension, dim 1 has size 2/);
  assert.throws(() => new Transpose({ indices: [1, 0] }).call(img()), /Transpose: indices \[1, 0\] do not match a 4-d image/);
  assert.throws(() => new EnsureType({ dataType: 'cupy' as never }), /EnsureType: .*dataType/);
  assert.throws(() => new CastToTyped({ keys: 'img' }).call({ label: img() }), /CastToTyped: key 'img' is not in the data/);
  assert.throws(() => new SqueezeDimd({ keys: 'x' }).call({ x: 'nope' }), /SqueezeDimd: data\['x'\] must be a Tensor or MetaTensor, got string/);
  assert.throws(() => new SimulateDelay({ delayTime: -1 }), /delayTime must be a finite number of seconds >= 0/);
  assert.throws(() => new SplitDim({ dim: 9 }).call(img()), /SplitDim: dim 9 is out of range/);
  assert.throws(() => new SplitDimd({ keys: 'a', listOutput: true, outputPostfixes: ['x'] }), /outputPostfixes cannot be given with listOutput/);
});

run('a failing key frees what was made for earlier keys', () => {
  const live = torch.memory().liveTensors;
  const input = { a: img(), b: torch.ones([2, 2]) };
  assert.throws(() => new SqueezeDimd({ keys: ['a', 'b'] }).call(input), /SqueezeDim: can only squeeze/);
  assert.equal(torch.memory().liveTensors, live + 2, 'only the inputs are live (the squeezed a was freed)');
});

run('utility transforms compose', () => {
  const chain = new Compose([new EnsureTyped({ keys: 'img', dtype: 'float64' }), new Transposed({ keys: 'img', indices: [0, 3, 2, 1] }), new CopyItemsd({ keys: 'img', names: 'copy' })]);
  const d = chain.call({ img: img() }) as Record<string, unknown>;
  assert.equal((d.copy as Tensor).dtype, 'float64');
  assert.deepEqual((d.copy as Tensor).shape, [1, 4, 3, 2]);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

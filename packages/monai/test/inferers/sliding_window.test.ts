// slidingWindowInference, SlidingWindowInferer, computeImportanceMap and densePatchSlices against
// MONAI 1.4.0 (tools/goldens/inferers/make_sliding_window.py), with the fixed convolution network the
// goldens use: outputs at rtol 1e-5 / atol 1e-6 (float32).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import {
  SimpleInferer, SlidingWindowInferer, computeImportanceMap, densePatchSlices, slidingWindowInference, type NetworkOutput,
} from '../../src/inferers/index.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';
import { assertClose, fromGolden, readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const G = readGolden('inferers/sliding_window.json');
const TOL = { rtol: 1e-5, atol: 1e-6 };
const F = torch.nn.functional;
const W: Record<string, Tensor> = Object.fromEntries(Object.entries(G.weights).map(([k, v]) => [k, fromGolden(v as any)]));
// the roi weight map of the goldens: a ramp over the 8x8 window
const RAMP = torch.tidy(() => torch.arange(64, { dtype: 'float32' }).reshape([8, 8]).div(63).add(0.05));
const images: Record<string, Tensor> = Object.fromEntries(Object.entries(G.images).map(([k, v]) => [k, fromGolden(v as any)]));

function conv(x: Tensor): Tensor {
  return x.dim() === 4 ? F.conv2d(x, W.W2, { bias: W.B2, padding: 1 }) : F.conv3d(x, W.W3, { bias: W.B3, padding: 1 });
}
function pool(x: Tensor): Tensor {
  return torch.tidy(() => (x.dim() === 4 ? F.avgPool2d(x, 2) : F.avgPool3d(x, 2)));
}
const NETS: Record<string, (x: Tensor) => NetworkOutput> = {
  conv,
  array: (x) => [conv(x), torch.tidy(() => pool(conv(x)))],
  dict: (x) => ({ a_seg: conv(x), b_prob: torch.tidy(() => conv(x).sigmoid()), c_low: torch.tidy(() => pool(conv(x))) }),
  up: (x) => torch.tidy(() => F.interpolate(conv(x), { scaleFactor: 2, mode: 'nearest' })),
  array1: (x) => [conv(x)],
};

function check(out: NetworkOutput, want: any, what: string): void {
  if (want.kind === 'dict') {
    assert.ok(!(out instanceof torch.Tensor) && !Array.isArray(out), `${what}: expected a record`);
    assert.deepEqual(Object.keys(out), Object.keys(want.items), `${what}: keys`);
    for (const k of Object.keys(want.items)) checkOne((out as Record<string, Tensor>)[k], want.items[k], `${what}[${k}]`);
  } else if (want.kind === 'array') {
    assert.ok(Array.isArray(out), `${what}: expected an array`);
    assert.equal(out.length, want.items.length);
    out.forEach((t, i) => checkOne(t, want.items[i], `${what}[${i}]`));
  } else {
    assert.ok(out instanceof torch.Tensor, `${what}: expected a tensor`);
    checkOne(out, want.items[0], what);
  }
}
function checkOne(t: Tensor, want: any, what: string): void {
  assert.deepEqual(t.shape, want.shape, `${what}: shape`);
  assert.equal(t.dtype, want.dtype, `${what}: dtype`);
  assertClose(values(t), want.data, TOL, what);
}

for (const c of G.cases) {
  test(`${c.inferer ? 'SlidingWindowInferer' : 'slidingWindowInference'}: ${c.name} matches MONAI`, () => {
    const before = torch.memory().liveTensors;
    const { roiSize, swBatchSize, ...rest } = c.options;
    let out: NetworkOutput;
    if (c.inferer) {
      const inf = new SlidingWindowInferer(c.options);
      out = torch.noGrad(() => inf.call(images[c.image], NETS[c.net]));
      inf.dispose();
    } else {
      const extra: Record<string, unknown> = {};
      if (c.extra?.process_fn === 'double_square') extra.processFn = (segs: Tensor[], _w: Tensor, imp: Tensor) => [segs.map((t) => t.mul(2)), imp.mul(imp).add(0.1)];
      if (c.extra?.roi_weight_map === 'ramp') extra.roiWeightMap = RAMP;
      out = torch.noGrad(() => slidingWindowInference(images[c.image], roiSize, swBatchSize, NETS[c.net], { ...rest, ...extra }));
    }
    check(out, c.output, c.name);
    torch.dispose(out);
    assert.equal(torch.memory().liveTensors, before, 'live tensors left behind');
  });
}

for (const m of G.importance_maps) {
  test(`computeImportanceMap ${m.mode} ${JSON.stringify(m.size)} sigmaScale ${JSON.stringify(m.sigmaScale)} matches MONAI`, () => {
    const t = computeImportanceMap(m.size, { mode: m.mode, sigmaScale: m.sigmaScale });
    checkOne(t, m.map, 'map');
    t.dispose();
  });
}

test('densePatchSlices matches MONAI', () => {
  for (const s of G.patch_slices) assert.deepEqual(densePatchSlices(s.image, s.patch, s.interval), s.slices, JSON.stringify(s.image));
});

test('a module network, extra predictor arguments, a MetaTensor input and float64', () => {
  const net = new torch.nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1 });
  const x = images.img2;
  const direct = torch.noGrad(() => net.forward(x));
  // windows that cover the whole image in one piece give the network's own output
  const out = torch.noGrad(() => slidingWindowInference(x, [20, 23], 1, net)) as Tensor;
  assertClose(values(out), values(direct), { rtol: 0, atol: 0 }, 'whole-image window');
  // extra arguments reach the predictor after the window data
  const seen: unknown[] = [];
  const scaled = torch.noGrad(() => slidingWindowInference(x, 8, 4, (w: Tensor, k: number) => (seen.push(k), w.mul(k)), { predictorArgs: [3], mode: 'gaussian' })) as Tensor;
  assert.ok(seen.length > 0 && seen.every((k) => k === 3));
  torch.tidy(() => assertClose(values(scaled), values(x.mul(3)), { rtol: 1e-6, atol: 1e-6 }, 'identity net times 3'));
  // a MetaTensor input gives MetaTensor outputs with its metadata
  const mt = MetaTensor.fromTensor(x, { meta: { filename_or_obj: 'a.nii.gz' } });
  const mo = torch.noGrad(() => slidingWindowInference(mt, 8, 2, conv)) as MetaTensor;
  assert.ok(mo instanceof MetaTensor);
  assert.equal(mo.meta.filename_or_obj, 'a.nii.gz');
  // the output dtype is the input's
  const x64 = x.to({ dtype: 'float64' });
  const o64 = torch.noGrad(() => slidingWindowInference(x64, 8, 2, (w: Tensor) => w.to({ dtype: 'float32' }).mul(2))) as Tensor;
  assert.equal(o64.dtype, 'float64');
  torch.dispose([net, direct, out, scaled, mt, mo, x64, o64]);
});

test('withCoord passes each window batch its coordinates', () => {
  const coords: any[] = [];
  const out = torch.noGrad(() =>
    slidingWindowInference(images.img2b, [8, 8], 5, (w: Tensor, c: any) => (coords.push(c), w.clone()), { withCoord: true }),
  ) as Tensor;
  const flat = coords.flat();
  const slices = densePatchSlices([17, 12], [8, 8], [6, 6]);
  assert.equal(flat.length, 2 * slices.length);
  assert.deepEqual(flat[0], { batch: 0, slices: slices[0] });
  assert.deepEqual(flat[slices.length], { batch: 1, slices: slices[0] });
  torch.tidy(() => assertClose(values(out), values(images.img2b), { rtol: 1e-6, atol: 1e-6 }, 'identity network'));
  out.dispose();
});

test('a window-scale output after a smaller one (MONAI 1.4 fails on this order) blends like the other order', () => {
  const x = images.img2;
  const a = torch.noGrad(() => slidingWindowInference(x, 8, 3, (w: Tensor) => ({ z_full: conv(w), a_low: pool(conv(w)) }))) as Record<string, Tensor>;
  const b = torch.noGrad(() => slidingWindowInference(x, 8, 3, conv)) as Tensor;
  assertClose(values(a.z_full), values(b), { rtol: 0, atol: 0 }, 'full-scale output');
  torch.dispose([a, b]);
});

test('SimpleInferer runs the network on the whole input', () => {
  const inf = new SimpleInferer();
  const out = inf.call(images.img2, (x: Tensor, k: number) => x.mul(k), 2) as Tensor;
  torch.tidy(() => assertClose(values(out), values(images.img2.mul(2)), { rtol: 0, atol: 0 }, 'x * 2'));
  out.dispose();
  assert.throws(() => inf.call(images.img2, 42 as any), /SimpleInferer: network must be a module/);
});

test('bad options and inputs are errors naming the option', () => {
  const x = images.img2;
  const id = (w: Tensor) => w.clone();
  assert.throws(() => slidingWindowInference(x, 8, 1, id, { overlap: 1 }), /slidingWindowInference: overlap must be >= 0 and < 1, found 1/);
  assert.throws(() => slidingWindowInference(x, 8, 1, id, { mode: 'gausian' as any }), /mode must be one of 'constant', 'gaussian', found 'gausian' \(did you mean 'gaussian'\?\)/);
  assert.throws(() => slidingWindowInference(x, 8, 1, id, { paddingMode: 'zeros' as any }), /paddingMode must be one of/);
  assert.throws(() => slidingWindowInference(x, 8, 0, id), /swBatchSize must be a positive integer, found 0/);
  assert.throws(() => slidingWindowInference(x, [8, 8, 8], 1, id), /roiSize must be a number or 2 numbers/);
  assert.throws(() => slidingWindowInference(x, 8, 1, id, { overlab: 0.5 } as any), /unknown option 'overlab' \(did you mean 'overlap'\?\)/);
  const flatX = torch.zeros([4, 4]);
  assert.throws(() => slidingWindowInference(flatX, 8, 1, id), /inputs must have shape \[B, C, \*spatial\]/);
  flatX.dispose();
  assert.throws(() => torch.noGrad(() => slidingWindowInference(x, 8, 2, (w: Tensor) => w.sum([1]))), /network output 0 must have shape \[2, C, \.\.\.2 spatial dims\]/);
  assert.throws(() => new SlidingWindowInferer({} as any), /SlidingWindowInferer: missing required option 'roiSize'/);
  assert.throws(() => new SlidingWindowInferer({ roiSize: 8, mode: 'linear' as any }), /SlidingWindowInferer: mode must be one of/);
  assert.throws(() => computeImportanceMap([4, 4], { mode: 'gaussian', sigmaScale: [0.1] }), /computeImportanceMap: sigmaScale must be a number or 2 numbers/);
});

test('progress writes window batches to stderr', () => {
  const writes: string[] = [];
  const orig = process.stderr.write;
  (process.stderr as any).write = (s: string) => (writes.push(String(s)), true);
  let out: NetworkOutput;
  try {
    out = torch.noGrad(() => slidingWindowInference(images.img2, 8, 4, (w: Tensor) => w.clone(), { progress: true }));
  } finally {
    (process.stderr as any).write = orig;
  }
  assert.match(writes.join(''), /slidingWindowInference: 3\/3 window batches\n$/);
  torch.dispose(out!);
});

after(() => {
  torch.dispose([W, images, RAMP]);
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

test('with autograd on, outputs equal the no-grad ones and gradients reach the network', () => {
  const net = new torch.nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1 });
  const x = images.img2;
  const ref = torch.noGrad(() => slidingWindowInference(x, 8, 3, net, { mode: 'gaussian' })) as Tensor;
  const out = slidingWindowInference(x, 8, 3, net, { mode: 'gaussian' }) as Tensor;
  assert.equal(out.requiresGrad, true);
  assertClose(values(out), values(ref), { rtol: 1e-6, atol: 1e-7 }, 'grad-mode output');
  torch.tidy(() => out.sum().backward());
  const g = net.weight.grad!;
  assert.ok(torch.tidy(() => g.abs().sum().item()) > 0);
  torch.dispose([g, ref, out, net]);
});

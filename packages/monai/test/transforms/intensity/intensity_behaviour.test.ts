// Intensity transforms: bad input names the transform, the option or key and what was expected; metadata
// rides along; inputs are never modified; dictionary transforms skip absent keys only when allowed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { KeyError, MapTransform } from '../../../src/transforms/transform.js';
import * as I from '../../../src/transforms/intensity/index.js';

const start = torch.memory().liveTensors;

/** A test that must leave no live tensors behind. */
function clean(name: string, fn: () => void): void {
  test(name, () => {
    const before = torch.memory().liveTensors;
    fn();
    assert.equal(torch.memory().liveTensors, before, 'live tensors left behind');
  });
}

function img2d(): MetaTensor {
  const t = torch.tidy(() => torch.arange(2 * 4 * 5, { dtype: 'float32' }).reshape([2, 4, 5]).sub(10));
  const m = MetaTensor.wrap(t);
  m.affine = [2, 0, 0, 1, 0, 3, 0, 2, 0, 0, 1, 0, 0, 0, 0, 1];
  m.meta.filename_or_obj = 'a.nii.gz';
  m.appliedOperations.push({ class: 'Spacing', id: 1 });
  return m;
}

clean('bad options: unknown names (with a suggestion), wrong types, required options', () => {
  const any = (o: unknown) => o as never;
  assert.throws(() => new I.ScaleIntensity(any({ minV: 0 })), /ScaleIntensity: unknown option 'minV' \(did you mean 'minv'\?\)/);
  assert.throws(() => new I.RandGaussianNoise(any({ prob: 'high' })), /RandGaussianNoise: prob must be a number in \[0, 1\], got high/);
  assert.throws(() => new I.ShiftIntensity(any({})), /ShiftIntensity: missing required option 'offset'/);
  assert.throws(() => new I.ScaleIntensityRange(any({ aMin: 0 })), /ScaleIntensityRange: missing required option 'aMax'/);
  assert.throws(() => new I.GaussianSmooth(any({ approx: 'erff' })), /GaussianSmooth: approx must be one of 'erf', 'sampled', 'scalespace', found 'erff' \(did you mean 'erf'\?\)/);
  assert.throws(() => new I.ScaleIntensity(any({ dtype: 'float' })), /ScaleIntensity: dtype must be a torch dtype name/);
  assert.throws(() => new I.RandShiftIntensity(any({ offsets: [1, 2, 3] })), /RandShiftIntensity: offsets must be a number or a pair of numbers, got \[1,2,3\]/);
  assert.throws(() => new I.RandHistogramShift({ numControlPoints: 2 }), /RandHistogramShift: numControlPoints must be at least 3, got 2/);
  assert.throws(() => new I.ClipIntensityPercentiles({ lower: null, upper: null }), /ClipIntensityPercentiles: lower or upper percentile must be given/);
  assert.throws(() => new I.ClipIntensityPercentiles({ lower: 120, upper: null }), /ClipIntensityPercentiles: lower must be a percentile in \[0, 100\] or null, got 120/);
  assert.throws(() => new I.ClipIntensityPercentiles({ lower: 60, upper: 40 }), /upper \(40\) must be greater than or equal to lower \(60\)/);
  assert.throws(() => new I.GibbsNoise({ alpha: 1.5 }), /GibbsNoise: alpha must be in \[0, 1\], got 1.5/);
  assert.throws(() => new I.RandGibbsNoise({ alpha: [0.8, 0.2] }), /RandGibbsNoise: alpha = \[a, b\] needs a <= b/);
  assert.throws(() => new I.RandAdjustContrast({ gamma: 0.3 }), /RandAdjustContrast: gamma as a number must be greater than 0.5/);
  assert.throws(() => new I.RandCoarseDropout({ holes: 0, spatialSize: 2 }), /RandCoarseDropout: holes must be an integer >= 1, got 0/);
  assert.throws(() => new I.RandBiasField({ degree: 0 }), /RandBiasField: degree must be an integer >= 1, got 0/);
  assert.throws(() => new I.KSpaceSpikeNoise({ loc: [[1, 2], [3, 4]], kIntensity: 3 }), /KSpaceSpikeNoise: with a list of locations, kIntensity must give one value per location/);
  assert.throws(() => new I.RandKSpaceSpikeNoise({ intensityRange: [[1, 2], [3, 4]], channelWise: false }), /RandKSpaceSpikeNoise: with channelWise false, intensityRange must be one pair/);
  assert.throws(() => new I.IntensityStats({ ops: ['mean', 'avg' as never], keyPrefix: 'x' }), /IntensityStats: ops\[1\] must be one of 'mean', 'median', 'max', 'min', 'std', found 'avg'/);
  assert.throws(() => new I.RandGaussianNoised(any({ keys: 'img', stdd: 1 })), /RandGaussianNoised: unknown option 'stdd' \(did you mean 'std'\?\)/);
  assert.throws(() => new I.ScaleIntensityd(any({ minv: 1 })), /ScaleIntensityd: missing required option 'keys'/);
  assert.throws(() => new I.RandScaleIntensityd(any({ keys: 'img', factors: 0.1, prob: null })), /RandScaleIntensityd: prob must be a number in \[0, 1\], got null/);
  // the array transform's checks name the dictionary transform
  assert.throws(() => new I.ShiftIntensityd(any({ keys: 'img' })), /^TypeError: ShiftIntensityd: missing required option 'offset'/);
  assert.throws(() => new I.RandHistogramShiftd({ keys: 'img', numControlPoints: 1 }), /^RangeError: RandHistogramShiftd: numControlPoints must be at least 3, got 1/);
  assert.throws(() => new I.GaussianSmoothd({ keys: 'img', approx: 'samples' as never }), /GaussianSmoothd: approx must be one of 'erf', 'sampled', 'scalespace', found 'samples' \(did you mean 'sampled'\?\)/);
});

clean('bad call input: wrong type, rank, mask shapes, out-of-bounds spikes; call options checked', () => {
  const img = img2d();
  assert.throws(() => new I.ScaleIntensity().call(5 as never), /ScaleIntensity: img must be a channel-first Tensor or MetaTensor, got number/);
  torch.tidy(() => {
    assert.throws(() => new I.ScaleIntensity().call(torch.zeros([5])), /ScaleIntensity: img must be channel-first with at least one spatial dimension \(C, spatial\.\.\.\), got shape \[5\]/);
    assert.throws(() => new I.MaskIntensity({ maskData: torch.ones([3, 4, 5]) }).call(img), /MaskIntensity: the mask has 3 channels; expected 1 or the image's 2/);
    assert.throws(() => new I.MaskIntensity().call(img), /MaskIntensity: no mask; give maskData to the constructor or to call\(\)/);
    assert.throws(() => new I.HistogramNormalize().call(img, torch.ones([1, 4, 5], { dtype: 'bool' })), /HistogramNormalize: the mask has shape \[1, 4, 5\] but the image has \[2, 4, 5\]/);
    assert.throws(() => new I.KSpaceSpikeNoise({ loc: [4, 1], kIntensity: 3 }).call(img), /KSpaceSpikeNoise: a location in loc=\[4,1\] is out of bounds at position 1/);
    assert.throws(() => new I.RandKSpaceSpikeNoise({ prob: 1, intensityRange: [[1, 2], [3, 4], [5, 6]] }).call(img), /RandKSpaceSpikeNoise: intensityRange has 3 ranges but the image has 2 channels/);
    assert.throws(() => new I.RandGaussianNoise({ prob: 1 }).call(img, { randomise: false } as never), /RandGaussianNoise\.call: unknown option 'randomise' \(did you mean 'randomize'\?\)/);
    assert.throws(() => new I.GaussianSmooth({ sigma: [1, 2, 3] }).call(img), /GaussianSmooth: sigma has 3 values but the image has 2 spatial dimensions/);
    assert.throws(() => new I.IntensityStats({ ops: 'max', keyPrefix: 'p' }).call(img, null, torch.ones([2, 4, 5])), /IntensityStats: mask must be a bool Tensor/);
  });
  img.dispose();
});

clean('dictionary transforms: a missing key names the transform and key; allowMissingKeys skips it; non-tensor values are named', () => {
  const img = img2d();
  assert.throws(() => new I.ScaleIntensityd({ keys: ['img', 'seg'] }).call({ img }), (e: unknown) => e instanceof KeyError && /ScaleIntensityd: key 'seg' is not in the data \(keys: img\)/.test((e as Error).message));
  assert.throws(() => new I.RandGaussianNoised({ keys: ['img', 'seg'], prob: 1 }).call({ img }), /RandGaussianNoised: key 'seg' is not in the data/);
  assert.throws(() => new I.ScaleIntensityd({ keys: 'img' }).call({ img: [1, 2] }), /ScaleIntensityd: data\['img'\] must be a Tensor or MetaTensor, got array\(2\)/);
  assert.throws(() => new I.MaskIntensityd({ keys: 'img', maskKey: 'mask' }).call({ img }), /MaskIntensityd: maskKey 'mask' is not in the data/);
  const r = new I.ScaleIntensityd({ keys: ['img', 'seg'], allowMissingKeys: true }).call({ img });
  assert.ok(!('seg' in r));
  const v = r.img as MetaTensor;
  assert.deepEqual(torch.tidy(() => [v.min().item(), v.max().item()]), [0, 1]);
  // prob 0: nothing drawn beyond doTransform, values pass through untouched
  const p0 = new I.RandGaussianNoised({ keys: ['img'], prob: 0 }).call({ img });
  assert.equal(p0.img, img);
  torch.dispose([img, v]);
});

clean('metadata: MetaTensor in gives MetaTensor out with affine, meta and applied operations copied; Tensor in gives Tensor', () => {
  const img = img2d();
  const transforms = [
    new I.ScaleIntensity(), new I.NormalizeIntensity({ channelWise: true }), new I.GaussianSmooth(), new I.GibbsNoise({ alpha: 0.3 }),
    new I.HistogramNormalize(), new I.RandGaussianNoise({ prob: 1 }).setRandomState({ seed: 1 }), new I.ClipIntensityPercentiles({ lower: 10, upper: 90 }),
    new I.RandCoarseDropout({ holes: 1, spatialSize: 2, prob: 1 }).setRandomState({ seed: 2 }), new I.KSpaceSpikeNoise({ loc: [1, 1], kIntensity: 5 }),
  ];
  for (const t of transforms) {
    const out = t.call(img) as MetaTensor;
    assert.ok(out instanceof MetaTensor, `${t.name}: MetaTensor out`);
    assert.deepEqual(Array.from(out.affine), Array.from(img.affine), `${t.name}: affine`);
    assert.equal(out.meta.filename_or_obj, 'a.nii.gz', `${t.name}: meta`);
    assert.deepEqual(out.appliedOperations, [{ class: 'Spacing', id: 1 }], `${t.name}: no record added (intensity transforms are not invertible)`);
    assert.notEqual(out.meta, img.meta, `${t.name}: meta is a copy`);
    out.dispose();
    const plain = img.asTensor();
    const p = t.call(plain) as torch.Tensor;
    assert.ok(!(p instanceof MetaTensor), `${t.name}: Tensor in, Tensor out`);
    torch.dispose([plain, p]);
  }
  img.dispose();
});

clean('inputs are not modified (MONAI writes some results into its input; we never do)', () => {
  const img = img2d();
  const before = torch.tidy(() => Array.from(img.reshape([-1]).toTypedArray() as Float32Array));
  const ts = [
    new I.NormalizeIntensity({ channelWise: true, nonzero: true }), new I.StdShiftIntensity({ factor: 1, channelWise: true }),
    new I.RandRicianNoise({ prob: 1, channelWise: true }), new I.RandCoarseDropout({ holes: 2, spatialSize: 2, prob: 1 }),
    new I.RandCoarseShuffle({ holes: 2, spatialSize: 2, prob: 1 }), new I.KSpaceSpikeNoise({ loc: [0, 1, 1] }),
  ];
  for (const t of ts) {
    const out = t.call(img) as torch.Tensor;
    assert.deepEqual(torch.tidy(() => Array.from(img.reshape([-1]).toTypedArray() as Float32Array)), before, `${t.name} changed its input`);
    out.dispose();
  }
  img.dispose();
});

clean('random dictionary transforms draw once for all keys (same noise on every key), array transforms can skip randomize', () => {
  const img = img2d();
  const t = new I.RandGaussianNoised({ keys: ['a', 'b'], prob: 1 }).setRandomState({ seed: 3 });
  const r = t.call({ a: img, b: img });
  assert.ok(torch.tidy(() => (r.a as torch.Tensor).equal(r.b as torch.Tensor)));
  const arr = new I.RandScaleIntensity({ factors: 0.5, prob: 1 }).setRandomState({ seed: 4 });
  const x1 = arr.call(img);
  const f = arr.factor;
  const x2 = arr.call(img, { randomize: false });
  assert.equal(arr.factor, f);
  assert.ok(torch.tidy(() => x1.equal(x2)));
  torch.dispose([img, r.a, r.b, x1, x2]);
});

clean('IntensityStats channelWise with a mask masks each channel; custom functions are keyed custom_i', () => {
  const img = img2d();
  torch.tidy(() => {
    const mask = img.gt(0);
    const [out, meta] = new I.IntensityStats({ ops: ['max', (v) => v.numel()], keyPrefix: 's', channelWise: true }).call(img, { kept: 1 }, mask);
    assert.equal(out, img);
    assert.deepEqual(meta, { kept: 1, s_max: [9, 29], s_custom_0: [9, 20] });
  });
  // the dictionary form writes a new metadata dictionary; the caller's one is left as it was
  const given = { note: 'x' };
  const r = new I.IntensityStatsd({ keys: 'img', ops: 'min', keyPrefix: 'o' }).call({ img, img_meta_dict: given });
  assert.deepEqual(r.img_meta_dict, { note: 'x', o_min: -10 });
  assert.deepEqual(given, { note: 'x' });
  img.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

test("MONAI's dictionary aliases (XxxD, XxxDict) name the same classes", () => {
  const isDict = (v: unknown) => typeof v === 'function' && v.prototype instanceof MapTransform;
  const names = Object.keys(I).filter((k) => k.endsWith('d') && isDict((I as Record<string, unknown>)[k]));
  assert.ok(names.length >= 35, `${names.length} dictionary classes`);
  for (const n of names) {
    const base = n.slice(0, -1);
    assert.equal((I as Record<string, unknown>)[`${base}D`], (I as Record<string, unknown>)[n], `${base}D`);
    assert.equal((I as Record<string, unknown>)[`${base}Dict`], (I as Record<string, unknown>)[n], `${base}Dict`);
  }
});

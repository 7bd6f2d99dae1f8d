// Bad input to spatial transforms: wrong rank, unknown modes and options, bad pixdim/axcodes/sizes, missing
// keys. Each error names the transform, the option or key, what was expected and what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import * as S from '../../../src/transforms/spatial/index.js';

const tt = (name: string, fn: () => void) =>
  test(name, () => {
    const before = torch.memory().liveTensors;
    fn();
    assert.equal(torch.memory().liveTensors, before, `${name}: live tensors left behind`);
  });

function withImage(shape: number[], fn: (img: MetaTensor) => void): void {
  const img = MetaTensor.wrap(torch.rand(shape), {});
  try {
    fn(img);
  } finally {
    img.dispose();
  }
}

tt('unknown options and modes: the transform, the option, the choices and a did-you-mean', () => {
  assert.throws(() => new S.Spacing({ pixdim: 1, pixdims: 2 } as never), /Spacing: unknown option 'pixdims' \(did you mean 'pixdim'\?\)/);
  assert.throws(() => new S.Spacing({ pixdim: 1, mode: 'bilinar' as never }), /Spacing: mode must be one of 'bilinear', 'nearest', 'bicubic', got "bilinar" \(did you mean 'bilinear'\?\)/);
  assert.throws(() => new S.Rotate({ angle: 0.1, paddingMode: 'zero' as never }), /Rotate: paddingMode must be one of 'zeros', 'border', 'reflection', got "zero" \(did you mean 'zeros'\?\)/);
  assert.throws(() => new S.Resize({ spatialSize: [4, 4], mode: 'trilinar' }), /Resize: mode must be one of .*'trilinear'.*got "trilinar"/);
  assert.throws(() => new S.Zoom({ zoom: 1.2, paddingMode: 'egde' }), /Zoom: paddingMode must be one of .*got "egde" \(did you mean 'edge'\?\)/);
  assert.throws(() => new S.Spacingd({ keys: ['image', 'label'], pixdim: 1, mode: ['bilinear', 'neareast'] as never }), /Spacingd: mode must be one of 'bilinear', 'nearest', 'bicubic', got "neareast" \(did you mean 'nearest'\?\)/);
  assert.throws(() => new S.Resize({ spatialSize: [4, 4], sizeMode: 'longer' as never }), /Resize: sizeMode must be one of 'all', 'longest', found 'longer'/);
});

tt('scipy spline orders (integer modes) are refused, saying what is supported', () => {
  assert.throws(() => new S.Spacing({ pixdim: 1, mode: 3 as never }), /Spacing: mode=3 \(a scipy spline order\) is not supported; use one of 'bilinear', 'nearest', 'bicubic'/);
  assert.throws(() => new S.Affine({ mode: 1 as never }), /Affine: mode=1 \(a scipy spline order\)/);
});

tt('bad pixdim, min/max pixdim, axcodes, zoom, spatial sizes and angles', () => {
  assert.throws(() => new S.Spacing({ pixdim: 'one' as never }), /Spacing: pixdim must be a finite number or a non-empty list of finite numbers, got "one"/);
  assert.throws(() => new S.Spacing({ pixdim: [1, Number.NaN] }), /Spacing: pixdim must be a finite number/);
  assert.throws(() => new S.Spacing({} as never), /Spacing: missing required option 'pixdim'/);
  assert.throws(() => new S.Spacing({ pixdim: 1, minPixdim: [2], maxPixdim: [1] }), /Spacing: minPixdim \[2\] must be non-negative and not above maxPixdim \[1\]/);
  assert.throws(() => new S.Orientation({ axcodes: 'RAX' }), /Orientation: axcodes 'RAX' has 'X', which is not one of the labels LRPAIS/);
  assert.throws(() => new S.Orientation({}), /Orientation: axcodes is required unless asClosestCanonical is true/);
  assert.throws(() => new S.Zoom({ zoom: [1, -2] }), /Zoom: zoom must be a positive number or a list of positive numbers, got \[1,-2\]/);
  assert.throws(() => new S.Resize({ spatialSize: [4, 4.5] }), /Resize: spatialSize must be an integer or a list of integers, got \[4,4.5\]/);
  assert.throws(() => new S.Resize({ spatialSize: [4, 4], sizeMode: 'longest' }), /Resize: spatialSize must be an integer when sizeMode is 'longest'/);
  assert.throws(() => new S.Rotate({ angle: 'x' as never }), /Rotate: angle must be a finite number or a list of finite numbers \(radians\), got "x"/);
  assert.throws(() => new S.Rotate90({ spatialAxes: [0] }), /Rotate90: spatialAxes must be 2 integers to define the plane to rotate, got \[0\]/);
  assert.throws(() => new S.RandRotate({ rangeX: [1, 2, 3] }), /RandRotate: rangeX must be a number or a \[min, max\] pair, got \[1,2,3\]/);
  assert.throws(() => new S.RandZoom({ minZoom: [0.9, 0.8], maxZoom: [1.1] }), /RandZoom: minZoom and maxZoom must have the same length, got 2 and 1/);
  assert.throws(() => new S.RandAffine({ rotateRange: [[0.1, 0.2, 0.3]] as never }), /RandAffineGrid: rotateRange entries must be a number or a \[min, max\] pair/);
});

tt('wrong rank: the transform, what it needs and the shape it got', () => {
  withImage([1, 8], (img) => {
    assert.throws(() => new S.Rotate({ angle: 0.1 }).call(img), /Rotate: unsupported image dimension 1, expected 2 or 3 spatial dimensions/);
    assert.throws(() => new S.Rotate90({}).call(img), /Rotate90: expected a channel-first image with at least 2 spatial dimension\(s\), got shape \[1, 8\]/);
    assert.throws(() => new S.Rand3DElastic({ sigmaRange: [1, 2], magnitudeRange: [1, 2] }).call(img), /Rand3DElastic: expected a channel-first image with at least 3 spatial dimension\(s\), got shape \[1, 8\]/);
  });
  withImage([5], (img) => {
    assert.throws(() => new S.Spacing({ pixdim: 1 }).call(img), /Spacing: expected a channel-first image with at least 1 spatial dimension\(s\), got shape \[5\]/);
    assert.throws(() => new S.Flip({}).call(img), /Flip: expected a channel-first image/);
  });
  withImage([1, 6, 7, 5], (img) => {
    assert.throws(() => new S.Resize({ spatialSize: [4, 4] }).call(img), /Resize: len\(spatialSize\) must be at least the image's spatial dimensions, got spatialSize=\[4,4\] for a 3D image/);
    assert.throws(() => new S.Zoom({ zoom: [1, 2] }).call(img), /Zoom: zoom must have 3 value\(s\) \(one per spatial dimension\), got 2/);
    assert.throws(() => new S.Rotate({ angle: [0.1, 0.2] }).call(img), /Rotate: angle must have 3 value\(s\) \(one per spatial dimension\), got 2/);
    assert.throws(() => new S.Flip({ spatialAxis: 3 }).call(img), /Flip: spatialAxis 3 is out of range for 3 spatial dimensions/);
    assert.throws(() => new S.Rotate90({ spatialAxes: [0, 3] }).call(img), /Rotate90: spatialAxes \[0,3\] out of range for 3 spatial dimensions/);
    assert.throws(() => new S.Rand2DElastic({ spacing: 3, magnitudeRange: [1, 2] }).call(img), /Rand2DElastic: expects a 2D image \(C, H, W\), got shape \[1, 6, 7, 5\]/);
    assert.throws(() => new S.Spacing({ pixdim: 1 }).call(img, false, { moed: 'nearest' } as never), /Spacing: unknown option 'moed' \(did you mean 'mode'\?\)/);
  });
  assert.throws(() => new S.Flip({}).call('image' as never), /Flip: expected a channel-first Tensor, got string/);
});

tt('dictionary transforms: a missing key or a non-tensor value names the transform and the key', () => {
  withImage([1, 4, 4, 4], (img) => {
    assert.throws(() => new S.Flipd({ keys: ['image', 'label'] }).call({ image: img }), /Flipd: key 'label' is not in the data \(keys: image\); set allowMissingKeys to skip absent keys/);
    assert.throws(() => new S.Spacingd({ keys: 'image', pixdim: 1 }).call({ image: 'x.nii' }), /Spacingd: data\['image'\] must be a Tensor, got string/);
    assert.throws(() => new S.RandAffined({ keys: 'image', prob: 1 }).call({ image: 3 }), /RandAffined: data\['image'\] must be a Tensor, got number/);
    assert.throws(() => new S.Spacingd({ keys: ['image', 'label'], pixdim: 1, mode: ['bilinear', 'nearest', 'nearest'] }), /Spacingd: mode must hold one value or one per key \(2\), got 3/);
    const out = new S.Flipd({ keys: ['image', 'label'], allowMissingKeys: true }).call({ image: img });
    (out.image as torch.Tensor).dispose();
  });
});

tt('inverse of a record from another transform names both', () => {
  withImage([1, 4, 5, 6], (img) => {
    const out = new S.Flip({ spatialAxis: 0 }).call(img);
    assert.throws(() => new S.Rotate90({}).inverse(out), /Rotate90: the most recent applied transform is Flip \(id \d+\), not this Rotate90/);
    out.dispose();
  });
});

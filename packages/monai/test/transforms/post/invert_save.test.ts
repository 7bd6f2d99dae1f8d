// The post-processing pipeline MONAI's inference tutorials use: preprocess an image (LoadImaged,
// EnsureChannelFirstd, Orientationd, Spacingd), make a prediction in that space, bring it back with
// Invertd and write it with SaveImaged. The written file must be in the original image's grid.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Compose } from '../../../src/transforms/compose.js';
import { LoadImage, LoadImaged, SaveImaged } from '../../../src/transforms/io/index.js';
import { EnsureChannelFirstd } from '../../../src/transforms/utility/index.js';
import { Orientationd, Spacingd } from '../../../src/transforms/spatial/dictionary.js';
import { AsDiscreted, Invertd } from '../../../src/transforms/post/index.js';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import { disposeItem } from '../../../src/data/item_codec.js';
import { fixture, tmpDir } from '../../data/helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir('monai-invert-save-');
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

test('Invertd then SaveImaged writes the prediction in the original grid', () => {
  const file = fixture('anatomical.nii');
  const pre = new Compose([
    new LoadImaged({ keys: 'image' }),
    new EnsureChannelFirstd({ keys: 'image' }),
    new Orientationd({ keys: 'image', axcodes: 'LPS' }),
    new Spacingd({ keys: 'image', pixdim: [2.5, 2.5, 3.0], mode: 'bilinear' }),
  ]);
  const item = pre.call({ image: file }) as { image: MetaTensor };
  const original = new LoadImage().call(file);
  assert.notDeepEqual(item.image.shape.slice(1), original.shape, 'the preprocessed grid differs');
  // a "prediction" in the preprocessed space: a thresholded copy with the image's metadata
  const pred = torch.tidy(() => item.image.gt(item.image.mean().item()).float());
  const post = new Compose([
    new Invertd({ keys: 'pred', transform: pre, origKeys: 'image', nearestInterp: true }),
    new AsDiscreted({ keys: 'pred', threshold: 0.5 }),
    new SaveImaged({ keys: 'pred', outputDir: dir, outputPostfix: 'seg', separateFolder: false, printLog: false }),
  ]);
  const out = post.call({ ...item, pred }) as { pred: MetaTensor; image: MetaTensor };
  assert.deepEqual(out.pred.shape.slice(1), original.shape, 'inverted to the original shape');
  const written = fs.readdirSync(dir).filter((f) => f.endsWith('.nii.gz'));
  assert.deepEqual(written, ['anatomical_seg.nii.gz']);
  const back = new LoadImage().call(path.join(dir, written[0]));
  assert.deepEqual(back.shape, original.shape, 'the file has the original grid');
  const a = Array.from(back.affine);
  const b = Array.from(original.affine);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4, `affine[${i}]: ${v} vs ${b[i]}`));
  const fg = torch.tidy(() => back.sum().item());
  assert.ok(fg > 0 && fg < back.numel(), 'a non-trivial mask');
  disposeItem([item, out, pred, original, back]);
});

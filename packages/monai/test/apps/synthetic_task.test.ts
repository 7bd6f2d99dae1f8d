// The synthetic CT task: the Decathlon layout, the same bytes from the same seed, a different task from
// another seed, reuse of an up-to-date folder (by the options hash), CT-like values and an LPS affine.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import * as torch from '@monai-ts/torch';
import { generateSyntheticCtTask, syntheticTaskHash } from '../../src/apps/synthetic/index.js';
import { LoadImage } from '../../src/transforms/io/array.js';
import { readNiftiInfo } from '../../src/data/formats/nifti.js';
import type { MetaTensor } from '../../src/data/meta_tensor.js';

const start = torch.memory().liveTensors;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-synthetic-'));
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const small = { numTraining: 3, numTest: 1, size: [32, 28, 16] };

/** sha256 of every file under dir (relative path -> hash), the stamp left out. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (!f.startsWith('.')) out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

test('the same seed gives the same bytes; another seed another task', () => {
  const a = generateSyntheticCtTask({ outputDir: path.join(root, 'a'), ...small, seed: 7 });
  const b = generateSyntheticCtTask({ outputDir: path.join(root, 'b'), ...small, seed: 7 });
  const c = generateSyntheticCtTask({ outputDir: path.join(root, 'c'), ...small, seed: 8 });
  assert.ok(a.generated && b.generated && c.generated);
  const ha = hashes(a.root);
  assert.equal(Object.keys(ha).length, 1 + 3 * 2 + 1, 'dataset.json, 3 images and labels, 1 test image');
  assert.deepEqual(hashes(b.root), ha);
  const hc = hashes(c.root);
  assert.notEqual(hc['imagesTr/organ_000.nii.gz'], ha['imagesTr/organ_000.nii.gz']);
  assert.notEqual(hc['labelsTr/organ_000.nii.gz'], ha['labelsTr/organ_000.nii.gz']);
});

test('dataset.json has the Decathlon shape and lists files that exist', () => {
  const t = generateSyntheticCtTask({ outputDir: path.join(root, 'shape'), ...small });
  const ds = JSON.parse(fs.readFileSync(t.datasetJson, 'utf8'));
  for (const k of ['name', 'description', 'tensorImageSize', 'modality', 'labels', 'numTraining', 'numTest', 'training', 'test']) assert.ok(k in ds, `dataset.json has ${k}`);
  assert.deepEqual(ds.modality, { 0: 'CT' });
  assert.deepEqual(ds.labels, { 0: 'background', 1: 'organ' });
  assert.equal(ds.tensorImageSize, '3D');
  assert.equal(ds.numTraining, 3);
  assert.equal(ds.numTest, 1);
  assert.deepEqual(ds.training[0], { image: './imagesTr/organ_000.nii.gz', label: './labelsTr/organ_000.nii.gz' });
  assert.deepEqual(ds.test, ['./imagesTs/organ_003.nii.gz']);
  for (const f of [...ds.training.flatMap((x: { image: string; label: string }) => [x.image, x.label]), ...ds.test]) assert.ok(fs.existsSync(path.join(t.root, f)), f);
});

test('CT-like volumes: HU of air and bone, int16 image and uint8 label on disk, anisotropic LPS-style affine, a labelled organ', () => {
  const t = generateSyntheticCtTask({ outputDir: path.join(root, 'shape'), ...small });
  const info = readNiftiInfo(path.join(t.root, 'imagesTr', 'organ_000.nii.gz'));
  const a = Array.from(info.affine);
  assert.deepEqual([a[0], a[5], a[10]], [-1.25, -1.25, 2.5], 'negative x/y diagonal, 2.5 mm slices');
  assert.equal(info.header.datatype, 4, 'int16 image (NIfTI datatype 4)');
  assert.equal(readNiftiInfo(path.join(t.root, 'labelsTr', 'organ_000.nii.gz')).header.datatype, 2, 'uint8 label (datatype 2)');
  const load = new LoadImage({ imageOnly: true });
  const img = load.call(path.join(t.root, 'imagesTr', 'organ_000.nii.gz')) as MetaTensor;
  const lab = load.call(path.join(t.root, 'labelsTr', 'organ_000.nii.gz')) as MetaTensor;
  try {
    assert.deepEqual(img.shape, [32, 28, 16]);
    const [min, max, organ, organHu] = torch.tidy(() => {
      const m = lab.gt(0);
      return [img.min().item(), img.max().item(), m.sum().item(), img.float().maskedSelect(m).mean().item()];
    });
    assert.ok(min <= -950, `air near -1000 HU, min ${min}`);
    assert.ok(max >= 650, `bone above 650 HU, max ${max}`);
    assert.ok(organ > 50 && organ < img.numel() / 3, `an organ of ${organ} voxels`);
    assert.ok(Math.abs(organHu - 120) < 10, `organ mean ${organHu} HU (120 +- 10 with 15 HU noise)`);
  } finally {
    img.dispose();
    lab.dispose();
  }
});

test('an up-to-date folder is reused; other options or a missing file regenerate it', () => {
  const dir = path.join(root, 'cache');
  const first = generateSyntheticCtTask({ outputDir: dir, ...small });
  const img = path.join(dir, 'imagesTr', 'organ_001.nii.gz');
  const mtime = fs.statSync(img).mtimeMs;
  const again = generateSyntheticCtTask({ outputDir: dir, ...small });
  assert.equal(again.generated, false);
  assert.equal(fs.statSync(img).mtimeMs, mtime, 'files untouched');
  assert.equal(again.hash, first.hash);
  const other = generateSyntheticCtTask({ outputDir: dir, ...small, noiseHu: 5 });
  assert.equal(other.generated, true);
  assert.notEqual(other.hash, first.hash);
  fs.rmSync(img);
  assert.equal(generateSyntheticCtTask({ outputDir: dir, ...small, noiseHu: 5 }).generated, true, 'a missing file regenerates');
  assert.ok(fs.existsSync(img));
  assert.equal(syntheticTaskHash({ outputDir: 'x', ...small }), syntheticTaskHash({ outputDir: 'y', ...small, force: true }), 'the folder and force are not content');
});

test('bad options are named with what was expected and found', () => {
  assert.throws(() => generateSyntheticCtTask({ outputDir: root, size: [8, 8, 8] }), /size must be three integers >= 16, found \[8,8,8\]/);
  assert.throws(() => generateSyntheticCtTask({ outputDir: root, numTraining: 0 }), /numTraining must be a positive integer, found 0/);
  assert.throws(() => generateSyntheticCtTask({ outputDir: root, spacing: [1, -1, 2] }), /spacing must be three positive numbers/);
  assert.throws(() => generateSyntheticCtTask({ outputDir: root, seeed: 1 } as never), /seeed.*seed/);
});

// Inference with a UNet trained by MONAI 1.4 (tools/goldens/apps/spleen/spleen_infer.py): the state dict
// (.pt) and the TorchScript file each give MONAI's own prediction through the recipe pipeline, sliding
// window and Invertd, in the image's grid, and the same Dice against the label.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { inferSpleen, listInputImages, loadSpleenModel, scoreCase, validateSpleenConfig } from '../../src/apps/spleen/index.js';
import { readNiftiInfo } from '../../src/data/formats/nifti.js';

const start = torch.memory().liveTensors;
const G = fileURLToPath(new URL('../../../../tools/goldens/apps/spleen/', import.meta.url));
const golden = JSON.parse(fs.readFileSync(path.join(G, 'spleen_infer.json'), 'utf8')) as { dice: number; foreground: number };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-infer-parity-'));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const cfg = validateSpleenConfig({ data: '-', pixdim: [3, 3, 3], roi: [16, 16, 16], channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 });

for (const [kind, file] of [['state_dict', 'unet_tiny.pt'], ['torchscript', 'unet_tiny_ts.pt']] as const) {
  test(`a MONAI-trained UNet (${kind}): the prediction equals MONAI's, in the image grid, same Dice`, () => {
    const model = loadSpleenModel(path.join(G, file), cfg, 'cpu');
    assert.equal(model.kind, kind);
    const out = path.join(dir, kind);
    try {
      const [r] = inferSpleen(model, [path.join(G, 'tiny_image.nii.gz')], out, cfg, 'cpu');
      assert.equal(r.output, path.join(out, 'tiny_image_seg.nii.gz'));
      const src = readNiftiInfo(path.join(G, 'tiny_image.nii.gz'));
      const seg = readNiftiInfo(r.output);
      assert.deepEqual(seg.shape, src.shape);
      Array.from(seg.affine).forEach((v, k) => assert.ok(Math.abs(v - src.affine[k]) < 1e-5, `affine[${k}] ${v} vs ${src.affine[k]}`));
      // voxels whose two logits nearly tie may flip between builds: at most 0.2% of MONAI's foreground
      const agreement = scoreCase(r.output, path.join(G, 'monai_pred.nii.gz'));
      assert.ok(agreement.dice >= 0.998, `Dice between our prediction and MONAI's: ${agreement.dice}`);
      assert.ok(Math.abs(r.foreground - golden.foreground) <= 0.002 * golden.foreground, `foreground ${r.foreground} vs MONAI ${golden.foreground}`);
      const vsLabel = scoreCase(r.output, path.join(G, 'tiny_label.nii.gz'));
      assert.ok(Math.abs(vsLabel.dice - golden.dice) <= 0.002, `Dice against the label ${vsLabel.dice} vs MONAI ${golden.dice} (tolerance 0.002)`);
    } finally {
      model.dispose();
    }
  });
}

test('a DICOM series folder is one input volume; the prediction has the series grid', () => {
  const series = fileURLToPath(new URL('../fixtures/dicom/synthetic/oblique_series', import.meta.url));
  assert.deepEqual(listInputImages(series), [series]);
  const model = loadSpleenModel(path.join(G, 'unet_tiny_ts.pt'), cfg, 'cpu');
  try {
    const [r] = inferSpleen(model, [series], path.join(dir, 'dicom'), cfg, 'cpu');
    assert.equal(path.basename(r.output), 'oblique_series_seg.nii.gz');
    const seg = readNiftiInfo(r.output);
    const src = readNiftiInfo(fileURLToPath(new URL('../fixtures/dicom/synthetic/oblique_volume.nii.gz', import.meta.url)));
    assert.deepEqual(seg.shape, src.shape, 'the grid of the series (its NIfTI conversion)');
    Array.from(seg.affine).forEach((v, k) => assert.ok(Math.abs(v - src.affine[k]) < 1e-3, `affine[${k}] ${v} vs ${src.affine[k]}`));
  } finally {
    model.dispose();
  }
  assert.throws(() => listInputImages(G + 'nothing-here'), /no such file or folder/);
});

test('loadSpleenModel: a state dict that does not fit the configured UNet names the file and the network', () => {
  const other = validateSpleenConfig({ data: '-', channels: [8, 16, 32], strides: [2, 2], numResUnits: 1 });
  assert.throws(() => loadSpleenModel(path.join(G, 'unet_tiny.pt'), other, 'cpu'), /unet_tiny\.pt: the state dict does not fit UNet\(channels \[8,16,32\]/);
  const junk = path.join(dir, 'junk.pt');
  fs.writeFileSync(junk, 'not a model');
  assert.throws(() => loadSpleenModel(junk, cfg, 'cpu'), /junk\.pt/);
});

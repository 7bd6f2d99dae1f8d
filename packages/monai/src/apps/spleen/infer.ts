// Inference as the tutorial's test loop: the image's deterministic pipeline, sliding-window inference,
// argmax, Invertd back through the pipeline (nearest) to the original grid, and SaveImaged writing
// <name>_seg.nii.gz as uint8 with the original affine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../data/meta_tensor.js';
import { disposeItem } from '../../data/item_codec.js';
import { slidingWindowInference } from '../../inferers/utils.js';
import { Compose } from '../../transforms/compose.js';
import { SaveImaged } from '../../transforms/io/dictionary.js';
import { Invertd } from '../../transforms/post/dictionary.js';
import type { SpleenConfig } from './config.js';
import type { LoadedModel } from './network.js';
import { spleenInferTransforms } from './transforms.js';

const IMAGE_EXT = /\.(nii|nii\.gz)$/i;

/** A DICOM file: the .dcm extension or the "DICM" magic after the 128-byte preamble. */
function isDicomFile(file: string): boolean {
  if (/\.dcm$/i.test(file)) return true;
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    return fs.readSync(fd, b, 0, 4, 128) === 4 && b.toString('latin1') === 'DICM';
  } finally {
    fs.closeSync(fd);
  }
}

const dicomSeries = (folder: string): boolean =>
  fs.readdirSync(folder).some((f) => !f.startsWith('.') && fs.statSync(path.join(folder, f)).isFile() && isDicomFile(path.join(folder, f)));

/**
 * The volumes of `input`: a NIfTI or DICOM file; a folder's .nii/.nii.gz files in name order; a folder of
 * DICOM slices (one series); or a folder whose subfolders are DICOM series.
 */
export function listInputImages(input: string): string[] {
  if (!fs.existsSync(input)) throw new Error(`input ${input}: no such file or folder`);
  if (fs.statSync(input).isFile()) return [path.resolve(input)];
  const entries = fs.readdirSync(input).filter((f) => !f.startsWith('.')).sort();
  const nifti = entries.filter((f) => IMAGE_EXT.test(f));
  if (nifti.length) return nifti.map((f) => path.resolve(input, f));
  if (dicomSeries(input)) return [path.resolve(input)];
  const series = entries.map((f) => path.join(input, f)).filter((d) => fs.statSync(d).isDirectory() && dicomSeries(d));
  if (series.length) return series.map((d) => path.resolve(d));
  throw new Error(`input ${input}: the folder has no .nii/.nii.gz files and no DICOM series`);
}

export type InferConfig = Pick<SpleenConfig, 'pixdim' | 'intensityRange' | 'roi' | 'numSamples' | 'swRoi' | 'swBatchSize' | 'amp'>;

export interface InferResult {
  input: string;
  output: string;
  seconds: number;
  /** foreground voxels in the written mask */
  foreground: number;
}

/** Segments each image with `model`, writing <outputDir>/<name>_seg.nii.gz in the image's own grid. */
export function inferSpleen(model: LoadedModel, files: readonly string[], outputDir: string, cfg: InferConfig, device: string, onCase?: (r: InferResult, index: number) => void): InferResult[] {
  fs.mkdirSync(outputDir, { recursive: true });
  const pre = spleenInferTransforms(cfg);
  const post = new Compose([
    new Invertd({ keys: 'pred', transform: pre, origKeys: 'image', nearestInterp: true }),
    new SaveImaged({ keys: 'pred', outputDir, outputPostfix: 'seg', outputDtype: 'uint8', separateFolder: false, printLog: false, resample: false }),
  ]);
  const roi = cfg.swRoi ?? cfg.roi;
  const results: InferResult[] = [];
  files.forEach((file, i) => {
    const t0 = performance.now();
    const item = pre.call({ image: file }) as { image: MetaTensor };
    let out: Record<string, unknown> | null = null;
    let pred: MetaTensor | null = null;
    try {
      pred = MetaTensor.wrap(torch.noGrad(() => torch.tidy(() => {
        const x = item.image.unsqueeze(0).to(device as torch.Device);
        const run = (): Tensor => slidingWindowInference(x, roi, cfg.swBatchSize, (b: Tensor) => model.forward(b), { overlap: 0.25 }) as Tensor;
        const logits = cfg.amp ? torch.autocast({ deviceType: device.startsWith('cuda') ? 'cuda' : 'cpu' }, run) : run();
        return logits.argmax({ dim: 1 }).to({ dtype: 'float32', device: 'cpu' });
      })));
      out = post.call({ ...item, pred }) as Record<string, unknown>;
      const mask = out.pred as Tensor;
      const foreground = torch.tidy(() => mask.sum().item());
      const name = path.basename(file).replace(IMAGE_EXT, '');
      const r: InferResult = { input: file, output: path.join(outputDir, `${name}_seg.nii.gz`), seconds: (performance.now() - t0) / 1000, foreground };
      results.push(r);
      onCase?.(r, i);
    } finally {
      // the argmax map is the input of the post chain, which hands back new tensors
      disposeItem([item, out, pred]);
    }
  });
  return results;
}

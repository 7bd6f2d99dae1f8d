// Writes NIfTI files with monai-ts (SaveImage) plus what they must contain, for
// tools/check_nifti_with_nibabel.py. Usage: node --conditions=source --import tsx tools/goldens/io/write_nifti_samples.ts OUTDIR
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../../packages/monai/src/data/index.js';
import { SaveImage } from '../../../packages/monai/src/transforms/io/index.js';
import { writeNpy } from '../../../packages/monai/src/data/formats/npy.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_nifti_samples.ts OUTDIR');
fs.mkdirSync(out, { recursive: true });
const cases: { file: string; expected: string; affine: number[]; dtype: string }[] = [];
const c = Math.cos(0.3);
const s = Math.sin(0.3);
// rotation Rz(0.3) * Rx(0.2) with voxel sizes (0.9, 1.1, 2.5): representable by both sform and qform
const ca = Math.cos(0.2);
const sa = Math.sin(0.2);
const R = [
  [c, -s * ca, s * sa],
  [s, c * ca, -c * sa],
  [0, sa, ca],
];
const zooms = [0.9, 1.1, 2.5];
const origin = [-40.5, 22.25, 13];
const oblique = [0, 1, 2].flatMap((i) => [...[0, 1, 2].map((j) => R[i][j] * zooms[j]), origin[i]]).concat([0, 0, 0, 1]);
torch.manualSeed(0);
for (const [name, dtype, shape, ext] of [
  ['f32_3d', 'float32', [1, 7, 6, 5], '.nii.gz'],
  ['i16_3d', 'int16', [1, 9, 4, 3], '.nii'],
  ['u8_2d', 'uint8', [1, 8, 5], '.nii.gz'],
  ['f64_4d', 'float64', [3, 4, 5, 6], '.nii.gz'],
  ['i32_3d', 'int32', [1, 3, 3, 3], '.nii'],
] as const) {
  torch.tidy(() => {
    const data = torch.rand([...shape]).mul(200).sub(50).to({ dtype: dtype as torch.DType });
    const img = MetaTensor.wrap(data, { affine: Float64Array.from(oblique), meta: { filename_or_obj: `${name}.nii`, spatial_shape: shape.slice(1) } });
    new SaveImage({ outputDir: out, outputPostfix: '', outputExt: ext, outputDtype: null, separateFolder: false, printLog: false }).call(img);
    // what nibabel must see: channel last, trailing singleton channel squeezed, x fastest on disk
    let cl = data.movedim(0, -1);
    if (cl.shape[cl.shape.length - 1] === 1) cl = cl.squeeze(-1);
    const bytes = cl.contiguous().toTypedArray();
    const exp = path.join(out, `${name}.expected.npy`);
    writeNpy(exp, cl.shape, dtype as never, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    cases.push({ file: path.join(out, `${name}${ext}`), expected: exp, affine: oblique, dtype });
  });
}
fs.writeFileSync(path.join(out, 'cases.json'), JSON.stringify(cases, null, 1));
console.log(JSON.stringify({ written: cases.length, dir: out }));

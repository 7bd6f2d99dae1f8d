// The NIfTI files our writer must produce byte for byte (issue 13, item 19). Shared by the test
// (nifti_writer.test.ts) and the golden maker (tools/goldens/io/make_nifti_writer_goldens.py through
// write_nifti_writer_cases.ts), which has nibabel read every file back before it is committed.
import * as torch from '@monai-ts/torch';
import { MetaTensor } from '../../src/data/index.js';
import { SaveImage } from '../../src/transforms/io/index.js';
import { writeNifti } from '../../src/data/formats/nifti.js';
import type { ElementType } from '../../src/data/formats/common.js';

export interface WriterCase {
  name: string;
  ext: '.nii' | '.nii.gz';
  dtype: torch.DType;
  /** SaveImage: channel-first shape; direct: the file's shape (x, y, z, ...) */
  shape: number[];
  affine: number[];
  /** through SaveImage (MONAI's path) or writeNifti directly (5D+, NIfTI-2) */
  via: 'SaveImage' | 'writeNifti';
  version?: 1 | 2;
}

function rot(c0: number, s0: number, c1: number, s1: number): number[][] {
  // Rz(a) * Rx(b)
  return [
    [c0, -s0 * c1, s0 * s1],
    [s0, c0 * c1, -c0 * s1],
    [0, s1, c1],
  ];
}
function affine(r: number[][], zooms: number[], origin: number[]): number[] {
  return [0, 1, 2].flatMap((i) => [...[0, 1, 2].map((j) => r[i][j] * zooms[j]), origin[i]]).concat([0, 0, 0, 1]);
}
const OBLIQUE = affine(rot(Math.cos(0.3), Math.sin(0.3), Math.cos(0.2), Math.sin(0.2)), [0.9, 1.1, 2.5], [-40.5, 22.25, 13]);
const FLIP = affine([[-1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.75, 0.75, 1.5], [90, -126, -72]); // qfac -1
const SCALE = affine([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [2, 3, 1], [1.5, -2.5, 0]);
const SHEAR = [1.2, 0.3, 0, 4, 0, 0.8, 0.1, -5, 0.05, 0, 2, 6, 0, 0, 0, 1]; // no qform can say this

export const CASES: WriterCase[] = [
  { name: 'u8_2d', ext: '.nii', dtype: 'uint8', shape: [1, 7, 5], affine: SCALE, via: 'SaveImage' },
  { name: 'i8_3d_flip', ext: '.nii.gz', dtype: 'int8', shape: [1, 5, 4, 3], affine: FLIP, via: 'SaveImage' },
  { name: 'i16_3d', ext: '.nii', dtype: 'int16', shape: [1, 6, 5, 4], affine: OBLIQUE, via: 'SaveImage' },
  { name: 'i32_4d', ext: '.nii.gz', dtype: 'int32', shape: [3, 4, 3, 2], affine: OBLIQUE, via: 'SaveImage' },
  { name: 'i64_3d', ext: '.nii', dtype: 'int64', shape: [1, 3, 4, 2], affine: FLIP, via: 'SaveImage' },
  { name: 'f32_3d', ext: '.nii.gz', dtype: 'float32', shape: [1, 7, 6, 5], affine: OBLIQUE, via: 'SaveImage' },
  { name: 'f64_3d_shear', ext: '.nii', dtype: 'float64', shape: [1, 4, 3, 3], affine: SHEAR, via: 'SaveImage' },
  { name: 'bool_3d', ext: '.nii.gz', dtype: 'bool', shape: [1, 5, 3, 2], affine: SCALE, via: 'SaveImage' },
  { name: 'f32_5d', ext: '.nii', dtype: 'float32', shape: [3, 4, 2, 2, 3], affine: OBLIQUE, via: 'writeNifti' },
  { name: 'i16_3d_nifti2', ext: '.nii.gz', dtype: 'int16', shape: [4, 3, 2], affine: FLIP, via: 'writeNifti', version: 2 },
];

/** The case's data, a deterministic pattern (the same in numpy: see the golden maker). */
export function caseData(c: WriterCase): torch.Tensor {
  return torch.tidy(() => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const i = torch.arange(n, { dtype: 'int64' });
    const v = i.mul(37).remainder(251).sub(100); // -100..150
    let t: torch.Tensor;
    if (c.dtype === 'bool') t = i.remainder(3).eq(0);
    else if (c.dtype === 'uint8') t = v.add(100).to({ dtype: 'uint8' });
    else if (c.dtype === 'int8') t = v.remainder(256).sub(128).to({ dtype: 'int8' });
    else if (c.dtype === 'float32' || c.dtype === 'float64') t = v.to({ dtype: c.dtype }).mul(0.25).add(0.125);
    else t = v.mul(1000).to({ dtype: c.dtype });
    return t.reshape(c.shape);
  });
}

/** Writes the case into `dir` with our writer; returns the file. */
export function writeCase(c: WriterCase, dir: string): string {
  const file = `${dir}/${c.name}${c.ext}`;
  const data = caseData(c);
  try {
    if (c.via === 'SaveImage') {
      const img = MetaTensor.wrap(data.alias(), { affine: Float64Array.from(c.affine), meta: { filename_or_obj: `${c.name}.nii`, spatial_shape: c.shape.slice(1) } });
      try {
        new SaveImage({ outputDir: dir, outputPostfix: '', outputExt: c.ext, outputDtype: null, separateFolder: false, printLog: false }).call(img);
      } finally {
        img.dispose();
      }
    } else {
      // x fastest in the file: the reversed-axes C-order bytes
      const rev = torch.tidy(() => data.permute(c.shape.map((_, k) => c.shape.length - 1 - k)).contiguous().toTypedArray());
      writeNifti(file, {
        shape: c.shape,
        element: c.dtype as ElementType,
        data: new Uint8Array(rev.buffer, rev.byteOffset, rev.byteLength),
        affine: Float64Array.from(c.affine),
        version: c.version,
      });
    }
  } finally {
    data.dispose();
  }
  return file;
}

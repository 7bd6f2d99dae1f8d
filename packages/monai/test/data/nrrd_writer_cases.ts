// NRRD files our writer must produce byte for byte, judged by teem when the goldens were made
// (tools/goldens/io/make_nrrd_writer_goldens.py); shared by nrrd_writer.test.ts and the golden maker.
import * as torch from '@monai-ts/torch';
import { writeNrrd } from '../../src/data/formats/nrrd.js';
import type { ElementType } from '../../src/data/formats/common.js';

export interface NrrdWriterCase {
  name: string;
  dtype: torch.DType;
  shape: number[]; // NRRD axis order (first fastest in the file)
  affine: number[]; // RAS
  channelAxis: number | null;
  gzip: boolean;
}

const OBLIQUE = [0.9, -0.2, 0, 1.5, 0.1, 1.1, 0, -2, 0, 0, 2.5, 3, 0, 0, 0, 1];
const FLIP = [-0.75, 0, 0, 90, 0, 0.75, 0, -126, 0, 0, 1.5, -72, 0, 0, 0, 1];

export const NRRD_CASES: NrrdWriterCase[] = [
  { name: 'f32_3d_gzip', dtype: 'float32', shape: [4, 3, 2], affine: OBLIQUE, channelAxis: null, gzip: true },
  { name: 'i16_3d_raw', dtype: 'int16', shape: [5, 4, 3], affine: FLIP, channelAxis: null, gzip: false },
  { name: 'u8_2d_raw', dtype: 'uint8', shape: [6, 5], affine: [0.5, 0, 0, 1, 0, 0.7, 0, 2, 0, 0, 1, 0, 0, 0, 0, 1], channelAxis: null, gzip: false },
  { name: 'f64_4d_channel_gzip', dtype: 'float64', shape: [3, 4, 2, 2], affine: OBLIQUE, channelAxis: 3, gzip: true },
  { name: 'i64_3d_gzip', dtype: 'int64', shape: [2, 3, 4], affine: FLIP, channelAxis: null, gzip: true },
  { name: 'i8_3d_raw', dtype: 'int8', shape: [3, 3, 3], affine: OBLIQUE, channelAxis: null, gzip: false },
  { name: 'i32_3d_raw', dtype: 'int32', shape: [2, 2, 5], affine: FLIP, channelAxis: null, gzip: false },
];

/** Data in NRRD axis order, a deterministic pattern. */
export function nrrdCaseData(c: NrrdWriterCase): torch.Tensor {
  return torch.tidy(() => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const v = torch.arange(n, { dtype: 'int64' }).mul(37).remainder(251).sub(100);
    let t: torch.Tensor;
    if (c.dtype === 'uint8') t = v.add(100).to({ dtype: 'uint8' });
    else if (c.dtype === 'int8') t = v.to({ dtype: 'int8' });
    else if (c.dtype === 'float32' || c.dtype === 'float64') t = v.to({ dtype: c.dtype }).mul(0.25).add(0.125);
    else t = v.mul(c.dtype === 'int16' ? 1 : 1000003).to({ dtype: c.dtype });
    return t.reshape(c.shape);
  });
}

/** Writes the case into `dir` with our NRRD writer (bytes with the first axis fastest); returns the file. */
export function writeNrrdCase(c: NrrdWriterCase, dir: string): string {
  const file = `${dir}/${c.name}.nrrd`;
  const rev = torch.tidy(() => {
    const d = nrrdCaseData(c);
    return d.permute(c.shape.map((_, k) => c.shape.length - 1 - k)).contiguous().toTypedArray();
  });
  writeNrrd(file, {
    shape: c.shape,
    element: c.dtype as ElementType,
    data: new Uint8Array(rev.buffer, rev.byteOffset, rev.byteLength),
    affine: Float64Array.from(c.affine),
    channelAxis: c.channelAxis,
    gzip: c.gzip,
  });
  return file;
}

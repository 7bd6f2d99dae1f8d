// Writes the NRRD writer golden cases (packages/monai/test/data/nrrd_writer_cases.ts) into OUTDIR,
// with OUTDIR/cases.json listing each case's values in file order (first axis fastest) and affine.
// Run by make_nrrd_writer_goldens.py.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { NRRD_CASES, nrrdCaseData, writeNrrdCase } from '../../../packages/monai/test/data/nrrd_writer_cases.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_nrrd_writer_cases.ts OUTDIR');
fs.mkdirSync(out, { recursive: true });
const listed = NRRD_CASES.map((c) => {
  const file = writeNrrdCase(c, out);
  const values = torch.tidy(() => {
    const d = nrrdCaseData(c);
    return Array.from(d.permute(c.shape.map((_, k) => c.shape.length - 1 - k)).reshape([-1]).to({ dtype: 'float64' }).toTypedArray() as Float64Array);
  });
  return { name: c.name, file: path.basename(file), shape: c.shape, affine: c.affine, channelAxis: c.channelAxis, values };
});
fs.writeFileSync(path.join(out, 'cases.json'), JSON.stringify(listed));

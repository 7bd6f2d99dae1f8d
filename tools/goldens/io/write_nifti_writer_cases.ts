// Writes the NIfTI writer golden cases (packages/monai/test/data/nifti_writer_cases.ts) into OUTDIR,
// with each case's array as OUTDIR/<name>.expected.npy (in the file's index order, channel last as
// SaveImage stores it) and OUTDIR/cases.json. Run by make_nifti_writer_goldens.py.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { CASES, caseData, writeCase } from '../../../packages/monai/test/data/nifti_writer_cases.js';
import { writeNpy } from '../../../packages/monai/src/data/formats/npy.js';
import type { ElementType } from '../../../packages/monai/src/data/formats/common.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_nifti_writer_cases.ts OUTDIR');
fs.mkdirSync(out, { recursive: true });
const listed = CASES.map((c) => {
  const file = writeCase(c, out);
  torch.tidy(() => {
    let a = caseData(c);
    if (c.via === 'SaveImage') {
      a = a.movedim(0, -1); // channel last
      while (a.shape.length > 0 && a.shape[a.shape.length - 1] === 1) a = a.squeeze(-1);
      if (c.dtype === 'bool') a = a.to({ dtype: 'uint8' });
    }
    const b = a.contiguous().toTypedArray();
    writeNpy(path.join(out, `${c.name}.expected.npy`), a.shape, a.dtype as ElementType, new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  });
  return { name: c.name, file: path.basename(file), affine: c.affine, via: c.via, version: c.version ?? 1 };
});
fs.writeFileSync(path.join(out, 'cases.json'), JSON.stringify(listed, null, 1));

// ITKReader against real ITK 5.2 (GDCM 3.0 for DICOM, NrrdImageIO for NRRD): goldens made by
// tools/goldens/itk/itk_golden.cxx through make_itk_goldens.py, which read each fixture as MONAI's ITKReader
// does (itk.imread; GDCMSeriesFileNames for a folder). Here we apply what MONAI does with ITK's output:
// array transposed to (x, y, z[, component]), affine = LPS->RAS(direction . diag(spacing) | origin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { ITKReader } from '../../../src/data/dicom/index.js';
import '../../../src/data/readers/index.js'; // registers the NRRD reader that ITKReader hands .nrrd files to
import { assertClose, m4, summaryOf, tensorValues } from './helpers.js';

const start = torch.memory().liveTensors;
const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', '..', 'fixtures');
const GOLDENS = join(HERE, '..', '..', '..', '..', '..', 'tools', 'goldens', 'itk', 'itk_goldens.json');

interface ItkGolden {
  what: string;
  files: string[];
  imageIO: string;
  componentType: string;
  pixelType: string;
  components: number;
  dimension: number;
  size: number[];
  origin: number[];
  spacing: number[];
  direction: number[][];
  meta: Record<string, string>;
  sha256: string;
  sum: number;
  min: number;
  max: number;
  samples: [number, number][];
}

const goldens: Record<string, ItkGolden> = JSON.parse(readFileSync(GOLDENS, 'utf8'));

/** The torch dtype of the numpy array MONAI gets for an ITK component type (torch has no uint16/uint32). */
const DTYPE: Record<string, string> = {
  unsigned_char: 'uint8',
  char: 'int8',
  unsigned_short: 'int32',
  short: 'int16',
  unsigned_int: 'int64',
  int: 'int32',
  float: 'float32',
  double: 'float64',
};

/** MONAI's ITKReader._get_affine: direction . diag(spacing), origin, then LPS -> RAS (rows 0 and 1 negated). */
function monaiAffine(g: ItkGolden): number[][] {
  const n = Math.min(g.dimension, 3);
  const a: number[][] = Array.from({ length: n + 1 }, (_, r) => Array.from({ length: n + 1 }, (_, c) => (r === c ? 1 : 0)));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) a[r][c] = g.direction[r][c] * g.spacing[c];
    a[r][n] = g.origin[r];
  }
  for (let r = 0; r < Math.min(n, 2); r++) a[r] = a[r].map((x) => (x === 0 ? 0 : -x));
  return a;
}

test('the ITK goldens cover MONOCHROME1, series order, rescale, colour, NRRD', () => {
  for (const k of ['dicom/synthetic/mono1_u12.dcm', 'dicom/synthetic/oblique_series', 'dicom/synthetic/rescale_per_slice', 'dicom/pydicom/SC_rgb_rle.dcm', 'io/oblique.nrrd']) {
    assert.ok(goldens[k], k);
  }
});

for (const [rel, g] of Object.entries(goldens)) {
  test(`ITKReader ${rel} equals ITK 5.2 (${g.what})`, () => {
    const reader = new ITKReader();
    const [t, meta] = reader.getData(reader.read(join(FIXTURES, rel)));
    let itkOrder: torch.Tensor | undefined;
    try {
      const expectedShape = g.components > 1 ? [...g.size, g.components] : g.size;
      assert.deepEqual(t.shape, expectedShape, 'shape (x, y, z[, component])');
      assert.equal(t.dtype, DTYPE[g.componentType], `dtype for ITK's ${g.componentType}`);
      // ITK's buffer order (x fastest, components together) is the reverse of the spatial axes.
      const d = g.size.length;
      const perm = [...Array.from({ length: d }, (_, k) => d - 1 - k), ...(g.components > 1 ? [d] : [])];
      itkOrder = torch.tidy(() => t.permute(perm).contiguous());
      const v = tensorValues(itkOrder);
      for (const [i, expected] of g.samples) assert.equal(v[i], expected, `sample ${i}`);
      const s = summaryOf(v);
      assert.equal(s.sha256, g.sha256, `every sample (sum ${s.sum} vs ${g.sum}, min ${s.min}/${g.min}, max ${s.max}/${g.max})`);
      // Geometry: 1e-6, because ITK derives a series' slice spacing in single precision (1.299999977537048 for 1.3).
      assertClose(m4(meta.affine), monaiAffine(g), 1e-6, `${rel}: affine`);
      assertClose([Array.from(meta.spacing as ArrayLike<number>)], [g.spacing], 1e-6, `${rel}: spacing`);
      assert.deepEqual(Array.from(meta.spatial_shape as ArrayLike<number>), g.size.slice(0, 3), 'spatial_shape');
      // DICOM tags our ITKReader keeps: ITK's strings.
      for (const [key, value] of Object.entries(meta)) {
        if (/^[0-9a-f]{4}\|[0-9a-f]{4}$/.test(key)) assert.equal(value, g.meta[key], `meta '${key}'`);
      }
    } finally {
      t.dispose();
      itkOrder?.dispose();
    }
  });
}

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

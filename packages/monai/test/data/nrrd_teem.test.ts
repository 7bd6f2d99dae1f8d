// NrrdReader against teem, the reference NRRD implementation (issue 13, item 20): the fixtures were
// written by teem's `unu` (raw, gzip, ascii; little and big endian; attached and detached; 8 types;
// space directions, origin, spacings, a vector axis) and the expected values, sizes and geometry are
// teem's own reading of each file (tools/goldens/io/make_nrrd_teem_goldens.py), not our writer's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { NrrdReader } from '../../src/data/index.js';
import { ROOT, fixture } from './helpers.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));

const G: { teem_apps_version: string; files: Record<string, { fields: Record<string, string>; values: number[] }> } = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'tools', 'goldens', 'io', 'nrrd_teem_goldens.json'), 'utf8'),
);
// teem type -> the dtype monai-ts loads (numpy's widening of unsigned types, as MONAI)
const DTYPE: Record<string, string> = {
  'signed char': 'int8',
  'unsigned char': 'uint8',
  short: 'int16',
  'unsigned short': 'int32',
  int: 'int32',
  'unsigned int': 'int64',
  'long long int': 'int64',
  float: 'float32',
  double: 'float64',
};

function vec(s: string): number[] {
  return s.replace(/[()]/g, '').split(',').map(Number);
}

test('teem fixtures cover the encodings, byte orders, detached headers and types', () => {
  const f = Object.values(G.files).map((g) => g.fields);
  assert.ok(Object.keys(G.files).length >= 10);
  for (const t of Object.keys(DTYPE)) assert.ok(f.some((x) => x.type === t), `a ${t} fixture`);
  assert.ok(Object.keys(G.files).some((n) => n.endsWith('.nhdr')));
  for (const n of Object.keys(G.files)) assert.ok(fs.existsSync(fixture(path.join('teem', n))), `missing fixture ${n}`);
});

for (const [name, g] of Object.entries(G.files)) {
  test(`NRRD ${name} reads as teem reads it`, () => {
    const r = new NrrdReader();
    const [t, meta] = r.getData(r.read(fixture(path.join('teem', name))), { dtype: null });
    try {
      const sizes = g.fields.sizes.split(/\s+/).map(Number);
      assert.deepEqual(t.shape, sizes, 'sizes');
      assert.equal(t.dtype, DTYPE[g.fields.type], 'dtype');
      // teem lists values with axis 0 fastest: our array in reversed axis order, flattened
      const flat = torch.tidy(() => t.permute(sizes.map((_, k) => sizes.length - 1 - k)).reshape([-1]).to({ dtype: 'float64' }).toTypedArray() as Float64Array);
      assert.equal(flat.length, g.values.length);
      for (let i = 0; i < flat.length; i++) assert.equal(flat[i], g.values[i], `value ${i}`); // exact: teem prints every value in full
      // geometry: teem's space directions / origin (or spacings) as columns, LPS turned into RAS
      const expected = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]); // axes beyond the image's: identity
      const dirs = g.fields['space directions'];
      if (dirs) {
        const cols = dirs.split(/\s+(?=\(|none)/).filter((d) => d !== 'none').map(vec);
        cols.slice(0, 3).forEach((c, j) => c.forEach((v, i) => (expected[i * 4 + j] = v)));
        vec(g.fields['space origin']).forEach((v, i) => (expected[i * 4 + 3] = v));
      } else g.fields.spacings.split(/\s+/).map(Number).slice(0, 3).forEach((s, j) => (expected[j * 4 + j] = s));
      const space = g.fields.space ?? 'left-posterior-superior';
      const flip = space === 'right-anterior-superior' ? [1, 1, 1] : [-1, -1, 1]; // MONAI's affine_lps_to_ras
      const a = meta.affine as Float64Array;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 4; j++) assert.ok(Math.abs(a[i * 4 + j] - flip[i] * expected[i * 4 + j]) <= 1e-12, `affine[${i}][${j}] = ${a[i * 4 + j]}, teem: ${flip[i] * expected[i * 4 + j]}`);
    } finally {
      t.dispose();
    }
  });
}

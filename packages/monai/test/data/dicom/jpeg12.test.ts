// 12-bit JPEG (JPEG Extended, process 4) against a real libjpeg decode: GDCM's 12-bit IJG build, through
// `gdcmconv --raw` (tools/goldens/dicom/make_jpeg12_golden.py). Exact: our decoder uses libjpeg's islow IDCT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import { decodePixels, parseDicomBytes, pixelInfo } from '../../../src/data/dicom/index.js';
import { FIXTURES, asFloat64, fixture, summaryOf, type Golden } from './helpers.js';

const start = torch.memory().liveTensors;
const goldens: Record<string, Golden> = JSON.parse(readFileSync(join(FIXTURES, 'jpeg12_gdcm.json'), 'utf8'));

test('the 12-bit JPEG goldens exist (pydicom sample; synthetic with restart markers and partial blocks)', () => {
  assert.ok(goldens['pydicom/JPGExtended.dcm']);
  assert.ok(goldens['synthetic/jpeg12_restart.dcm']);
});

for (const [key, g] of Object.entries(goldens)) {
  test(`${key}: 12-bit JPEG decodes exactly as libjpeg (${g.source})`, () => {
    const f = parseDicomBytes(readFileSync(fixture(key)), key);
    const info = pixelInfo(f);
    assert.deepEqual([info.rows, info.cols], g.shape);
    // decodePixels gives (frame, row, column) C order: pydicom's pixel_array order.
    const v = asFloat64(decodePixels(f, info));
    for (const [i, expected] of g.samples!) assert.equal(v[i], expected, `sample ${i}`);
    const s = summaryOf(v);
    assert.equal(s.sum, g.sum);
    assert.equal(s.sha256, g.sha256, 'every sample equals the libjpeg decode');
  });
}

test('no live tensors left', () => {
  assert.equal(torch.memory().liveTensors, start);
});

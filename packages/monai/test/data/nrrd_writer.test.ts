// The NRRD writer judged by teem without teem at test time: every case of nrrd_writer_cases.ts is
// written again and must equal, byte for byte, the committed file that teem read back (sizes, every
// value, LPS directions and origin, `none` channel axis) when tools/goldens/io/make_nrrd_writer_goldens.py
// made it. A missing committed file or manifest entry fails.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import * as torch from '@monai-ts/torch';
import { NRRD_CASES, writeNrrdCase } from './nrrd_writer_cases.js';
import { ROOT, fixture, tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir('monai-nrrdw-');
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});
const MANIFEST: { files: Record<string, { sha256: string; checks: string[] }> } = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'tools', 'goldens', 'io', 'nrrd_writer_goldens.json'), 'utf8'),
);

test('every NRRD writer case has a committed, teem-verified file', () => {
  assert.deepEqual(NRRD_CASES.map((c) => `${c.name}.nrrd`).sort(), Object.keys(MANIFEST.files).sort());
});

for (const c of NRRD_CASES) {
  test(`NRRD writer: ${c.name} (${c.dtype}) is byte-identical to the teem-verified file`, () => {
    const name = `${c.name}.nrrd`;
    const golden = fixture(path.join('written_nrrd', name));
    assert.ok(fs.existsSync(golden), `missing committed file ${golden} (run tools/goldens/io/make_nrrd_writer_goldens.py)`);
    const entry = MANIFEST.files[name];
    assert.ok(entry, `no manifest entry for ${name}`);
    const want = fs.readFileSync(golden);
    assert.equal(createHash('sha256').update(want).digest('hex'), entry.sha256, `${name}: the committed file is not the one teem verified`);
    for (const k of ['values', 'directions', 'origin', 'sizes']) assert.ok(entry.checks.includes(k), `${name}: manifest lacks teem's ${k} check`);
    const got = fs.readFileSync(writeNrrdCase(c, dir));
    if (c.gzip) {
      const split = (b: Buffer) => b.indexOf('\n\n') + 2;
      assert.ok(Buffer.compare(got.subarray(0, split(got)), want.subarray(0, split(want))) === 0, `${name}: header differs`);
      assert.ok(Buffer.compare(zlib.gunzipSync(got.subarray(split(got))), zlib.gunzipSync(want.subarray(split(want)))) === 0, `${name}: data inside the gzip differs`);
    }
    assert.ok(Buffer.compare(got, want) === 0, `${name}: written bytes differ from the teem-verified file (Node ${process.versions.node}, zlib ${process.versions.zlib})`);
  });
}

// NRRD detached data files (issue 13, item 6): a header's "data file" (single name, LIST, %d pattern)
// may only name regular files in the header's folder or below it, symbolic links resolved, and the
// sizes are checked before anything is read. Before the fix `/dev/zero` made a loader grow to 2 GiB
// and `/etc/passwd` or `../../x` were read as image data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { LoadImage } from '../../src/transforms/io/index.js';
import { MetaTensor } from '../../src/data/index.js';
import { readNrrdInfo } from '../../src/data/formats/nrrd.js';
import { tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const root = tmpDir('monai-nrrd-sec-');
const dir = path.join(root, 'case'); // the header's folder; root holds files "outside" it
fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

const RULE = /must be regular files in the header's folder or below it/;
const values = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 1);
const raw = Buffer.from(values.buffer);
fs.writeFileSync(path.join(root, 'outside.raw'), raw);
fs.writeFileSync(path.join(root, 's0.raw'), raw.subarray(0, 16)); // what ../s%d.raw would name
fs.writeFileSync(path.join(dir, 'inside.raw'), raw);
fs.writeFileSync(path.join(dir, 'sub', 'below.raw'), raw);
fs.writeFileSync(path.join(dir, 'short.raw'), raw.subarray(0, 20));
for (let k = 0; k < 3; k++) fs.writeFileSync(path.join(dir, `s${k}.raw`), raw.subarray(16 * k, 16 * (k + 1)));
fs.symlinkSync(path.join(root, 'outside.raw'), path.join(dir, 'link_out.raw'));
fs.symlinkSync(path.join(dir, 'inside.raw'), path.join(dir, 'link_in.raw'));
fs.symlinkSync('/etc', path.join(dir, 'etc'));

function header(name: string, dataFile: string, extra = ''): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `NRRD0004\ntype: float\ndimension: 2\nsizes: 4 3\nencoding: raw\nendian: little\n${extra}data file: ${dataFile}\n`);
  return f;
}

function load(file: string): MetaTensor {
  return new LoadImage({ dtype: null, imageOnly: true }).call(file) as MetaTensor;
}

function expectRefused(file: string, ref: string, why: RegExp): void {
  const t0 = performance.now();
  assert.throws(
    () => load(file),
    (e: Error) => {
      assert.ok(e.message.includes(file), `error names the header: ${e.message}`);
      assert.ok(e.message.includes(JSON.stringify(ref)), `error names the referenced file ${ref}: ${e.message}`);
      assert.match(e.message, why);
      return true;
    },
  );
  assert.ok(performance.now() - t0 < 2000, 'refused quickly (nothing large read)');
  assert.ok(torch.memory().bytes < 1 << 20, `no large allocation (${torch.memory().bytes} bytes live)`);
}

test('data files outside the header folder are refused, whatever the path form', () => {
  expectRefused(header('zero.nhdr', '/dev/zero'), '/dev/zero', RULE);
  expectRefused(header('passwd.nhdr', '/etc/passwd'), '/etc/passwd', RULE);
  expectRefused(header('up.nhdr', '../outside.raw'), '../outside.raw', RULE);
  expectRefused(header('upup.nhdr', '../../x'), '../../x', /cannot be opened|outside/);
  expectRefused(header('abs.nhdr', path.join(root, 'outside.raw')), path.join(root, 'outside.raw'), RULE);
  expectRefused(header('dotdot.nhdr', 'sub/../../outside.raw'), 'sub/../../outside.raw', RULE);
});

test('a symbolic link cannot lead out of the header folder', () => {
  expectRefused(header('link.nhdr', 'link_out.raw'), 'link_out.raw', RULE);
  expectRefused(header('linkdir.nhdr', 'etc/passwd'), 'etc/passwd', RULE);
});

test('data files must be regular files of the expected size, checked before reading', () => {
  expectRefused(header('folder.nhdr', 'sub'), 'sub', /is not a regular file/);
  expectRefused(header('missing.nhdr', 'nope.raw'), 'nope.raw', /cannot be opened \(ENOENT\)/);
  expectRefused(header('short.nhdr', 'short.raw'), 'short.raw', /has 20 bytes but must hold 48 bytes/);
  // a data file that is large enough but a device: refused by type before its size matters
  expectRefused(header('null.nhdr', '/dev/null'), '/dev/null', RULE);
});

test('LIST and %d pattern forms follow the same rule, file by file', () => {
  const list = path.join(dir, 'list.nhdr');
  fs.writeFileSync(list, 'NRRD0004\ntype: float\ndimension: 2\nsizes: 4 3\nencoding: raw\nendian: little\ndata file: LIST\ns0.raw\n../outside.raw\ns2.raw\n');
  expectRefused(list, '../outside.raw', RULE);
  expectRefused(header('pat.nhdr', '../s%d.raw 0 2 1'), '../s0.raw', RULE);
  expectRefused(header('patzero.nhdr', '/dev/zer%d 0 0 1'), '/dev/zer0', /outside|cannot be opened/);
  assert.throws(() => load(header('endless.nhdr', 's%d.raw 0 5 -1')), /empty or endless range/);
  assert.throws(() => load(header('twopct.nhdr', 's%d%d.raw 0 2 1')), /exactly one %d/);
});

test('files in the folder or below it, and links that stay inside, load', () => {
  for (const [name, ref] of [
    ['in.nhdr', 'inside.raw'],
    ['below.nhdr', 'sub/below.raw'],
    ['below2.nhdr', './sub/../inside.raw'],
    ['linkin.nhdr', 'link_in.raw'],
    ['pattern.nhdr', 's%d.raw 0 2 1 1'],
    ['padded.nhdr', 's%01d.raw 0 2 1'],
  ] as const) {
    const img = load(header(name, ref));
    try {
      assert.deepEqual(img.shape, [4, 3], name);
      assert.deepEqual(Array.from(img.toTypedArray() as Float32Array), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11].map((i) => values[i]), name);
    } finally {
      img.dispose();
    }
  }
  const list = path.join(dir, 'list_ok.nhdr');
  fs.writeFileSync(list, 'NRRD0004\ntype: float\ndimension: 2\nsizes: 4 3\nencoding: raw\nendian: little\ndata file: LIST 1\ns0.raw\ns1.raw\nsub/../s2.raw\n');
  const info = readNrrdInfo(list);
  assert.deepEqual(info.dataFiles, ['s0.raw', 's1.raw', 's2.raw'].map((f) => fs.realpathSync(path.join(dir, f))));
  const img = load(list);
  try {
    assert.deepEqual(Array.from(img.toTypedArray() as Float32Array), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11].map((i) => values[i]));
  } finally {
    img.dispose();
  }
});

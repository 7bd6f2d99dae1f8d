// SaveImage writes atomically: a write that fails part way (the disk fills after some bytes reach
// the temporary file) or whose final rename fails leaves the previous file byte for byte, and no
// temporary file behind, for every format the writers handle.
// The failure is injected into node:fs itself (fs.writeSync writes half its bytes, then throws
// ENOSPC as a full disk does); tests run as root here, so a read-only folder would not stop a write.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { SaveImage } from '../../../src/transforms/io/index.js';
import { MetaTensor } from '../../../src/data/index.js';
import { tmpDir } from '../../data/helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir('monai-save-atomic-');
const cjsFs = createRequire(import.meta.url)('node:fs') as typeof fs;
const realWriteSync = cjsFs.writeSync;

/** From now on fs.writeSync writes half of what it is given, then fails with ENOSPC. */
function failWritesMidway(): void {
  const failing = (fd: number, buf: NodeJS.ArrayBufferView, off?: number, len?: number, pos?: number | null): number => {
    const o = off ?? 0;
    const n = len ?? buf.byteLength - o;
    if (n > 1) realWriteSync(fd, buf, o, Math.floor(n / 2), pos);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  };
  cjsFs.writeSync = failing as typeof fs.writeSync;
  syncBuiltinESMExports();
}
function restoreWrites(): void {
  cjsFs.writeSync = realWriteSync;
  syncBuiltinESMExports();
}
afterEach(restoreWrites);

function image(value: number, dtype: torch.DType = 'float32'): MetaTensor {
  const t = torch.tidy(() => torch.arange(4 * 5 * 3, { dtype: 'float32' }).add(value).reshape([1, 4, 5, 3]).to({ dtype }));
  return MetaTensor.wrap(t, { meta: { filename_or_obj: '/in/case.nii.gz', spatial_shape: [4, 5, 3] } });
}

const tmpFiles = (d: string) => fs.readdirSync(d).filter((n) => n.endsWith('.tmp'));

const FORMATS: [string, torch.DType][] = [['.nii.gz', 'float32'], ['.nii', 'float32'], ['.nrrd', 'float32'], ['.npy', 'float32'], ['.png', 'uint8']];

for (const [ext, dtype] of FORMATS) {
  test(`${ext}: a write failing part way leaves the previous file intact and no temporary file`, () => {
    const sub = fs.mkdtempSync(path.join(dir, 'fmt-'));
    const png = ext === '.png';
    const opts = { outputDir: sub, outputExt: ext, outputPostfix: 'seg', separateFolder: false, printLog: false, outputDtype: png ? 'uint8' as const : null };
    const first = png ? MetaTensor.wrap(torch.tidy(() => torch.arange(20, { dtype: 'uint8' }).reshape([1, 4, 5])), { meta: { filename_or_obj: '/in/case.png', spatial_shape: [4, 5] } }) : image(0, dtype);
    const second = png ? MetaTensor.wrap(torch.tidy(() => torch.arange(20, { dtype: 'uint8' }).add(100).reshape([1, 4, 5])), { meta: { filename_or_obj: '/in/case.png', spatial_shape: [4, 5] } }) : image(1000, dtype);
    try {
      new SaveImage(opts).call(first);
      const file = path.join(sub, `case_seg${ext}`);
      const before = fs.readFileSync(file);
      assert.ok(before.length > 0);
      failWritesMidway();
      assert.throws(() => new SaveImage(opts).call(second), (e: Error) => e.message.includes(file) && /ENOSPC/.test(e.message));
      restoreWrites();
      assert.deepEqual(fs.readFileSync(file), before, 'the previous file is unchanged');
      assert.deepEqual(tmpFiles(sub), [], 'no temporary file is left');
      assert.deepEqual(fs.readdirSync(sub), [`case_seg${ext}`]);
      // the same write succeeds once the disk has room, and replaces the file
      new SaveImage(opts).call(second);
      assert.notDeepEqual(fs.readFileSync(file), before);
      assert.deepEqual(tmpFiles(sub), []);
    } finally {
      restoreWrites();
      first.dispose();
      second.dispose();
    }
  });
}

test('a failed first write leaves no file at all', () => {
  const sub = fs.mkdtempSync(path.join(dir, 'new-'));
  const img = image(3);
  try {
    failWritesMidway();
    assert.throws(() => new SaveImage({ outputDir: sub, outputPostfix: 'x', separateFolder: false, printLog: false }).call(img), /ENOSPC/);
    restoreWrites();
    assert.deepEqual(fs.readdirSync(sub), []);
  } finally {
    restoreWrites();
    img.dispose();
  }
});

test('a rename that fails (a folder holds the target name) leaves that folder and no temporary file', () => {
  const sub = fs.mkdtempSync(path.join(dir, 'rename-'));
  const target = path.join(sub, 'case_seg.nii.gz');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep.txt'), 'kept');
  const img = image(5);
  try {
    assert.throws(
      () => new SaveImage({ outputDir: sub, outputPostfix: 'seg', separateFolder: false, printLog: false }).call(img),
      (e: Error) => e.message.includes(target) && /EISDIR|ENOTEMPTY|EEXIST|directory/i.test(e.message),
    );
    assert.equal(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'kept');
    assert.deepEqual(fs.readdirSync(sub), ['case_seg.nii.gz']);
  } finally {
    img.dispose();
  }
});

after(() => {
  restoreWrites();
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'save_atomic tests leaked tensors');
});

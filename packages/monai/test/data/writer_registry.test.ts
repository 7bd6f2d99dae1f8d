// The image writer registry (MONAI's monai/data/image_writer.py resolve_writer / register_writer):
// writers resolved by extension (with or without the dot, any case), by name, user writers
// registered for new extensions and placed before earlier ones, fallback to the next writer when
// one fails, and errors for unknown extensions and names.
// Registrations are process-wide and cannot be undone, so each test registers under its own
// extensions (".rega", ".regb", ...) and never shadows a built-in writer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { resolveWriter, registerWriter, MetaTensor, type WriteRequest } from '../../src/data/index.js';
import { writerByName } from '../../src/data/image_writer.js';
import { SaveImage } from '../../src/transforms/io/index.js';
import { tmpDir } from './helpers.js';

const start = torch.memory().liveTensors;
const dir = tmpDir('monai-writers-');

const names = (ext: string) => resolveWriter(ext).map((w) => w.name);

function image(): MetaTensor {
  const affine = Float64Array.from([2, 0, 0, -10, 0, 3, 0, 5, 0, 0, 4, 1, 0, 0, 0, 1]);
  const t = torch.tidy(() => torch.arange(4 * 5 * 3, { dtype: 'float32' }).reshape([1, 4, 5, 3]));
  return MetaTensor.wrap(t, { affine, meta: { filename_or_obj: '/in/case.nii.gz', spatial_shape: [4, 5, 3] } });
}

test('built-in writers resolve by extension, with or without the dot, in any case', () => {
  assert.deepEqual(names('.nii.gz'), ['NibabelWriter']);
  assert.deepEqual(names('nii'), ['NibabelWriter']);
  assert.deepEqual(names('.NII.GZ'), ['NibabelWriter']);
  assert.deepEqual(names('.nrrd'), ['NrrdWriter']);
  assert.deepEqual(names('seg.nrrd'), ['NrrdWriter']);
  assert.deepEqual(names('.npy'), ['NumpyWriter']);
  assert.deepEqual(names('PNG'), ['PILWriter']);
  assert.equal(writerByName('NrrdWriter').name, 'NrrdWriter');
});

test('an unknown extension or writer name is an error that names it and what exists', () => {
  assert.throws(() => resolveWriter('.xyz'), (e: Error) => e instanceof TypeError && e.message.includes("'.xyz'") && e.message.includes('.nii.gz') && e.message.includes('.npy'));
  assert.throws(() => resolveWriter('.nrdd'), /did you mean '\.nrrd'/);
  assert.throws(() => writerByName('NibabelWritter'), /unknown image writer 'NibabelWritter'.*did you mean 'NibabelWriter'/);
  assert.throws(() => new SaveImage({ outputDir: dir, outputExt: '.xyz' }), /no image writer for extension '\.xyz'/);
  assert.throws(() => new SaveImage({ outputDir: dir, writer: 'NoSuchWriter' }), /unknown image writer 'NoSuchWriter'/);
});

test('a user writer registered for a new extension is resolved and called by SaveImage', () => {
  const calls: { file: string; shape: number[]; affine: number[]; spatialNdim: number; dtype: string }[] = [];
  registerWriter('RegAWriter', ['rega', '.REGA2'], (file: string, req: WriteRequest) => {
    calls.push({ file, shape: req.data.shape, affine: Array.from(req.affine), spatialNdim: req.spatialNdim, dtype: req.data.dtype });
    fs.writeFileSync(file, 'written by RegAWriter');
  });
  assert.deepEqual(names('.rega'), ['RegAWriter']);
  assert.deepEqual(names('rega2'), ['RegAWriter'], 'extensions are stored lower-case with a dot');
  const img = image();
  try {
    new SaveImage({ outputDir: dir, outputExt: '.rega', outputPostfix: 'a', separateFolder: false, printLog: false }).call(img);
    const file = path.join(dir, 'case_a.rega');
    assert.equal(fs.readFileSync(file, 'utf8'), 'written by RegAWriter');
    assert.equal(calls.length, 1);
    // channel-first [1, 4, 5, 3] reaches the writer channel-last with the end dim squeezed, float32 by default
    assert.deepEqual(calls[0], { file, shape: [4, 5, 3], affine: Array.from(img.affine), spatialNdim: 3, dtype: 'float32' });
  } finally {
    img.dispose();
  }
});

test('the writer registered last comes first; a failing writer hands over to the next', () => {
  const used: string[] = [];
  registerWriter('RegBFirst', ['.regb'], (file) => {
    used.push('RegBFirst');
    fs.writeFileSync(file, 'first');
  });
  registerWriter('RegBSecond', ['.regb'], () => {
    used.push('RegBSecond');
    throw new Error('RegBSecond cannot write this');
  });
  assert.deepEqual(names('.regb'), ['RegBSecond', 'RegBFirst']);
  const img = image();
  try {
    new SaveImage({ outputDir: dir, outputExt: '.regb', outputPostfix: 'b', separateFolder: false, printLog: false }).call(img);
    assert.deepEqual(used, ['RegBSecond', 'RegBFirst']);
    assert.equal(fs.readFileSync(path.join(dir, 'case_b.regb'), 'utf8'), 'first');
    // chosen by name, only that writer runs, and its failure is reported with the file
    used.length = 0;
    assert.throws(
      () => new SaveImage({ outputDir: dir, outputExt: '.regb', writer: 'RegBSecond', outputPostfix: 'c', separateFolder: false, printLog: false }).call(img),
      (e: Error) => e.message.includes(path.join(dir, 'case_c.regb')) && e.message.includes('RegBSecond: RegBSecond cannot write this'),
    );
    assert.deepEqual(used, ['RegBSecond']);
    assert.equal(fs.existsSync(path.join(dir, 'case_c.regb')), false);
  } finally {
    img.dispose();
  }
});

test('when every writer fails, SaveImage reports each writer and its reason', () => {
  registerWriter('RegCOne', ['.regc'], () => {
    throw new Error('disk says no');
  });
  registerWriter('RegCTwo', ['.regc'], () => {
    throw new RangeError('bad shape');
  });
  const img = image();
  try {
    assert.throws(
      () => new SaveImage({ outputDir: dir, outputExt: '.regc', separateFolder: false, printLog: false }).call(img),
      (e: Error) => /cannot write .*case_trans\.regc/.test(e.message) && e.message.includes('RegCTwo: bad shape') && e.message.includes('RegCOne: disk says no'),
    );
  } finally {
    img.dispose();
  }
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'writer registry tests leaked tensors');
});

// LoadImage against MONAI's own LoadImage (goldens from tools/goldens/io/make_monai_goldens.py).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { LoadImage, SaveImage, type SaveImageOptions } from '../../../src/transforms/io/index.js';
import { MetaTensor } from '../../../src/data/index.js';
import { ROOT, fixture, tensorSha, tmpDir } from '../../data/helpers.js';
import { readNiftiInfo } from '../../../src/data/formats/nifti.js';

const start = torch.memory().liveTensors;
const G = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'goldens', 'io', 'monai_goldens.json'), 'utf8')) as {
  monai_version: string;
  files: Record<string, { raw: Record<string, unknown>; channel_first: Record<string, unknown> }>;
  saves: Record<string, { file: string; save: Record<string, unknown>; canonical: boolean; relpath: string; shape: number[]; dtype: string; sha256: string; affine?: number[]; sform_code?: number; qform_code?: number }>;
};

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]) <= tol);

for (const [f, g] of Object.entries(G.files)) {
  test(`MONAI ${G.monai_version} parity: ${f}`, () => {
    const raw = g.raw;
    if (!raw.error) {
      const [img, meta] = new LoadImage({ imageOnly: false, dtype: null }).call(fixture(f)) as [MetaTensor, Record<string, unknown>];
      try {
        assert.deepEqual(img.shape, raw.shape, 'shape');
        assert.equal(img.dtype, raw.dtype, 'dtype');
        assert.equal(tensorSha(img), raw.sha256, 'data');
        assert.ok(close(img.affine, raw.affine as number[], 1e-9), `affine ${Array.from(img.affine)} vs ${raw.affine}`);
        assert.deepEqual(meta.spatial_shape, (raw.spatial_shape as number[]).map(Number), 'spatial_shape');
        const ocd = meta.original_channel_dim as number;
        assert.equal(Number.isNaN(ocd) ? 'no_channel' : ocd, raw.original_channel_dim, 'original_channel_dim');
        if (raw.pixdim) assert.ok(close(meta.pixdim as number[], raw.pixdim as number[], 1e-4), `pixdim ${meta.pixdim} vs ${raw.pixdim}`);
        if (raw.mode) assert.equal(meta.mode, raw.mode);
      } finally {
        img.dispose();
      }
    }
    const cf = g.channel_first;
    if (!cf.error) {
      const img = new LoadImage({ ensureChannelFirst: true }).call(fixture(f)) as MetaTensor;
      try {
        assert.deepEqual(img.shape, cf.shape, 'channel-first shape');
        assert.equal(img.dtype, cf.dtype);
        assert.equal(tensorSha(img), cf.sha256, 'channel-first data');
      } finally {
        img.dispose();
      }
    }
  });
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const saveDir = tmpDir('monai-parity-');

for (const [key, g] of Object.entries(G.saves)) {
  test(`MONAI ${G.monai_version} SaveImage parity: ${key} ${JSON.stringify(g.save)}`, () => {
    const opts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g.save)) opts[camel(k)] = v;
    const load = new LoadImage({ ensureChannelFirst: true, readerOptions: g.canonical ? { asClosestCanonical: true } : undefined });
    const img = load.call(fixture(g.file)) as MetaTensor;
    const d = path.join(saveDir, key.replace(/[^a-z0-9]/gi, '_'));
    new SaveImage({ outputDir: d, printLog: false, savepathInMetadict: true, ...(opts as SaveImageOptions) }).call(img);
    const written = img.meta.saved_to as string;
    img.dispose();
    assert.equal(path.relative(d, written), g.relpath, 'output path');
    const back = new LoadImage({ dtype: null }).call(written) as MetaTensor;
    try {
      assert.deepEqual(back.shape, g.shape);
      const dt = g.dtype === 'uint16' ? 'int32' : g.dtype;
      assert.equal(back.dtype, dt);
      assert.equal(tensorSha(back), g.sha256, 'written data');
      if (g.affine) {
        assert.ok(close(back.affine, g.affine, 1e-5), `affine ${Array.from(back.affine)} vs ${g.affine}`);
        const h = readNiftiInfo(written).header;
        assert.equal(h.sform_code, g.sform_code);
        assert.equal(h.qform_code, g.qform_code);
      }
    } finally {
      back.dispose();
    }
  });
}

after(() => {
  fs.rmSync(saveDir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

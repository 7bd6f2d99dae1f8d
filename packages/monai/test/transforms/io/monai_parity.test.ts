// LoadImage against MONAI's own LoadImage (goldens from tools/goldens/io/make_monai_goldens.py).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { LoadImage } from '../../../src/transforms/io/index.js';
import { MetaTensor } from '../../../src/data/index.js';
import { ROOT, fixture, tensorSha } from '../../data/helpers.js';

const start = torch.memory().liveTensors;
const G = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'goldens', 'io', 'monai_goldens.json'), 'utf8')) as {
  monai_version: string;
  files: Record<string, { raw: Record<string, unknown>; channel_first: Record<string, unknown> }>;
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

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors leaked');
});

// padListDataCollate + decollateBatch of MetaTensors against MONAI 1.4 (golden:
// tools/goldens/parity/make_collate.py): padded batch values, per-item shape, values, affine, filename,
// applied operations. Known difference (docs/compat.md): our padded item records SpatialPad where MONAI
// records PadListDataCollate; the test checks that mapping explicitly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import { MetaTensor, decollateBatch, padListDataCollate } from '../../src/data/index.js';
import { Flipd } from '../../src/transforms/spatial/dictionary.js';

const G = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../tools/goldens/parity/collate.json', import.meta.url)), 'utf8'));
const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const rows = (t: torch.Tensor): number[] => torch.tidy(() => Array.from(t.contiguous().data() as Float32Array));

test("padListDataCollate (symmetric) then decollateBatch gives MONAI's batch and per-item MetaTensors", () => {
  const a = MetaTensor.wrap(torch.tidy(() => torch.arange(20, { dtype: 'float32' }).reshape([1, 4, 5])), { affine: [2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], meta: { filename_or_obj: 'a.nii' } });
  const b = MetaTensor.wrap(torch.tidy(() => torch.arange(18, { dtype: 'float32' }).add(100).reshape([1, 3, 6])), { meta: { filename_or_obj: 'b.nii' } });
  const flipped = new Flipd({ keys: 'image', spatialAxis: 0 }).call({ image: a }) as { image: MetaTensor };
  const batch = padListDataCollate([flipped, { image: b }], { method: 'symmetric', mode: 'constant' }) as { image: MetaTensor };
  assert.deepEqual(batch.image.shape, G.batch_shape);
  assert.deepEqual(rows(batch.image), G.batch.flat(3));
  assert.deepEqual(batch.image.batchMeta.filename_or_obj, G.batch_filenames);
  const items = decollateBatch(batch) as { image: MetaTensor }[];
  assert.equal(items.length, G.items.length);
  items.forEach(({ image }, i) => {
    const w = G.items[i];
    assert.deepEqual(image.shape, w.shape, `item ${i} shape`);
    assert.deepEqual(rows(image), w.values.flat(2), `item ${i} values`);
    assert.deepEqual(Array.from(image.affine), w.affine.flat(), `item ${i} affine`);
    assert.equal(image.meta.filename_or_obj, w.filename, `item ${i} filename`);
    assert.equal(image.isBatch, w.is_batch, `item ${i} isBatch`);
    const ops = image.appliedOperations.map((o) => (o.class === 'SpatialPad' ? 'PadListDataCollate' : o.class));
    assert.deepEqual(ops, w.ops, `item ${i} applied operations (SpatialPad stands for MONAI's PadListDataCollate)`);
  });
  torch.dispose([a, b, flipped.image, batch.image, ...items.map((x) => x.image)]);
});

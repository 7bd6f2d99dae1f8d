// PatchIter, iterPatch, PatchIterd and GridPatchDataset against MONAI 1.4 (goldens from
// tools/goldens/data/make_grid_dataset.py): coordinates, shapes and values (exact: float32 integers) of
// every patch of 1x5x6 and 2x4x4x3 arrays over patch sizes, start positions, pad modes and overlaps.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { GridPatchDataset, PatchIter, PatchIterd, iterPatch, type PatchCoords } from '../../src/data/grid_dataset.js';
import { disposeItem } from '../../src/data/item_codec.js';
import { readGolden, values } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

interface Patch { coords: number[][]; values: number[]; shape: number[] }
interface Case { kind: string; array: 'a2' | 'a3'; patchSize: number[]; startPos?: number[]; overlap?: number | number[]; mode: string | null; patches: Patch[] }
const G = readGolden('data/grid_dataset.json') as { cases: Case[]; grid: Patch[]; patchIterd: Record<string, unknown>[] };

const arange = (n: number, shape: number[]) => torch.tidy(() => torch.arange(n, { dtype: 'float32' }).reshape(shape));
const arrays = () => ({ a2: arange(30, [1, 5, 6]), a3: arange(96, [2, 4, 4, 3]) });

function collect(gen: Iterable<[torch.Tensor, PatchCoords]>): Patch[] {
  const out: Patch[] = [];
  for (const [p, c] of gen) {
    out.push({ coords: c, values: values(p), shape: [...p.shape] });
    p.dispose();
  }
  return out;
}

test('PatchIter and iterPatch: coordinates and values equal MONAI 1.4 (12 cases)', () => {
  const a = arrays();
  assert.equal(G.cases.length, 12);
  for (const c of G.cases) {
    const what = `${c.kind} ${c.array} patch=${JSON.stringify(c.patchSize)} mode=${c.mode}`;
    const mode = c.mode as 'wrap' | null;
    const got =
      c.kind === 'PatchIter'
        ? collect(new PatchIter({ patchSize: c.patchSize, startPos: c.startPos, mode }).call(a[c.array]))
        : collect(iterPatch(a[c.array], { patchSize: c.patchSize, overlap: c.overlap, mode }));
    assert.equal(got.length, c.patches.length, `${what}: patch count`);
    assert.deepEqual(got, c.patches, what);
  }
  a.a2.dispose();
  a.a3.dispose();
});

test('GridPatchDataset: patches of every image, transformed, with coordinates', () => {
  const a2 = arange(30, [1, 5, 6]);
  const b2 = a2.add(100);
  const ds = new GridPatchDataset([a2, b2], { patchIter: new PatchIter({ patchSize: [2, 3], mode: null }), transform: (x: unknown) => (x as torch.Tensor).mul(2).add(1) });
  const got = collect(ds as Iterable<[torch.Tensor, PatchCoords]>);
  assert.deepEqual(got, G.grid);
  // twice over (an iterable dataset restarts), and without coordinates
  const bare = new GridPatchDataset([a2], { patchIter: new PatchIter({ patchSize: [2, 3], mode: null }), withCoordinates: false });
  let n = 0;
  for (const p of bare) {
    assert.ok(p instanceof torch.Tensor);
    (p as torch.Tensor).dispose();
    n++;
  }
  assert.equal(n, 4);
  // breaking out early frees the padded copy
  for (const item of new GridPatchDataset([a2], { patchIter: new PatchIter({ patchSize: [2, 2] }) })) {
    disposeItem(item);
    break;
  }
  a2.dispose();
  b2.dispose();
});

test('PatchIterd: patches of several keys, other keys copied, coordinates and shapes recorded', () => {
  const img = arange(30, [1, 5, 6]);
  const seg = img.neg();
  const got: Record<string, unknown>[] = [];
  for (const [d, c] of new PatchIterd({ keys: ['img', 'seg'], patchSize: [3, 3], mode: 'constant' }).call({ img, seg, label: 3 })) {
    got.push({ coords: c, img: values(d.img as torch.Tensor), seg: values(d.seg as torch.Tensor), label: d.label, patch_coords: d.patch_coords, original_spatial_shape: d.original_spatial_shape, start_pos: d.start_pos });
    disposeItem(d);
  }
  assert.deepEqual(got, G.patchIterd);
  img.dispose();
  seg.dispose();
});

test('grid patches: bad options are refused with the argument named', () => {
  const a = torch.zeros([1, 4, 4]);
  assert.throws(() => new PatchIter({ patchSize: [2, 2], mode: 'wrapp' as never }), /PatchIter: mode must be one of .*found 'wrapp'.*wrap/);
  assert.throws(() => new PatchIter({ patchSize: [2, 2], stride: 1 } as never), /PatchIter: unknown option 'stride'/);
  assert.throws(() => new PatchIter({} as never), /PatchIter: .*patchSize/);
  assert.throws(() => [...iterPatch(a, { patchSize: [1, 2, 2], overlap: 1 })], /overlap must be in \[0, 1\), got 1/);
  assert.throws(() => [...iterPatch(a, { patchSize: [1, 2, 2, 2] })], /patchSize has 4 entries for a 3-d array/);
  assert.throws(() => [...new PatchIter({ patchSize: [2, 2], startPos: [0, -3, 0] }).call(a)], /startPos\[1\] must be an integer in \[-2, 4\], got -3/);
  assert.throws(() => [...new PatchIterd({ keys: 'img', patchSize: [2, 2] }).call({ seg: a })], /PatchIterd: data\['img'\] must be a tensor, found nothing/);
  assert.throws(() => new GridPatchDataset([a], { patchIter: 3 } as never), /patchIter must be a PatchIter/);
  a.dispose();
});

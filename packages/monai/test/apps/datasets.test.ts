// DecathlonDataset and MedNISTDataset splits against MONAI 1.4 on generated folders (goldens from
// tools/goldens/apps/make_decathlon.py; exact file lists), offline construction, properties, errors, and
// create({ download: true }) from a local node:http server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { DecathlonDataset, MedNISTDataset, DECATHLON_TASKS, DECATHLON_RESOURCES } from '../../src/apps/index.js';
import { readGolden } from '../helpers/compare.js';
import { startServer } from './local_server.js';
import { makeTar } from './archive_builders.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-apps-datasets-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const G = readGolden('apps/decathlon.json');
let n = 0;

/** The task folder make_decathlon.py generates: n training cases, 3 test images, empty files. */
function makeTask(count: number): string {
  const root = path.join(tmp, `root${n++}`);
  const d = path.join(root, 'Task09_Spleen');
  for (const s of ['imagesTr', 'labelsTr', 'imagesTs']) fs.mkdirSync(path.join(d, s), { recursive: true });
  const pad = (i: number) => String(i).padStart(3, '0');
  const training = Array.from({ length: count }, (_, i) => ({ image: `./imagesTr/case_${pad(i)}.nii.gz`, label: `./labelsTr/case_${pad(i)}.nii.gz` }));
  const testList = [0, 1, 2].map((i) => `./imagesTs/case_${pad(i)}.nii.gz`);
  for (const p of [...training.flatMap((t) => [t.image, t.label]), ...testList]) fs.writeFileSync(path.join(d, p), '');
  const meta = { name: 'Spleen', description: 'generated', reference: 'r', licence: 'l', tensorImageSize: '3D', modality: { 0: 'CT' }, labels: { 0: 'background', 1: 'spleen' }, numTraining: count, numTest: 3, training, test: testList };
  fs.writeFileSync(path.join(d, 'dataset.json'), JSON.stringify(meta));
  return root;
}

const rel = (root: string, items: readonly unknown[]) => items.map((it) => Object.fromEntries(Object.entries(it as Record<string, string>).map(([k, v]) => [k, path.relative(root, v)])));

test('DecathlonDataset training/validation file lists and indices equal MONAI for every count, seed and valFrac', () => {
  assert.equal(G.decathlon.length, 64);
  const roots = new Map<number, string>();
  for (const c of G.decathlon) {
    if (!roots.has(c.n)) roots.set(c.n, makeTask(c.n));
    const root = roots.get(c.n)!;
    for (const section of ['training', 'validation'] as const) {
      const ds = new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section, transform: [], seed: c.seed, valFrac: c.valFrac, progress: false });
      const what = `n=${c.n} seed=${c.seed} valFrac=${c.valFrac} ${section}`;
      assert.deepEqual(rel(root, ds.data), c[section], what);
      assert.deepEqual(ds.getIndices(), c[`${section}Indices`], what);
      assert.equal(ds.length, c[section].length);
    }
  }
});

test('DecathlonDataset test section and properties equal MONAI', () => {
  const root = makeTask(41);
  const ds = new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section: 'test', transform: [], progress: false });
  assert.deepEqual(rel(root, ds.data), G.decathlonTest);
  assert.deepEqual(ds.getIndices(), []);
  assert.deepEqual(ds.getProperties(), G.properties);
  assert.deepEqual(ds.getProperties(['name', 'numTest']), { name: 'Spleen', numTest: 3 });
  assert.throws(() => ds.getProperties('release'), /no property 'release'/);
});

test('DecathlonDataset: the ten tasks with their URLs and md5s; bad options and a missing folder are named', () => {
  assert.equal(DECATHLON_TASKS.length, 10);
  for (const t of DECATHLON_TASKS) {
    assert.equal(DECATHLON_RESOURCES[t].url, `https://msd-for-monai.s3-us-west-2.amazonaws.com/${t}.tar`);
    assert.match(DECATHLON_RESOURCES[t].md5, /^[0-9a-f]{32}$/);
  }
  assert.equal(DECATHLON_RESOURCES.Task09_Spleen.md5, '410d4a301da4e5b2f6f86ec3ddba524e');
  const root = makeTask(5);
  assert.throws(() => new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section: 'train' as never }), /DecathlonDataset: section must be one of 'training', 'validation', 'test', found 'train'/);
  assert.throws(() => new DecathlonDataset({ rootDir: root, task: 'Task9_Spleen' as never, section: 'training' }), /DecathlonDataset: task must be one of .*found 'Task9_Spleen'.*Task09_Spleen/);
  assert.throws(() => new DecathlonDataset({ rootDir: root, task: 'Task02_Heart', section: 'training' }), /cannot find the dataset folder .*Task02_Heart.*download: true/);
  assert.throws(() => new DecathlonDataset({ rootDir: path.join(root, 'nope'), task: 'Task02_Heart', section: 'training' }), /rootDir must be an existing folder/);
  assert.throws(() => new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section: 'training', valfrac: 0.1 } as never), /unknown option 'valfrac'.*valFrac/);
  assert.throws(() => new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section: 'training', valFrac: 1.5 }), /valFrac must be in \[0, 1\], found 1.5/);
  assert.throws(() => new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section: 'training', download: true }), /await DecathlonDataset.create/);
});

test('DecathlonDataset caches through its transform (cacheRate) and applies it on get', () => {
  const root = makeTask(10);
  let calls = 0;
  const ds = new DecathlonDataset({ rootDir: root, task: 'Task09_Spleen', section: 'training', transform: [(d: unknown) => ({ ...(d as object), seen: ++calls })], cacheRate: 0.5, progress: false });
  assert.equal(ds.length, 8);
  assert.equal(ds.cacheNum, 4);
  assert.equal((ds.get(0) as { seen: number }).seen > 0, true);
});

/** MedNIST folders as make_decathlon.py makes them; returns the root and each class folder's listing in disk order. */
function makeMedNIST(counts: number[]): { root: string; listing: Record<string, string[]> } {
  const root = path.join(tmp, `med${n++}`);
  const listing: Record<string, string[]> = {};
  counts.forEach((k, ci) => {
    const c = 'ABCD'[ci];
    fs.mkdirSync(path.join(root, 'MedNIST', c), { recursive: true });
    for (let j = 0; j < k; j++) fs.writeFileSync(path.join(root, 'MedNIST', c, `${c.toLowerCase()}${String(j).padStart(4, '0')}.jpeg`), '');
    const d = fs.opendirSync(path.join(root, 'MedNIST', c));
    listing[c] = [];
    for (let e = d.readSync(); e !== null; e = d.readSync()) listing[c].push(e.name);
    d.closeSync();
  });
  return { root, listing };
}

test('MedNISTDataset training/validation/test splits equal MONAI (items named by class and listing position)', () => {
  assert.equal(G.mednist.length, 18);
  const made = new Map<string, ReturnType<typeof makeMedNIST>>();
  for (const c of G.mednist) {
    const key = c.counts.join(',');
    if (!made.has(key)) made.set(key, makeMedNIST(c.counts));
    const { root, listing } = made.get(key)!;
    for (const section of ['training', 'validation', 'test'] as const) {
      const ds = new MedNISTDataset({ rootDir: root, section, transform: [], seed: c.seed, valFrac: c.valFrac, testFrac: c.testFrac, progress: false });
      const got = (ds.data as { image: string; label: number; class_name: string }[]).map((it) => {
        assert.equal(it.class_name, 'ABCD'[it.label]);
        assert.equal(path.dirname(it.image), path.join(root, 'MedNIST', it.class_name));
        return [it.label, listing[it.class_name].indexOf(path.basename(it.image))];
      });
      assert.deepEqual(got, c[section], `${key} seed=${c.seed} ${section}`);
      assert.equal(ds.getNumClasses(), 4);
    }
  }
});

test('DecathlonDataset.create and MedNISTDataset.create download (md5-checked) and extract, then work offline', async () => {
  const task = makeTar([{ name: 'Task04_Hippocampus/', type: '5' }, { name: 'Task04_Hippocampus/dataset.json', data: JSON.stringify({ name: 'H', description: '', reference: '', licence: '', tensorImageSize: '3D', modality: {}, labels: {}, numTraining: 5, numTest: 0, training: [1, 2, 3, 4, 5].map((i) => ({ image: `./i${i}.nii`, label: `./l${i}.nii` })), test: [] }) }]);
  const med = makeTar([{ name: 'MedNIST/', type: '5' }, { name: 'MedNIST/Hand/', type: '5' }, { name: 'MedNIST/Hand/0.jpeg', data: '' }, { name: 'MedNIST/CXR/0.jpeg', data: '' }, { name: 'MedNIST/CXR/1.jpeg', data: '' }], { gzip: true });
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  const server = await startServer({ '/t.tar': { body: task, cutAt: { 0: 700 } }, '/m.tar.gz': { body: med } });
  try {
    const root = path.join(tmp, `dl${n++}`);
    fs.mkdirSync(root);
    const base = { rootDir: root, task: 'Task04_Hippocampus' as const, section: 'training' as const, transform: [], download: true, progress: false };
    // MONAI's md5 is not this archive's: refused, nothing extracted, nothing kept
    await assert.rejects(DecathlonDataset.create({ ...base, downloadOptions: { url: server.url('/t.tar'), retryDelayMs: 1 } }), new RegExp(`expected md5=${DECATHLON_RESOURCES.Task04_Hippocampus.md5}, found ${md5(task)}`));
    assert.deepEqual(fs.readdirSync(root), []);
    const ds = await DecathlonDataset.create({ ...base, valFrac: 0.4, downloadOptions: { url: server.url('/t.tar'), md5: md5(task), retryDelayMs: 1 } });
    assert.deepEqual(fs.readdirSync(root).sort(), ['Task04_Hippocampus', 'Task04_Hippocampus.tar']);
    assert.equal(ds.length, 3);
    assert.equal(ds.getProperties('name').name, 'H');
    // the folder exists now: no request even with download: true (the server's log does not grow)
    const requests = server.log.length;
    const again = await DecathlonDataset.create({ ...base, valFrac: 0.4, section: 'validation', downloadOptions: { url: server.url('/t.tar') } });
    assert.equal(again.length, 2);
    assert.equal(server.log.length, requests);

    const m = await MedNISTDataset.create({ rootDir: root, section: 'training', transform: [], download: true, progress: false, valFrac: 0, testFrac: 0, downloadOptions: { url: server.url('/m.tar.gz'), md5: md5(med) } });
    assert.equal(m.length, 3);
    assert.equal(m.getNumClasses(), 2);
    assert.deepEqual((m.data as { label: number; class_name: string }[]).map((d) => `${d.label}${d.class_name}`).sort(), ['0CXR', '0CXR', '1Hand']);
  } finally {
    await server.close();
  }
});

/** A minimal NIfTI-1 file (.nii): float32 volume of the given shape with values start, start+1, ... */
function writeNii(file: string, shape: [number, number, number], start: number): void {
  const h = Buffer.alloc(352);
  h.writeInt32LE(348, 0);
  [3, ...shape, 1, 1, 1, 1].forEach((v, i) => h.writeInt16LE(v, 40 + 2 * i));
  h.writeInt16LE(16, 70); // float32
  h.writeInt16LE(32, 72);
  for (let i = 0; i < 8; i++) h.writeFloatLE(1, 76 + 4 * i);
  h.writeFloatLE(352, 108);
  h.write('n+1\0', 344, 'latin1');
  const n = shape[0] * shape[1] * shape[2];
  const data = Buffer.alloc(4 * n);
  for (let i = 0; i < n; i++) data.writeFloatLE(start + i, 4 * i);
  fs.writeFileSync(file, Buffer.concat([h, data]));
}

test('DecathlonDataset with the default transform loads and caches image and label (LoadImaged)', () => {
  const root = path.join(tmp, `nii${n++}`);
  const d = path.join(root, 'Task02_Heart');
  fs.mkdirSync(d, { recursive: true });
  const training = [0, 1, 2, 3, 4].map((i) => ({ image: `./img${i}.nii`, label: `./lab${i}.nii` }));
  training.forEach((t, i) => {
    writeNii(path.join(d, t.image), [4, 3, 2], 100 * i);
    writeNii(path.join(d, t.label), [4, 3, 2], 100 * i + 50);
  });
  fs.writeFileSync(path.join(d, 'dataset.json'), JSON.stringify({ name: 'Heart', description: '', reference: '', licence: '', tensorImageSize: '3D', modality: {}, labels: {}, numTraining: 5, numTest: 0, training, test: [] }));
  const ds = new DecathlonDataset({ rootDir: root, task: 'Task02_Heart', section: 'training', seed: 3, valFrac: 0.4, progress: false });
  try {
    assert.equal(ds.length, 3);
    assert.equal(ds.cacheNum, 3);
    // the loaded volumes are cached (the default pipeline counts as deterministic): the files are no longer needed
    for (const f of fs.readdirSync(d)) if (f.endsWith('.nii')) fs.rmSync(path.join(d, f));
    for (let k = 0; k < ds.length; k++) {
      const i = ds.getIndices()[k];
      const item = ds.get(k) as { image: torch.Tensor; label: torch.Tensor };
      try {
        assert.deepEqual(item.image.shape, [4, 3, 2]);
        // NIfTI stores x fastest: voxel (x, y, z) holds start + x + 4y + 12z; the tensor is [x, y, z] row-major
        const img = item.image.toTypedArray();
        assert.equal(img[1 * 6 + 2 * 2 + 1], 100 * i + 1 + 8 + 12);
        assert.equal(item.label.toTypedArray()[0], 100 * i + 50);
      } finally {
        item.image.dispose();
        item.label.dispose();
      }
    }
  } finally {
    ds.disposeCache();
  }
});

// partitionDataset, partitionDatasetClasses, resampleDatalist, DistributedSampler and the Decathlon
// datalist helpers against MONAI 1.4 (goldens from tools/goldens/data/make_partition.py; exact).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { partitionDataset, partitionDatasetClasses, resampleDatalist, selectCrossValidationFolds } from '../../src/data/utils.js';
import { DistributedSampler } from '../../src/data/samplers.js';
import { createCrossValidationDatalist, loadDecathlonDatalist, loadDecathlonProperties, checkMissingFiles } from '../../src/data/decathlon_datalist.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-partition-'));
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const G = readGolden('data/partition.json');
const range = (n: number) => Array.from({ length: n }, (_, i) => 100 + i);

test('partitionDataset equals MONAI for counts 10 and 11 across ratios, partitions, shuffles and seeds', () => {
  assert.ok(G.partition.length >= 150);
  for (const c of G.partition) assert.deepEqual(partitionDataset(range(c.n), c.options), c.result, JSON.stringify(c.options));
});

test('partitionDatasetClasses and resampleDatalist equal MONAI', () => {
  for (const c of G.classes) assert.deepEqual(partitionDatasetClasses(range(c.n), c.classes, c.options), c.result, JSON.stringify(c.options));
  for (const c of G.resample) assert.deepEqual(resampleDatalist(range(c.n), c.factor, { randomPick: c.randomPick, seed: c.seed }), c.result, `factor ${c.factor}`);
});

test('DistributedSampler gives every rank MONAI/PyTorch indices (torch.randperm seeded with seed + epoch)', () => {
  for (const c of G.sampler) {
    c.ranks.forEach((expected: number[], rank: number) => {
      const s = new DistributedSampler({ length: c.n }, { ...c.options, rank });
      s.setEpoch(c.epoch);
      assert.deepEqual([...s], expected, `${JSON.stringify(c.options)} epoch ${c.epoch} rank ${rank}`);
      assert.equal(s.length, expected.length);
    });
  }
});

test('cross-validation datalists equal MONAI and are written atomically', () => {
  const datalist = Array.from({ length: 9 }, (_, i) => ({ image: `img${i}.nii.gz`, label: `lab${i}.nii.gz` }));
  for (const c of G.crossval) assert.deepEqual(createCrossValidationDatalist(datalist, { nfolds: 5, trainFolds: [0, 1, 2, 3], valFolds: 4, seed: c.seed }), c.result);
  const file = path.join(tmp, 'cv.json');
  const r = createCrossValidationDatalist(datalist, { nfolds: 3, trainFolds: [0, 1], valFolds: -1, filename: file });
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), r);
  assert.deepEqual(fs.readdirSync(tmp), ['cv.json'], 'no temporary file left');
  assert.deepEqual(selectCrossValidationFolds([[1, 2], [3, 4], [5, 6]], [-1, 0]), [5, 6, 1, 2]);
  assert.throws(() => createCrossValidationDatalist(datalist, { nfolds: 3, trainFolds: 0, valFolds: 1, checkMissing: true, keys: 'image', rootDir: tmp }), /some files of the datalist are missing: .*img0\.nii\.gz/);
});

test('loadDecathlonDatalist joins paths as MONAI does', () => {
  const dir = path.join(tmp, 'Task09');
  fs.mkdirSync(path.join(dir, 'imagesTr'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'imagesTr', 'extra.txt'), 'x');
  fs.writeFileSync(
    path.join(dir, 'dataset.json'),
    JSON.stringify({
      name: 'Spleen',
      labels: { 0: 'background', 1: 'spleen' },
      training: [{ image: './imagesTr/a.nii.gz', label: './labelsTr/a.nii.gz', extra: 'imagesTr/extra.txt', other: 'missing.txt', n: 3 }],
      test: ['./imagesTs/t.nii.gz'],
    }),
  );
  const tr = loadDecathlonDatalist(path.join(dir, 'dataset.json'));
  assert.deepEqual(tr, [{ image: path.join(dir, 'imagesTr/a.nii.gz'), label: path.join(dir, 'labelsTr/a.nii.gz'), extra: path.join(dir, 'imagesTr/extra.txt'), other: 'missing.txt', n: 3 }]);
  const cls = loadDecathlonDatalist(path.join(dir, 'dataset.json'), { isSegmentation: false });
  assert.equal(cls[0].label, './labelsTr/a.nii.gz', 'label kept when not segmentation and missing');
  assert.deepEqual(loadDecathlonDatalist(path.join(dir, 'dataset.json'), { dataListKey: 'test' }), [{ image: path.join(dir, 'imagesTs/t.nii.gz') }]);
  assert.deepEqual(loadDecathlonProperties(path.join(dir, 'dataset.json'), ['name', 'labels']), { name: 'Spleen', labels: { 0: 'background', 1: 'spleen' } });
  assert.deepEqual(checkMissingFiles(tr, ['image', 'extra']), [path.join(dir, 'imagesTr/a.nii.gz')]);
  assert.throws(() => loadDecathlonDatalist(path.join(dir, 'dataset.json'), { dataListKey: 'validation' }), /data list 'validation' is not in .*dataset\.json/);
  assert.throws(() => loadDecathlonDatalist(path.join(dir, 'nope.json')), /nope\.json does not exist/);
  assert.throws(() => loadDecathlonProperties(path.join(dir, 'dataset.json'), 'modality'), /key 'modality' is not in/);
});

test('bad options name the function and what was expected', () => {
  assert.throws(() => partitionDataset([1, 2, 3]), /give numPartitions or ratios/);
  assert.throws(() => partitionDataset([1, 2, 3], { numPartitions: 2, dropLast: true }), /dropLast only works when evenDivisible is true/);
  assert.throws(() => partitionDataset([1], { numPartitions: 2 }), /1 items are not enough for 2 partitions/);
  assert.throws(() => partitionDataset([1], { numPartition: 2 } as never), /unknown option 'numPartition'/);
  assert.throws(() => partitionDatasetClasses([1, 2], [0]), /classes must have one entry per item \(2\)/);
  assert.throws(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 2 }), /rank must be in \[0, 1\]/);
  assert.throws(() => new DistributedSampler({ length: 5 }, { numReplicas: 2, rank: 0, evenDivisible: false, dropLast: true }), /dropLast cannot be used with evenDivisible false/);
  assert.throws(() => new DistributedSampler({ length: 5 }, { rank: 0 }), /numReplicas and rank are required/);
});

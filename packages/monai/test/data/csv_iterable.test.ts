// CSVIterableDataset against MONAI 1.4 + pandas 1.5 (goldens from tools/goldens/data/make_csv_iterable.py,
// exact): one file with missing values and a quoted comma; three files joined per chunk (chunksize 2 and
// 10); colNames/colTypes/colGroups; shuffled order for a seed over two iterations; through a 2-worker
// DataLoader (same rows as 0 workers); bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { CSVIterableDataset } from '../../src/data/csv_iterable.js';
import { DataLoader } from '../../src/data/dataloader.js';

const G = JSON.parse(fs.readFileSync(new URL('../../../../tools/goldens/data/csv_iterable.json', import.meta.url), 'utf8')) as {
  files: Record<string, string>;
  cases: Record<string, unknown>;
};
const start = torch.memory().liveTensors;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-csv-'));
for (const [name, text] of Object.entries(G.files)) fs.writeFileSync(path.join(dir, name), text);
const [a, b, c] = ['a.csv', 'b.csv', 'c.csv'].map((n) => path.join(dir, n));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

/** NaN as the golden writes it */
function plain(v: unknown): unknown {
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function all(ds: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of ds) out.push(plain(r));
  return out;
}

test('records equal MONAI: one file, joined files per chunk, types, defaults and groups', async () => {
  assert.deepEqual(await all(new CSVIterableDataset(a)), G.cases.single);
  assert.deepEqual(await all(new CSVIterableDataset([a, b, c], { chunksize: 2 })), G.cases.joined_chunk2);
  assert.deepEqual(await all(new CSVIterableDataset([a, b, c], { chunksize: 10 })), G.cases.joined_chunk10);
  const typed = new CSVIterableDataset([a, b], {
    chunksize: 10,
    colNames: ['subject_id', 'label', 'ehr_1', 'ehr_4'],
    colTypes: { label: { type: 'int', default: -1 }, ehr_1: { type: 'float', default: 0.5 }, subject_id: { type: 'str' }, ehr_4: { default: 7.0 } },
    colGroups: { ehr: ['ehr_0', 'ehr_1', 'ehr_2'], lab: ['label', 'ehr_3'] },
  });
  assert.deepEqual(await all(typed), G.cases.types_groups);
});

test('shuffle: MONAI order for a seed, a new order each iteration', async () => {
  for (const [name, src] of [['shuffle_single', a], ['shuffle_joined', [a, b, c]]] as const) {
    const g = G.cases[name] as { chunksize: number; first: string[]; second: string[] };
    const ds = new CSVIterableDataset(src, { chunksize: g.chunksize, bufferSize: 3, shuffle: true, seed: 11 });
    const ids = async () => (await all(ds)).map((r) => (r as { subject_id: string }).subject_id);
    assert.deepEqual(await ids(), g.first, name);
    assert.deepEqual(await ids(), g.second, name);
  }
  // every row of a file read in several chunks (MONAI 1.4 drops some there: see compat.md)
  assert.equal((await all(new CSVIterableDataset(a, { chunksize: 2 }))).length, 5);
});

test('a 2-worker DataLoader delivers the same rows as the main thread', async () => {
  const rows = async (numWorkers: number) => {
    const ids: string[] = [];
    for await (const batch of new DataLoader<{ subject_id: string[] }>(new CSVIterableDataset([a, b, c], { chunksize: 2, colNames: ['subject_id', 'ehr_3'] }), { batchSize: 2, numWorkers })) ids.push(...batch.subject_id);
    return ids;
  };
  const here = await rows(0);
  assert.deepEqual(here, ['s000000', 's000001', 's000002', 's000003', 's000004']);
  assert.deepEqual((await rows(2)).sort(), here);
});

test('CSV text: CRLF lines, quoted commas and newlines, a doubled quote split across read chunks', async () => {
  const f = path.join(dir, 'text.csv');
  fs.writeFileSync(f, 'x,y\r\n"a,b",1\r\n"two\nlines",2\r\n"say ""hi""",3\r\n"",4\r\n');
  assert.deepEqual(await all(new CSVIterableDataset(f)), [
    { x: 'a,b', y: 1 }, { x: 'two\nlines', y: 2 }, { x: 'say "hi"', y: 3 }, { x: 'NaN', y: 4 },
  ]);
  // fs streams read 65,536 bytes at a time: the doubled quote's halves land in two reads
  const big = path.join(dir, 'big.csv');
  const n = 65536 - 1 - 5;
  fs.writeFileSync(big, `x,y\n"${'a'.repeat(n)}""b",1\n`);
  const [row] = (await all(new CSVIterableDataset(big))) as { x: string; y: number }[];
  assert.equal(row.x, `${'a'.repeat(n)}"b`);
  assert.equal(row.y, 1);
});

test('bad input names the problem', async () => {
  assert.throws(() => new CSVIterableDataset([]), /src must be a CSV file path or a non-empty list/);
  assert.throws(() => new CSVIterableDataset(a, { chunksize: 0 }), /chunksize must be a positive integer/);
  assert.throws(() => new CSVIterableDataset(a, { colTypes: { label: { type: 'double' as never } } }), /colTypes\.label\.type must be/);
  assert.throws(() => new CSVIterableDataset(a, { chunkSize: 3 } as never), /chunksize/);
  await assert.rejects(all(new CSVIterableDataset(path.join(dir, 'missing.csv'))), /no such file .*missing\.csv/);
  await assert.rejects(all(new CSVIterableDataset(a, { colNames: ['nope'] })), /no column 'nope' \(columns: subject_id, label/);
  await assert.rejects(all(new CSVIterableDataset(a, { colTypes: { label: { type: 'int' } } })), /column 'label': cannot convert NaN to int \(missing values need a default\)/);
});

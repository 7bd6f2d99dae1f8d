// Sizes in a file are checked against the file before anything is allocated: a storage or record
// claiming 1 TB fails at once with an error naming the file, not with an allocation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../src/index.js';
import { load, loadRaw, saveToBuffer, safetensors } from '../../src/serialization/index.js';
import { ZipReader, ZipWriter } from '../../src/serialization/zip.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-untrusted-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TB = 2 ** 40;
const N = 70000;

/** A .pt file of one uint8 tensor of N elements, as records. */
function records(): Map<string, Uint8Array> {
  const t = torch.zeros([N], { dtype: 'uint8' });
  const bytes = saveToBuffer({ w: t });
  t.dispose();
  const z = new ZipReader(bytes);
  return new Map(z.names().map((n) => [n, z.read(n).slice()]));
}

function zipOf(recs: Map<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const z = new ZipWriter((c) => parts.push(c.slice()));
  for (const [n, b] of recs) z.add(n, b);
  z.finish();
  return Buffer.concat(parts);
}

function replaceAll(b: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const out: number[] = [];
  let hits = 0;
  for (let i = 0; i < b.length; ) {
    if (from.every((x, k) => b[i + k] === x)) {
      out.push(...to);
      i += from.length;
      hits++;
    } else out.push(b[i++]!);
  }
  assert.ok(hits > 0, 'pattern found');
  return Uint8Array.from(out);
}

const write = (name: string, b: Uint8Array): string => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, b);
  return p;
};

test('a pickle describing a 1 TB storage in a small record fails before allocating, naming the file', () => {
  const recs = records();
  // numel and shape are BININT 70000 in the pickle; make both LONG1 2^40.
  const binint = Uint8Array.of(0x4a, N & 0xff, (N >> 8) & 0xff, (N >> 16) & 0xff, 0);
  const long1 = Uint8Array.of(0x8a, 6, 0, 0, 0, 0, 0, 1);
  recs.set('archive/data.pkl', replaceAll(recs.get('archive/data.pkl')!, binint, long1));
  const p = write('tb_storage.pt', zipOf(recs));
  const before = process.memoryUsage().rss;
  for (const fn of [load, loadRaw]) {
    assert.throws(() => fn(p), (e: Error) => e.message.includes(p) && e.message.includes(`${TB} uint8 elements`) && e.message.includes(`has ${N} bytes`), fn.name);
  }
  assert.ok(process.memoryUsage().rss - before < 256 << 20, 'nothing large was allocated');
  assert.equal(torch.memory().liveTensors, start);
});

test('a zip record whose zip64 size claims 1 TB fails when the archive is opened, naming the file', () => {
  const recs = records();
  const saved = ZipWriter.zip64Threshold;
  ZipWriter.zip64Threshold = 0; // every record gets zip64 extra fields
  let bytes: Uint8Array;
  try {
    bytes = zipOf(recs);
  } finally {
    ZipWriter.zip64Threshold = saved;
  }
  // The central directory's zip64 size fields of data/0 (little-endian N) become 2^40.
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(N), true);
  const big = new Uint8Array(8);
  new DataView(big.buffer).setBigUint64(0, BigInt(TB), true);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let patched = 0;
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (dv.getUint32(i, true) !== 0x02014b50) continue;
    const nameLen = dv.getUint16(i + 28, true);
    const name = Buffer.from(bytes.subarray(i + 46, i + 46 + nameLen)).toString();
    if (name !== 'archive/data/0') continue;
    const e = i + 46 + nameLen;
    assert.equal(dv.getUint16(e, true), 1, 'zip64 extra field');
    bytes.set(big, e + 4);
    bytes.set(big, e + 12);
    patched++;
  }
  assert.equal(patched, 1);
  const p = write('tb_record.pt', bytes);
  assert.throws(() => load(p), (e: Error) => e.message.includes(p) && e.message.includes(`claims ${TB} bytes`) && /past the end/.test(e.message));
  assert.equal(torch.memory().liveTensors, start);
});

test('a central directory claiming more entries than it can hold fails, naming the file', () => {
  const bytes = zipOf(records());
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = bytes.length - 22;
  assert.equal(dv.getUint32(eocd, true), 0x06054b50);
  dv.setUint16(eocd + 10, 60000, true);
  const p = write('many_entries.pt', bytes);
  assert.throws(() => load(p), (e: Error) => e.message.includes(p) && /claims 60000 entries/.test(e.message));
});

test('safetensors: a header describing a 1 TB tensor fails before allocating, naming the file', () => {
  const json = new TextEncoder().encode(`{"w":{"dtype":"U8","shape":[${TB}],"data_offsets":[0,${TB}]}}`);
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  const p = write('tb.safetensors', Buffer.concat([head, new Uint8Array(16)]));
  assert.throws(() => safetensors.loadFile(p), (e: Error) => e.message.includes(p) && e.message.includes(`needs ${TB} bytes`));
  assert.equal(torch.memory().liveTensors, start);
});

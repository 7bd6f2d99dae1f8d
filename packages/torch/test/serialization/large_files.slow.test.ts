// Checkpoints over 4 GiB (slow: about a minute, 4.3 GB of memory and of temporary disk; part of
// npm test and CI). One save covers every zip64 case: a storage of 2^32 + 13 bytes (zip64 sizes; more
// elements than a typed array can view, with a tail that is not a multiple of 8), a record that
// starts past 4 GiB (zip64 offset) and an archive over 4 GiB (zip64 end records). The file is
// checked byte by byte, then loaded in a child process whose peak RSS must stay below the file's
// size + 20% (the whole file in one Buffer plus a copy, as before, needs twice the file).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/index.js';
import { save } from '../../src/serialization/index.js';
import { fillTensorBytes } from '../../src/serialization/tensor_bytes.js';
import { digest } from './large_digest.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-large-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BIG = 2 ** 32 + 13;
const U32 = 0xffffffff;

/** Positioned little-endian reads of a file region. */
function region(fd: number, offset: number, length: number): DataView {
  const b = Buffer.alloc(length);
  assert.equal(fs.readSync(fd, b, 0, length, offset), length, `read ${length} bytes at ${offset}`);
  return new DataView(b.buffer, b.byteOffset, length);
}
const u64 = (dv: DataView, o: number): number => Number(dv.getBigUint64(o, true));

interface CdEntry { name: string; size32: number; csize32: number; offset32: number; extra: DataView | null; version: number }

test('save writes zip64 sizes, offsets and end records; load reads it back in file-size memory', (t) => {
  const file = path.join(tmp, 'big.pt');
  let expected: Record<string, string>;
  {
    // Distinct bytes per 64 MiB chunk: one random block, rotated by a different amount per chunk.
    const pattern = randomFillSync(new Uint8Array((64 << 20) + (1 << 16)));
    const big = torch.empty([BIG], { dtype: 'uint8' });
    fillTensorBytes(big, (chunk, offset) => {
      const r = ((offset / (64 << 20)) * 4099) % (1 << 16);
      chunk.set(pattern.subarray(r, r + chunk.length));
    });
    const small = torch.arange(1000, { dtype: 'float32' });
    expected = { big: digest(big), small: digest(small) };
    save({ big, small }, file);
    torch.dispose([big, small]);
    torch.emptyCache();
  }

  const fileSize = fs.statSync(file).size;
  assert.ok(fileSize > BIG + 4000, `file of ${fileSize} bytes`);
  const fd = fs.openSync(file, 'r');
  try {
    // End of central directory: every field that can overflow set to its zip64 marker.
    const eocd = region(fd, fileSize - 22, 22);
    assert.equal(eocd.getUint32(0, true), 0x06054b50, 'EOCD signature at the very end');
    assert.equal(eocd.getUint16(8, true), 0xffff);
    assert.equal(eocd.getUint32(12, true), U32);
    assert.equal(eocd.getUint32(16, true), U32);
    const loc = region(fd, fileSize - 42, 20);
    assert.equal(loc.getUint32(0, true), 0x07064b50, 'zip64 locator before the EOCD');
    const z64At = u64(loc, 8);
    assert.equal(z64At, fileSize - 42 - 56);
    const z64 = region(fd, z64At, 56);
    assert.equal(z64.getUint32(0, true), 0x06064b50, 'zip64 EOCD signature');
    assert.equal(u64(z64, 4), 44, 'zip64 EOCD record size');
    const count = u64(z64, 32);
    const cdSize = u64(z64, 40);
    const cdOffset = u64(z64, 48);
    assert.equal(count, 5, 'data.pkl, byteorder, data/0, data/1, version');
    assert.equal(cdOffset + cdSize, z64At, 'central directory ends where the zip64 EOCD starts');
    assert.ok(cdOffset > 2 ** 32, 'central directory past 4 GiB');

    const cd = region(fd, cdOffset, cdSize);
    const entries = new Map<string, CdEntry>();
    for (let p = 0, n = 0; n < count; n++) {
      assert.equal(cd.getUint32(p, true), 0x02014b50, `central header ${n}`);
      const nameLen = cd.getUint16(p + 28, true);
      const extraLen = cd.getUint16(p + 30, true);
      const name = Buffer.from(cd.buffer, cd.byteOffset + p + 46, nameLen).toString('utf8');
      const extra = extraLen ? new DataView(cd.buffer, cd.byteOffset + p + 46 + nameLen, extraLen) : null;
      entries.set(name, {
        name, version: cd.getUint16(p + 6, true), csize32: cd.getUint32(p + 20, true), size32: cd.getUint32(p + 24, true),
        offset32: cd.getUint32(p + 42, true), extra,
      });
      p += 46 + nameLen + extraLen + cd.getUint16(p + 32, true);
    }
    assert.deepEqual([...entries.keys()], ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);

    // The > 4 GiB record: 32-bit fields are markers, the zip64 extra field has the real values.
    const e0 = entries.get('archive/data/0')!;
    assert.equal(e0.version, 45);
    assert.deepEqual([e0.size32, e0.csize32, e0.offset32], [U32, U32, U32]);
    assert.ok(e0.extra);
    assert.equal(e0.extra.getUint16(0, true), 0x0001, 'zip64 extra field id');
    assert.equal(e0.extra.getUint16(2, true), 24);
    assert.equal(u64(e0.extra, 4), BIG, 'zip64 uncompressed size');
    assert.equal(u64(e0.extra, 12), BIG, 'zip64 compressed size');
    const off0 = u64(e0.extra, 20);
    // Its local header carries zip64 sizes too, and the data starts 64-byte aligned.
    const lh = region(fd, off0, 30);
    assert.equal(lh.getUint32(0, true), 0x04034b50);
    assert.equal(lh.getUint16(4, true), 45, 'version needed 4.5 (zip64)');
    assert.equal(lh.getUint32(18, true), U32);
    assert.equal(lh.getUint32(22, true), U32);
    const lName = lh.getUint16(26, true);
    const lExtra = region(fd, off0 + 30 + lName, lh.getUint16(28, true));
    assert.equal(lExtra.getUint16(0, true), 0x0001);
    assert.equal(u64(lExtra, 4), BIG);
    assert.equal(u64(lExtra, 12), BIG);
    const data0 = off0 + 30 + lName + lh.getUint16(28, true);
    assert.equal(data0 % 64, 0, 'tensor data 64-byte aligned');

    // The record after it starts past 4 GiB: its offset is only in the zip64 extra field.
    const e1 = entries.get('archive/data/1')!;
    assert.equal(e1.offset32, U32);
    const off1 = u64(e1.extra!, 20);
    assert.ok(off1 > 2 ** 32, `data/1 at ${off1}`);
    assert.equal(u64(e1.extra!, 4), 4000);
    assert.equal(off1, data0 + BIG, 'data/1 header right after data/0');
    // Records before 4 GiB stay plain zip.
    const pkl = entries.get('archive/data.pkl')!;
    assert.equal(pkl.extra, null);
    assert.equal(pkl.offset32, 0);
  } finally {
    fs.closeSync(fd);
  }

  // Load in a fresh process (so its peak RSS is this load's), with the data read straight into
  // tensor memory. Bound: the file's size + 20% (the runtime itself is about 0.3 GB of it).
  const child = fileURLToPath(new URL('./large_child.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', child, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  const got = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(got.digests, expected, 'every byte of both tensors read back');
  t.diagnostic(`file ${fileSize} bytes, child peak RSS ${got.peakRss} (runtime before loading ${got.baseRss})`);
  assert.ok(got.peakRss < fileSize * 1.2, `peak RSS ${got.peakRss} must stay below ${Math.round(fileSize * 1.2)} (file ${fileSize})`);
  fs.rmSync(file);
  assert.equal(torch.memory().liveTensors, start);
});

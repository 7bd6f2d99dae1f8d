// safetensors: the reference layout (golden written by hand in Python following the Rust writer,
// plus the byte vectors of the reference implementation's own tests), round trips, validation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../src/index.js';
import { safetensors, SerializationError } from '../../src/serialization/index.js';
import { _injectWriteFault } from '../../src/serialization/atomic.js';
import { wholeFile } from '../../src/serialization/torch_io.js';
import { canon, fixture, readJson } from './helpers.js';

const start = torch.memory().liveTensors;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-st-'));
const expected = readJson('safetensors_expected.json');

function values(t: torch.Tensor): unknown {
  return (canon(t, 'tensor') as any).__tensor__.values;
}

test('reads the reference file: names, dtypes, shapes, values, metadata (read whole, and tensor by tensor from the file)', () => {
  const saved = wholeFile.maxBytes;
  try {
    for (const limit of [saved, 0]) {
      wholeFile.maxBytes = limit; // 0: positioned reads straight into each tensor, as for large files
      const ts = safetensors.loadFile(fixture('reference.safetensors'));
      try {
        assert.deepEqual(new Set(Object.keys(ts)), new Set(Object.keys(expected.tensors)));
        for (const [name, e] of Object.entries<any>(expected.tensors)) {
          const t = ts[name]!;
          assert.equal(t.dtype, e.dtype, name);
          assert.deepEqual(t.shape, e.shape, name);
          assert.deepEqual(values(t), e.values, name);
        }
        assert.deepEqual(safetensors.readMetadata(fixture('reference.safetensors')), expected.metadata);
      } finally {
        torch.dispose(ts);
      }
    }
  } finally {
    wholeFile.maxBytes = saved;
  }
});

test('writes the reference file byte for byte (layout order, compact JSON, 8-byte padding)', () => {
  const ref = fs.readFileSync(fixture('reference.safetensors'));
  const ts = safetensors.loadFile(fixture('reference.safetensors'));
  try {
    // Insert in a different order: the writer sorts by dtype rank, then name.
    const shuffled = Object.fromEntries(Object.entries(ts).reverse());
    const out = safetensors.save(shuffled, expected.metadata);
    assert.deepEqual(Buffer.from(out), ref);
    const file = path.join(tmp, 'copy.safetensors');
    safetensors.saveFile(new Map(Object.entries(ts)), file, expected.metadata);
    assert.deepEqual(fs.readFileSync(file), ref);
  } finally {
    torch.dispose(ts);
  }
});

test('matches the byte vectors of the reference implementation tests', () => {
  torch.tidy(() => {
    // test_serialization: {"attn.0": F32 [1,2,3] = 0..5}
    const attn = torch.tensor([[[0, 1, 2], [3, 4, 5]]], { dtype: 'float32' });
    const out = safetensors.save({ 'attn.0': attn });
    assert.deepEqual(Array.from(out), [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    // test_empty (with and without metadata)
    assert.deepEqual(Array.from(safetensors.save({})), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    assert.deepEqual(Array.from(safetensors.save({}, { framework: 'pt' })), [
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    // test_serialization_forced_alignement: header padded with spaces to 8 bytes
    const out2 = safetensors.save({ attn0: attn.reshape([1, 1, 2, 3]) });
    assert.equal(out2[0], 72);
    assert.deepEqual(Array.from(out2.subarray(8 + 65, 8 + 72)), [32, 32, 32, 32, 32, 32, 32]);
    return undefined;
  });
});

test('round trip of every dtype, non-contiguous input, 0-dim and empty tensors', () => {
  torch.tidy(() => {
    const base = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    const ts: Record<string, torch.Tensor> = {
      f32t: (base as any).t(),
      f64: torch.tensor([1e-300, -2], { dtype: 'float64' }),
      f16: torch.tensor([65504, -0.5], { dtype: 'float16' }),
      bf16: torch.tensor([3e38, 1], { dtype: 'bfloat16' }),
      i8: torch.tensor([-128], { dtype: 'int8' }),
      i16: torch.tensor([-1], { dtype: 'int16' }),
      i32: torch.tensor([2147483647], { dtype: 'int32' }),
      i64: torch.tensor([-(2n ** 63n)], { dtype: 'int64' }),
      u8: torch.tensor([255], { dtype: 'uint8' }),
      bool: torch.tensor([true, false, true], { dtype: 'bool' }),
      scalar: torch.tensor(2, { dtype: 'float32' }),
      empty: torch.zeros([0, 4]),
    };
    const back = safetensors.load(safetensors.save(ts, { a: 'b' }));
    for (const [k, t] of Object.entries(ts)) {
      assert.equal(back[k]!.dtype, t.dtype, k);
      assert.deepEqual(back[k]!.shape, t.shape, k);
      assert.deepEqual(values(back[k]!), values(t), k);
    }
    assert.throws(() => safetensors.save({ c: torch.zeros([2], { dtype: 'complex64' }) }), /complex64, which safetensors cannot store/);
    assert.throws(() => safetensors.save({ __metadata__: torch.zeros([1]) }), /cannot be a tensor name/);
    assert.throws(() => safetensors.save({ x: [1] as any }), /is not a Tensor/);
    return undefined;
  });
});

function file(header: unknown, data: Uint8Array = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const h = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('validation: corrupt and truncated files name the file and the problem', () => {
  const p = path.join(tmp, 'bad.safetensors');
  const check = (bytes: Uint8Array, re: RegExp) => {
    fs.writeFileSync(p, bytes);
    assert.throws(() => safetensors.loadFile(p), (e: Error) => e instanceof SerializationError && e.message.includes(p) && re.test(e.message), re.source);
  };
  const t = (dtype: string, shape: number[], off: [number, number]) => ({ dtype, shape, data_offsets: off });
  const ref = fs.readFileSync(fixture('reference.safetensors'));
  check(ref.subarray(0, 5), /too short for the 8-byte header length/);
  check(ref.subarray(0, 40), /truncated: the header needs/);
  check(ref.subarray(0, ref.length - 3), /truncated: the data section needs/);
  check(Buffer.concat([ref, Buffer.from([0])]), /1 bytes after the last tensor/);
  check(Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 0]), /larger than the 100000000-byte limit/);
  check(file(null, undefined, '{"a": '), /not valid JSON/);
  check(file(null, undefined, '[1,2]'), /does not start with '\{'/);
  check(file(null, undefined, '\xff'), /does not start|UTF-8/);
  check(file({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [4, 12]) }, new Uint8Array(12)), /'b' data \[4, 12\) overlaps tensor 'a'/);
  check(file({ a: t('F32', [2], [4, 12]) }, new Uint8Array(12)), /gap in the data section before tensor 'a'/);
  check(file({ a: t('F32', [3], [0, 8]) }, new Uint8Array(8)), /needs 12 bytes but data_offsets \[0,8\] span 8/);
  check(file({ a: t('F99', [1], [0, 4]) }, new Uint8Array(4)), /unknown dtype "F99"/);
  check(file({ a: t('F32', [-1], [0, 4]) }, new Uint8Array(4)), /invalid shape/);
  check(file({ a: t('F32', [1], [4, 0]) }, new Uint8Array(4)), /invalid data_offsets/);
  check(file({ a: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), /invalid data_offsets/);
  check(file({ __metadata__: { k: 1 } }), /__metadata__ value for 'k' is not a string/);
  check(file({ a: t('U16', [1], [0, 2]) }, new Uint8Array(2)), /dtype U16, which @monai-ts\/torch has no dtype for/);
  assert.equal(torch.memory().liveTensors, start);
});

test('an interrupted saveFile leaves the previous file intact', () => {
  const p = path.join(tmp, 'w.safetensors');
  torch.tidy(() => {
    safetensors.saveFile({ a: torch.ones([3]) }, p);
    const before = fs.readFileSync(p);
    _injectWriteFault(50);
    assert.throws(() => safetensors.saveFile({ a: torch.zeros([300]) }, p), /simulated write failure/);
    assert.deepEqual(fs.readFileSync(p), before);
    assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.includes('w.safetensors')), ['w.safetensors']);
    return undefined;
  });
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

// Every dtype round-trips between typed arrays and tensors, bit for bit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;

const samples: [torch.DType, torch.TypedArray][] = [
  ['float32', new Float32Array([1.5, -2.25, NaN, Infinity, -0, 3.4e38])],
  ['float64', new Float64Array([1e-300, -2.5, NaN, -Infinity, Math.PI, 1.7e308])],
  ['float16', new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x7e00, 0x0001, 0x7bff])],
  ['bfloat16', new Uint16Array([0x3f80, 0xc000, 0x7f80, 0x7fc0, 0x0001, 0x7f7f])],
  ['uint8', new Uint8Array([0, 1, 127, 128, 254, 255])],
  ['int8', new Int8Array([-128, -1, 0, 1, 100, 127])],
  ['int16', new Int16Array([-32768, -1, 0, 1, 1000, 32767])],
  ['int32', new Int32Array([-2147483648, -1, 0, 1, 123456789, 2147483647])],
  ['int64', new BigInt64Array([-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n])],
  ['bool', new Uint8Array([0, 1, 1, 0, 0, 1])],
  ['complex64', new Float32Array([1, 2, -3, 4.5, 0, -1, NaN, 1, 2, 3, 4, 5])],
  ['complex128', new Float64Array([1, 2, -3, 4.5, 0, -1, NaN, 1, 2, 3, 4, 5])],
];

const bytes = (a: torch.TypedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

for (const [dtype, arr] of samples) {
  test(`${dtype} round-trips`, () => {
    torch.tidy(() => {
      const t = torch.fromTypedArray(arr, [2, 3], dtype);
      assert.equal(t.dtype, dtype);
      assert.deepEqual(t.shape, [2, 3]);
      const back = t.data();
      assert.equal(back.constructor, arr.constructor);
      assert.ok(bytes(back).equals(bytes(arr)), `${dtype}: bytes differ`);
      // a non-contiguous view copies out in logical order
      const tt = t.t();
      assert.equal(t.at(1).storageOffset(), 3);
      assert.deepEqual(tt.stride(), [1, 3]);
      const viaT = tt.contiguous().data();
      assert.ok(bytes(tt.data()).equals(bytes(viaT)));
      // shared view aliases storage
      const shared = t.data({ share: true });
      assert.ok(bytes(shared).equals(bytes(arr)));
    });
  });
}

test('float16/bfloat16 raw words decode to the right values', () => {
  torch.tidy(() => {
    assert.deepEqual(torch.fromTypedArray(new Uint16Array([0x3c00, 0xc000]), [2], 'float16').toArray(), [1, -2]);
    assert.deepEqual(torch.fromTypedArray(new Uint16Array([0x3f80, 0x4040]), [2], 'bfloat16').toArray(), [1, 3]);
  });
});

test('shared data writes through to the tensor; copies do not', () => {
  torch.tidy(() => {
    const t = torch.zeros([4]);
    const view = t.data({ share: true }) as Float32Array;
    view[2] = 7;
    assert.deepEqual(t.toArray(), [0, 0, 7, 0]);
    const copy = t.data() as Float32Array;
    copy[0] = 9;
    assert.equal(t.at(0).item(), 0);
  });
});

test('withData views storage during the call and releases it right after', () => {
  let kept: torch.TypedArray | null = null;
  const t = torch.zeros([4]);
  t.withData((v) => {
    (v as Float32Array)[1] = 5;
    kept = v;
  });
  assert.deepEqual(t.toArray(), [0, 5, 0, 0]);
  assert.equal(kept!.byteLength, 0, 'the view is detached after the call');
  t.dispose();
  // 20 x 64 MiB through withData with no GC in between: the storage goes back at once.
  const rss0 = process.memoryUsage.rss();
  for (let i = 0; i < 20; i++) {
    const big = torch.empty([16 * 1024 * 1024]);
    big.withData((v) => v.fill(1 as never));
    big.dispose();
  }
  torch.emptyCache();
  const grown = process.memoryUsage.rss() - rss0;
  assert.ok(grown < 400 * 2 ** 20, `RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
});

test('large freed blocks are pooled for reuse and emptyCache returns them', () => {
  torch.emptyCache();
  const a = torch.ones([16 * 1024 * 1024]); // 64 MiB: pooled size
  a.dispose();
  const pooled = torch.memory().cachedBytes;
  assert.ok(pooled >= 64 * 2 ** 20, `pooled ${pooled}`);
  const b = torch.zeros([16 * 1024 * 1024]); // same size: reuses the pooled block (zeros still zero it)
  assert.equal(torch.memory().cachedBytes, pooled - 64 * 2 ** 20);
  const s = b.sum();
  assert.equal(s.item(), 0);
  s.dispose();
  b.dispose();
  assert.ok(torch.emptyCache() >= 64 * 2 ** 20);
  assert.equal(torch.memory().cachedBytes, 0);
});

test('nested arrays and values per dtype', () => {
  torch.tidy(() => {
    assert.deepEqual(torch.tensor([[true, false]]).toArray(), [[true, false]]);
    assert.deepEqual(torch.tensor([2n ** 40n, -3n]).toArray(), [2 ** 40, -3]);
    for (const d of ['float32', 'float64', 'float16', 'bfloat16', 'uint8', 'int8', 'int16', 'int32', 'int64'] as const)
      assert.deepEqual(torch.tensor([[1, 2], [3, 4]], { dtype: d }).toArray(), [[1, 2], [3, 4]], d);
    assert.deepEqual(torch.tensor(5).shape, []);
    assert.equal(torch.tensor(5).toArray(), 5);
  });
});

test('mismatched buffer sizes and unknown dtypes are refused', () => {
  assert.throws(() => torch.fromTypedArray(new Float32Array(5), [2, 3], 'float32'), /needs 24 bytes, the array has 20/);
  assert.throws(() => torch.fromTypedArray(new Float32Array(6), [2, -3], 'float32'), /non-negative integers/);
  assert.throws(() => torch.fromTypedArray(new Float32Array(6), [6], 'float8' as torch.DType), /unknown dtype/);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'dtype tests leaked tensors');
});

// JS views of tensor memory (issue 13, item 5a): a view over more than 4 GiB used to abort the process
// ("double free or corruption": Node 20 refuses external buffers over buffer.constants.MAX_LENGTH,
// runs the finalizer itself, and node-addon-api frees its finalizer data again). Such views now throw a
// clear error, and narrow() slices of a large tensor are viewed in place, so callers work in parts.
// torch.empty does not touch its pages: the 4 GiB tensors here cost no memory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));

test('withData over more than 4 GiB throws a clear error instead of aborting', () => {
  for (const [shape, dtype] of [
    [[2 ** 31 + 8], 'int16'], // 4 GiB + 16 bytes, under 2^32 elements: the external buffer limit
    [[2 ** 32 + 16], 'uint8'], // over 2^32 elements: V8's typed array limit
  ] as const) {
    const t = torch.empty([...shape], { dtype });
    try {
      assert.throws(() => t.withData(() => 0), /larger than one JS typed array can view \(4 GiB, 2\^32 elements\); view it in parts with narrow\(\)/);
      assert.throws(() => t.data({ share: true }), /view it in parts/);
    } finally {
      t.dispose();
    }
  }
});

test('a narrow() slice of a large tensor is viewed in place: writes reach the tensor', () => {
  const t = torch.empty([2 ** 31 + 8], { dtype: 'int16' }); // only the slice's pages are touched
  try {
    const off = 2 ** 31 - 4; // past 4 GiB of bytes from the start
    const part = t.narrow(0, off, 12);
    try {
      part.withData((v) => {
        const a = v as Int16Array;
        assert.equal(a.length, 12);
        for (let i = 0; i < 12; i++) a[i] = i + 1;
      });
    } finally {
      part.dispose();
    }
    assert.equal(torch.tidy(() => t.narrow(0, off, 12).sum().item()), 78);
    assert.equal(torch.tidy(() => t.select(0, off + 11).item()), 12);
  } finally {
    t.dispose();
  }
});

test('small narrow() views are shared too, copies only where asked', () => {
  const t = torch.arange(10, { dtype: 'float32' });
  const part = t.narrow(0, 3, 4);
  try {
    part.withData((v) => {
      (v as Float32Array)[0] = 100;
    });
    assert.equal(torch.tidy(() => t.select(0, 3).item()), 100);
    const copy = part.toTypedArray() as Float32Array;
    copy[1] = -1;
    assert.equal(torch.tidy(() => t.select(0, 4).item()), 4);
  } finally {
    part.dispose();
    t.dispose();
  }
});

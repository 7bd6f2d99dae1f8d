// Loaders fault in a tensor's pages with one call before reading a file record into it (issue 13,
// item 13a: a page fault per 4 KiB was a tenth of torch.load's time), while torch.empty itself
// must not touch pages. RSS deltas are checked with 64 MiB of slack either way on a 256 MiB tensor.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { native } from '../../src/native.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));

const MB = 1 << 20;
// MONAI_TS_CPU_CACHE_MB=0 leaves libtorch's allocator in place: there are no blocks to populate.
const noPool = Number(process.env.MONAI_TS_CPU_CACHE_MB ?? 1024) <= 0 && 'the caching allocator is off (MONAI_TS_CPU_CACHE_MB<=0)';

test('torch.empty leaves pages untouched; populatePages makes a large block resident at once', { skip: noPool }, () => {
  torch.emptyCache(); // a pooled block would already be resident
  const rss0 = process.memoryUsage().rss;
  const t = torch.empty([256 * MB], { dtype: 'uint8' });
  try {
    const rss1 = process.memoryUsage().rss;
    assert.ok(rss1 - rss0 < 64 * MB, `torch.empty touched ${(rss1 - rss0) / MB} MiB`);
    assert.equal(native.populatePages((t as any).handle), true);
    const rss2 = process.memoryUsage().rss;
    assert.ok(rss2 - rss1 > 192 * MB, `populatePages made only ${(rss2 - rss1) / MB} MiB resident`);
    t.withData((v) => assert.equal(v[v.length - 1], 0)); // fresh anonymous memory reads as zeros
  } finally {
    t.dispose();
  }
});

test('populatePages declines what is not a large block of the caching allocator', { skip: noPool }, () => {
  const small = torch.empty([1024], { dtype: 'uint8' });
  const big = torch.empty([64 * MB], { dtype: 'uint8' });
  const part = (big as any).narrow(0, 4096, 1024) as torch.Tensor;
  try {
    assert.equal(native.populatePages((small as any).handle), false);
    // A view shares the block: the whole block is populated (it is the storage's, not the view's).
    assert.equal(native.populatePages((part as any).handle), true);
  } finally {
    torch.dispose([small, big, part]);
  }
});

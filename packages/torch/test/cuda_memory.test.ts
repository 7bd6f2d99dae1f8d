// torch.cuda memory statistics (memoryAllocated, maxMemoryAllocated, memoryReserved, maxMemoryReserved,
// resetPeakMemoryStats) from libtorch's CUDA caching allocator; a clear error where CUDA is absent.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'cuda memory tests leaked tensors'));
const hasGpu = torch.cuda.isAvailable();
const STATS = ['memoryAllocated', 'maxMemoryAllocated', 'memoryReserved', 'maxMemoryReserved', 'resetPeakMemoryStats'] as const;

test('without CUDA every statistic throws one line saying CUDA is not available', { skip: hasGpu && 'a CUDA device is present' }, () => {
  const why = torch.config().cuda ? 'CUDA is not available: no CUDA device found' : 'CUDA is not available in this libtorch build';
  for (const name of STATS) {
    assert.throws(() => torch.cuda[name](), (e: unknown) => e instanceof torch.TorchError && e.message === `torch.cuda.${name}: ${why}`, name);
  }
});

test('a bad device argument names the function and what it got', () => {
  assert.throws(() => torch.cuda.maxMemoryAllocated('cpu'), /torch\.cuda\.maxMemoryAllocated: device must be a CUDA device index, 'cuda' or 'cuda:N', found "cpu"/);
  assert.throws(() => torch.cuda.memoryAllocated(-1), /torch\.cuda\.memoryAllocated: device must be .* found -1/);
  assert.throws(() => torch.cuda.resetPeakMemoryStats(1.5), /found 1\.5/);
});

test('on CUDA: allocated bytes follow a tensor, the peak holds until reset', { skip: !hasGpu && 'no CUDA device' }, () => {
  torch.cuda.synchronize();
  const base = torch.cuda.memoryAllocated();
  torch.cuda.resetPeakMemoryStats();
  const bytes = 64 << 20;
  const x = torch.empty([bytes / 4], { device: 'cuda' });
  assert.ok(torch.cuda.memoryAllocated('cuda:0') >= base + bytes);
  assert.ok(torch.cuda.memoryReserved(0) >= torch.cuda.memoryAllocated(0));
  x.dispose();
  assert.equal(torch.cuda.memoryAllocated(), base);
  assert.ok(torch.cuda.maxMemoryAllocated() >= base + bytes);
  assert.ok(torch.cuda.maxMemoryReserved() >= torch.cuda.memoryReserved());
  torch.cuda.resetPeakMemoryStats('cuda');
  assert.equal(torch.cuda.maxMemoryAllocated(), base);
});

// Asking a CPU-only libtorch for a CUDA device fails with one line that says so and names the
// device asked for, on every path a device enters (Tensor.cuda/to, factory and op options,
// torch.tensor/fromTypedArray, nn modules, TorchScript), instead of libtorch's page-long
// "Could not run ... with arguments from the 'CUDA' backend" listing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
const hasCuda = torch.config().cuda;
const fixtures = fileURLToPath(new URL('./fixtures/jit/', import.meta.url));

/** fn throws a one-line TorchError: CUDA is not available ..., naming `asked`. */
function noCuda(fn: () => unknown, asked: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof torch.TorchError, `TorchError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line, got:\n${e.message}`);
    assert.match(e.message, new RegExp(`CUDA is not available in this libtorch build \\(device '${asked}' was asked for\\)$`));
    return true;
  });
}

test('a CUDA build runs these calls instead (this test file then checks that)', { skip: !hasCuda && 'CPU-only libtorch: the tests below apply' }, () => {
  torch.tidy(() => assert.equal(torch.ones([2]).cuda().device, 'cuda:0'));
});

test('Tensor.cuda() and Tensor.to()', { skip: hasCuda && 'this libtorch has CUDA' }, () => {
  torch.tidy(() => {
    const x = torch.ones([2]);
    noCuda(() => x.cuda(), 'cuda:0');
    noCuda(() => x.cuda(1), 'cuda:1');
    noCuda(() => x.to('cuda'), 'cuda');
    noCuda(() => x.to('cuda:0'), 'cuda:0');
    noCuda(() => x.to({ device: 'cuda', dtype: 'float64' }), 'cuda');
    noCuda(() => x.to({ device: 'cuda:2', copy: true }), 'cuda:2');
  });
});

test('factories and ops with a device option', { skip: hasCuda && 'this libtorch has CUDA' }, () => {
  torch.tidy(() => {
    const x = torch.ones([2]);
    noCuda(() => torch.zeros([2], { device: 'cuda' }), 'cuda');
    noCuda(() => torch.ones([2, 3], { device: 'cuda:0' }), 'cuda:0');
    noCuda(() => torch.empty([2], { device: 'cuda' }), 'cuda');
    noCuda(() => torch.randn([3], { device: 'cuda', requiresGrad: true }), 'cuda');
    noCuda(() => torch.arange(5, { device: 'cuda' }), 'cuda');
    noCuda(() => torch.full([2], 3, { device: 'cuda' }), 'cuda');
    noCuda(() => torch.eye(3, { device: 'cuda' }), 'cuda');
    noCuda(() => torch.zerosLike(x, { device: 'cuda' }), 'cuda');
    noCuda(() => x.newZeros([2], { device: 'cuda:1' }), 'cuda:1');
    noCuda(() => torch.tensor([1, 2], { device: 'cuda' }), 'cuda');
    noCuda(() => torch.fromTypedArray(new Float32Array(2), [2], 'float32', { device: 'cuda:0' }), 'cuda:0');
  });
});

test('nn modules, TorchScript and cuda.synchronize', { skip: hasCuda && 'this libtorch has CUDA' }, () => {
  const lin = new torch.nn.Linear(2, 3);
  try {
    noCuda(() => lin.cuda(), 'cuda:0');
    noCuda(() => lin.to('cuda'), 'cuda');
    assert.equal(lin.weight.device, 'cpu', 'the module stayed on the CPU');
  } finally {
    lin.dispose();
  }
  noCuda(() => torch.jit.load(join(fixtures, 'seg.pt'), { mapLocation: 'cuda' }), 'cuda');
  const m = torch.jit.load(join(fixtures, 'seg.pt'));
  try {
    noCuda(() => m.to('cuda:0'), 'cuda:0');
  } finally {
    m.dispose();
  }
  assert.throws(() => torch.cuda.synchronize(), /^TorchError: cuda\.synchronize: CUDA is not available in this libtorch build$/);
  assert.equal(torch.cuda.isAvailable(), false);
  // Generators are CPU-only whatever the build: that is the message there.
  assert.throws(() => new torch.Generator({ device: 'cuda:0' }), /only 'cpu' generators are supported, found 'cuda:0'/);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'cuda message tests leaked tensors');
});

// One table of dtype names (dtype.ts's DTYPE_BY_NAME): Tensor.to, Module.to, normalizeDtype and the
// .pt reader all accept exactly PyTorch's `torch.<name>` dtypes, aliases included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { DTYPE_BY_NAME, isDtypeName, ELEMENT_SIZE, SCALAR_TYPE_ORDER } from '../src/dtype.js';

const start = torch.memory().liveTensors;

// PyTorch 1.13: every torch.<name> that is a torch.dtype we support, and what it is.
const PYTORCH_NAMES: Record<string, torch.DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', uint8: 'uint8', int8: 'int8', int16: 'int16', short: 'int16', int32: 'int32', int: 'int32',
  int64: 'int64', long: 'int64', bool: 'bool', complex64: 'complex64', cfloat: 'complex64',
  complex128: 'complex128', cdouble: 'complex128',
};

test('the dtype name table is exactly PyTorch names and aliases', () => {
  assert.deepEqual({ ...DTYPE_BY_NAME }, PYTORCH_NAMES);
  for (const [name, dt] of Object.entries(PYTORCH_NAMES)) {
    assert.equal(torch.normalizeDtype(name), dt, name);
    assert.equal(torch.normalizeDtype(`torch.${name}`), dt, `torch.${name}`);
  }
  // Object.prototype members and devices are not dtype names.
  for (const s of ['toString', 'constructor', '__proto__', 'cpu', 'cuda:0', 'complex32']) assert.equal(isDtypeName(s), false, s);
  assert.throws(() => torch.normalizeDtype('toString'), /unknown dtype 'toString'/);
});

test('Tensor.to takes every dtype name and alias, and anything else as a device', () => {
  torch.tidy(() => {
    const x = torch.tensor([1, 2]);
    for (const [name, dt] of Object.entries(PYTORCH_NAMES)) {
      assert.equal(x.to(name as torch.DType).dtype, dt, name);
      assert.equal(x.to(`torch.${name}` as torch.DType).dtype, dt, `torch.${name}`);
    }
    assert.equal(x.to('cpu').device, 'cpu');
  });
});

test('Module.to takes dtype aliases', () => {
  const lin = new torch.nn.Linear({ inFeatures: 2, outFeatures: 1 });
  lin.to('torch.double');
  assert.equal(lin.weight.dtype, 'float64');
  lin.to('cfloat');
  assert.equal(lin.weight.dtype, 'complex64');
  for (const p of lin.parameters()) p.dispose();
});

test('element sizes are the storage sizes libtorch uses', () => {
  torch.tidy(() => {
    for (const dt of torch.DTYPES) {
      const bytes = torch.zeros([3], { dtype: dt }).view('uint8').shape[0];
      assert.equal(ELEMENT_SIZE[dt] * 3, bytes, dt);
      assert.equal(torch.elementSize(dt), ELEMENT_SIZE[dt], dt);
    }
  });
});

test('ScalarType results arrive as dtype names', () => {
  // c10::ScalarType numbering: the position of every dtype of ours in SCALAR_TYPE_ORDER.
  for (const dt of torch.DTYPES) assert.ok(SCALAR_TYPE_ORDER.includes(dt), dt);
  assert.equal(torch.promoteTypes('uint8', 'int8'), 'int16');
  assert.equal(torch.promoteTypes('bfloat16', 'float16'), 'float32');
});

after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

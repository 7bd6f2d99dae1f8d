// Unknown option keys of generated ops throw the library's "did you mean" TypeError, naming the op
// and the key; known keys that fit no overload keep the overload message.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;

test('a misspelt option key names the op, the key and the nearest valid key', () => {
  torch.tidy(() => {
    const x = torch.ones(2, 3);
    const a = x as any;
    assert.throws(() => a.sum([1], { keepDim: true }), (e: Error) => {
      assert.ok(e instanceof TypeError, 'a TypeError, as checkOptions throws');
      assert.match(e.message, /^sum: unknown option 'keepDim' \(did you mean 'keepdim'\?\); valid options: (\w+, )*keepdim/);
      return true;
    });
    assert.throws(() => a.sum({ dim: [1], keepDim: true }), /sum: unknown option 'keepDim' \(did you mean 'keepdim'\?\)/);
    assert.throws(() => (torch as any).softmax(x, 1, { dtyp: 'float64' }), /softmax: unknown option 'dtyp' \(did you mean 'dtype'\?\)/);
    assert.throws(() => (torch as any).upsampleBilinear2d(x.view(1, 1, 2, 3), [4, 6], { align_corners: true }),
      /upsampleBilinear2d: unknown option 'align_corners' \(did you mean 'alignCorners'\?\)/);
    assert.throws(() => a.add(x, { alhpa: 2 }), /add: unknown option 'alhpa' \(did you mean 'alpha'\?\)/);
    // Far from every key: no suggestion, still the list.
    assert.throws(() => a.sum({ zzzzzzzz: 1 }), /sum: unknown option 'zzzzzzzz'; valid options:/);
    // Undefined values are ignored, as elsewhere in the library.
    assert.deepEqual(a.sum([1], { keepDim: undefined, keepdim: true }).shape, [2, 1]);
  });
});

test('known keys whose values fit no overload keep the overload message', () => {
  torch.tidy(() => {
    const x = torch.ones(2, 3) as any;
    assert.throws(() => x.sum([1], { keepdim: 'yes' }), /no overload of sum accepts/);
    // dim is a required argument given by name: known, not "unknown".
    assert.deepEqual(x.sum({ dim: [0] }).shape, [3]);
  });
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'op option tests leaked tensors');
});

// BigInt values outside int64 (and integers outside a dtype's range) throw, naming the argument or
// element and the value, on every path a BigInt enters: op arguments (int, int[], Scalar), tensor(),
// fromTypedArray, fill values, at()/assign() indices and values, TorchScript arguments and seeds. napi's BigInt
// conversion and JS typed arrays wrap such values silently (2n ** 63n became -2^63).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
const TOO_BIG = 2n ** 63n;
const TOO_SMALL = -(2n ** 63n) - 1n;
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);
// The generated signatures type int arguments as numbers; BigInt is accepted at runtime.
const big = (v: bigint) => v as unknown as number;

/** The op throws a TorchError naming the argument and the exact value. */
function throwsArg(fn: () => unknown, arg: string, v: bigint): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof torch.TorchError, `TorchError, got ${String(e)}`);
    assert.match(e.message, new RegExp(`argument '${arg}': ${v}n is out of range \\(int64`));
    return true;
  });
}

test('int arguments: BigInt in range is exact, out of range throws', () => {
  torch.tidy(() => {
    const x = torch.arange(6);
    assert.deepEqual(x.select(0, big(-1n)).item(), 5);
    assert.deepEqual(torch.arange(6).narrow(0, big(2n), big(3n)).toArray(), [2, 3, 4]);
    throwsArg(() => x.select(0, big(TOO_BIG)), 'index', TOO_BIG);
    throwsArg(() => x.narrow(0, big(TOO_SMALL), 1), 'start', TOO_SMALL);
    throwsArg(() => torch.full([1], 1).repeatInterleave(1, { outputSize: big(2n ** 64n) } as never), 'output_size', 2n ** 64n);
    // A JS number beyond int64 is not silently wrapped either.
    assert.throws(() => x.select(0, 2 ** 64), /argument 'index': 18446744073709552000 is out of range \(int64/);
  });
});

test('int[] arguments: BigInt elements and BigInt varargs sizes', () => {
  torch.tidy(() => {
    const x = torch.arange(6);
    assert.deepEqual(x.view([big(2n), big(3n)]).shape, [2, 3]);
    assert.deepEqual(x.view(big(3n), big(2n)).shape, [3, 2]);
    assert.deepEqual(x.view(big(6n)).shape, [6]);
    throwsArg(() => x.view([big(2n), big(TOO_BIG)]), 'size', TOO_BIG);
    throwsArg(() => x.view(big(1n), big(TOO_SMALL)), 'size', TOO_SMALL);
    throwsArg(() => x.view(big(2n ** 64n + 6n)), 'size', 2n ** 64n + 6n);
    throwsArg(() => torch.zeros([big(TOO_BIG)]), 'size', TOO_BIG);
  });
});

test('Scalar arguments and fill values', () => {
  torch.tidy(() => {
    const i = torch.zeros([2], { dtype: 'int64' });
    assert.deepEqual(i.add(big(MAX)).data(), new BigInt64Array([MAX, MAX]));
    assert.deepEqual(torch.full([2], big(MIN)).data(), new BigInt64Array([MIN, MIN]));
    throwsArg(() => i.add(big(TOO_BIG)), 'other', TOO_BIG);
    throwsArg(() => i.add(i, { alpha: big(TOO_SMALL) }), 'alpha', TOO_SMALL);
    throwsArg(() => torch.full([2], big(TOO_SMALL)), 'fill_value', TOO_SMALL);
    throwsArg(() => i.fill_(big(TOO_BIG)), 'value', TOO_BIG);
    throwsArg(() => torch.ones([2]).mul(big(2n ** 100n)), 'other', 2n ** 100n);
    // A BigInt standing for a Tensor (a wrapped scalar) is checked the same way.
    throwsArg(() => torch.add(i, big(TOO_BIG)), 'other', TOO_BIG);
    assert.deepEqual(i.data(), new BigInt64Array([0n, 0n]), 'failed in-place fill left the tensor unchanged');
  });
});

test('tensor() of bigints and of numbers checks the target dtype range', () => {
  torch.tidy(() => {
    assert.deepEqual(torch.tensor([MIN, MAX]).data(), new BigInt64Array([MIN, MAX]));
    assert.throws(() => torch.tensor([1n, TOO_BIG]), /tensor: value 9223372036854775808n at index 1 does not fit in int64/);
    assert.throws(() => torch.tensor([[1n], [TOO_SMALL]]), /value -9223372036854775809n at index 1 does not fit in int64/);
    assert.throws(() => torch.tensor(TOO_BIG), /value 9223372036854775808n at index 0 does not fit in int64/);
    assert.throws(() => torch.tensor([2 ** 63]), /value 9223372036854776000 at index 0 does not fit in int64/);
    // As PyTorch: smaller integer dtypes refuse what they cannot hold instead of wrapping.
    assert.throws(() => torch.tensor([1, 2n ** 40n], { dtype: 'int32' }), /value 1099511627776 at index 1 does not fit in int32/);
    assert.throws(() => torch.tensor([300], { dtype: 'uint8' }), /value 300 at index 0 does not fit in uint8 \(0 to 255\)/);
    assert.throws(() => torch.tensor([-129], { dtype: 'int8' }), /does not fit in int8/);
    assert.throws(() => torch.tensor([40000], { dtype: 'int16' }), /does not fit in int16/);
    assert.deepEqual(torch.tensor([255, 0], { dtype: 'uint8' }).toArray(), [255, 0]);
    assert.deepEqual(torch.tensor([2147483647, -2147483648], { dtype: 'int32' }).toArray(), [2147483647, -2147483648]);
    // Floating dtypes take any BigInt, rounded as Number() does (PyTorch takes 2**64 as float32 too).
    assert.equal(torch.tensor([2n ** 64n], { dtype: 'float64' }).item(), 2 ** 64);
    // bool: any non-zero value is true (the byte is 1, not 2).
    assert.deepEqual(torch.tensor([2, 0], { dtype: 'bool' }).to('uint8').toArray(), [1, 0]);
  });
});

test('fromTypedArray: BigInt64Array is exact; BigUint64Array read as int64 must fit', () => {
  torch.tidy(() => {
    assert.deepEqual(torch.fromTypedArray(new BigInt64Array([MIN, MAX])).data(), new BigInt64Array([MIN, MAX]));
    assert.deepEqual(torch.tensor(new BigInt64Array([MIN, 5n])).data(), new BigInt64Array([MIN, 5n]));
    assert.deepEqual(torch.fromTypedArray(new BigUint64Array([1n, MAX]), [2], 'int64').data(), new BigInt64Array([1n, MAX]));
    assert.throws(
      () => torch.fromTypedArray(new BigUint64Array([1n, 2n ** 63n]), [2], 'int64'),
      /fromTypedArray: BigUint64Array value 9223372036854775808n at index 1 does not fit in int64/,
    );
  });
});

test('at() and assign(): BigInt indices and values', () => {
  torch.tidy(() => {
    const x = torch.arange(6).view(2, 3);
    assert.equal(x.at(1n, -1n).item(), 5);
    assert.deepEqual(x.at([0n, 1n], 2n).toArray(), [2, 5]);
    assert.throws(() => x.at(TOO_BIG), /at: index 9223372036854775808 is out of bounds for dimension 0 with size 2/);
    assert.throws(() => x.at([0n, TOO_BIG]), /value 9223372036854775808n at index 1 does not fit in int64/);
    x.assign(MAX, 0, 0);
    assert.equal((x.data() as BigInt64Array)[0], MAX);
    throwsArg(() => x.assign(TOO_BIG, 0, 1), 'value', TOO_BIG);
    assert.throws(() => x.assign(TOO_SMALL, [1]), /value -9223372036854775809n at index 0 does not fit in int64/);
    assert.deepEqual(x.at(1).toArray(), [3, 4, 5], 'failed assignments left the row unchanged');
  });
});

test('TorchScript int and int[] arguments', () => {
  const m = torch.jit.load(fileURLToPath(new URL('./fixtures/jit/int_arg.pt', import.meta.url)));
  try {
    torch.tidy(() => {
      const x = torch.arange(4);
      assert.deepEqual(m.forward(x, 2n).toArray(), [2, 3, 4, 5]);
      assert.deepEqual(m.forward(x, -1).toArray(), [-1, 0, 1, 2]);
      assert.deepEqual(m.runMethod('shift', x, [1n]).toArray(), [3, 0, 1, 2]);
      assert.throws(() => m.forward(x, TOO_BIG), /forward\(n\): 9223372036854775808n is out of range \(int64/);
      assert.throws(() => m.runMethod('shift', x, [TOO_SMALL]), /shift\(shifts\)\[0\]: -9223372036854775809n is out of range/);
      // A fractional or out-of-range number is not truncated into an int either.
      assert.throws(() => m.forward(x, 2.5), /forward\(n\): expected int, found 2.5/);
      assert.throws(() => m.forward(x, 2 ** 64), /forward\(n\): expected int, found 18446744073709552000/);
    });
  } finally {
    m.dispose();
  }
});

test('fromShared: a token beyond uint64 does not wrap onto a live one', () => {
  const t = torch.arange(3);
  const token = t.share();
  assert.throws(() => torch.fromShared(token + 2n ** 64n), /fromShared: unknown or already adopted token \d+n/);
  const back = torch.fromShared(token);
  assert.ok(back.is(t));
  torch.dispose([t, back]);
});

test('seeds: the full range PyTorch accepts, and a clear error outside it', () => {
  const before = torch.initialSeed();
  try {
    torch.manualSeed(2n ** 64n - 1n);
    assert.equal(torch.initialSeed(), 2n ** 64n - 1n);
    torch.manualSeed(-1n); // wraps as torch.manual_seed(-1) does
    assert.equal(torch.initialSeed(), 2n ** 64n - 1n);
    assert.throws(() => torch.manualSeed(2n ** 64n), /manualSeed: seed 18446744073709551616n is out of range/);
    assert.throws(() => torch.manualSeed(TOO_SMALL), /seed -9223372036854775809n is out of range/);
    const g = new torch.Generator();
    try {
      assert.throws(() => g.manualSeed(2n ** 64n), /seed 18446744073709551616n is out of range/);
      g.manualSeed(7n);
      assert.equal(g.initialSeed(), 7n);
    } finally {
      g.dispose();
    }
  } finally {
    torch.manualSeed(before);
  }
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'bigint tests leaked tensors');
});

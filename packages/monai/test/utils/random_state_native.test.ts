// RandomState's native bulk draws (torch.ops._legacyRandomFill, native/random_state.cc) against its JS
// loop: for every size and interleaving of scalar and sized draws, both paths give the same values
// bit for bit and leave the same state (MT words, position and the cached Gaussian).
// numpy parity itself is checked by random_state.test.ts, whose sized draws now run natively.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { RandomState } from '../../src/utils/random_state.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));

/** Runs `f` with sized draws forced to native code (true) or to the JS loop (false). */
function withPath<T>(native: boolean, f: () => T): T {
  const saved = RandomState.nativeMinDraws;
  RandomState.nativeMinDraws = native ? 0 : Infinity;
  try {
    return f();
  } finally {
    RandomState.nativeMinDraws = saved;
  }
}

function sameState(a: RandomState, b: RandomState, what: string): void {
  const sa = a.getState();
  const sb = b.getState();
  assert.equal(sa.pos, sb.pos, `${what}: pos`);
  assert.equal(sa.hasGauss, sb.hasGauss, `${what}: hasGauss`);
  assert.ok(Object.is(sa.gauss, sb.gauss), `${what}: cached gauss ${sa.gauss} vs ${sb.gauss}`);
  assert.deepEqual(sa.key, sb.key, `${what}: MT words`);
}

/** Bit equality of two arrays (Object.is per element, so -0 and NaN count). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
}

type Draw = (r: RandomState, n: number) => ArrayLike<number>;
const SIZED: Record<string, Draw> = {
  randomSample: (r, n) => r.randomSample(n),
  uniform: (r, n) => r.uniform(-3.5, 7.25, n),
  standardNormal: (r, n) => r.standardNormal(n),
  normal: (r, n) => r.normal(1.5, 0.3, n),
  randint: (r, n) => r.randint(-7, 1000, n),
  randint32: (r, n) => r.randint(0, 2 ** 32, n),
  randint64: (r, n) => r.randint(-5, 2 ** 40 + 12345, n),
  randintOne: (r, n) => r.randint(3, 4, n),
};
const SIZES = [0, 1, 2, 3, 63, 64, 65, 311, 312, 313, 623, 624, 625, 1249, 4097];

for (const [name, drawSized] of Object.entries(SIZED)) {
  test(`${name}: native and JS sized draws agree for ${SIZES.length} sizes, then the streams continue alike`, () => {
    for (const seed of [0, 12345, [1, 2, 3]]) {
      const a = new RandomState(seed);
      const b = new RandomState(seed);
      for (const n of SIZES) {
        const what = `${name} seed ${JSON.stringify(seed)} size ${n}`;
        sameBits(withPath(true, () => drawSized(a, n)), withPath(false, () => drawSized(b, n)), what);
        sameState(a, b, what);
      }
      assert.equal(a.standardNormal(), b.standardNormal());
      assert.equal(a.randint(0, 2 ** 32), b.randint(0, 2 ** 32));
    }
  });
}

test('large normal draws (chunked, attempts tested ahead in parallel) agree with the JS loop across chunk and block boundaries, cache included', () => {
  // 4096 values: the chunked path starts; 131072 values = one chunk of 65536 pairs
  const sizes = [4095, 4096, 4097, 131071, 131072, 131073, 262145];
  for (const cached of [false, true]) {
    for (const n of sizes) {
      const a = new RandomState(n);
      const b = new RandomState(n);
      a.randomSample(); // an odd position in the MT block
      b.randomSample();
      if (cached) {
        assert.equal(a.standardNormal(), b.standardNormal());
      }
      const what = `normal(${n})${cached ? ' after a cached value' : ''}`;
      sameBits(withPath(true, () => a.normal(-1, 0.5, n)), withPath(false, () => b.normal(-1, 0.5, n)), what);
      sameState(a, b, what);
      assert.equal(a.randint(0, 2 ** 32), b.randint(0, 2 ** 32), `${what}: next word`);
    }
  }
  // at every position in the MT block: the lookahead's first words come from the current key
  for (let pos = 0; pos < 8; pos++) {
    const a = new RandomState(3);
    const b = new RandomState(3);
    for (let k = 0; k < 619 + pos; k++) {
      a.nextUint32();
      b.nextUint32();
    }
    sameBits(withPath(true, () => a.standardNormal(5001)), withPath(false, () => b.standardNormal(5001)), `pos ${619 + pos}`);
    sameState(a, b, `pos ${619 + pos}`);
  }
});

test('random interleavings of scalar and sized draws (cached Gaussian carried across calls) give one stream', () => {
  const plan = new RandomState(2024);
  const ops: ((r: RandomState) => ArrayLike<number> | number)[] = [
    (r) => r.standardNormal(),
    (r) => r.normal(2, 3),
    (r) => r.randomSample(),
    (r) => r.uniform(-1, 1),
    (r) => r.randint(0, 10),
  ];
  for (let trial = 0; trial < 40; trial++) {
    const seed = plan.randint(0, 2 ** 32);
    const a = new RandomState(seed);
    const b = new RandomState(seed);
    for (let step = 0; step < 30; step++) {
      const sized = plan.randomSample() < 0.5;
      const names = Object.keys(SIZED);
      const what = `trial ${trial} step ${step}`;
      if (sized) {
        const name = names[plan.randint(0, names.length)];
        const n = plan.randint(0, 300);
        sameBits(withPath(true, () => SIZED[name](a, n)), withPath(false, () => SIZED[name](b, n)), `${what} ${name}(${n})`);
      } else {
        const op = ops[plan.randint(0, ops.length)];
        assert.ok(Object.is(op(a), op(b)), `${what} scalar`);
      }
      sameState(a, b, what);
    }
  }
});

test('an odd sized normal leaves the second polar value cached for the next scalar draw, natively too', () => {
  const a = new RandomState(7);
  const b = new RandomState(7);
  withPath(true, () => a.standardNormal(5));
  withPath(false, () => b.standardNormal(5));
  assert.equal(a.getState().hasGauss, true);
  sameState(a, b, 'after 5 normals');
  // a scalar draw consumes the cache; a sized draw then starts from the cache-free state
  assert.equal(a.standardNormal(), b.standardNormal());
  sameBits(withPath(true, () => a.normal(0, 2, 3)), withPath(false, () => b.normal(0, 2, 3)), 'normal(3) after the cache');
  // a sized draw starting with a cached value uses it first
  const c = new RandomState(7);
  c.standardNormal(); // caches
  const cached = c.getState().gauss;
  assert.equal(withPath(true, () => c.standardNormal(2))[0], cached);
});

test('1,000,000 standard normals: native equals the JS loop bit for bit (the native log twin on many inputs)', () => {
  const n = 1_000_000;
  const a = withPath(true, () => new RandomState(31337).standardNormal(n));
  const b = withPath(false, () => new RandomState(31337).standardNormal(n));
  sameBits(a, b, '1e6 normals');
});

test('normalTensor / uniformTensor / randomSampleTensor equal the sized draws (float64) and their float32 rounding', () => {
  for (const native of [true, false]) {
    for (const shape of [[0], [5], [2, 3, 7], [1, 16, 16, 9]]) {
      const what = `${native ? 'native' : 'JS'} shape [${shape.join(', ')}]`;
      const ref = new RandomState(99);
      const r = new RandomState(99);
      withPath(native, () => {
        torch.tidy(() => {
          const t = r.normalTensor(0.5, 2, shape);
          assert.deepEqual(t.shape, shape);
          assert.equal(t.dtype, 'float64');
          sameBits(t.toTypedArray() as Float64Array, withPath(false, () => ref.normal(0.5, 2, shape)), `${what} normal f64`);
          const f = r.normalTensor(0, 1, shape, { dtype: 'float32' });
          assert.equal(f.dtype, 'float32');
          sameBits(f.toTypedArray() as Float32Array, Float32Array.from(withPath(false, () => ref.standardNormal(shape))), `${what} normal f32`);
          sameBits(r.uniformTensor(-2, 5, shape).toTypedArray() as Float64Array, withPath(false, () => ref.uniform(-2, 5, shape)), `${what} uniform`);
          sameBits(r.randomSampleTensor(shape, { dtype: 'float32' }).toTypedArray() as Float32Array, Float32Array.from(withPath(false, () => ref.randomSample(shape))), `${what} randomSample f32`);
        });
      });
      sameState(r, ref, what);
    }
  }
});

test('tensor draws reject bad arguments with the method, argument and value', () => {
  const r = new RandomState(0);
  assert.throws(() => r.normalTensor(0, -1, [3]), /RandomState.normalTensor: scale must be >= 0, got -1/);
  assert.throws(() => r.normalTensor(0, 1, [3], { dtype: 'int64' }), /RandomState.normalTensor: dtype must be 'float32' or 'float64', got 'int64'/);
  assert.throws(() => r.uniformTensor(0, Infinity, [3]), /RandomState.uniformTensor: high - low must be finite/);
  assert.throws(() => r.randomSampleTensor([2, -1]), /RandomState.randomSampleTensor: size must hold non-negative integers, got \[2, -1\]/);
  assert.throws(() => r.randomSampleTensor([2.5]), /non-negative integers/);
});

test('torch.ops._legacyRandomFill validates its state and output', () => {
  const key = new Uint32Array(624);
  const st = new Float64Array([624, 0, 0]);
  assert.throws(() => torch.ops._legacyRandomFill({ key: new Uint32Array(10), st }, 'normal', 0, 1, new Float64Array(3)), /state.key must be a Uint32Array of 624 words/);
  assert.throws(() => torch.ops._legacyRandomFill({ key, st: new Float64Array(2) }, 'normal', 0, 1, new Float64Array(3)), /state.st must be a Float64Array/);
  assert.throws(() => torch.ops._legacyRandomFill({ key, st }, 'gamma' as 'normal', 0, 1, new Float64Array(3)), /distribution must be 'random', 'uniform', 'normal' or 'randint', found 'gamma'/);
  assert.throws(() => torch.ops._legacyRandomFill({ key, st }, 'normal', 0, 1, new Int32Array(3) as unknown as Float64Array), /out must be a Float64Array or a Float32Array/);
  assert.throws(() => torch.ops._legacyRandomTensor({ key, st }, 'normal', 0, 1, [2], 'int32' as 'float32'), /dtype must be 'float64' or 'float32', found 'int32'/);
});

// RandomState against numpy 1.24's legacy RandomState: 10,000 draws of each method for 9 seeds (ints and
// int arrays, one longer than the 624-word state). Goldens (tools/goldens/transforms/random_state/
// make_random_state.py) hold the SHA-256 of the exact little-endian bytes (float64 or int64), so any
// single-bit difference fails, plus first/last values (readable failures) and the next uint32 drawn
// after the method (the stream must be consumed exactly as numpy consumes it).
// Normal draws included: both sides take the C library's log, so the bytes are numpy's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RandomState } from '../../src/utils/random_state.js';
import { readGolden } from '../helpers/compare.js';

type Spec = Record<string, unknown> & { scalar?: boolean; repeat?: number };
const G = readGolden('transforms/random_state/random_state.json') as {
  numpy_version: string;
  seeds: (number | number[])[];
  methods: Record<string, { kind: 'f8' | 'i8'; spec: Spec }>;
  cases: { seed: number; method: string; count: number; sha256: string; first: number[]; last: number[]; after: number }[];
};

/** Replays one golden method on `r`, returning the draws in numpy's order. */
function draw(r: RandomState, method: string, s: Spec): number[] {
  const rep = (n: number, f: () => ArrayLike<number> | number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = f();
      if (typeof v === 'number') out.push(v);
      else out.push(...Array.from(v));
    }
    return out;
  };
  const lo = s.low as number;
  const hi = s.high as number;
  switch (method) {
    case 'randomSample':
      return Array.from(r.randomSample(10000));
    case 'rand':
      return Array.from(r.rand(...(s.shape as number[])));
    case 'randScalar':
      return rep(10000, () => r.rand());
    case 'uniform':
      return Array.from(r.uniform(lo, hi, 10000));
    case 'standardNormal':
      return Array.from(r.standardNormal(10000));
    case 'standardNormalOdd':
      return [...Array.from(r.standardNormal(9999)), r.standardNormal()];
    case 'normal':
      return Array.from(r.normal(s.loc as number, s.scale as number, 10000));
    case 'normalScalar':
      return rep(10000, () => r.normal(s.loc as number, s.scale as number));
    case 'choiceScalar':
      return rep(10000, () => r.choice(s.a as number) as number);
    case 'shuffle':
      return Array.from(r.shuffle(Array.from({ length: s.n as number }, (_, i) => i)));
    case 'permutation':
    case 'permutationSmall':
      return rep(s.repeat ?? 1, () => r.permutation(s.n as number));
    default:
  }
  if (method.startsWith('randint')) return s.scalar ? rep(10000, () => r.randint(lo, hi)) : Array.from(r.randint(lo, hi, 10000));
  if (method.startsWith('choice')) return rep(s.repeat ?? 1, () => r.choice(s.a as number, { size: s.size as number, replace: s.replace as boolean, p: (s.p as number[] | undefined) ?? null }) as number[]);
  if (method.startsWith('multinomial')) {
    const v = Array.from(r.multinomial(s.n as number, s.pvals as number[], s.size as number));
    return s.take === undefined ? v : v.slice(0, s.take as number);
  }
  throw new Error(`no replay for golden method ${method}`);
}

function sha(values: number[], kind: 'f8' | 'i8'): string {
  const buf = kind === 'f8' ? new Float64Array(values) : BigInt64Array.from(values, (v) => BigInt(v));
  return createHash('sha256').update(new Uint8Array(buf.buffer)).digest('hex');
}

test(`golden covers every method on every seed (numpy ${G.numpy_version})`, () => {
  assert.equal(Object.keys(G.methods).length, 26);
  assert.equal(G.cases.length, 26 * G.seeds.length);
  assert.ok(G.seeds.some((s) => Array.isArray(s) && s.length > 624), 'an array seed longer than the MT state');
});

for (const [method, { kind, spec }] of Object.entries(G.methods)) {
  test(`RandomState.${method} matches numpy bit for bit on ${G.seeds.length} seeds`, () => {
    for (const c of G.cases.filter((x) => x.method === method)) {
      const seed = G.seeds[c.seed];
      const r = new RandomState(seed);
      const v = draw(r, method, spec);
      const what = `${method} seed ${JSON.stringify(seed).slice(0, 40)}`;
      assert.equal(v.length, c.count, `${what}: count`);
      assert.deepEqual(v.slice(0, 3), c.first, `${what}: first values`);
      assert.deepEqual(v.slice(-3), c.last, `${what}: last values`);
      assert.equal(sha(v, kind), c.sha256, `${what}: bytes of all ${c.count} draws`);
      assert.equal(r.randint(0, 2 ** 32), c.after, `${what}: next draw after the method (stream consumption)`);
    }
  });
}

test('a single flipped bit changes the hash (the comparison can fail)', () => {
  const c = G.cases.find((x) => x.method === 'randomSample' && x.seed === 0)!;
  const v = draw(new RandomState(0), 'randomSample', {});
  const f = new Float64Array(v);
  new Uint8Array(f.buffer)[8 * 5000] ^= 1;
  assert.notEqual(sha(Array.from(f), 'f8'), c.sha256);
});

test('getState/setState resumes the stream, including the cached Gaussian', () => {
  const a = new RandomState(99);
  a.standardNormal(); // leaves the second polar value cached
  const st = a.getState();
  const ref = [a.standardNormal(), a.randomSample(), a.randint(0, 1000)];
  const b = new RandomState(1).setState(st);
  assert.deepEqual([b.standardNormal(), b.randomSample(), b.randint(0, 1000)], ref);
});

test('multinomial bad input names the argument', () => {
  const r = new RandomState(0);
  assert.throws(() => r.multinomial(-1, [0.5, 0.5]), /multinomial: n must be a non-negative integer, got -1/);
  assert.throws(() => r.multinomial(3, [0.7, 0.6, 0]), /sum\(pvals\[:-1\]\) > 1.0/);
  assert.throws(() => r.multinomial(3, [0.5, Number.NaN]), /pvals must be in \[0, 1\], got pvals\[1\]=NaN/);
  assert.throws(() => r.multinomial(3, []), /pvals must have at least 1 entry/);
});


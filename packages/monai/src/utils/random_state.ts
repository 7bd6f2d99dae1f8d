/**
 * RandomState: numpy's legacy `np.random.RandomState` (MT19937 and the legacy distributions), bit for bit,
 * so random transforms seeded like MONAI's draw the same parameters as MONAI in Python.
 *
 * Covered: seeding from an int or an int array (`init_by_array`), `randomSample`/`random`/`rand`,
 * `uniform`, `randint` (masked rejection, 32- and 64-bit ranges), `normal`/`standardNormal` (polar
 * method with numpy's cached second value), `choice` (with/without replacement, with/without `p`),
 * `shuffle`, `permutation`, `multinomial` (binomial inversion and BTPE), and `getState`/`setState` so a
 * state can travel to a worker. Logs come from the C library, as numpy's (V8's Math.log differs in the
 * last bit for a few percent of inputs), so draws equal numpy's on the same machine.
 *
 * Sized draws of `random`/`uniform`/`normal`/`randint` with at least `RandomState.nativeMinDraws` values
 * run in the native addon (torch.ops._legacyRandomFill), which computes exactly what the JS loop
 * would (the same C library log) from the same state, so scalar and sized draws interleave into one stream.
 * `*Tensor` methods draw straight into a tensor, skipping the JS array.
 */
import * as torch from '@monai-ts/torch';
import type { DType, Tensor } from '@monai-ts/torch';

/** numpy computes its Gaussian and binomial draws with the C library's log; so do we (natively). */
const log = (x: number): number => torch.ops._libmLog(x);

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;
const TWO32 = 4294967296;

/** Serializable MT19937 state plus the cached Gaussian (numpy's `get_state()` content). */
export interface RandomStateState {
  key: Uint32Array;
  pos: number;
  hasGauss: boolean;
  gauss: number;
}

export type SeedLike = number | bigint | readonly (number | bigint)[] | Uint32Array;

function checkSeedWord(v: number | bigint, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`RandomState: ${what} must be an integer between 0 and 2**32 - 1, got ${String(v)}`);
  return n >>> 0;
}

type Dist = 'random' | 'uniform' | 'normal' | 'randint';

export class RandomState {
  /**
   * Sized draws of at least this many values run natively (the JS loop below it, where a native call
   * costs more than it saves). Results are identical either way; 0 sends every sized draw to native
   * code, Infinity none.
   */
  static nativeMinDraws = 64;

  private mt = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;
  private readonly st = new Float64Array(3);

  /** Runs one native bulk draw on this state (`out` filled, or a new tensor of `shape`). */
  private native(dist: Dist, a: number, b: number, out: Float64Array | null, shape?: readonly number[], dtype?: 'float32' | 'float64'): Tensor | undefined {
    const st = this.st;
    st[0] = this.pos;
    st[1] = this.hasGauss ? 1 : 0;
    st[2] = this.gauss;
    const state = { key: this.mt, st };
    let t: Tensor | undefined;
    if (out !== null) torch.ops._legacyRandomFill(state, dist, a, b, out);
    else t = torch.ops._legacyRandomTensor(state, dist, a, b, shape!, dtype);
    this.pos = st[0];
    this.hasGauss = st[1] !== 0;
    this.gauss = st[2];
    return t;
  }

  /** Sized draw into a new Float64Array: natively at or above nativeMinDraws, else by `one`. */
  private sized(dist: Dist, a: number, b: number, n: number, one: () => number): Float64Array {
    const out = new Float64Array(n);
    if (n >= RandomState.nativeMinDraws) this.native(dist, a, b, out);
    else for (let i = 0; i < n; i++) out[i] = one();
    return out;
  }

  /** A tensor of `shape` (C order) drawn as the sized form would, rounded to `dtype`, on `device`. */
  private tensor(fn: string, dist: Dist, a: number, b: number, shape: readonly number[], dtype: DType, device: string, one: () => number): Tensor {
    const n = count(shape, fn);
    if (dtype !== 'float32' && dtype !== 'float64') throw new RangeError(`RandomState.${fn}: dtype must be 'float32' or 'float64', got '${dtype}'`);
    let t: Tensor;
    if (n >= RandomState.nativeMinDraws) t = this.native(dist, a, b, null, shape, dtype)!;
    else {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = one();
      t = torch.tidy(() => torch.fromTypedArray(dtype === 'float64' ? v : Float32Array.from(v), [...shape], dtype));
    }
    if (device === 'cpu') return t;
    let moved: Tensor;
    try {
      moved = t.to({ device });
    } finally {
      if (moved! !== t) t.dispose();
    }
    return moved;
  }

  /** `new RandomState()` seeds from OS entropy as numpy does; an int or an int array seeds deterministically. */
  constructor(seed?: SeedLike | null) {
    this.seed(seed);
  }

  /** Reseeds (numpy's `RandomState.seed`). */
  seed(seed?: SeedLike | null): this {
    if (seed === undefined || seed === null) {
      const words = new Uint32Array(N);
      crypto.getRandomValues(words);
      this.initByArray(words);
    } else if (typeof seed === 'number' || typeof seed === 'bigint') {
      this.initGenrand(checkSeedWord(seed, 'seed'));
    } else {
      if (seed.length === 0) throw new RangeError('RandomState: a seed array must be non-empty');
      const words = new Uint32Array(seed.length);
      for (let i = 0; i < seed.length; i++) words[i] = checkSeedWord(seed[i], `seed[${i}]`);
      this.initByArray(words);
    }
    this.hasGauss = false;
    this.gauss = 0;
    return this;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.pos = N;
  }

  private initByArray(key: Uint32Array): void {
    this.initGenrand(19650218);
    const mt = this.mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.pos = N;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1] & UPPER) | (mt[0] & LOWER);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** Next raw 32-bit output (numpy's `next_uint32`). */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** One double in [0, 1) from 53 random bits (numpy's `legacy_double`). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform [0, 1): a number, or a Float64Array of `size` (shape flattened, filled in C order). */
  randomSample(): number;
  randomSample(size: number | readonly number[]): Float64Array;
  randomSample(size?: number | readonly number[] | null): number | Float64Array {
    if (size === undefined || size === null) return this.nextDouble();
    return this.sized('random', 0, 1, count(size, 'randomSample'), () => this.nextDouble());
  }

  /** `randomSample(shape)` as a tensor (float64, or float32 rounded from the same draws). */
  randomSampleTensor(shape: readonly number[], options: { dtype?: DType; device?: string } = {}): Tensor {
    return this.tensor('randomSampleTensor', 'random', 0, 1, shape, options.dtype ?? 'float64', options.device ?? 'cpu', () => this.nextDouble());
  }

  /** numpy's `random`, alias of randomSample. */
  random(): number;
  random(size: number | readonly number[]): Float64Array;
  random(size?: number | readonly number[] | null): number | Float64Array {
    return size === undefined || size === null ? this.nextDouble() : this.randomSample(size);
  }

  /** numpy's `rand(d0, d1, ...)`: no argument gives one number. */
  rand(): number;
  rand(...shape: number[]): Float64Array;
  rand(...shape: number[]): number | Float64Array {
    return shape.length === 0 ? this.nextDouble() : this.randomSample(shape);
  }

  /** Uniform [low, high). */
  uniform(low?: number, high?: number): number;
  uniform(low: number, high: number, size: number | readonly number[]): Float64Array;
  uniform(low = 0, high = 1, size?: number | readonly number[] | null): number | Float64Array {
    if (!Number.isFinite(high - low)) throw new RangeError(`RandomState.uniform: high - low must be finite, got low=${low}, high=${high}`);
    const scale = high - low;
    if (size === undefined || size === null) return low + scale * this.nextDouble();
    return this.sized('uniform', low, scale, count(size, 'uniform'), () => low + scale * this.nextDouble());
  }

  /** `uniform(low, high, shape)` as a tensor (float64, or float32 rounded from the same draws). */
  uniformTensor(low: number, high: number, shape: readonly number[], options: { dtype?: DType; device?: string } = {}): Tensor {
    if (!Number.isFinite(high - low)) throw new RangeError(`RandomState.uniformTensor: high - low must be finite, got low=${low}, high=${high}`);
    const scale = high - low;
    return this.tensor('uniformTensor', 'uniform', low, scale, shape, options.dtype ?? 'float64', options.device ?? 'cpu', () => low + scale * this.nextDouble());
  }

  /**
   * Integers in [low, high) (numpy: `randint(high)` is [0, high)). Masked rejection sampling as numpy's
   * legacy `randint`, so the same seed gives the same integers. Ranges wider than 2**53 are refused
   * (a JS number cannot hold them exactly).
   */
  randint(low: number, high?: number | null): number;
  randint(low: number, high: number | null | undefined, size: number | readonly number[]): Float64Array;
  randint(low: number, high?: number | null, size?: number | readonly number[] | null): number | Float64Array {
    if (high === undefined || high === null) {
      high = low;
      low = 0;
    }
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) throw new RangeError(`RandomState.randint: low and high must be safe integers, got low=${low}, high=${high}`);
    if (low >= high) throw new RangeError(`RandomState.randint: low >= high (low=${low}, high=${high})`);
    const rng = high - 1 - low;
    if (size === undefined || size === null) return low + this.bounded(rng);
    return this.sized('randint', low, rng, count(size, 'randint'), () => low + this.bounded(rng));
  }

  /** A value in [0, rng] by masked rejection (numpy's `random_bounded_uint64`, masked form). */
  private bounded(rng: number): number {
    if (rng === 0) return 0;
    if (rng <= 0xffffffff) {
      if (rng === 0xffffffff) return this.nextUint32();
      let mask = rng;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      mask >>>= 0;
      let v: number;
      do v = (this.nextUint32() & mask) >>> 0;
      while (v > rng);
      return v;
    }
    // 64-bit: mask over hi and lo words; rng < 2**53 so the high word's mask fits easily
    const rngHi = Math.floor(rng / TWO32);
    let maskHi = rngHi;
    maskHi |= maskHi >>> 1;
    maskHi |= maskHi >>> 2;
    maskHi |= maskHi >>> 4;
    maskHi |= maskHi >>> 8;
    maskHi |= maskHi >>> 16;
    let v: number;
    do {
      const hi = (this.nextUint32() & maskHi) >>> 0;
      const lo = this.nextUint32();
      v = hi * TWO32 + lo;
    } while (v > rng);
    return v;
  }

  /** numpy's `random_interval(max)` used by shuffle: [0, max] by masked rejection. */
  private interval(max: number): number {
    return this.bounded(max);
  }

  /** Standard normal by the polar method, caching the second value as numpy's `legacy_gauss`. */
  private nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const g = this.gauss;
      this.gauss = 0;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * log(r2)) / r2); // the C library's log, as numpy (V8's Math.log differs in ~3% of draws)
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  standardNormal(): number;
  standardNormal(size: number | readonly number[]): Float64Array;
  standardNormal(size?: number | readonly number[] | null): number | Float64Array {
    return size === undefined || size === null ? this.nextGauss() : this.normal(0, 1, size);
  }

  /** Gaussian with mean `loc` and standard deviation `scale` (>= 0). */
  normal(loc?: number, scale?: number): number;
  normal(loc: number, scale: number, size: number | readonly number[]): Float64Array;
  normal(loc = 0, scale = 1, size?: number | readonly number[] | null): number | Float64Array {
    if (!(scale >= 0)) throw new RangeError(`RandomState.normal: scale must be >= 0, got ${scale}`);
    if (size === undefined || size === null) return loc + scale * this.nextGauss();
    return this.sized('normal', loc, scale, count(size, 'normal'), () => loc + scale * this.nextGauss());
  }

  /** `normal(loc, scale, shape)` as a tensor (float64, or float32 rounded from the same draws). */
  normalTensor(loc: number, scale: number, shape: readonly number[], options: { dtype?: DType; device?: string } = {}): Tensor {
    if (!(scale >= 0)) throw new RangeError(`RandomState.normalTensor: scale must be >= 0, got ${scale}`);
    return this.tensor('normalTensor', 'normal', loc, scale, shape, options.dtype ?? 'float64', options.device ?? 'cpu', () => loc + scale * this.nextGauss());
  }

  /** Shuffles an array (or typed array) in place along its first axis, as numpy's legacy shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A shuffled range [0, n), or a shuffled copy of an array. */
  permutation(n: number): Float64Array;
  permutation<T>(a: readonly T[]): T[];
  permutation<T>(a: number | readonly T[]): Float64Array | T[] {
    if (typeof a === 'number') {
      if (!Number.isSafeInteger(a) || a < 0) throw new RangeError(`RandomState.permutation: n must be a non-negative integer, got ${a}`);
      const out = new Float64Array(a);
      for (let i = 0; i < a; i++) out[i] = i;
      return this.shuffle(out);
    }
    return this.shuffle(a.slice());
  }

  /**
   * numpy's legacy `choice(a, size, replace, p)` returning indices into `a` when `a` is a number, else
   * elements of `a`. Draw order follows numpy so seeds match.
   */
  choice<T = number>(a: number | readonly T[], options: { size?: number | readonly number[] | null; replace?: boolean; p?: ArrayLike<number> | null } = {}): T | T[] {
    const pop = typeof a === 'number' ? a : a.length;
    if (!Number.isSafeInteger(pop) || pop < 0) throw new RangeError(`RandomState.choice: a must be a non-negative integer or an array, got ${String(a)}`);
    const replace = options.replace ?? true;
    const size = options.size ?? null;
    const n = size === null ? 1 : count(size, 'choice');
    let p: Float64Array | null = null;
    if (options.p !== undefined && options.p !== null) {
      if (options.p.length !== pop) throw new RangeError(`RandomState.choice: p must have the size of a (${pop}), got ${options.p.length}`);
      p = Float64Array.from(options.p);
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        if (!(p[i] >= 0)) throw new RangeError('RandomState.choice: probabilities are not non-negative');
        s += p[i];
      }
      if (Math.abs(s - 1) > Math.sqrt(Number.EPSILON)) throw new RangeError('RandomState.choice: probabilities do not sum to 1');
    }
    if (pop === 0 && n > 0) throw new RangeError("RandomState.choice: 'a' cannot be empty unless no samples are taken");
    let idx: number[];
    if (replace) {
      if (p !== null) {
        const cdf = cumsumNormalized(p);
        idx = [];
        for (let i = 0; i < n; i++) idx.push(searchRight(cdf, this.nextDouble()));
      } else {
        idx = [];
        for (let i = 0; i < n; i++) idx.push(this.bounded(pop - 1));
      }
    } else {
      if (n > pop) throw new RangeError('RandomState.choice: cannot take a larger sample than population when replace is false');
      if (p !== null) {
        let nonzero = 0;
        for (let i = 0; i < p.length; i++) if (p[i] > 0) nonzero++;
        if (nonzero < n) throw new RangeError('RandomState.choice: fewer non-zero entries in p than size');
        const found: number[] = [];
        while (found.length < n) {
          const x = this.randomSample(n - found.length);
          for (const f of found) p[f] = 0;
          const cdf = cumsumNormalized(p);
          const fresh: number[] = [];
          for (const u of x) {
            const v = searchRight(cdf, u);
            if (!fresh.includes(v)) fresh.push(v); // first occurrence order, as np.unique(return_index) sorted
          }
          found.push(...fresh);
        }
        idx = found;
      } else {
        idx = Array.from(this.permutation(pop).subarray(0, n));
      }
    }
    const pick = (i: number): T => (typeof a === 'number' ? (i as T) : a[i]);
    if (size === null) return pick(idx[0]);
    return idx.map(pick);
  }

  /**
   * numpy's legacy `multinomial(n, pvals, size)`: counts per category, drawn category by category as
   * conditional binomials (the last category takes the rest). Returns `pvals.length` counts, or
   * `size` rows of them flattened in C order.
   */
  multinomial(n: number, pvals: ArrayLike<number>, size?: number | readonly number[] | null): Float64Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`RandomState.multinomial: n must be a non-negative integer, got ${n}`);
    const d = pvals.length;
    if (d === 0) throw new RangeError('RandomState.multinomial: pvals must have at least 1 entry');
    const p = Float64Array.from(pvals);
    for (let i = 0; i < d; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`RandomState.multinomial: pvals must be in [0, 1], got pvals[${i}]=${p[i]}`);
    }
    if (kahanSum(p, d - 1) > 1 + 1e-12) throw new RangeError('RandomState.multinomial: sum(pvals[:-1]) > 1.0');
    const rows = size === undefined || size === null ? 1 : count(size, 'multinomial');
    const out = new Float64Array(rows * d);
    for (let r = 0; r < rows; r++) {
      let remainingP = 1;
      let left = n;
      for (let j = 0; j < d - 1; j++) {
        const k = this.binomial(left, p[j] / remainingP);
        out[r * d + j] = k;
        left -= k;
        if (left <= 0) break;
        remainingP -= p[j];
      }
      if (left > 0) out[r * d + d - 1] = left;
    }
    return out;
  }

  /** numpy's `random_binomial` (used by multinomial): inversion for n*min(p,1-p) <= 30, else BTPE. */
  private binomial(n: number, p: number): number {
    if (n === 0 || p === 0) return 0;
    if (p <= 0.5) return p * n <= 30 ? this.binomialInversion(n, p) : this.binomialBtpe(n, p);
    const q = 1 - p;
    return q * n <= 30 ? n - this.binomialInversion(n, q) : n - this.binomialBtpe(n, q);
  }

  private binomialInversion(n: number, p: number): number {
    const q = 1 - p;
    const qn = Math.exp(n * log(q));
    const np = n * p;
    const bound = Math.trunc(Math.min(n, np + 10 * Math.sqrt(np * q + 1)));
    let x = 0;
    let px = qn;
    let u = this.nextDouble();
    while (u > px) {
      x++;
      if (x > bound) {
        x = 0;
        px = qn;
        u = this.nextDouble();
      } else {
        u -= px;
        px = ((n - x + 1) * p * px) / (x * q);
      }
    }
    return x;
  }

  /** Kachitvichyanukul and Schmeiser's BTPE, following numpy's legacy step structure and constants (p <= 0.5). */
  private binomialBtpe(n: number, p: number): number {
    const r = Math.min(p, 1 - p);
    const q = 1 - r;
    const fm = n * r + r;
    const m = Math.floor(fm);
    const p1 = Math.floor(2.195 * Math.sqrt(n * r * q) - 4.6 * q) + 0.5;
    const xm = m + 0.5;
    const xl = xm - p1;
    const xr = xm + p1;
    const c = 0.134 + 20.5 / (15.3 + m);
    let a = (fm - xl) / (fm - xl * r);
    const laml = a * (1 + a / 2);
    a = (xr - fm) / (xr * q);
    const lamr = a * (1 + a / 2);
    const p2 = p1 * (1 + 2 * c);
    const p3 = p2 + c / laml;
    const p4 = p3 + c / lamr;
    const nrq = n * r * q;
    const stirling = (v: number) => {
      const v2 = v * v;
      return (13680 - (462 - (132 - (99 - 140 / v2) / v2) / v2) / v2) / v / 166320;
    };
    for (;;) {
      const u = this.nextDouble() * p4;
      let v = this.nextDouble();
      let y: number;
      if (u <= p1) {
        y = Math.floor(xm - p1 * v + u);
        return p > 0.5 ? n - y : y;
      }
      if (u <= p2) {
        const x = xl + (u - p1) / c;
        v = v * c + 1 - Math.abs(m - x + 0.5) / p1;
        if (v > 1) continue;
        y = Math.floor(x);
      } else if (u <= p3) {
        y = Math.floor(xl + log(v) / laml);
        if (y < 0 || v === 0) continue;
        v = v * (u - p2) * laml;
      } else {
        y = Math.floor(xr - log(v) / lamr);
        if (y > n || v === 0) continue;
        v = v * (u - p3) * lamr;
      }
      const k = Math.abs(y - m);
      if (!(k > 20 && k < nrq / 2 - 1)) {
        // explicit evaluation of f(y)/f(m) by the recurrence
        const s = r / q;
        const aa = s * (n + 1);
        let f = 1;
        if (m < y) for (let i = m + 1; i <= y; i++) f *= aa / i - s;
        else if (m > y) for (let i = y + 1; i <= m; i++) f /= aa / i - s;
        if (v > f) continue;
        return p > 0.5 ? n - y : y;
      }
      // squeeze, then the Stirling-bound comparison
      const rho = (k / nrq) * ((k * (k / 3 + 0.625) + 0.1666666666666) / nrq + 0.5);
      const t = (-k * k) / (2 * nrq);
      const A = log(v);
      if (A < t - rho) return p > 0.5 ? n - y : y;
      if (A > t + rho) continue;
      const x1 = y + 1;
      const f1 = m + 1;
      const z = n + 1 - m;
      const w = n - y + 1;
      const bound = xm * log(f1 / x1) + (n - m + 0.5) * log(z / w) + (y - m) * log((w * r) / (x1 * q)) + stirling(f1) + stirling(z) + stirling(x1) + stirling(w);
      if (A > bound) continue;
      return p > 0.5 ? n - y : y;
    }
  }

  /** The state, as numpy's `get_state()` holds it (copy). */
  getState(): RandomStateState {
    return { key: this.mt.slice(), pos: this.pos, hasGauss: this.hasGauss, gauss: this.gauss };
  }

  /** Restores a state from `getState()` (or numpy's `get_state()` values). */
  setState(state: RandomStateState): this {
    if (!state || state.key === undefined || state.key.length !== N) throw new TypeError(`RandomState.setState: state.key must hold ${N} words`);
    if (!Number.isInteger(state.pos) || state.pos < 0 || state.pos > N) throw new RangeError(`RandomState.setState: state.pos must be in [0, ${N}], got ${state.pos}`);
    this.mt = Uint32Array.from(state.key);
    this.pos = state.pos;
    this.hasGauss = Boolean(state.hasGauss);
    this.gauss = state.hasGauss ? state.gauss : 0;
    return this;
  }
}

function count(size: number | readonly number[], fn: string): number {
  const dims = typeof size === 'number' ? [size] : size;
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`RandomState.${fn}: size must hold non-negative integers, got [${dims.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** numpy's kahan_sum over the first `n` values (its multinomial check of sum(pvals[:-1])). */
function kahanSum(a: Float64Array, n: number): number {
  let sum = a[0]; // numpy reads a[0] even for n = 0
  let c = 0;
  for (let i = 1; i < n; i++) {
    const y = a[i] - c;
    const t = sum + y;
    c = t - sum - y;
    sum = t;
  }
  return sum;
}

function cumsumNormalized(p: Float64Array): Float64Array {
  const cdf = new Float64Array(p.length);
  let s = 0;
  for (let i = 0; i < p.length; i++) cdf[i] = s += p[i];
  const last = cdf[cdf.length - 1];
  for (let i = 0; i < cdf.length; i++) cdf[i] /= last;
  return cdf;
}

/** numpy's searchsorted(side='right'): the first index whose value is > x. */
function searchRight(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

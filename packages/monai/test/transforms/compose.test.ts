// Compose, OneOf, RandomOrder, SomeOf and setDeterminism against MONAI 1.4 (goldens from
// tools/goldens/transforms/compose/make_compose.py): the seeds handed to random children, and the
// children picked over successive calls; plus inverse, start/end, lazy flag plumbing and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { Compose, OneOf, RandomOrder, SomeOf, executeCompose, numpySum } from '../../src/transforms/compose.js';
import { RandomizableTransform, Transform, TransformError } from '../../src/transforms/transform.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';
import { getSeed, setDeterminism } from '../../src/utils/misc.js';
import { RandomState } from '../../src/utils/random_state.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => {
  setDeterminism({ seed: null });
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

type Item = { trace: string[] };
const G = readGolden('transforms/compose/compose.json') as {
  determinism: { det_seed: number; final: Record<string, number>; history: Record<string, number[]>; outer_next: number }[];
  explicit: { seed: number; seeds: Record<string, number> }[];
  choices: { kind: string; seed: number; options: Record<string, unknown>; calls: string[][] }[];
  oneof_flatten: { weights: number[]; outer_weights: number[] };
};

/** A random child recording the seeds it is given; appends its name to data.trace. */
class Probe extends RandomizableTransform {
  seeds: (number | null)[] = [];
  constructor(readonly label: string) {
    super();
  }
  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    this.seeds.push(options.seed === undefined || options.seed === null ? null : Number(options.seed));
    return super.setRandomState(options);
  }
  override randomize(): void {}
  call(d: unknown): Item {
    return { trace: [...(d as Item).trace, this.label] };
  }
}

const plain = (label: string) => Object.defineProperty((d: unknown) => ({ trace: [...(d as Item).trace, label] }), 'name', { value: `plain_${label}` });

test('setDeterminism: Compose hands children the seeds MONAI does (nested Compose reseeded by its parent)', () => {
  for (const g of G.determinism) {
    setDeterminism({ seed: g.det_seed });
    assert.equal(getSeed(), g.det_seed % 2 ** 32);
    const [a, b, c, d, e] = 'abcde'.split('').map((n) => new Probe(n));
    const inner = new Compose([c, plain('p'), d]);
    const outer = new Compose([a, b, plain('q'), inner, e]);
    for (const p of [a, b, c, d, e]) assert.deepEqual(p.seeds, g.history[p.label], `seed ${g.det_seed}: child ${p.label}`);
    assert.equal(outer.R.randint(0, 2 ** 32), g.outer_next, `seed ${g.det_seed}: Compose's own stream`);
  }
  setDeterminism({ seed: null });
  assert.equal(getSeed(), null);
});

test('Compose.setRandomState({ seed }) reseeds children as MONAI', () => {
  for (const g of G.explicit) {
    const [a, b, c] = 'abc'.split('').map((n) => new Probe(n));
    new Compose([a, new Compose([b]), c]).setRandomState({ seed: g.seed });
    for (const p of [a, b, c]) assert.equal(p.seeds.at(-1), g.seeds[p.label], `seed ${g.seed}: child ${p.label}`);
  }
});

test('OneOf / RandomOrder / SomeOf pick the children MONAI picks (5 seeds, successive calls)', () => {
  assert.ok(G.choices.length >= 60);
  for (const g of G.choices) {
    const probes = 'abcdef'.split('').map((n) => new Probe(n));
    const o = g.options as { weights?: number[] | null; numTransforms?: number | [number, number] | null; replace?: boolean };
    const t = g.kind === 'OneOf' ? new OneOf(probes, { weights: o.weights }) : g.kind === 'RandomOrder' ? new RandomOrder(probes) : new SomeOf(probes, { numTransforms: o.numTransforms, replace: o.replace, weights: o.weights });
    t.setRandomState({ seed: g.seed });
    const got = g.calls.map(() => (t.call({ trace: [] }) as Item).trace);
    assert.deepEqual(got, g.calls, `${g.kind} seed ${g.seed} ${JSON.stringify(g.options)}`);
  }
});

test('OneOf.flatten multiplies nested weights through (bit-equal to MONAI)', () => {
  const inner = new OneOf([new Probe('c'), new Probe('d')], { weights: [1, 3] });
  const outer = new OneOf([new Probe('a'), inner, new Probe('b')], { weights: [2, 1, 1] });
  assert.deepEqual(outer.weights, G.oneof_flatten.outer_weights);
  const flat = outer.flatten();
  assert.deepEqual(flat.weights, G.oneof_flatten.weights);
  assert.deepEqual(flat.transforms.map((t) => (t as Probe).label), ['a', 'c', 'd', 'b']);
});

test('numpySum follows numpy pairwise summation (differs from a running sum)', () => {
  const a = Array.from({ length: 37 }, (_, i) => ((-1) ** i * 10 ** (i % 7)) / (i + 3));
  let running = 0;
  for (const v of a) running += v;
  // float(np.sum(np.array(a))) and Python's running sum for this array
  assert.equal(numpySum(a), 77076.27303333509);
  assert.equal(running, 77076.27303333512);
  assert.equal(numpySum([1, 2, 3]), 6);
});

/** An invertible transform on MetaTensors: adds `v`, records it; inverse subtracts. */
class AddV extends Transform {
  constructor(readonly v: number) {
    super();
  }
  call(x: unknown): MetaTensor {
    const m = x as MetaTensor;
    const out = m.withTensor(m.add(this.v));
    return this.pushTransform(out, { extraInfo: { v: this.v } });
  }
  inverse(x: unknown): MetaTensor {
    const m = x as MetaTensor;
    const rec = this.popTransform(m);
    const v = (rec.extra_info as { v: number }).v;
    const out = m.withTensor(m.sub(v));
    return out;
  }
}

function runAndInvert(t: Compose, x: MetaTensor): { fwd: number; ops: string[]; back: number; left: number } {
  return torch.tidy(() => {
    const y = t.call(x) as MetaTensor;
    const fwd = y.item() as number;
    const ops = y.appliedOperations.map((r) => String(r.class));
    const z = t.inverse(y) as MetaTensor;
    return { fwd, ops, back: z.item() as number, left: z.appliedOperations.length };
  });
}

test('Compose.inverse undoes invertible children in reverse order', () => {
  const x = MetaTensor.wrap(torch.zeros([1]));
  const r = runAndInvert(new Compose([new AddV(1), (d: unknown) => d, new Compose([new AddV(10)]), new AddV(100)]), x);
  x.dispose();
  assert.equal(r.fwd, 111);
  assert.deepEqual(r.ops, ['AddV', 'AddV', 'AddV']);
  assert.equal(r.back, 0);
  assert.equal(r.left, 0);
});

test('OneOf / RandomOrder / SomeOf record their choice on MetaTensors and invert it', () => {
  for (const seed of [0, 3, 11]) {
    const adds = [1, 10, 100, 1000].map((v) => new AddV(v));
    for (const t of [new OneOf(adds), new RandomOrder(adds), new SomeOf(adds, { numTransforms: [1, 3] })]) {
      t.setRandomState({ seed });
      torch.tidy(() => {
        const x = MetaTensor.wrap(torch.zeros([1]));
        const y = t.call(x) as MetaTensor;
        const last = y.appliedOperations.at(-1)!;
        assert.equal(last.class, t.name);
        const info = last.extra_info as { index?: number; applied_order?: number[] };
        const expected = t instanceof OneOf ? [1, 10, 100, 1000][info.index!] : info.applied_order!.reduce((s, i) => s + [1, 10, 100, 1000][i], 0);
        assert.equal(y.item(), expected, `${t.name} seed ${seed}`);
        const z = t.inverse(y) as MetaTensor;
        assert.equal(z.item(), 0, `${t.name} seed ${seed}: inverse`);
        assert.equal(z.appliedOperations.length, 0);
      });
    }
  }
});

test('dictionary items: OneOf records on every MetaTensor value and inverts each', () => {
  class AddVd extends Transform {
    constructor(readonly v: number) {
      super();
    }
    call(d: unknown): Record<string, unknown> {
      const src = d as Record<string, MetaTensor>;
      const out: Record<string, unknown> = { ...src };
      for (const k of ['img', 'seg']) out[k] = this.pushTransform(src[k].withTensor(src[k].add(this.v)), { extraInfo: { v: this.v } });
      return out;
    }
    inverse(d: unknown): Record<string, unknown> {
      const src = d as Record<string, MetaTensor>;
      const out: Record<string, unknown> = { ...src };
      for (const k of ['img', 'seg']) {
        this.popTransform(src[k]);
        out[k] = src[k].withTensor(src[k].sub(this.v));
      }
      return out;
    }
  }
  const t = new OneOf([new AddVd(1), new AddVd(2)]).setRandomState({ seed: 5 });
  torch.tidy(() => {
    const d = { img: MetaTensor.wrap(torch.zeros([1])), seg: MetaTensor.wrap(torch.zeros([1])), name: 'x' };
    const y = t.call(d) as Record<string, MetaTensor>;
    assert.equal(y.name as unknown, 'x');
    assert.equal(y.img.appliedOperations.at(-1)!.class, 'OneOf');
    const z = t.inverse(y) as Record<string, MetaTensor>;
    assert.equal(z.img.item(), 0);
    assert.equal(z.seg.item(), 0);
  });
});

test('Compose.call: start/end run a slice; nested Compose receives the lazy flag', () => {
  const t = new Compose([plain('a'), plain('b'), plain('c')]);
  assert.deepEqual((t.call({ trace: [] }, { start: 1 }) as Item).trace, ['b', 'c']);
  assert.deepEqual((t.call({ trace: [] }, { end: 2 }) as Item).trace, ['a', 'b']);
  assert.deepEqual((t.call({ trace: [] }, { start: 1, end: 1 }) as Item).trace, []);
  assert.throws(() => t.call({ trace: [] }, { start: 2, end: 1 }), /Compose: start \(2\) must be less than end \(1\)/);
  assert.throws(() => t.call({ trace: [] }, { end: 4 }), /end \(4\) must be less than or equal to the transform count \(3\)/);
  assert.throws(() => t.call({ trace: [] }, { strat: 1 } as never), /Compose\.call: unknown option 'strat' \(did you mean 'start'\?\)/);
  assert.throws(() => new OneOf([plain('a')]).call({ trace: [] }, { start: 1 }), /OneOf requires start to be 0/);
  // the lazy flag reaches lazy-capable children through applyTransform
  const seen: unknown[] = [];
  class LazyProbe extends Transform {
    override readonly supportsLazy = true;
    call(d: unknown, lazy?: boolean): unknown {
      seen.push(lazy);
      return d;
    }
  }
  new Compose([new Compose([new LazyProbe()])], { lazy: null }).call({ trace: [] });
  new Compose([new Compose([new LazyProbe()])]).call({ trace: [] }, { lazy: true });
  new Compose([new LazyProbe()]).call({ trace: [] });
  // outer lazy null hands the nested Compose no flag, which then uses its own (false), as MONAI
  assert.deepEqual(seen, [false, true, false]);
});

test('Compose: mapItems over lists, unpackItems, length counts flattened leaves, getIndexOfFirst', () => {
  const t = new Compose([plain('a'), new Compose([plain('b'), new Compose([plain('c')])])]);
  assert.equal(t.length, 3);
  assert.equal(t.getIndexOfFirst((x) => x instanceof Compose), 1);
  assert.equal(t.getIndexOfFirst(() => false), null);
  const out = t.call([{ trace: [] }, { trace: ['z'] }]) as Item[];
  assert.deepEqual(out.map((o) => o.trace), [['a', 'b', 'c'], ['z', 'a', 'b', 'c']]);
  const whole = new Compose([(l: unknown) => (l as unknown[]).length], { mapItems: false });
  assert.equal(whole.call([1, 2, 3]), 3);
  const unpack = new Compose([((a: unknown, b: unknown) => (a as number) + (b as number)) as (d: unknown) => unknown], { unpackItems: true, mapItems: false });
  assert.equal(unpack.call([2, 5]), 7);
  assert.equal(executeCompose(1, [(x: unknown) => (x as number) + 1, (x: unknown) => (x as number) * 3]), 6);
});

test('Compose errors name the failing transform and bad options', () => {
  const boom = new (class Boom extends Transform {
    call(): unknown {
      throw new Error('no good');
    }
  })();
  assert.throws(() => new Compose([plain('a'), boom]).call({ trace: [] }), (e: unknown) => e instanceof TransformError && e.transformName === 'Boom' && /applying transform Boom: no good/.test(e.message));
  assert.throws(() => new Compose([plain('a')], { mapitems: false } as never), /Compose: unknown option 'mapitems' \(did you mean 'mapItems'\?\)/);
  assert.throws(() => new Compose([42 as never]), /Compose: transforms\[0\] must be a Transform or a function, got number/);
  assert.throws(() => new Compose([plain('a')], { mapItems: [plain('b')] as never }), /mapItems must be a boolean/);
  assert.throws(() => new OneOf([plain('a'), plain('b')], { weights: [1] }), /OneOf: transforms and weights should be the same size, got 1 weights and 2 transforms/);
  assert.throws(() => new OneOf([plain('a'), plain('b')], { weights: [1, -1] }), /OneOf: weights must be greater than or equal to zero/);
  assert.throws(() => new OneOf([plain('a'), plain('b')], { weights: [0, 0] }), /at least one weight must be greater than zero/);
  assert.throws(() => new SomeOf([plain('a'), plain('b')], { numTransforms: [0, 3] }), /SomeOf: numTransforms=\[0,3\] is out of the bounds \[0, 2\]/);
  assert.throws(() => new SomeOf([plain('a'), plain('b')], { numTransforms: [1, 2, 3] as never }), /must hold 2 integers/);
  assert.throws(() => new SomeOf([plain('a')], { weights: [1, 2] }), /SomeOf: expected 1 weights/);
  assert.throws(() => new SomeOf([plain('a')], { numTranforms: 1 } as never), /did you mean 'numTransforms'/);
  assert.throws(() => setDeterminism({ sed: 1 } as never), /setDeterminism: unknown option 'sed' \(did you mean 'seed'\?\)/);
  assert.throws(() => setDeterminism({ seed: 1.5 }), /setDeterminism: seed must be an integer or null, got 1.5/);
});

test('options-object form and empty transforms', () => {
  const t = new OneOf({ transforms: [plain('a'), plain('b')], weights: [0, 1] });
  assert.deepEqual((t.call({ trace: [] }) as Item).trace, ['b']);
  for (const e of [new Compose(), new OneOf([]), new RandomOrder(), new SomeOf()]) assert.deepEqual(e.call({ trace: ['x'] }), { trace: ['x'] });
  assert.throws(() => new Compose({ transforms: [] }, { mapItems: false }), /give options once/);
});

test('setDeterminism seeds torch and hands additionalSettings the seed', () => {
  const got: (number | null)[] = [];
  setDeterminism({ seed: 2 ** 32 + 3, additionalSettings: (s) => got.push(s) });
  assert.deepEqual(got, [3]);
  const a = torch.rand([4]);
  setDeterminism({ seed: 3 });
  const b = torch.rand([4]);
  assert.deepEqual(Array.from(a.toTypedArray() as Float32Array), Array.from(b.toTypedArray() as Float32Array));
  a.dispose();
  b.dispose();
  setDeterminism({ seed: null });
});

test('threading: random children draw from a copy of their state (MONAI deep-copies them), so calls repeat', () => {
  class Draw extends RandomizableTransform {
    call(d: unknown): unknown {
      return [...(d as number[]), this.R.randint(0, 1000000)];
    }
  }
  const inner = new Draw();
  const t = new Compose([new Draw(), new Compose([inner], { mapItems: false })], { mapItems: false }).setRandomState({ seed: 4 });
  const a = t.call([], { threading: true });
  const b = t.call([], { threading: true });
  assert.deepEqual(a, b);
  const c = t.call([]);
  assert.deepEqual(c, a, 'the first call without threading draws what the threaded calls drew');
  assert.notDeepEqual(t.call([]), c);
  assert.throws(() => t.call([], { thread: true } as never), /Compose.call: unknown option 'thread'; valid options: start, end, lazy, threading/);
});

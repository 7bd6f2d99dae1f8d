// Every intensity transform against MONAI 1.4.0 (tools/goldens/transforms/intensity/make_intensity.py):
// outputs (values and dtype) of array and dictionary forms; random transforms with 3 seeds x 3 successive
// calls, so equal outputs mean MONAI's random parameters were drawn in MONAI's order. Tolerances are per
// case in the golden file: exact (rtol 0, atol 0) for shifts of integers, thresholds, masks, dropout with a
// constant and shuffles; rtol/atol 1e-6 for float32 arithmetic in MONAI's order; 1e-5 where reductions,
// percentiles, FFTs or exp/log chains sum in another order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import * as I from '../../../src/transforms/intensity/index.js';
import { RandomState } from '../../../src/utils/random_state.js';
import { sharedRandomState } from '../../../src/transforms/transform.js';
import { assertClose, fromGolden, readGolden, values } from '../../helpers/compare.js';

const start = torch.memory().liveTensors;
const G = readGolden('transforms/intensity/intensity.json');
type Enc = { shape: number[]; dtype: string; data: (number | boolean)[] };

function resolve(v: unknown, made: Tensor[]): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, made));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$input === 'string') {
      const t = fromGolden(G.inputs[o.$input] as never);
      made.push(t);
      return t;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, made)]));
  }
  return v;
}

function metaInput(name: string): MetaTensor {
  return MetaTensor.wrap(fromGolden(G.inputs[name] as never));
}

function compare(actual: unknown, expected: Enc, tol: { rtol: number; atol: number }, what: string): void {
  assert.ok(actual instanceof torch.Tensor, `${what}: expected a Tensor, got ${String(actual)}`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const exp = expected.data.map((v) => (typeof v === 'boolean' ? Number(v) : expected.dtype === 'float32' ? Math.fround(v) : v));
  assertClose(values(actual), exp, tol, what);
}

function metaClose(actual: unknown, expected: unknown, tol: { rtol: number; atol: number }, what: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${what}: expected a list, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${what}: length`);
    expected.forEach((e, i) => metaClose(actual[i], e, tol, `${what}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    for (const [k, e] of Object.entries(expected)) metaClose((actual as Record<string, unknown>)[k], e, tol, `${what}.${k}`);
  } else if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${what}: expected a number, got ${JSON.stringify(actual)}`);
    assertClose([actual as number], [expected], tol, what);
  } else {
    assert.equal(actual, expected, what);
  }
}

/** Calls an array transform with the golden's call options in our call forms. */
function callArray(t: any, img: Tensor, co: Record<string, unknown> | undefined): any {
  if (!co) return t.call(img);
  if ('mean' in co || 'factor' in co) return t.call(img, co);
  if ('gamma' in co) return t.call(img, co.gamma);
  if ('maskData' in co) return t.call(img, co.maskData);
  if ('mask' in co) return t.call(img, null, co.mask);
  throw new Error(`no call form for ${JSON.stringify(Object.keys(co))}`);
}

for (const c of G.cases) {
  test(`${c.transform}: ${c.name} matches MONAI`, () => {
    const before = torch.memory().liveTensors;
    const made: Tensor[] = [];
    const tol = c.tol as { rtol: number; atol: number };
    if (c.transform === 'ShiftIntensityd+IntensityStatsd') {
      const stats = new I.IntensityStatsd({ keys: 'img', ops: ['max'], keyPrefix: 'orig' });
      const shift = new I.ShiftIntensityd({ keys: 'img', offset: 2.0, factorKey: 'orig_max' });
      const img = metaInput(c.input);
      const r = shift.call(stats.call({ img }));
      compare(r.img, c.runs[0].outputs[0].img, tol, 'img');
      torch.dispose([img, r.img as Tensor]);
      assert.equal(torch.memory().liveTensors, before, 'live tensors left behind');
      return;
    }
    if (c.generated === 'big') {
      // 1001 x 1001 values ((i * 7919) mod 1000003) / 1000, as the golden script makes them
      const big = MetaTensor.wrap(torch.tidy(() => torch.arange(1001 * 1001, { dtype: 'int64' }).mul(7919).remainder(1000003).to({ dtype: 'float32' }).div(1000).reshape([1, 1001, 1001])));
      const out = new I.ClipIntensityPercentiles(c.options).call(big) as MetaTensor;
      const exp = c.runs[0].outputs[0];
      metaClose(out.meta.clipping_values, exp.clippingValues, tol, 'clipping values');
      assertClose([torch.tidy(() => out.double().sum().item())], [exp.sum], tol, 'sum');
      torch.dispose([big, out]);
      assert.equal(torch.memory().liveTensors, before, 'live tensors left behind');
      return;
    }
    const options = resolve(c.options, made) as Record<string, unknown>;
    const callOptions = resolve(c.callOptions, made) as Record<string, unknown> | undefined;
    const Cls = (I as Record<string, any>)[c.transform];
    assert.ok(Cls, `no class ${c.transform}`);
    const isDict = 'keys' in options;
    for (const run of c.runs) {
      if (c.classSeed !== undefined) sharedRandomState.seed(c.classSeed); // MONAI's class-level Randomizable.R
      const t = new Cls(options);
      if (run.seed !== null) t.setRandomState(c.sharedState ? { state: new RandomState(run.seed) } : { seed: run.seed });
      run.outputs.forEach((exp: any, call: number) => {
        const what = `seed ${run.seed} call ${call}`;
        if (isDict) {
          const names: Record<string, string> = typeof c.input === 'string' ? Object.fromEntries((options.keys as string[]).map((k) => [k, c.input])) : c.input;
          const d: Record<string, unknown> = Object.fromEntries(Object.entries(names).map(([k, n]) => [k, metaInput(n)]));
          const r = t.call(d);
          for (const k of Object.keys(exp)) if (k !== 'meta') compare(r[k], exp[k], tol, `${what} key ${k}`);
          if (exp.meta) for (const [k, m] of Object.entries(exp.meta)) metaClose(r[k], m, tol, `${what} ${k}`);
          torch.dispose([Object.values(d), Object.values(r)]);
        } else {
          const img = metaInput(c.input);
          const r = callArray(t, img, callOptions);
          const out = Array.isArray(r) ? r[0] : r;
          compare(out, exp.out, tol, what);
          if (Array.isArray(r)) metaClose(r[1], exp.meta, tol, `${what} stats`);
          if (exp.meta && !Array.isArray(r)) for (const [k, m] of Object.entries(exp.meta)) metaClose((out as MetaTensor).meta[k], m, tol, `${what} meta.${k}`);
          if (exp.isMeta !== undefined) assert.equal(out instanceof MetaTensor, exp.isMeta, `${what}: MetaTensor out`);
          torch.dispose([img, out]);
        }
      });
    }
    torch.dispose(made);
    assert.equal(torch.memory().liveTensors, before, 'live tensors left behind');
  });
}

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors returned to their starting count');
});

// Every metric class and functional form against MONAI 1.4 goldens (tools/goldens/metrics/make_metrics.py):
// per-iteration results, aggregates across reductions and options, empty-label, empty-prediction and
// all-background cases, and whether MONAI warned. Tolerance: float32 results to rtol 1e-5 / atol 1e-6
// (MONAI divides in float32, we may divide in float64 first), float64 results to 1e-12; NaN and
// infinities must match exactly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import * as M from '../../src/metrics/index.js';

const start = torch.memory().liveTensors;
const GOLDEN = fileURLToPath(new URL('../../../../tools/goldens/metrics/metrics.pt', import.meta.url));
/* eslint-disable @typescript-eslint/no-explicit-any */
const golden = torch.load(GOLDEN) as { inputs: Record<string, Tensor>; cases: any[] };
const inputs = golden.inputs;

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

function values(t: Tensor): number[] {
  return torch.tidy(() => Array.from(t.to('float64').contiguous().data() as Float64Array));
}

/** Deep comparison of a result (tensor, number, array, record) with MONAI's. */
function check(actual: unknown, expected: unknown, what: string): void {
  if (expected instanceof torch.Tensor) {
    assert.ok(actual instanceof torch.Tensor, `${what}: expected a Tensor, found ${typeof actual}`);
    assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
    const f64 = expected.dtype === 'float64';
    if (expected.dtype === 'float32' || f64 || expected.dtype === 'bool') assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
    const [rtol, atol] = f64 ? [1e-12, 1e-12] : [1e-5, 1e-6];
    const a = values(actual);
    const e = values(expected);
    a.forEach((v, i) => assert.ok(close(v, e[i], rtol, atol), `${what}[${i}]: got ${v}, expected ${e[i]} (all: ${a} vs ${e})`));
    return;
  }
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${what}: expected a number`);
    assert.ok(close(actual as number, expected, 1e-12, 1e-12), `${what}: got ${actual}, expected ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${what}: expected an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${what}: length`);
    expected.forEach((e, i) => check((actual as unknown[])[i], e, `${what}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${what}: keys`);
    for (const [k, v] of Object.entries(expected)) check((actual as any)[k], v, `${what}.${k}`);
    return;
  }
  assert.equal(actual, expected, what);
}

const CLASSES: Record<string, new (o: any) => M.CumulativeIterationMetric> = {
  DiceMetric: M.DiceMetric, MeanIoU: M.MeanIoU, ConfusionMatrixMetric: M.ConfusionMatrixMetric, ROCAUCMetric: M.ROCAUCMetric,
  HausdorffDistanceMetric: M.HausdorffDistanceMetric, SurfaceDistanceMetric: M.SurfaceDistanceMetric, SurfaceDiceMetric: M.SurfaceDiceMetric,
  GeneralizedDiceScore: M.GeneralizedDiceScore, MSEMetric: M.MSEMetric, MAEMetric: M.MAEMetric, RMSEMetric: M.RMSEMetric, PSNRMetric: M.PSNRMetric,
  SSIMMetric: M.SSIMMetric, MultiScaleSSIMMetric: M.MultiScaleSSIMMetric,
};

/** Runs fn while collecting the warnings it emits (process.emitWarning is synchronous to call, asynchronous to deliver). */
function withWarnings<T>(fn: () => T): [T, string[]] {
  const seen: string[] = [];
  const orig = process.emitWarning;
  (process as any).emitWarning = (msg: string | Error) => void seen.push(String(msg));
  try {
    return [fn(), seen];
  } finally {
    process.emitWarning = orig;
  }
}

for (const kind of Object.keys(CLASSES)) {
  test(`${kind} matches MONAI across options, reductions and empty cases`, () => {
    const cs = golden.cases.filter((c) => c.kind === kind);
    assert.ok(cs.length >= 1, `${kind}: golden cases`);
    for (const c of cs) {
      const metric = new CLASSES[kind](c.options);
      try {
        const [, warnings] = withWarnings(() => {
          c.calls.forEach((call: any[], i: number) => {
            const r = torch.tidy(() => metric.call(inputs[call[0]], inputs[call[1]], call.length > 2 ? { spacing: call[2] } : {}));
            check(r, c.call_results[i], `${c.name} call ${i}`);
            torch.dispose(r);
          });
          const agg = (metric.aggregate as (...a: unknown[]) => unknown)(...c.aggregate_args);
          check(agg, c.aggregate, `${c.name} aggregate`);
          torch.dispose(agg);
        });
        assert.equal(warnings.length > 0, c.warned, `${c.name}: MONAI ${c.warned ? 'warned' : 'did not warn'}; we emitted ${JSON.stringify(warnings)}`);
      } finally {
        metric.reset();
      }
    }
  });
}

test('functional forms match MONAI', () => {
  const fns = golden.cases.filter((c) => c.fn);
  assert.ok(fns.length >= 15);
  for (const c of fns) {
    torch.tidy(() => {
      const a = c.args.map((x: unknown) => (typeof x === 'string' && x in inputs ? inputs[x] : x));
      let r: unknown;
      withWarnings(() => {
        switch (c.fn) {
          case 'computeDice': r = M.computeDice(a[0], a[1], c.options); break;
          case 'computeIou': r = M.computeIou(a[0], a[1], c.options); break;
          case 'getConfusionMatrix': r = M.getConfusionMatrix(a[0], a[1], c.options); break;
          case 'computeRocAuc': r = M.computeRocAuc(a[0], a[1], c.options.average); break;
          case 'computeHausdorffDistance': r = M.computeHausdorffDistance(a[0], a[1], c.options); break;
          case 'computeAverageSurfaceDistance': r = M.computeAverageSurfaceDistance(a[0], a[1], c.options); break;
          case 'computeSurfaceDice': r = M.computeSurfaceDice(a[0], a[1], a[2], c.options); break;
          case 'computeGeneralizedDice': r = M.computeGeneralizedDice(a[0], a[1], c.options); break;
          case 'getMaskEdges': r = M.getMaskEdges(a[0].select(0, 0).select(0, 1), a[1].select(0, 0).select(0, 1), c.options); break;
          case 'doMetricReduction': r = M.doMetricReduction(a[0], a[1]); break;
          case 'DiceHelper': r = new M.DiceHelper(c.options).call(a[0], a[1]); break;
          case 'CumulativeAverage': {
            const ca = new M.CumulativeAverage();
            r = a[0].map(([v, n]: [number | number[], number | number[]]) => {
              ca.append(v, n);
              return [ca.getCurrent(), ca.aggregate()];
            });
            ca.reset();
            break;
          }
          default: assert.fail(`unknown function ${c.fn}`);
        }
      });
      check(r, c.result, c.name);
    });
  }
});

after(() => {
  torch.dispose(golden);
  assert.equal(torch.memory().liveTensors, start, 'metric golden tests leaked tensors');
});

// Every layer against PyTorch 1.13 (fixtures from tools/goldens/nn/make_layers.py): printed form,
// parameter count, state-dict keys and shapes, default initialisation with the same seed,
// outputs and input/parameter gradients (1e-5 relative, fp32), running statistics after 3 steps.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Fixture, assertClose, camelKeys, valuesOf } from './helpers.js';

const start = torch.memory().liveTensors;
const fx = new Fixture('layers');

/** The case's module, built after seeding as the golden script did, and the sub-modules built for it. */
function construct(c: any): [nn.Module, nn.Module[]] {
  const Cls = (nn as any)[c.cls];
  torch.manualSeed(c.seed);
  const built: nn.Module[] = [];
  const build = (kw: Record<string, any>): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(camelKeys(kw))) {
      if (v && typeof v === 'object' && '__module__' in (v as any)) {
        const sub = new (nn as any)[(v as any).__module__](build((v as any).kwargs));
        built.push(sub);
        o[k] = sub;
      } else o[k] = v;
    }
    return o;
  };
  return [new Cls(build(c.kwargs)), built];
}

for (const c of fx.index.cases) {
  test(`${c.name}`, () => {
    torch.tidy(() => {
      const Cls = (nn as any)[c.cls];
      assert.ok(Cls, `nn.${c.cls} exists`);
      const [m, built] = construct(c);
      try {
        // printed form, parameter count, state-dict keys and shapes
        assert.equal(m.toString(), c.repr);
        let count = 0;
        for (const p of m.parameters()) count += p.numel();
        assert.equal(count, c.numParams, 'parameter count');
        const sd = m.stateDict();
        assert.deepEqual(Object.keys(sd), Object.keys(c.state), 'state-dict keys');
        for (const [k, ref] of Object.entries<any>(c.state)) {
          assert.deepEqual(sd[k].shape, ref.shape, `shape of ${k}`);
          // default initialisation: same seed, same generator, same values as PyTorch
          assertClose(sd[k], fx.values(ref), ref.shape, `init of ${k}`);
        }
        // load PyTorch's weights (exercises loadStateDict), then forward/backward
        const load: Record<string, torch.Tensor> = {};
        for (const [k, ref] of Object.entries<any>(c.state)) load[k] = fx.tensor(ref);
        m.loadStateDict(load);
        const raw: torch.Tensor[] = c.inputs.map((r: any) => fx.tensor(r));
        m.train(c.mode === 'train');
        torch.manualSeed(c.seed + 1);
        const kwIdx = new Set<number>(Object.values<any>(c.fkwargs).filter((v) => typeof v === 'number'));
        const call = (xs: torch.Tensor[]) => {
          const pos = xs.filter((_, i) => !kwIdx.has(i));
          const extra: unknown[] = [...c.fargs];
          if (Object.keys(c.fkwargs).length) {
            const o: Record<string, unknown> = {};
            for (const [k, v] of Object.entries<any>(c.fkwargs)) o[k] = typeof v === 'number' ? xs[v] : v;
            extra.push(camelKeys(o));
          }
          return (m.forward as any)(...pos, ...extra);
        };
        for (let step = 0; step < c.steps; step++) {
          torch.noGrad(() => call(raw.map((x) => (x.isFloatingPoint() ? x.mul(step + 1).add(step) : x))));
        }
        const xs: torch.Tensor[] = [];
        c.inputSpecs.forEach((s: any, i: number) => {
          if (s.same_as !== null) xs.push(xs[s.same_as]);
          else if (raw[i].isFloatingPoint() && s.grad) xs.push(raw[i].clone().requiresGrad_(true));
          else xs.push(raw[i]);
        });
        const out = call(xs);
        const outs: (torch.Tensor | null)[] = Array.isArray(out) ? out : [out];
        assert.equal(outs.length, c.outputs.length, 'number of outputs');
        let loss: torch.Tensor | null = null;
        outs.forEach((o, i) => {
          const ref = c.outputs[i];
          if (ref === null) {
            assert.equal(o, null, `output ${i} is null`);
            return;
          }
          assertClose(o!, fx.values(ref), ref.shape, `output ${i}`);
          if (c.gradOutputs[i]) {
            const term = o!.mul(fx.tensor(c.gradOutputs[i])).sum();
            loss = loss ? loss.add(term) : term;
          }
        });
        if (loss) (loss as torch.Tensor).backward();
        c.inputGrads.forEach((ref: any, i: number) => {
          if (!ref) return;
          const g = xs[i].grad;
          assert.ok(g, `input ${i} has a gradient`);
          assertClose(g!, fx.values(ref), ref.shape, `grad of input ${i}`);
        });
        const params = new Map(m.namedParameters());
        for (const [k, ref] of Object.entries<any>(c.paramGrads)) {
          const g = params.get(k)!.grad;
          assert.ok(g, `parameter ${k} has a gradient`);
          // A parameter's gradient sums over batch and positions in float32, in an order that
          // depends on the thread count: absolute 1e-5 (relative 1e-5 as elsewhere).
          assertClose(g!, fx.values(ref), ref.shape, `grad of ${k}`, 1e-5, 1e-5);
        }
        // running statistics (and everything else in the state) after the steps
        const fin = m.stateDict();
        for (const [k, ref] of Object.entries<any>(c.finalState)) assertClose(fin[k], fx.values(ref), ref.shape, `final ${k}`);
      } finally {
        m.dispose();
        // modules passed as options and copied (TransformerEncoder's encoderLayer) are the caller's
        for (const b of built) if (![...m.modules()].includes(b)) b.dispose();
      }
    });
  });
}

test('default initialisation is bitwise identical to PyTorch for most layers', () => {
  // (every case checks init to 1e-5; this counts the exact ones, building each module again so
  // that the count does not depend on which other tests ran)
  const inexact: string[] = [];
  for (const c of fx.index.cases) torch.tidy(() => {
    const [m, built] = construct(c);
    try {
      const sd = m.stateDict();
      const exact = Object.entries<any>(c.state).every(([k, ref]) => {
        const want = fx.values(ref);
        return valuesOf(sd[k]).every((v, i) => Object.is(v, want[i]));
      });
      if (!exact) inexact.push(c.name);
    } finally {
      m.dispose();
      for (const b of built) if (![...m.modules()].includes(b)) b.dispose();
    }
  });
  assert.ok(inexact.length <= 2, `not bitwise: ${inexact.join(', ')} (${fx.index.cases.length - inexact.length} of ${fx.index.cases.length} bitwise)`);
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});

// Spatial transforms against MONAI 1.4 (tools/goldens/transforms/spatial/make_spatial.py): outputs,
// affines and applied-operation counts of array and dictionary forms, random ones over 3 seeds x 3
// successive calls (same draws -> same outputs), and inverses. Tolerances are per case in the golden:
// 0 (exact) for flips, rot90, orientation and nearest modes (labels); 1e-6 max abs difference on unit-range
// data for every interpolating mode (measured: 1.2e-7 float64 grid_sample / interpolate, 2.4e-7 float32 grids;
// SPATIAL_REPORT=1 prints the largest difference per tolerance).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import * as S from '../../../src/transforms/spatial/index.js';
import { applyPending } from '../../../src/transforms/lazy/index.js';
import { GOLDEN, affineOf, checkRec, disposeAll, metaInput, tsOptions, worst, type Rec } from './helpers.js';

const start = torch.memory().liveTensors;
const gold = torch.load(GOLDEN) as { inputs: Record<string, Tensor>; cases: Record<string, any>[] };
after(() => {
  if (process.env.SPATIAL_REPORT) console.log('largest max-abs difference per stated tolerance:', Object.fromEntries(worst));
  disposeAll(gold);
  assert.equal(torch.memory().liveTensors, start, 'live tensors left behind');
});

const { inputs, cases } = gold;
const ctor = (cls: string) => (S as unknown as Record<string, new (o: unknown) => any>)[cls];
const label = (c: Record<string, any>, i: number) => `${c.kind} ${c.cls} #${i} ${JSON.stringify(c.opts, (_k, v) => (v instanceof torch.Tensor ? 'tensor' : v))}${c.seed !== undefined ? ` seed ${c.seed}` : ''}`;

function callArray(t: any, cls: string, x: MetaTensor, c: Record<string, any>): Tensor {
  if (cls === 'SpatialResample') {
    const call = c.call as { dst_affine: string; spatial_size: number[] | null };
    return t.call(x, false, { dstAffine: inputs[call.dst_affine].tolist(), spatialSize: call.spatial_size });
  }
  if (cls === 'ResampleToMatch') {
    const [shape, aff] = c.call.img_dst as [number[], string];
    const dst = MetaTensor.wrap(torch.zeros(shape), { affine: affineOf(inputs[aff]) });
    try {
      return t.call(x, false, { imgDst: dst });
    } finally {
      dst.dispose();
    }
  }
  const r = t.call(x);
  return Array.isArray(r) ? r[0] : r;
}

cases.forEach((c, i) => {
  if (c.kind === 'array') {
    test(label(c, i), () => {
      const before = torch.memory().liveTensors;
      const t = new (ctor(c.cls))(tsOptions(c.opts));
      const x = metaInput(inputs, c.input);
      const out = callArray(t, c.cls, x, c);
      checkRec('forward', out, c as unknown as Rec, c.tol);
      if (c.inverse) {
        const inv = t.inverse(out);
        checkRec('inverse', inv, c.inverse, c.tol);
        if (inv !== out) inv.dispose();
      }
      disposeAll(x, out);
      assert.equal(torch.memory().liveTensors, before, 'live tensors');
    });
  } else if (c.kind === 'dict') {
    test(label(c, i), () => {
      const before = torch.memory().liveTensors;
      const t = new (ctor(c.cls))(tsOptions(c.opts));
      const d: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.input as Record<string, string>)) d[k] = metaInput(inputs, v);
      const out = t.call(d) as Record<string, Tensor>;
      for (const k of Object.keys(d)) checkRec(`forward ${k}`, out[k], c.outs[k], k === 'label' ? 0 : c.tol);
      if (c.inverse) {
        const inv = t.inverse(out) as Record<string, Tensor>;
        for (const k of Object.keys(d)) checkRec(`inverse ${k}`, inv[k], c.inverse[k], k === 'label' ? 0 : c.tol);
        disposeAll(Object.values(inv).filter((v) => !Object.values(out).includes(v)));
      }
      disposeAll(d, out);
      assert.equal(torch.memory().liveTensors, before, 'live tensors');
    });
  } else if (c.kind === 'rand_array' || c.kind === 'rand_dict') {
    test(label(c, i), () => {
      const before = torch.memory().liveTensors;
      const t = new (ctor(c.cls))(tsOptions(c.opts)).setRandomState({ seed: c.seed });
      (c.calls as Record<string, any>[]).forEach((r, n) => {
        if (c.kind === 'rand_array') {
          const x = metaInput(inputs, c.input);
          const out = t.call(x);
          checkRec(`call ${n}`, out, r as Rec, c.tol);
          if (r.inverse) {
            const inv = t.inverse(out);
            checkRec(`call ${n} inverse`, inv, r.inverse, c.tol);
            if (inv !== out) inv.dispose();
          }
          disposeAll(x, out);
        } else {
          const d: Record<string, Tensor> = {};
          for (const [k, v] of Object.entries(c.input as Record<string, string>)) d[k] = metaInput(inputs, v);
          const out = t.call(d) as Record<string, Tensor>;
          for (const k of Object.keys(d)) checkRec(`call ${n} ${k}`, out[k], r.outs[k], c.tol);
          if (r.inverse) {
            const inv = t.inverse(out) as Record<string, Tensor>;
            for (const k of Object.keys(d)) checkRec(`call ${n} inverse ${k}`, inv[k], r.inverse[k], c.tol);
            disposeAll(Object.values(inv).filter((v) => !Object.values(out).includes(v)));
          }
          disposeAll(d, out);
        }
      });
      t.dispose?.();
      assert.equal(torch.memory().liveTensors, before, 'live tensors');
    });
  }
});

// The 5-transform chain: eager equals MONAI's eager run; with every transform lazy and one applyPending at
// the end it equals MONAI's lazy run (one resample of the composed matrix).
for (const c of cases.filter((x) => x.kind === 'chain')) {
  for (const lazy of [false, true]) {
    test(`chain ${(c.chain as [string, unknown][]).map(([n]) => n).join(' > ')} ${lazy ? 'lazy' : 'eager'} equals MONAI`, () => {
      const before = torch.memory().liveTensors;
      let d: Record<string, unknown> = { image: metaInput(inputs, c.input) };
      const made: unknown[] = [d.image];
      for (const [cls, opts] of c.chain as [string, Record<string, unknown>][]) {
        d = new (ctor(cls))(tsOptions(opts)).call(d, lazy);
        made.push(d.image);
      }
      let img = d.image as MetaTensor;
      if (lazy) {
        assert.equal(img.pendingOperations.length, 5, 'five pending operations');
        img = applyPending(img)[0] as MetaTensor;
        made.push(img);
        assert.equal(img.pendingOperations.length, 0);
      }
      checkRec(lazy ? 'lazy' : 'eager', img, lazy ? c.lazy : c.eager, c.tol);
      disposeAll([...new Set(made)]);
      assert.equal(torch.memory().liveTensors, before, 'live tensors');
    });
  }
}

// Crop and pad transforms against MONAI 1.4 (goldens: tools/goldens/transforms/croppad/make_croppad.py).
// Exact: output values (SHA-256 of the float64 values), shape, dtype, the applied-operation record and
// MONAI's inverse output; affines to 1e-12 (MONAI multiplies them with torch's matmul). Random
// transforms: 4 seeds (3 for dictionaries) x 3 successive calls, every patch compared.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { MetaTensor } from '../../../src/data/meta_tensor.js';
import * as C from '../../../src/transforms/croppad/index.js';
import { RandomState } from '../../../src/utils/random_state.js';
import { setDeterminism } from '../../../src/utils/misc.js';
import { Compose } from '../../../src/transforms/compose.js';
import { decollateBatch } from '../../../src/data/collate.js';
import { readGolden } from '../../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors left behind'));

type Enc = { shape: number[]; dtype: string; sha256: string; sum: number; affine?: number[]; op?: { class: string; orig_size: number[]; extra_info: unknown }; n_ops?: number; patch_index?: number; crop_center?: number[] };
const G = readGolden('transforms/croppad/croppad.json') as {
  affine: number[];
  array: { cls: string; options: Record<string, unknown>; input: string; out: Enc; inverse: Enc }[];
  random: { cls: string; options: Record<string, unknown>; input: string; call: Record<string, string>; seed: number; calls: Enc[][] }[];
  dict: { cls: string; options: Record<string, unknown>; seed?: number; out?: Record<string, Enc>; inverse?: Record<string, Enc>; extra?: Record<string, unknown>; calls?: Record<string, Enc>[][] }[];
  compose: { seed: number; calls: Record<string, Enc>[][] }[];
  padlist: { batch: Enc; n: number[]; inverse: Enc[] };
  coords: { start: number[]; end: number[] };
  bbox: number[][];
  bbox_fg: number[][];
};

const SELECT: Record<string, (x: Tensor) => Tensor> = { gt5: (x) => x.gt(5), gt300: (x) => x.gt(300) };

/** The golden's inputs, rebuilt (see the script's header); call inside a tidy, which frees them. */
function inputs(): Record<string, MetaTensor> {
  const mt = (t: Tensor) => MetaTensor.wrap(t, { affine: G.affine });
  const base = torch.arange(504, { dtype: 'float32' }).reshape([1, 7, 8, 9]);
  const mask = torch.zeros([1, 7, 8, 9], { dtype: 'bool' });
  mask.narrow(1, 2, 3).narrow(2, 3, 3).narrow(3, 1, 6).fill_(1);
  const r = torch.tensor(Array.from(new RandomState(7).rand(7, 8, 9)), { dtype: 'float64' }).reshape([1, 7, 8, 9]);
  const label = r.gt(0.6).to('float32').add(r.gt(0.85).to('float32'));
  const w = torch.tensor(Array.from(new RandomState(8).rand(1, 7, 8, 9)), { dtype: 'float64' }).to('float32').reshape([1, 7, 8, 9]);
  return {
    img: mt(base.clone()),
    img2: mt(torch.arange(1008, { dtype: 'float32' }).reshape([2, 7, 8, 9])),
    imgi: mt(torch.arange(504, { dtype: 'int16' }).reshape([1, 7, 8, 9])),
    fg: mt(base.mul(mask)),
    label: mt(label),
    w: mt(w),
  };
}

function tsOptions(o: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = { ...o };
  if (typeof r.selectFn === 'string') r.selectFn = SELECT[r.selectFn];
  return r;
}

function sha(t: Tensor): string {
  return torch.tidy(() => createHash('sha256').update(new Uint8Array((t.to('float64').contiguous().toTypedArray() as Float64Array).buffer)).digest('hex'));
}

function stripIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripIds);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'id').map(([k, x]) => [k, stripIds(x)]));
  return v;
}

function check(t: Tensor, e: Enc, what: string): void {
  assert.deepEqual(t.shape, e.shape, `${what}: shape`);
  assert.equal(t.dtype, e.dtype, `${what}: dtype`);
  assert.equal(sha(t), e.sha256, `${what}: values (sum ${torch.tidy(() => t.to('float64').sum().item())} vs ${e.sum})`);
  if (e.affine) {
    assert.ok(t instanceof MetaTensor, `${what}: MetaTensor`);
    const a = Array.from(t.affine);
    assert.ok(a.every((v, i) => Math.abs(v - e.affine![i]) <= 1e-12), `${what}: affine [${a}] vs [${e.affine}]`);
    assert.equal(t.appliedOperations.length, e.n_ops, `${what}: number of applied operations`);
    if (e.op) {
      const op = t.appliedOperations.at(-1)!;
      assert.equal(op.class, e.op.class, `${what}: record class`);
      assert.deepEqual(op.orig_size, e.op.orig_size, `${what}: record orig_size`);
      assert.deepEqual(stripIds(op.extra_info), e.op.extra_info, `${what}: record extra_info`);
    }
    if (e.patch_index !== undefined) assert.equal(t.meta.patch_index, e.patch_index, `${what}: patch_index`);
    if (e.crop_center !== undefined) assert.deepEqual(t.meta.crop_center, e.crop_center, `${what}: crop_center`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const make = (cls: string, o: Record<string, unknown>): any => new (C as any)[cls](tsOptions(o));

test('array crops and pads match MONAI (values, affine, record) and their inverses match MONAI\'s', () => {
  assert.ok(G.array.length >= 30);
  for (const g of G.array) {
    torch.tidy(() => {
      const X = inputs();
      const what = `${g.cls}(${JSON.stringify(g.options)}) on ${g.input}`;
      const t = make(g.cls, g.options);
      const out = t.call(X[g.input]) as Tensor;
      check(out, g.out, what);
      const inv = t.inverse(out) as Tensor;
      check(inv, g.inverse, `${what} inverse`);
      assert.deepEqual(inv.shape, X[g.input].shape, `${what}: inverse restores the shape`);
    });
  }
});

test('random croppers draw MONAI\'s regions (4 seeds x 3 calls, every patch)', () => {
  assert.ok(G.random.length >= 48);
  for (const g of G.random) {
    torch.tidy(() => {
      const X = inputs();
      const t = make(g.cls, g.options).setRandomState({ seed: g.seed });
      const callOpts = Object.fromEntries(Object.entries(g.call).map(([k, v]) => [k, X[v]]));
      g.calls.forEach((expected, c) => {
        const res = t.call(X[g.input], Object.keys(callOpts).length ? callOpts : undefined) as Tensor | Tensor[];
        const outs = Array.isArray(res) ? res : [res];
        assert.equal(outs.length, expected.length, `${g.cls} seed ${g.seed} call ${c}: samples`);
        outs.forEach((o, i) => check(o, expected[i], `${g.cls}(${JSON.stringify(g.options)}) seed ${g.seed} call ${c} sample ${i}`));
      });
    });
  }
});

test('dictionary crops and pads match MONAI, incl. coordinate keys and inverse', () => {
  for (const g of G.dict.filter((d) => d.out)) {
    torch.tidy(() => {
      const X = inputs();
      const t = make(g.cls, g.options);
      const out = t.call({ ...X }) as Record<string, unknown>;
      for (const [k, e] of Object.entries(g.out!)) check(out[k] as Tensor, e, `${g.cls} key ${k}`);
      for (const [k, v] of Object.entries(g.extra ?? {})) assert.deepEqual(out[k], v, `${g.cls}: ${k}`);
      if (g.options.endCoordKey === null) assert.ok(!('foreground_end_coord' in out));
      const inv = t.inverse(out) as Record<string, unknown>;
      for (const [k, e] of Object.entries(g.inverse!)) check(inv[k] as Tensor, e, `${g.cls} inverse key ${k}`);
    });
  }
});

test('random dictionary croppers: same region for every key, MONAI\'s draws (3 seeds x 3 calls)', () => {
  const cases = G.dict.filter((d) => d.calls);
  assert.equal(cases.length, 18);
  for (const g of cases) {
    torch.tidy(() => {
      const X = inputs();
      const t = make(g.cls, g.options).setRandomState({ seed: g.seed });
      g.calls!.forEach((expected, c) => {
        const res = t.call({ ...X }) as Record<string, unknown> | Record<string, unknown>[];
        const outs = Array.isArray(res) ? res : [res];
        assert.equal(outs.length, expected.length);
        outs.forEach((o, i) => {
          for (const [k, e] of Object.entries(expected[i])) check(o[k] as Tensor, e, `${g.cls} seed ${g.seed} call ${c} sample ${i} key ${k}`);
        });
      });
    });
  }
});

test('CropForeground returnCoords and BoundingRect match MONAI', () => {
  torch.tidy(() => {
    const X = inputs();
    const [, s, e] = new C.CropForeground({ returnCoords: true, margin: 1 }).call(X.fg) as unknown as [Tensor, number[], number[]];
    assert.deepEqual([s, e], [G.coords.start, G.coords.end]);
    assert.deepEqual(new C.BoundingRect({ selectFn: SELECT.gt5 }).call(X.img2), G.bbox);
    assert.deepEqual(new C.BoundingRect().call(X.fg), G.bbox_fg);
  });
});

test('a random dictionary pipeline seeded by setDeterminism crops what MONAI crops after set_determinism', () => {
  assert.equal(G.compose.length, 2);
  for (const g of G.compose) {
    setDeterminism({ seed: g.seed });
    const pipe = new Compose([
      new C.RandSpatialCropd({ keys: ['img', 'label'], roiSize: [6, 7, 8], randomSize: true }),
      new C.RandCropByPosNegLabeld({ keys: ['img', 'label'], labelKey: 'label', spatialSize: [3, 4, 3], numSamples: 2 }),
    ]);
    setDeterminism({ seed: null });
    torch.tidy(() => {
      const X = inputs();
      g.calls.forEach((expected, c) => {
        const outs = pipe.call({ ...X }) as Record<string, unknown>[];
        assert.equal(outs.length, expected.length);
        outs.forEach((o, i) => {
          for (const [k, e] of Object.entries(expected[i])) check(o[k] as Tensor, e, `Compose seed ${g.seed} call ${c} sample ${i} key ${k}`);
        });
      });
    });
  }
});

test('PadListDataCollate pads to the batch\'s largest shape and its inverse crops each item back (MONAI)', () => {
  torch.tidy(() => {
    const a = MetaTensor.wrap(torch.arange(210, { dtype: 'float32' }).reshape([1, 5, 6, 7]), { affine: G.affine });
    const b = MetaTensor.wrap(torch.arange(252, { dtype: 'float32' }).reshape([1, 7, 4, 9]), { affine: G.affine });
    const batch = new C.PadListDataCollate({ mode: 'reflect' }).call([{ img: a, n: 1 }, { img: b, n: 2 }]) as Record<string, unknown>;
    check((batch.img as MetaTensor).asTensor(), G.padlist.batch, 'PadListDataCollate batch');
    const items = decollateBatch(batch) as Record<string, unknown>[];
    items.forEach((it, i) => check(C.PadListDataCollate.inverse(it).img as Tensor, G.padlist.inverse[i], `PadListDataCollate.inverse item ${i}`));
  });
});

// The number formats and nan statistics behind MONAI's metric reports, against Python/numpy/torch
// (tools/goldens/handlers/report_formats.py): every printed string and every statistic equal exactly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import type { DType } from '@monai-ts/torch';
import { npArrayStr, npFloat32Str, pyFixed, pyFloatRepr, pyStr, torchTensorStr } from '../../src/handlers/py_format.js';
import { nanPercentile, nanStats, rowNanMean, type Precision } from '../../src/handlers/nan_stats.js';
import { readGolden } from '../helpers/compare.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));

const G = readGolden('handlers/report_formats.json');
const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);
const same = (a: number, b: number, what: string): void => assert.ok(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${what}: ${a} vs numpy ${b}`);

test("Python's repr(float), numpy's str(float32) and format(x, '.4f') (ties to even, -0, huge values)", () => {
  for (const f of G.formats as { x: number | string; repr: string; f32: string; fixed4: string }[]) {
    const x = num(f.x);
    assert.equal(pyFloatRepr(x), f.repr, `repr(${f.repr})`);
    assert.equal(npFloat32Str(x), f.f32, `str(np.float32(${f.repr}))`);
    assert.equal(pyFixed(x, 4), f.fixed4, `format(${f.repr}, '.4f')`);
  }
});

test("torch's str(tensor): fixed, integer and scientific modes, nan/inf, wrapping at 80 columns, dtypes", () => {
  for (const t of G.tensors as { values: number[]; shape: number[]; dtype: string; str: string }[]) {
    const dtype = (t.dtype === 'bool' ? 'bool' : t.dtype) as DType;
    const x = torch.tidy(() => torch.tensor(t.values.map((v) => num(v as never)), { dtype: dtype === 'bool' ? 'float32' : dtype }).to(dtype).reshape(t.shape));
    assert.equal(torchTensorStr(x), t.str);
    x.dispose();
  }
  assert.equal(pyStr({ label_1: 0.5, label_2: 0.25 }), "{'label_1': 0.5, 'label_2': 0.25}");
  assert.equal(pyStr([0.5, 'a', null]), "[0.5, 'a', None]");
});

test("numpy's str of 1-D float arrays: positional and scientific modes, padding, nan/inf, 8 digits", () => {
  for (const a of G.arrays as { values: (number | string)[]; dtype: string; str: string }[]) {
    assert.equal(npArrayStr(a.values.map(num), a.dtype === 'float32'), a.str);
  }
});

test("numpy's nanmean/nanmedian/nanmax/nanmin/nanstd/nanpercentile on float32 and float64 columns (1 to 300 items)", () => {
  for (const [i, row] of (G.stats as { dtype: string; values: (number | string)[]; mean: number; median: number; std: number; max: number; min: number; percentiles: Record<string, number | string> }[]).entries()) {
    const a = row.values.map(num);
    const p = row.dtype as Precision;
    const s = nanStats(a, p);
    const what = `column ${i} (${a.length} ${p})`;
    same(s.mean, num(row.mean), `${what} mean`);
    same(rowNanMean(a, p), num(row.mean), `${what} row mean`);
    same(s.median, num(row.median), `${what} median`);
    same(s.std, num(row.std), `${what} std`);
    same(s.max, num(row.max), `${what} max`);
    same(s.min, num(row.min), `${what} min`);
    for (const [q, v] of Object.entries(row.percentiles)) same(nanPercentile(a, Number(q), p), num(v), `${what} ${q}percentile`);
  }
  const allNan = nanStats([NaN, NaN], 'float32');
  assert.ok(Number.isNaN(allNan.mean) && Number.isNaN(allNan.median) && Number.isNaN(allNan.std) && allNan.notnans === 0);
});
